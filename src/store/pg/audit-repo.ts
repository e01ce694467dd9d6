// The audit log of account changes on PostgreSQL (migration 040): appended only, read newest first
// through the (office, seq) key or the (office, target, seq) index.
import type { Database } from './database.js';
import type { TransferRecord } from '../transfer.js';
import type { AuditEntry, AuditRepository } from '../audit-repo.js';

export class PgAuditRepo implements AuditRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgAuditRepo> {
    return new PgAuditRepo(db);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.db.query('INSERT INTO audit_entries (office, target, data) VALUES ($1, $2, $3)', [this.db.office, entry.target, entry], 'audit');
  }

  async latest(limit: number, target?: string): Promise<AuditEntry[]> {
    const { rows } =
      target === undefined
        ? await this.db.query<{ data: AuditEntry }>('SELECT data FROM audit_entries WHERE office = $1 ORDER BY seq DESC LIMIT $2', [this.db.office, limit], 'audit')
        : await this.db.query<{ data: AuditEntry }>('SELECT data FROM audit_entries WHERE office = $1 AND target = $2 ORDER BY seq DESC LIMIT $3', [this.db.office, target, limit], 'audit');
    return rows.map((r) => r.data);
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_entries WHERE office = $1', [this.db.office]);
    return { 'audit-entry': rows[0]!.n };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const { rows } = await this.db.query<{ data: AuditEntry }>('SELECT data FROM audit_entries WHERE office = $1 ORDER BY seq', [this.db.office]);
    for (const row of rows) yield { kind: 'audit-entry', data: row.data };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if ((await this.counts())['audit-entry']) throw new Error('the audit log is not empty');
    await this.db.transaction(async (client) => {
      // One at a time, in the order listed: the sequence keeps it.
      for await (const record of records) {
        if (record.kind !== 'audit-entry') throw new Error(`the audit log does not take records of kind ${record.kind}`);
        const entry = record.data as AuditEntry;
        await client.query('INSERT INTO audit_entries (office, target, data) VALUES ($1, $2, $3)', [this.db.office, entry.target, entry]);
      }
    });
  }
}
