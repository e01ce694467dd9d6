// The feed-import job: polls the portal's feed (FEED_URL) and adds what is new to the catalog.
// An entry already in the catalog (same link or same 索引号) is left alone, so polling the same
// feed again and again adds nothing. Entries count as reviewed only when the office says the
// portal reviewed them (FEED_REVIEWED_AT_SOURCE); otherwise they enter as drafts and go through
// the office's own three-level review before anyone sees them.
import type { Logger } from '../log.js';
import { DomainError } from '../domain/errors.js';
import type { FeedImportRecord } from '../store/catalog-repo.js';
import { urlKey } from '../store/catalog-repo.js';
import { isConflictError } from '../store/conflict.js';
import { feedDate, parseFeed, FeedFormatError, type FeedEntry } from './feed.js';
import { isHttpUrl, validateIndexNo, validateItemFields } from './item-fields.js';
import type { CatalogService, ImportCandidate } from './service.js';
import type { Category, ItemFields } from './types.js';

export interface FeedImportOptions {
  /** FEED_URL; without it the job has nothing to do. */
  feedUrl: string | null | undefined;
  /** FEED_REVIEWED_AT_SOURCE: the portal's items were reviewed there and may be published as they are. */
  feedReviewedAtSource?: boolean;
  /** Category for entries whose own category words match none of ours; default "news" if it exists. */
  defaultCategory?: string;
  timeoutMs?: number;
  maxBytes?: number;
  fetch?: typeof fetch;
  logger?: Logger;
  clock?: () => Date;
}

export interface FeedImportResult {
  url: string | null;
  found: number;
  imported: number;
  published: number;
  duplicates: number;
  invalid: number;
  /** Why nothing was imported, when that is not simply "nothing new". */
  skipped?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** Our category for a feed entry: by id or name, then by a name the word contains or is part of. */
export function categoryFor(words: readonly string[], categories: readonly Category[], fallback: string): string {
  for (const word of words) {
    const exact = categories.find((c) => c.id === word || c.name === word);
    if (exact) return exact.id;
  }
  for (const word of words) {
    const near = categories.filter((c) => word.includes(c.name) || (word.length >= 2 && c.name.includes(word)));
    if (near.length === 1) return near[0]!.id;
  }
  return fallback;
}

export class FeedImporter {
  readonly name = 'feed-import';
  readonly #options: FeedImportOptions;
  readonly #fallback: string;

  constructor(
    private readonly catalog: CatalogService,
    options: FeedImportOptions,
  ) {
    this.#options = options;
    const categories = catalog.categories();
    const wanted = options.defaultCategory ?? 'news';
    this.#fallback = (categories.find((c) => c.id === wanted) ?? categories[0])?.id ?? wanted;
  }

  /** The job: fetch, parse, import. Fetch and format failures are recorded and reported as 503. */
  async run(): Promise<FeedImportResult> {
    const url = this.#options.feedUrl?.trim() || null;
    if (!url) return { url: null, found: 0, imported: 0, published: 0, duplicates: 0, invalid: 0, skipped: '未配置门户网站信息源（FEED_URL）' };
    const at = (this.#options.clock ?? (() => new Date()))().toISOString();
    let entries: FeedEntry[];
    try {
      entries = parseFeed(await this.#fetch(url));
    } catch (error) {
      const reason = error instanceof FeedFormatError ? `格式无法识别（${error.message}）` : `无法读取（${(error as Error).message}）`;
      this.#options.logger?.warn({ err: error, url }, 'feed import failed');
      await this.catalog.recordFeedImport({ at, url, found: 0, imported: 0, duplicates: 0, invalid: 0, error: reason });
      throw new DomainError('upstream-unavailable', `门户网站信息源${reason}，请稍后再试或检查 FEED_URL`);
    }
    return this.importEntries(url, entries, at);
  }

  /**
   * Checks entries against the catalog and each other, and stores the new ones in one write. When
   * another instance stored some of them meanwhile (ConflictError), checks again once.
   */
  async importEntries(url: string, entries: readonly FeedEntry[], at: string): Promise<FeedImportResult> {
    try {
      return await this.#importEntries(url, entries, at);
    } catch (error) {
      if (!isConflictError(error)) throw error;
      return this.#importEntries(url, entries, at);
    }
  }

  async #importEntries(url: string, entries: readonly FeedEntry[], at: string): Promise<FeedImportResult> {
    const categories = this.catalog.categories();
    const reviewed = this.#options.feedReviewedAtSource ?? false;
    const seen = new Set<string>();
    const candidates: ImportCandidate[] = [];
    let duplicates = 0;
    let invalid = 0;
    for (const entry of entries) {
      const candidate = this.#candidate(entry, categories);
      if (!candidate) {
        invalid++;
        continue;
      }
      const keys = [candidate.fields.url && `url:${urlKey(candidate.fields.url)}`, candidate.indexNo && `no:${candidate.indexNo}`].filter(
        (k): k is string => Boolean(k),
      );
      if (keys.some((k) => seen.has(k)) || (await this.catalog.isKnown({ url: candidate.fields.url, indexNo: candidate.indexNo }))) {
        duplicates++;
        continue;
      }
      for (const k of keys) seen.add(k);
      candidates.push(candidate);
    }
    const record: FeedImportRecord = { at, url, found: entries.length, imported: candidates.length, duplicates, invalid, error: null };
    if (candidates.length > 0) await this.catalog.importFromFeed(candidates, reviewed, record);
    else await this.catalog.recordFeedImport(record);
    const result = { url, found: entries.length, imported: candidates.length, published: reviewed ? candidates.length : 0, duplicates, invalid };
    this.#options.logger?.info(result, 'feed import finished');
    return result;
  }

  /**
   * An entry we can keep: it has a title, and a link or a 索引号 to recognise it by next time
   * (without either, every poll would add it again).
   */
  #candidate(entry: FeedEntry, categories: readonly Category[]): ImportCandidate | null {
    const link = entry.url && isHttpUrl(entry.url) ? entry.url : null;
    let indexNo: string | null;
    try {
      indexNo = validateIndexNo(entry.indexNo);
    } catch {
      indexNo = null;
    }
    if (!entry.title || (!link && !indexNo)) return null;
    try {
      const fields = validateItemFields(
        {
          title: [...entry.title].slice(0, 200).join(''),
          category: categoryFor(entry.categories, categories, this.#fallback),
          summary: entry.summary,
          url: link,
          documentNumber: entry.documentNumber ? [...entry.documentNumber].slice(0, 100).join('') : null,
        },
        categories,
      ) as ItemFields;
      return { fields: { ...fields, documentKind: null }, indexNo, publishedOn: feedDate(entry.publishedOn) };
    } catch {
      return null;
    }
  }

  async #fetch(url: string): Promise<string> {
    const doFetch = this.#options.fetch ?? fetch;
    const response = await doFetch(url, {
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      headers: { Accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, */*;q=0.5' },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const max = this.#options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (Number(response.headers.get('content-length') ?? 0) > max) throw new Error('内容过大');
    const body = await response.text();
    if (Buffer.byteLength(body) > max) throw new Error('内容过大');
    return body;
  }
}
