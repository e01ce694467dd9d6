// Proactive-disclosure items (catalog.json): the items with their events, the per-year 索引号
// sequences, the publication counter, and the last portal-feed import. Subscribers and the push
// ledger live in their own files, so a push never rewrites the catalog.
//
// CatalogRepository is what services use, on either engine; CatalogRepo is the embedded engine's
// (src/store/pg/catalog-repo.ts the PostgreSQL one). Lists are queries with their filter and page:
// published items for the public and the chat, items in one review state for the console.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { Transferable, TransferRecord } from './transfer.js';
import { ConflictError } from './conflict.js';
import type { CatalogItem, ItemEvent, ItemFields, ItemState, PublicationBasis } from '../catalog/types.js';
import { publicationOf, stateOf } from '../catalog/review.js';
import { relatedItems, searchItems, type CatalogQuery, type Page } from '../catalog/search.js';

export interface FeedImportRecord {
  at: string;
  url: string;
  found: number;
  imported: number;
  duplicates: number;
  invalid: number;
  error: string | null;
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
  /**
   * An entry from the portal's feed: refused (ConflictError) when an item with the same link is
   * already stored, e.g. imported a moment ago by another instance polling the same feed.
   */
  uniqueUrl?: boolean;
}

/** An append to one item, made against the events the caller read. */
export interface ItemChange {
  /** How many events the caller's copy had: another count means someone else changed it first. */
  expectedEvents: number;
  events: ItemEvent[];
  /** The leader's approval: the publication, numbered in the same write. */
  publish?: Publication | null;
  /** Corrected fields (an edit of a draft). */
  fields?: Partial<ItemFields>;
}

export interface CatalogState {
  /** 索引号 sequence per year. */
  indexSequences: Record<string, number>;
  /** The last publication number handed out. */
  publishSeq: number;
  lastFeedImport: FeedImportRecord | null;
}

export interface CatalogRepository extends Transferable {
  get(id: string): Promise<CatalogItem | undefined>;
  byIndexNo(indexNo: string): Promise<CatalogItem | undefined>;
  byUrl(url: string): Promise<CatalogItem | undefined>;
  /** Staff's list: items in `state` (all when null), newest first, or oldest first when `oldestFirst` (the review queue). */
  list(query: CatalogQuery, state: ItemState | null, oldestFirst: boolean): Promise<Page<CatalogItem>>;
  /** Published items matching the query, newest publication first. */
  searchPublished(query: CatalogQuery): Promise<Page<CatalogItem>>;
  /** Published items naming the most of `words` in title or summary, newest first (search.ts relatedItems). */
  relatedPublished(words: readonly string[], limit: number): Promise<CatalogItem[]>;
  /** Items with a publication number above `seq`, in publication order. */
  publishedAfter(seq: number): Promise<CatalogItem[]>;
  /** Every published item, in the order they were stored (the annual report; published items are few). */
  published(): Promise<CatalogItem[]>;
  lastFeedImport(): Promise<FeedImportRecord | null>;
  /**
   * Stores new items in one write, numbering those without a 索引号 and publishing those marked so.
   * A 索引号 already used (or a feed link already stored, `uniqueUrl`) refuses them all: ConflictError.
   */
  insert(drafts: NewItem[], feedImport?: FeedImportRecord): Promise<CatalogItem[]>;
  recordFeedImport(record: FeedImportRecord): Promise<void>;
  /** Appends events (and the publication, numbered) to an item; ConflictError when its events moved on. */
  append(id: string, change: ItemChange): Promise<CatalogItem>;
}

interface CatalogData extends CatalogState {
  items: CatalogItem[];
}

export const emptyCatalogState = (): CatalogState => ({ indexSequences: {}, publishSeq: 0, lastFeedImport: null });

/** Whether the counters say anything (a repository that never stored an item has nothing to move). */
export function catalogStateIsEmpty(state: CatalogState): boolean {
  return state.publishSeq === 0 && Object.keys(state.indexSequences).length === 0 && state.lastFeedImport === null;
}

/** The publication order key: date first, then the publication number (as the public list sorts). */
export function publicationKey(item: CatalogItem): string {
  const p = publicationOf(item)!;
  return `${p.on}|${String(p.seq).padStart(12, '0')}`;
}

export class CatalogRepo implements CatalogRepository {
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
      defaults: () => ({ items: [], ...emptyCatalogState() }),
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

  async get(id: string): Promise<CatalogItem | undefined> {
    return copy(this.#byId.get(id));
  }

  async byIndexNo(indexNo: string): Promise<CatalogItem | undefined> {
    return copy(this.#byIndexNo.get(indexNo));
  }

  async byUrl(url: string): Promise<CatalogItem | undefined> {
    return copy(this.#byUrl.get(urlKey(url)));
  }

  async list(query: CatalogQuery, state: ItemState | null, oldestFirst: boolean): Promise<Page<CatalogItem>> {
    const items = this.file.data.items;
    const eligible = state ? items.filter((item) => stateOf(item.events) === state) : items;
    return copyPage(searchItems(eligible, query, (item) => item.createdAt, oldestFirst));
  }

  async searchPublished(query: CatalogQuery): Promise<Page<CatalogItem>> {
    return copyPage(searchItems(this.#published(), query, publicationKey));
  }

  async relatedPublished(words: readonly string[], limit: number): Promise<CatalogItem[]> {
    return relatedItems(this.#published(), words, (item) => publicationOf(item)!.on, limit).map((item) => structuredClone(item));
  }

  async publishedAfter(seq: number): Promise<CatalogItem[]> {
    return this.#published()
      .filter((item) => publicationOf(item)!.seq > seq)
      .sort((a, b) => publicationOf(a)!.seq - publicationOf(b)!.seq)
      .map((item) => structuredClone(item));
  }

  async published(): Promise<CatalogItem[]> {
    return this.#published().map((item) => structuredClone(item));
  }

  #published(): CatalogItem[] {
    return this.file.data.items.filter((item) => publicationOf(item) !== null);
  }

  async lastFeedImport(): Promise<FeedImportRecord | null> {
    return copy(this.file.data.lastFeedImport) ?? null;
  }

  async insert(drafts: NewItem[], feedImport?: FeedImportRecord): Promise<CatalogItem[]> {
    // Checked before the write, so a refused batch leaves the counters as they were.
    return this.#write((d) => {
      const state: CatalogState = { indexSequences: { ...d.indexSequences }, publishSeq: d.publishSeq, lastFeedImport: d.lastFeedImport };
      const built = buildItems(drafts, state);
      const indexNos = new Set<string>();
      const urls = new Set<string>();
      for (const [item, draft] of built) {
        if (this.#byIndexNo.has(item.indexNo) || indexNos.has(item.indexNo)) throw new ConflictError(`索引号 ${item.indexNo}`);
        indexNos.add(item.indexNo);
        if (draft.uniqueUrl && item.url) {
          const key = urlKey(item.url);
          if (this.#byUrl.has(key) || urls.has(key)) throw new ConflictError(`链接 ${item.url}`);
          urls.add(key);
        }
      }
      d.indexSequences = state.indexSequences;
      d.publishSeq = state.publishSeq;
      for (const [item] of built) {
        d.items.push(item);
        this.#index(item);
      }
      if (feedImport) d.lastFeedImport = feedImport;
      return built.map(([item]) => structuredClone(item));
    });
  }

  async recordFeedImport(record: FeedImportRecord): Promise<void> {
    await this.#write((d) => {
      d.lastFeedImport = record;
    });
  }

  async append(id: string, change: ItemChange): Promise<CatalogItem> {
    return this.#write((d) => {
      const item = this.#byId.get(id);
      if (!item) throw new Error(`catalog item ${id} vanished`);
      if (item.events.length !== change.expectedEvents) throw new ConflictError(`catalog item ${id}`);
      if (change.fields) {
        if (item.url) this.#byUrl.delete(urlKey(item.url));
        Object.assign(item, change.fields);
        this.#index(item);
      }
      item.events.push(...change.events);
      if (change.publish) item.events.push(publishEvent(d, change.publish));
      return structuredClone(item);
    });
  }

  async counts(): Promise<Record<string, number>> {
    const d = this.file.data;
    return { 'catalog-item': d.items.length, 'catalog-state': catalogStateIsEmpty(d) ? 0 : 1 };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const { items, ...state } = this.file.data;
    if (!catalogStateIsEmpty(state)) yield { kind: 'catalog-state', data: structuredClone(state) };
    for (const item of items) yield { kind: 'catalog-item', data: structuredClone(item) };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (this.file.data.items.length > 0 || !catalogStateIsEmpty(this.file.data)) throw new Error('the catalog is not empty');
    const items: CatalogItem[] = [];
    let state = emptyCatalogState();
    for await (const record of records) {
      if (record.kind === 'catalog-item') items.push(record.data as CatalogItem);
      else if (record.kind === 'catalog-state') state = record.data as CatalogState;
      else throw new Error(`the catalog does not take ${record.kind} records`);
    }
    await this.#write((d) => {
      Object.assign(d, state);
      d.items = items;
    });
    this.#reindex();
  }
}

/** Numbers and builds the drafts against `state` (changed in place): what both engines store. */
export function buildItems(drafts: readonly NewItem[], state: CatalogState): Array<[CatalogItem, NewItem]> {
  return drafts.map((draft) => {
    let seq: number | null = null;
    if (draft.needsIndexSeq) {
      seq = (state.indexSequences[draft.indexYear] ?? 0) + 1;
      state.indexSequences[draft.indexYear] = seq;
    }
    const item = draft.build(seq);
    if (draft.publish) item.events.push(publishEvent(state, draft.publish));
    return [item, draft];
  });
}

export function publishEvent(state: Pick<CatalogState, 'publishSeq'>, p: Publication): ItemEvent {
  state.publishSeq += 1;
  return { type: 'publish', at: p.at, by: p.by, on: p.on, seq: state.publishSeq, basis: p.basis };
}

function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

function copyPage(page: Page<CatalogItem>): Page<CatalogItem> {
  return { ...page, items: page.items.map((item) => structuredClone(item)) };
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
