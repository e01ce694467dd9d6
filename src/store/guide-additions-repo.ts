// What staff taught the guide from the console's 未答问题 page (guide-additions.json): new phrasings
// of existing entries and whole new entries. Kept under DATA_DIR, not in data/guide/: data/guide/ is
// the office's content as shipped (and replaced on upgrade), this is what the running office added.
// The guide is rebuilt from both at every start (src/guide/service.ts).
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { TransferRecord, Transferable } from './transfer.js';

/** Another way citizens ask the question of an existing entry. */
export interface StoredPhrasing {
  entryId: string;
  text: string;
  by: string;
  at: string;
}

/** An entry drafted by staff: one title question and its answer (plain text, no placeholders). */
export interface StoredEntry {
  id: string;
  section: string;
  question: string;
  answer: string;
  by: string;
  at: string;
}

interface GuideAdditionsData {
  phrasings: StoredPhrasing[];
  entries: StoredEntry[];
}

/**
 * Staff's additions, read whole when the guide is built (at start; a handful per week). Each
 * instance builds its guide from them at start and adds its own staff's additions as they come.
 */
export interface GuideAdditionsRepository extends Transferable {
  /** Every stored phrasing, oldest first. */
  phrasings(): Promise<StoredPhrasing[]>;
  /** Every stored entry, oldest first. */
  entries(): Promise<StoredEntry[]>;
  addPhrasing(phrasing: StoredPhrasing): Promise<void>;
  addEntry(entry: StoredEntry): Promise<void>;
}

export class GuideAdditionsRepo implements GuideAdditionsRepository {
  private constructor(private readonly file: DataFile<GuideAdditionsData>) {}

  static async open(store: Store): Promise<GuideAdditionsRepo> {
    const file = await store.file<GuideAdditionsData>({
      name: 'guide-additions',
      version: 1,
      defaults: () => ({ phrasings: [], entries: [] }),
      check: (d) => (Array.isArray(d.phrasings) && Array.isArray(d.entries) ? null : 'phrasings or entries is not a list'),
    });
    return new GuideAdditionsRepo(file);
  }

  async phrasings(): Promise<StoredPhrasing[]> {
    return structuredClone(this.file.data.phrasings);
  }

  async entries(): Promise<StoredEntry[]> {
    return structuredClone(this.file.data.entries);
  }

  async addPhrasing(phrasing: StoredPhrasing): Promise<void> {
    const copy = structuredClone(phrasing);
    await this.file.update((d) => void d.phrasings.push(copy));
  }

  async addEntry(entry: StoredEntry): Promise<void> {
    const copy = structuredClone(entry);
    await this.file.update((d) => void d.entries.push(copy));
  }

  async counts(): Promise<Record<string, number>> {
    return { 'guide-phrasing': this.file.data.phrasings.length, 'guide-entry': this.file.data.entries.length };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    for (const phrasing of await this.phrasings()) yield { kind: 'guide-phrasing', data: phrasing };
    for (const entry of await this.entries()) yield { kind: 'guide-entry', data: entry };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (this.file.data.phrasings.length || this.file.data.entries.length) throw new Error('guide additions: import needs an empty repository');
    const phrasings: StoredPhrasing[] = [];
    const entries: StoredEntry[] = [];
    for await (const record of records) {
      if (record.kind === 'guide-phrasing') phrasings.push(record.data as StoredPhrasing);
      else if (record.kind === 'guide-entry') entries.push(record.data as StoredEntry);
      else throw new Error(`guide additions: unknown record kind ${record.kind}`);
    }
    await this.file.update((d) => {
      d.phrasings = phrasings;
      d.entries = entries;
    });
  }
}
