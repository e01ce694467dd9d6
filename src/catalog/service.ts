// The catalog service: drafts, the three-level review, publication, search, and portal imports.
// The only code that changes catalog items; routes and jobs call it, the repository stores.
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { todayInChina } from '../domain/calendar.js';
import { isConflictError } from '../store/conflict.js';
import type { CatalogRepository, FeedImportRecord, NewItem } from '../store/catalog-repo.js';
import { formatIndexNo, validateIndexNo, validateItemFields } from './item-fields.js';
import { decide, parseCommand, publicationOf, reviewTrail, stateOf, STATE_LABELS, type Actor, type Publication, type ReviewStep } from './review.js';
import { parseCatalogQuery, type Page } from './search.js';
import { ITEM_STATES, type CatalogItem, type Category, type DocumentKind, type ItemFields, type ItemSource, type ItemState } from './types.js';

export interface CatalogServiceOptions {
  categories: readonly Category[];
  /** 索引号 prefix: the office's organisation code or short name. */
  indexPrefix: string;
  clock?: () => Date;
}

/** What citizens see of a published item. */
export interface PublicItemView {
  id: string;
  indexNo: string;
  title: string;
  category: string;
  categoryName: string;
  documentNumber: string | null;
  summary: string | null;
  url: string | null;
  publishedOn: string;
  source: ItemSource;
}

/** What staff see: the item, where it stands in review, and every step so far. */
export interface StaffItemView extends Omit<PublicItemView, 'publishedOn'> {
  publishedOn: string | null;
  state: ItemState;
  stateLabel: string;
  documentKind: DocumentKind | null;
  createdAt: string;
  createdBy: string;
  reviews: ReviewStep[];
  /** The reason of the latest return, while the item waits to be corrected. */
  returnedReason: string | null;
  events: CatalogItem['events'];
}

/** For the annual report: a published item and what it counts as. */
export interface PublishedItem {
  id: string;
  indexNo: string;
  title: string;
  category: string;
  publishedOn: string;
  source: ItemSource;
  /** Where it was published: 'wechat' for everything shown here, 'portal' for what came from the portal. */
  channels: string[];
  /** The 第二十条第（一）项 row, when staff marked the item as a 规章 or 规范性文件. */
  article20Item?: DocumentKind;
}

/** An entry read from the portal's feed, already checked. */
export interface ImportCandidate {
  fields: ItemFields;
  indexNo: string | null;
  publishedOn: string | null;
}

export { publicationOf, type Publication };

function latestReturnReason(item: CatalogItem): string | null {
  for (let i = item.events.length - 1; i >= 0; i--) {
    const e = item.events[i]!;
    if (e.type === 'reject') return e.reason;
  }
  return null;
}

const newId = () => randomBytes(12).toString('base64url');

/**
 * Runs a read-validate-write once more when another request changed the item between its read and
 * its write (ConflictError): the second try reads the item as it now is and decides again.
 */
async function onceMoreOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isConflictError(error)) throw error;
    return attempt();
  }
}

export class CatalogService {
  readonly #categories: readonly Category[];
  readonly #byId: Map<string, Category>;
  readonly #indexPrefix: string;
  readonly #clock: () => Date;

  constructor(
    private readonly repo: CatalogRepository,
    options: CatalogServiceOptions,
  ) {
    this.#categories = options.categories;
    this.#byId = new Map(options.categories.map((c) => [c.id, c]));
    this.#indexPrefix = options.indexPrefix;
    this.#clock = options.clock ?? (() => new Date());
  }

  categories(): readonly Category[] {
    return this.#categories;
  }

  categoryName(id: string): string {
    return this.#byId.get(id)?.name ?? id;
  }

  /** category id → the 条例 article it discloses under (e.g. "第二十条第（七）项"), for the annual report. */
  categoryBasis(): Record<string, string | null> {
    return Object.fromEntries(this.#categories.map((c) => [c.id, c.basis]));
  }

  async get(id: string): Promise<CatalogItem> {
    const item = await this.repo.get(id);
    if (!item) throw new DomainError('not-found', '找不到该条目');
    return item;
  }

  /** A published item by id, for the public; drafts are as good as absent. */
  async getPublished(id: string): Promise<CatalogItem> {
    const item = await this.repo.get(id);
    if (!item || !publicationOf(item)) throw new DomainError('not-found', '找不到该条目');
    return item;
  }

  /** A published item, or null: for lists of ids that may name something since withdrawn. */
  async getPublishedOrNull(id: string): Promise<CatalogItem | null> {
    const item = await this.repo.get(id);
    return item && publicationOf(item) ? item : null;
  }

  /** When an item was published here (ISO), or null. */
  async publishedAt(id: string): Promise<string | null> {
    const item = await this.repo.get(id);
    return (item && publicationOf(item)?.at) ?? null;
  }

  /** The newest published items, newest first (the chat's "最新公开的信息"). */
  async latestPublished(limit: number): Promise<PublicItemView[]> {
    return (await this.searchPublished({ pageSize: String(limit) })).items.map((item) => this.publicView(item));
  }

  stateOf(item: CatalogItem): ItemState {
    return stateOf(item.events);
  }

  /** A new draft by the submitting section (or anyone allowed to draft). */
  async draft(body: Record<string, unknown>, by: string): Promise<CatalogItem> {
    const fields = validateItemFields(body, this.#categories) as ItemFields;
    const indexNo = validateIndexNo(body.indexNo);
    const taken = () => new DomainError('duplicate', `索引号 ${indexNo} 已被其他条目使用`, { indexNo: '索引号已存在' });
    if (indexNo && (await this.repo.byIndexNo(indexNo))) throw taken();
    const now = this.#clock();
    try {
      const [item] = await this.repo.insert([this.#newItem(fields, indexNo, 'staff', by, now, null)]);
      return item!;
    } catch (error) {
      // Another request stored the same 索引号 after the check above.
      if (indexNo && isConflictError(error)) throw taken();
      throw error;
    }
  }

  /** Corrects a draft or a returned item; items under review or published are not edited. */
  async edit(id: string, body: Record<string, unknown>, by: string): Promise<CatalogItem> {
    return onceMoreOnConflict(async () => {
      const item = await this.get(id);
      const state = stateOf(item.events);
      if (state !== 'draft' && state !== 'returned') {
        throw new DomainError('invalid-transition', `该条目${STATE_LABELS[state]}，只有草稿或退回修改的条目可以修改`);
      }
      const changes = validateItemFields(body, this.#categories, true);
      const names = Object.keys(changes) as Array<keyof ItemFields>;
      if (names.length === 0) throw new DomainError('validation', '没有要修改的内容');
      const events = [{ type: 'edit' as const, at: this.#clock().toISOString(), by, fields: names }];
      return this.repo.append(id, { expectedEvents: item.events.length, events, fields: changes });
    });
  }

  /** submit / approve / reject, by the staff member `actor`. */
  async review(id: string, body: Record<string, unknown>, actor: Actor): Promise<CatalogItem> {
    const command = parseCommand(body);
    // Two reviewers deciding at once: the second decides again on the item as the first left it.
    return onceMoreOnConflict(async () => {
      const item = await this.get(id);
      const now = this.#clock();
      const at = now.toISOString();
      const decision = decide(item.events, command, actor, at);
      const publish = decision.publish ? { at, by: actor.username, on: todayInChina(now), basis: 'review' as const } : null;
      return this.repo.append(id, { expectedEvents: item.events.length, events: decision.events, publish });
    });
  }

  /** Staff's list: the review queue when `state` is given. */
  async list(query: Record<string, unknown>): Promise<Page<CatalogItem>> {
    const state = typeof query.state === 'string' && query.state !== '' ? query.state : null;
    if (state !== null && !ITEM_STATES.includes(state as ItemState)) {
      throw new DomainError('validation', `state 应为 ${ITEM_STATES.join('、')} 之一`, { state: '状态不存在' });
    }
    const parsed = parseCatalogQuery(query, this.#categories);
    // The queue is worked oldest first; everything else reads newest first.
    return this.repo.list(parsed, state as ItemState | null, state !== null && state !== 'published');
  }

  /** The public catalog: published items only, newest publication first. */
  async searchPublished(query: Record<string, unknown>): Promise<Page<CatalogItem>> {
    return this.repo.searchPublished(parseCatalogQuery(query, this.#categories));
  }

  /** The newest published items about any of these words, those naming more of them first (the chat). */
  async relatedPublished(words: readonly string[], limit: number): Promise<PublicItemView[]> {
    return (await this.repo.relatedPublished(words, limit)).map((item) => this.publicView(item));
  }

  /** Items published with a publication number above `seq`, in publication order. */
  async publishedAfter(seq: number): Promise<Array<{ item: CatalogItem; publication: Publication }>> {
    return (await this.repo.publishedAfter(seq)).map((item) => ({ item, publication: publicationOf(item)! }));
  }

  /** Every published item (the annual report, an occasional staff action; published items are few). */
  async publishedItems(): Promise<PublishedItem[]> {
    const out: PublishedItem[] = [];
    for (const item of await this.repo.published()) {
      const publication = publicationOf(item);
      if (!publication) continue;
      const entry: PublishedItem = {
        id: item.id,
        indexNo: item.indexNo,
        title: item.title,
        category: item.category,
        publishedOn: publication.on,
        source: item.source,
        channels: item.source === 'feed' ? ['portal', 'wechat'] : ['wechat'],
      };
      if (item.documentKind) entry.article20Item = item.documentKind;
      out.push(entry);
    }
    return out;
  }

  /** Whether an entry from the portal is already here (same link or same 索引号). */
  async isKnown(candidate: { url: string | null; indexNo: string | null }): Promise<boolean> {
    return Boolean((candidate.url && (await this.repo.byUrl(candidate.url))) || (candidate.indexNo && (await this.repo.byIndexNo(candidate.indexNo))));
  }

  /**
   * Stores entries from the portal's feed in one write. Reviewed at the source: published at once,
   * dated as the portal dated them. Otherwise: drafts that go through the office's own review.
   */
  async importFromFeed(candidates: ImportCandidate[], reviewedAtSource: boolean, record: FeedImportRecord): Promise<CatalogItem[]> {
    const now = this.#clock();
    const drafts = candidates.map((c) => {
      const publish = reviewedAtSource
        ? { at: now.toISOString(), by: 'feed', on: c.publishedOn ?? todayInChina(now), basis: 'reviewed-at-source' as const }
        : null;
      return { ...this.#newItem(c.fields, c.indexNo, 'feed', 'feed', now, publish), uniqueUrl: true };
    });
    return this.repo.insert(drafts, record);
  }

  async recordFeedImport(record: FeedImportRecord): Promise<void> {
    await this.repo.recordFeedImport(record);
  }

  lastFeedImport(): Promise<FeedImportRecord | null> {
    return this.repo.lastFeedImport();
  }

  #newItem(fields: ItemFields, indexNo: string | null, source: ItemSource, by: string, now: Date, publish: NewItem['publish']): NewItem {
    const year = Number(todayInChina(now).slice(0, 4));
    const at = now.toISOString();
    return {
      indexYear: year,
      needsIndexSeq: indexNo === null,
      publish,
      build: (seq) => ({
        id: newId(),
        indexNo: indexNo ?? formatIndexNo(this.#indexPrefix, year, seq!),
        ...fields,
        source,
        createdAt: at,
        events: [{ type: 'create', at, by, source }],
      }),
    };
  }

  publicView(item: CatalogItem): PublicItemView {
    const publication = publicationOf(item);
    if (!publication) throw new DomainError('not-found', '找不到该条目');
    return { ...this.#describe(item), publishedOn: publication.on };
  }

  /** What citizens and staff both see of an item. */
  #describe(item: CatalogItem) {
    return {
      id: item.id,
      indexNo: item.indexNo,
      title: item.title,
      category: item.category,
      categoryName: this.categoryName(item.category),
      documentNumber: item.documentNumber,
      summary: item.summary,
      url: item.url,
      source: item.source,
    };
  }

  staffView(item: CatalogItem): StaffItemView {
    const state = stateOf(item.events);
    const created = item.events[0];
    return {
      ...this.#describe(item),
      publishedOn: publicationOf(item)?.on ?? null,
      state,
      stateLabel: STATE_LABELS[state],
      documentKind: item.documentKind,
      createdAt: item.createdAt,
      createdBy: created?.by ?? '',
      reviews: reviewTrail(item.events),
      returnedReason: state === 'returned' ? latestReturnReason(item) : null,
      events: item.events,
    };
  }
}
