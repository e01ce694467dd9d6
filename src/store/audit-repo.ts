// The audit log of account changes (audit.json): who changed whose account, how, when and from
// where. Appended only; admins read it through the staff API and the console's users page.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { Transferable, TransferRecord } from './transfer.js';

export interface AuditEntry {
  at: string;
  /** The staff member who acted ('system' for the server itself). */
  by: string;
  action: string;
  /** The account acted on. */
  target: string;
  detail?: Record<string, unknown>;
  /** The source address of the request, when there was one. */
  address?: string;
}

/** Append-only: no entry is ever changed or removed. */
export interface AuditRepository extends Transferable {
  append(entry: AuditEntry): Promise<void>;
  /** The newest `limit` entries (of one account when `target` is given), newest first. */
  latest(limit: number, target?: string): Promise<AuditEntry[]>;
}

interface AuditData {
  entries: AuditEntry[];
}

export class AuditRepo implements AuditRepository {
  private constructor(private readonly file: DataFile<AuditData>) {}

  static async open(store: Store): Promise<AuditRepo> {
    return new AuditRepo(await store.file<AuditData>({ name: 'audit', version: 1, defaults: () => ({ entries: [] }) }));
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.file.update((d) => {
      d.entries.push(structuredClone(entry));
    });
  }

  async latest(limit: number, target?: string): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    const entries = this.file.data.entries;
    for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
      if (!target || entries[i]!.target === target) out.push(structuredClone(entries[i]!));
    }
    return out;
  }

  async counts(): Promise<Record<string, number>> {
    return { 'audit-entry': this.file.data.entries.length };
  }

  /** Oldest first: the order they were appended in, which importRecords keeps. */
  async *exportRecords(): AsyncIterable<TransferRecord> {
    for (const entry of this.file.data.entries) yield { kind: 'audit-entry', data: structuredClone(entry) };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (this.file.data.entries.length) throw new Error('the audit log is not empty');
    const entries: AuditEntry[] = [];
    for await (const record of records) {
      if (record.kind !== 'audit-entry') throw new Error(`the audit log does not take records of kind ${record.kind}`);
      entries.push(record.data as AuditEntry);
    }
    await this.file.update((d) => {
      d.entries.push(...entries);
    });
  }
}
