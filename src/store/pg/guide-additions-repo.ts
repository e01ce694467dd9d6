// Staff's additions to the guide on PostgreSQL (migration 050), in the order they were made.
import type { Database } from './database.js';
import type { TransferRecord } from '../transfer.js';
import type { GuideAdditionsRepository, StoredEntry, StoredPhrasing } from '../guide-additions-repo.js';

export class PgGuideAdditionsRepo implements GuideAdditionsRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgGuideAdditionsRepo> {
    return new PgGuideAdditionsRepo(db);
  }

  async phrasings(): Promise<StoredPhrasing[]> {
    const { rows } = await this.db.query<{ data: StoredPhrasing }>('SELECT data FROM guide_phrasings WHERE office = $1 ORDER BY seq', [this.db.office], 'guide-additions');
    return rows.map((r) => r.data);
  }

  async entries(): Promise<StoredEntry[]> {
    const { rows } = await this.db.query<{ data: StoredEntry }>('SELECT data FROM guide_entries WHERE office = $1 ORDER BY seq', [this.db.office], 'guide-additions');
    return rows.map((r) => r.data);
  }

  async addPhrasing(phrasing: StoredPhrasing): Promise<void> {
    await this.db.query(
      'INSERT INTO guide_phrasings (office, entry_id, data) VALUES ($1, $2, $3)',
      [this.db.office, phrasing.entryId, JSON.stringify(phrasing)],
      'guide-additions',
    );
  }

  async addEntry(entry: StoredEntry): Promise<void> {
    await this.db.query('INSERT INTO guide_entries (office, id, data) VALUES ($1, $2, $3)', [this.db.office, entry.id, JSON.stringify(entry)], 'guide-additions');
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ phrasings: number; entries: number }>(
      `SELECT (SELECT count(*)::integer FROM guide_phrasings WHERE office = $1) AS phrasings,
              (SELECT count(*)::integer FROM guide_entries WHERE office = $1) AS entries`,
      [this.db.office],
      'guide-additions',
    );
    return { 'guide-phrasing': rows[0]!.phrasings, 'guide-entry': rows[0]!.entries };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    for (const phrasing of await this.phrasings()) yield { kind: 'guide-phrasing', data: phrasing };
    for (const entry of await this.entries()) yield { kind: 'guide-entry', data: entry };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const collected: TransferRecord[] = [];
    for await (const record of records) collected.push(record);
    await this.db.transaction(async (client) => {
      const { rows } = await client.query(
        'SELECT 1 FROM guide_phrasings WHERE office = $1 UNION ALL SELECT 1 FROM guide_entries WHERE office = $1 LIMIT 1',
        [this.db.office],
      );
      if (rows.length) throw new Error('guide additions: import needs an empty repository');
      for (const { kind, data } of collected) {
        if (kind === 'guide-phrasing') {
          const phrasing = data as StoredPhrasing;
          await client.query('INSERT INTO guide_phrasings (office, entry_id, data) VALUES ($1, $2, $3)', [this.db.office, phrasing.entryId, JSON.stringify(phrasing)]);
        } else if (kind === 'guide-entry') {
          const entry = data as StoredEntry;
          await client.query('INSERT INTO guide_entries (office, id, data) VALUES ($1, $2, $3)', [this.db.office, entry.id, JSON.stringify(entry)]);
        } else {
          throw new Error(`guide additions: unknown record kind ${kind}`);
        }
      }
    }, 'guide-additions');
  }
}
