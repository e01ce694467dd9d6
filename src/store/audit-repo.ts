// The audit log of account changes (audit.json): who changed whose account, how, when and from
// where. Appended only; admins read it through the staff API and the console's users page.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';

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

interface AuditData {
  entries: AuditEntry[];
}

export class AuditRepo {
  private constructor(private readonly file: DataFile<AuditData>) {}

  static async open(store: Store): Promise<AuditRepo> {
    return new AuditRepo(await store.file<AuditData>({ name: 'audit', version: 1, defaults: () => ({ entries: [] }) }));
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.file.update((d) => {
      d.entries.push(entry);
    });
  }

  /** Newest first. */
  latest(limit: number, target?: string): AuditEntry[] {
    const out: AuditEntry[] = [];
    const entries = this.file.data.entries;
    for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
      if (!target || entries[i]!.target === target) out.push(entries[i]!);
    }
    return out;
  }
}
