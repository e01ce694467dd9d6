// What staff taught the guide from the console's 未答问题 page (guide-additions.json): new phrasings
// of existing entries and whole new entries. Kept under DATA_DIR, not in data/guide/: data/guide/ is
// the office's content as shipped (and replaced on upgrade), this is what the running office added.
// The guide is rebuilt from both at every start (src/guide/service.ts).
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';

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

export class GuideAdditionsRepo {
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

  phrasings(): readonly StoredPhrasing[] {
    return this.file.data.phrasings;
  }

  entries(): readonly StoredEntry[] {
    return this.file.data.entries;
  }

  async addPhrasing(phrasing: StoredPhrasing): Promise<void> {
    await this.file.update((d) => void d.phrasings.push(phrasing));
  }

  async addEntry(entry: StoredEntry): Promise<void> {
    await this.file.update((d) => void d.entries.push(entry));
  }
}
