// Finding items: by category, by words in the title, summary, 文号 or 索引号, newest first, a page
// at a time. Pure: the caller decides which items are eligible (published ones for the public).
// The embedded store runs these on its items; the PostgreSQL engine runs the same rules in SQL.
import { DomainError } from '../domain/errors.js';
import type { CatalogItem, Category } from './types.js';

export const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const MAX_QUERY = 100;

export interface CatalogQuery {
  /** Category ids; empty: all. */
  categories: string[];
  /** Words that must all occur; empty: no filter. */
  words: string[];
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return single(value[0]);
  return typeof value === 'string' ? value : undefined;
}

function positiveInt(text: string | undefined, fallback: number, max: number, field: string, label: string): number {
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new DomainError('validation', `${label}应为 1 到 ${max} 之间的整数`, { [field]: `应为 1 到 ${max} 之间的整数` });
  }
  return n;
}

/** Reads ?category=&q=&page=&pageSize= ; a category may be its id or its name, several comma-separated. */
export function parseCatalogQuery(query: Record<string, unknown>, categories: readonly Category[]): CatalogQuery {
  const wanted = (single(query.category) ?? '')
    .split(/[,，、]/)
    .map((c) => c.trim())
    .filter(Boolean);
  const ids: string[] = [];
  for (const text of wanted) {
    const known = categories.find((c) => c.id === text || c.name === text);
    if (!known) throw new DomainError('validation', `没有“${text}”这个栏目`, { category: '栏目不存在' });
    ids.push(known.id);
  }
  const q = (single(query.q) ?? '').trim();
  if ([...q].length > MAX_QUERY) throw new DomainError('validation', `搜索词不能超过 ${MAX_QUERY} 个字`, { q: '搜索词过长' });
  return {
    categories: ids,
    words: q.toLowerCase().split(/\s+/).filter(Boolean),
    page: positiveInt(single(query.page), 1, 10_000, 'page', '页码'),
    pageSize: positiveInt(single(query.pageSize), PAGE_SIZE, MAX_PAGE_SIZE, 'pageSize', '每页条数'),
  };
}

/** What the words of a search are looked for in (the PostgreSQL engine stores it beside the item). */
export function haystack(item: CatalogItem): string {
  return [item.title, item.summary ?? '', item.documentNumber ?? '', item.indexNo].join('\n').toLowerCase();
}

/** What relatedItems looks for the chat's words in: the title and the summary. */
export function relatedText(item: Pick<CatalogItem, 'title' | 'summary'>): string {
  return [item.title, item.summary ?? ''].join('\n').toLowerCase();
}

/**
 * Filters, sorts by `sortKey` (descending unless `ascending`), and cuts out the page.
 * Chinese titles are matched by substring: a query like "预决算" should find "2024年部门预决算公开".
 */
export function searchItems<T extends CatalogItem>(
  items: readonly T[],
  query: CatalogQuery,
  sortKey: (item: T) => string,
  ascending = false,
): Page<T> {
  const categories = new Set(query.categories);
  const hits = items.filter((item) => {
    if (categories.size > 0 && !categories.has(item.category)) return false;
    if (query.words.length === 0) return true;
    const text = haystack(item);
    return query.words.every((w) => text.includes(w));
  });
  const direction = ascending ? 1 : -1;
  hits.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -direction : ka > kb ? direction : 0;
  });
  const start = (query.page - 1) * query.pageSize;
  return { items: hits.slice(start, start + query.pageSize), total: hits.length, page: query.page, pageSize: query.pageSize };
}

/**
 * Items about `words` (the office's business words a citizen used: 警报, 试鸣…): those naming the
 * most of them, newest first. For the chat, which answers with a few items, not a page: a word counts
 * when the title or summary holds it, and an item naming fewer of the words than the best one is
 * about something else (警报器维护 is not 警报试鸣).
 */
export function relatedItems<T extends CatalogItem>(items: readonly T[], words: readonly string[], sortKey: (item: T) => string, limit: number): T[] {
  const wanted = [...new Set(words.map((w) => w.toLowerCase()).filter(Boolean))];
  if (wanted.length === 0 || limit < 1) return [];
  const scored = items.map((item) => {
    const text = relatedText(item);
    return { item, hits: wanted.filter((w) => text.includes(w)).length, key: sortKey(item) };
  });
  const best = Math.max(0, ...scored.map((x) => x.hits));
  return scored
    .filter((x) => x.hits > 0 && x.hits === best)
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
    .slice(0, limit)
    .map((x) => x.item);
}
