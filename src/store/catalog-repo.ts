// Proactive-disclosure items (catalog.json): the items with their events, the per-year 索引号
// sequences, the publication counter, and the last portal-feed import. Subscribers and the push
// ledger live in their own files, so a push never rewrites the catalog.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { CatalogItem, ItemEvent, PublicationBasis } from '../catalog/types.js';

export interface FeedImportRecord {
  at: string;
  url: string;
  found: number;
  imported: number;
  duplicates: number;
  invalid: number;
  error: string | null;
}

interface CatalogData {
  items: CatalogItem[];
  /** 索引号 sequence per year. */
  indexSequences: Record<string, number>;
  /** The last publication number handed out. */
  publishSeq: number;
  lastFeedImport: FeedImportRecord | null;
}

/** A publication to stamp in the same write as the approval that causes it. */
export interface Publication {
  at: string;
  by: string;
  on: string;
  basis: PublicationBasis;
}

export interface NewItem {
  /** Year of the 索引号 sequence, when the item needs a generated one. */
  indexYear: number;
  build: (indexSeq: number | null) => CatalogItem;
  /** Whether `build` needs a sequence number (no 索引号 was given). */
  needsIndexSeq: boolean;
  publish: Publication | null;
}

export class CatalogRepo {
  readonly #byId = new Map<string, CatalogItem>();
  readonly #byIndexNo = new Map<string, CatalogItem>();
  readonly #byUrl = new Map<string, CatalogItem>();

  private constructor(private readonly file: DataFile<CatalogData>) {
    this.#reindex();
  }

  static async open(store: Store): Promise<CatalogRepo> {
    const file = await store.file<CatalogData>({
      name: 'catalog',
      version: 1,
      defaults: () => ({ items: [], indexSequences: {}, publishSeq: 0, lastFeedImport: null }),
      check: (d) => (Array.isArray(d.items) && typeof d.publishSeq === 'number' ? null : 'items is not a list'),
    });
    return new CatalogRepo(file);
  }

  #reindex(): void {
    this.#byId.clear();
    this.#byIndexNo.clear();
    this.#byUrl.clear();
    for (const item of this.file.data.items) this.#index(item);
  }

  #index(item: CatalogItem): void {
    this.#byId.set(item.id, item);
    this.#byIndexNo.set(item.indexNo, item);
    if (item.url) this.#byUrl.set(urlKey(item.url), item);
  }

  async #write<R>(change: (d: CatalogData) => R): Promise<R> {
    try {
      return await this.file.update(change);
    } catch (error) {
      this.#reindex(); // the file reloaded its data
      throw error;
    }
  }

  all(): readonly CatalogItem[] {
    return this.file.data.items;
  }

  get(id: string): CatalogItem | undefined {
    return this.#byId.get(id);
  }

  byIndexNo(indexNo: string): CatalogItem | undefined {
    return this.#byIndexNo.get(indexNo);
  }

  byUrl(url: string): CatalogItem | undefined {
    return this.#byUrl.get(urlKey(url));
  }

  lastFeedImport(): FeedImportRecord | null {
    return this.file.data.lastFeedImport;
  }

  /** Stores new items in one write, numbering those without a 索引号 and publishing those marked so. */
  async insert(drafts: NewItem[], feedImport?: FeedImportRecord): Promise<CatalogItem[]> {
    return this.#write((d) => {
      const created: CatalogItem[] = [];
      for (const draft of drafts) {
        let seq: number | null = null;
        if (draft.needsIndexSeq) {
          seq = (d.indexSequences[draft.indexYear] ?? 0) + 1;
          d.indexSequences[draft.indexYear] = seq;
        }
        const item = draft.build(seq);
        if (draft.publish) item.events.push(publishEvent(d, draft.publish));
        d.items.push(item);
        this.#index(item);
        created.push(item);
      }
      if (feedImport) d.lastFeedImport = feedImport;
      return created;
    });
  }

  async recordFeedImport(record: FeedImportRecord): Promise<void> {
    await this.#write((d) => {
      d.lastFeedImport = record;
    });
  }

  /** Appends events (and, for a final approval, the publication) to an item in one write. */
  async append(id: string, events: ItemEvent[], publish: Publication | null, change?: (item: CatalogItem) => void): Promise<CatalogItem> {
    return this.#write((d) => {
      const item = this.#byId.get(id);
      if (!item) throw new Error(`catalog item ${id} vanished`);
      if (change) {
        if (item.url) this.#byUrl.delete(urlKey(item.url));
        change(item);
        this.#index(item);
      }
      item.events.push(...events);
      if (publish) item.events.push(publishEvent(d, publish));
      return item;
    });
  }
}

function publishEvent(d: CatalogData, p: Publication): ItemEvent {
  d.publishSeq += 1;
  return { type: 'publish', at: p.at, by: p.by, on: p.on, seq: d.publishSeq, basis: p.basis };
}

/** Two links to the same page compare equal whatever the case of the host or a trailing slash. */
export function urlKey(url: string): string {
  try {
    const u = new URL(url.trim());
    u.hash = '';
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return url.trim();
  }
}
