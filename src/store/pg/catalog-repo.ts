// The catalog on PostgreSQL (030_catalog.sql): items as jsonb documents with the columns lists
// filter and order on, and one counters row per office that every numbering write locks.
import type { Database, Queryable } from './database.js';
import { isUniqueViolation } from './database.js';
import { ConflictError } from '../conflict.js';
import type { TransferRecord } from '../transfer.js';
import {
  buildItems,
  catalogStateIsEmpty,
  emptyCatalogState,
  publishEvent,
  urlKey,
  type CatalogRepository,
  type CatalogState,
  type FeedImportRecord,
  type ItemChange,
  type NewItem,
} from '../catalog-repo.js';
import type { CatalogItem, ItemState } from '../../catalog/types.js';
import { publicationOf, stateOf } from '../../catalog/review.js';
import { haystack, relatedText, type CatalogQuery, type Page } from '../../catalog/search.js';

const WHAT = 'catalog';

export class PgCatalogRepo implements CatalogRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgCatalogRepo> {
    return new PgCatalogRepo(db);
  }

  get #office(): string {
    return this.db.office;
  }

  async #one(where: string, value: string): Promise<CatalogItem | undefined> {
    const { rows } = await this.db.query<{ data: CatalogItem }>(
      `SELECT data FROM catalog_items WHERE office = $1 AND ${where} = $2 ORDER BY ord DESC LIMIT 1`,
      [this.#office, value],
      WHAT,
    );
    return rows[0]?.data;
  }

  get(id: string): Promise<CatalogItem | undefined> {
    return this.#one('id', id);
  }

  byIndexNo(indexNo: string): Promise<CatalogItem | undefined> {
    return this.#one('index_no', indexNo);
  }

  byUrl(url: string): Promise<CatalogItem | undefined> {
    return this.#one('url_key', urlKey(url));
  }

  async list(query: CatalogQuery, state: ItemState | null, oldestFirst: boolean): Promise<Page<CatalogItem>> {
    const filter = state === null ? '' : 'AND state = $4';
    return this.#page(query, filter, state === null ? [] : [state], `created_at ${oldestFirst ? 'ASC' : 'DESC'}, ord ASC`);
  }

  searchPublished(query: CatalogQuery): Promise<Page<CatalogItem>> {
    return this.#page(query, 'AND pub_seq IS NOT NULL', [], 'pub_on DESC, pub_seq DESC');
  }

  /** search.ts searchItems in SQL: the categories, every word in the search text, then the page. */
  async #page(query: CatalogQuery, filter: string, extra: unknown[], order: string): Promise<Page<CatalogItem>> {
    const where = `office = $1 AND (cardinality($2::text[]) = 0 OR category = ANY($2::text[]))
      AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) AS w(word) WHERE strpos(search_text, w.word) = 0) ${filter}`;
    const params = [this.#office, query.categories, query.words, ...extra];
    const n = params.length;
    const [count, page] = await Promise.all([
      this.db.query<{ total: string }>(`SELECT count(*) AS total FROM catalog_items WHERE ${where}`, params, WHAT),
      this.db.query<{ data: CatalogItem }>(
        `SELECT data FROM catalog_items WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, query.pageSize, (query.page - 1) * query.pageSize],
        WHAT,
      ),
    ]);
    return { items: page.rows.map((r) => r.data), total: Number(count.rows[0]!.total), page: query.page, pageSize: query.pageSize };
  }

  async relatedPublished(words: readonly string[], limit: number): Promise<CatalogItem[]> {
    const wanted = [...new Set(words.map((w) => w.toLowerCase()).filter(Boolean))];
    if (wanted.length === 0 || limit < 1) return [];
    const { rows } = await this.db.query<{ data: CatalogItem }>(
      `WITH scored AS (
         SELECT data, pub_on, ord, (SELECT count(*) FROM unnest($2::text[]) AS w(word) WHERE strpos(related_text, w.word) > 0) AS hits
         FROM catalog_items WHERE office = $1 AND pub_seq IS NOT NULL)
       SELECT data FROM scored WHERE hits > 0 AND hits = (SELECT max(hits) FROM scored)
       ORDER BY pub_on DESC, ord ASC LIMIT $3`,
      [this.#office, wanted, limit],
      WHAT,
    );
    return rows.map((r) => r.data);
  }

  async publishedAfter(seq: number): Promise<CatalogItem[]> {
    const { rows } = await this.db.query<{ data: CatalogItem }>(
      'SELECT data FROM catalog_items WHERE office = $1 AND pub_seq > $2 ORDER BY pub_seq',
      [this.#office, seq],
      WHAT,
    );
    return rows.map((r) => r.data);
  }

  async published(): Promise<CatalogItem[]> {
    const { rows } = await this.db.query<{ data: CatalogItem }>(
      'SELECT data FROM catalog_items WHERE office = $1 AND pub_seq IS NOT NULL ORDER BY ord',
      [this.#office],
      WHAT,
    );
    return rows.map((r) => r.data);
  }

  async lastFeedImport(): Promise<FeedImportRecord | null> {
    const { rows } = await this.db.query<{ last_feed_import: FeedImportRecord | null }>(
      'SELECT last_feed_import FROM catalog_state WHERE office = $1',
      [this.#office],
      WHAT,
    );
    return rows[0]?.last_feed_import ?? null;
  }

  /** The office's counters, locked until the transaction ends. */
  async #lockState(client: Queryable): Promise<CatalogState> {
    await client.query('INSERT INTO catalog_state (office) VALUES ($1) ON CONFLICT DO NOTHING', [this.#office]);
    const { rows } = await client.query<{ publish_seq: string; index_sequences: Record<string, number>; last_feed_import: FeedImportRecord | null }>(
      'SELECT publish_seq, index_sequences, last_feed_import FROM catalog_state WHERE office = $1 FOR UPDATE',
      [this.#office],
    );
    const row = rows[0]!;
    return { publishSeq: Number(row.publish_seq), indexSequences: row.index_sequences, lastFeedImport: row.last_feed_import };
  }

  async #saveState(client: Queryable, state: CatalogState): Promise<void> {
    await client.query('UPDATE catalog_state SET publish_seq = $2, index_sequences = $3, last_feed_import = $4 WHERE office = $1', [
      this.#office,
      state.publishSeq,
      JSON.stringify(state.indexSequences),
      state.lastFeedImport === null ? null : JSON.stringify(state.lastFeedImport),
    ]);
  }

  async insert(drafts: NewItem[], feedImport?: FeedImportRecord): Promise<CatalogItem[]> {
    try {
      return await this.db.transaction(async (client) => {
        // Every insert holds the counters' row: a feed link checked here cannot be stored meanwhile.
        const state = await this.#lockState(client);
        const built = buildItems(drafts, state);
        for (const [item, draft] of built) {
          if (!draft.uniqueUrl || !item.url) continue;
          const known = await client.query('SELECT 1 FROM catalog_items WHERE office = $1 AND url_key = $2 LIMIT 1', [this.#office, urlKey(item.url)]);
          const twice = built.filter(([other, d]) => d.uniqueUrl && other.url && urlKey(other.url) === urlKey(item.url!)).length > 1;
          if (known.rowCount || twice) throw new ConflictError(`链接 ${item.url}`);
        }
        for (const [item] of built) await this.#insertRow(client, item);
        if (feedImport) state.lastFeedImport = feedImport;
        await this.#saveState(client, state);
        return built.map(([item]) => item);
      }, WHAT);
    } catch (error) {
      if (isUniqueViolation(error, 'catalog_items_index_no')) throw new ConflictError('索引号');
      throw error;
    }
  }

  async #insertRow(client: Queryable, item: CatalogItem): Promise<void> {
    const c = columns(item);
    await client.query(
      `INSERT INTO catalog_items (office, id, index_no, url_key, source, category, state, created_at, pub_seq, pub_on, search_text, related_text, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [this.#office, item.id, item.indexNo, c.urlKey, item.source, item.category, c.state, item.createdAt, c.pubSeq, c.pubOn, c.searchText, c.relatedText, JSON.stringify(item)],
    );
  }

  async recordFeedImport(record: FeedImportRecord): Promise<void> {
    await this.db.transaction(async (client) => {
      const state = await this.#lockState(client);
      await this.#saveState(client, { ...state, lastFeedImport: record });
    }, WHAT);
  }

  async append(id: string, change: ItemChange): Promise<CatalogItem> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ data: CatalogItem }>('SELECT data FROM catalog_items WHERE office = $1 AND id = $2 FOR UPDATE', [this.#office, id]);
      const item = rows[0]?.data;
      if (!item) throw new Error(`catalog item ${id} vanished`);
      if (item.events.length !== change.expectedEvents) throw new ConflictError(`catalog item ${id}`);
      if (change.fields) Object.assign(item, change.fields);
      item.events.push(...change.events);
      if (change.publish) {
        const state = await this.#lockState(client);
        item.events.push(publishEvent(state, change.publish));
        await this.#saveState(client, state);
      }
      const c = columns(item);
      await client.query(
        `UPDATE catalog_items SET url_key = $3, category = $4, state = $5, pub_seq = $6, pub_on = $7, search_text = $8, related_text = $9, data = $10
         WHERE office = $1 AND id = $2`,
        [this.#office, id, c.urlKey, item.category, c.state, c.pubSeq, c.pubOn, c.searchText, c.relatedText, JSON.stringify(item)],
      );
      return item;
    }, WHAT);
  }

  async #state(): Promise<CatalogState> {
    const { rows } = await this.db.query<{ publish_seq: string; index_sequences: Record<string, number>; last_feed_import: FeedImportRecord | null }>(
      'SELECT publish_seq, index_sequences, last_feed_import FROM catalog_state WHERE office = $1',
      [this.#office],
      WHAT,
    );
    const row = rows[0];
    return row ? { publishSeq: Number(row.publish_seq), indexSequences: row.index_sequences, lastFeedImport: row.last_feed_import } : emptyCatalogState();
  }

  async counts(): Promise<Record<string, number>> {
    const [{ rows }, state] = await Promise.all([
      this.db.query<{ n: string }>('SELECT count(*) AS n FROM catalog_items WHERE office = $1', [this.#office], WHAT),
      this.#state(),
    ]);
    return { 'catalog-item': Number(rows[0]!.n), 'catalog-state': catalogStateIsEmpty(state) ? 0 : 1 };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const state = await this.#state();
    if (!catalogStateIsEmpty(state)) yield { kind: 'catalog-state', data: state };
    // A page at a time: an office's whole catalog need not be in memory at once.
    let after = 0;
    for (;;) {
      const { rows } = await this.db.query<{ ord: string; data: CatalogItem }>(
        'SELECT ord, data FROM catalog_items WHERE office = $1 AND ord > $2 ORDER BY ord LIMIT 500',
        [this.#office, after],
        WHAT,
      );
      if (rows.length === 0) return;
      for (const row of rows) yield { kind: 'catalog-item', data: row.data };
      after = Number(rows.at(-1)!.ord);
    }
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const counts = await this.counts();
    if (counts['catalog-item']! > 0 || counts['catalog-state']! > 0) throw new Error('the catalog is not empty');
    await this.db.transaction(async (client) => {
      let state = emptyCatalogState();
      for await (const record of records) {
        if (record.kind === 'catalog-item') await this.#insertRow(client, record.data as CatalogItem);
        else if (record.kind === 'catalog-state') state = record.data as CatalogState;
        else throw new Error(`the catalog does not take ${record.kind} records`);
      }
      await this.#lockState(client);
      await this.#saveState(client, state);
    }, WHAT);
  }
}

/** The columns derived from an item, as lists filter and order on them. */
function columns(item: CatalogItem) {
  const publication = publicationOf(item);
  return {
    urlKey: item.url ? urlKey(item.url) : null,
    state: stateOf(item.events),
    pubSeq: publication?.seq ?? null,
    pubOn: publication?.on ?? null,
    searchText: haystack(item),
    relatedText: relatedText(item),
  };
}
