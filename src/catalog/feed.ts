// Reading the portal's feed: RSS 2.0, Atom, JSON Feed, or a plain JSON list of items with our own
// field names. Pure: text in, entries out; fetching and storing are feed-import.ts's business.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isIsoDate, todayInChina } from '../domain/calendar.js';

/** One entry as the feed gives it, before it is checked against the catalog. */
export interface FeedEntry {
  title: string | null;
  url: string | null;
  indexNo: string | null;
  documentNumber: string | null;
  summary: string | null;
  /** Category words the feed attaches (names or ids of ours, or the portal's own words). */
  categories: string[];
  /** Publication date in China time, when the feed says. */
  publishedOn: string | null;
}

export class FeedFormatError extends Error {
  override readonly name = 'FeedFormatError';
}

const SUMMARY_MAX = 500;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'category', 'link'].includes(name),
});

/** The text of a parsed node: a string, or the text part of an element that has attributes. */
function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'string' || typeof node === 'number') return String(node).trim() || null;
  if (typeof node === 'object') return text((node as Record<string, unknown>)['#text']);
  return null;
}

function texts(node: unknown): string[] {
  const list = Array.isArray(node) ? node : node === undefined ? [] : [node];
  return list.flatMap((n) => {
    const term = typeof n === 'object' && n !== null ? ((n as Record<string, unknown>)['@term'] ?? (n as Record<string, unknown>)['#text']) : n;
    const value = text(term);
    return value ? [value] : [];
  });
}

// HTML kept in CDATA is not decoded by the XML parser; these are the entities portal pages use.
const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'",
  ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', mdash: '—', ndash: '–', hellip: '…', middot: '·', bull: '•',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** HTML in a description becomes plain text for the summary. */
export function plainText(html: string | null): string | null {
  if (!html) return null;
  const plain = decodeEntities(
    html
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
  if (!plain) return null;
  return [...plain].length > SUMMARY_MAX ? `${[...plain].slice(0, SUMMARY_MAX - 1).join('')}…` : plain;
}

/** A date as the feed writes it (RFC 822, ISO 8601, or already YYYY-MM-DD) as a China date. */
export function feedDate(value: string | null): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (isIsoDate(trimmed)) return trimmed;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : todayInChina(new Date(ms));
}

function first(record: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = text(record[key]);
    if (value) return value;
  }
  return null;
}

function rssItem(item: Record<string, unknown>): FeedEntry {
  const guid = item.guid as Record<string, unknown> | string | undefined;
  const guidIsLink = typeof guid === 'object' && guid !== null && guid['@isPermaLink'] !== 'false' && /^https?:/.test(text(guid) ?? '');
  return {
    title: first(item, 'title'),
    url: first(item, 'link') ?? (guidIsLink ? text(guid) : null),
    indexNo: first(item, 'indexNo', '索引号'),
    documentNumber: first(item, 'documentNumber', '文号'),
    summary: plainText(first(item, 'description', 'summary', 'encoded')),
    categories: texts(item.category),
    publishedOn: feedDate(first(item, 'pubDate', 'date', 'publishedOn')),
  };
}

function atomEntry(entry: Record<string, unknown>): FeedEntry {
  const links = (Array.isArray(entry.link) ? entry.link : []) as Array<Record<string, unknown> | string>;
  const alternate = links.find((l) => typeof l === 'object' && (l['@rel'] === undefined || l['@rel'] === 'alternate'));
  return {
    title: first(entry, 'title'),
    url: typeof alternate === 'object' ? text(alternate['@href']) : null,
    indexNo: first(entry, 'indexNo', '索引号'),
    documentNumber: first(entry, 'documentNumber', '文号'),
    summary: plainText(first(entry, 'summary', 'content')),
    categories: texts(entry.category),
    publishedOn: feedDate(first(entry, 'published', 'updated')),
  };
}

function jsonEntry(raw: unknown): FeedEntry {
  const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const tags = Array.isArray(item.tags) ? item.tags : [];
  const category = item.category ?? item.categories;
  return {
    title: first(item, 'title', '标题'),
    url: first(item, 'url', 'link', 'external_url', '链接'),
    indexNo: first(item, 'indexNo', '索引号'),
    documentNumber: first(item, 'documentNumber', '文号'),
    summary: plainText(first(item, 'summary', 'content_text', 'description', 'content_html', '摘要')),
    categories: [...texts(category), ...texts(tags)],
    publishedOn: feedDate(first(item, 'publishedOn', 'date_published', 'pubDate', 'date', '发布日期')),
  };
}

/** Parses a feed document; throws FeedFormatError when it is none of the known kinds. */
export function parseFeed(body: string): FeedEntry[] {
  const trimmed = body.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch {
      throw new FeedFormatError('the feed is not valid JSON');
    }
    const items = Array.isArray(data) ? data : (data as Record<string, unknown>).items;
    if (!Array.isArray(items)) throw new FeedFormatError('a JSON feed needs an "items" list');
    return items.map(jsonEntry);
  }
  if (!trimmed.startsWith('<')) throw new FeedFormatError('the feed is neither XML nor JSON');
  // A DOCTYPE can declare entities that expand without bound; a news feed has no need of one.
  if (/<!DOCTYPE/i.test(trimmed)) throw new FeedFormatError('feeds with a DOCTYPE are refused');
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) throw new FeedFormatError(`the feed is not well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(trimmed) as Record<string, any>;
  if (doc.rss?.channel) return ((doc.rss.channel.item ?? []) as Record<string, unknown>[]).map(rssItem);
  if (doc.RDF) return ((doc.RDF.item ?? []) as Record<string, unknown>[]).map(rssItem);
  if (doc.feed) return ((doc.feed.entry ?? []) as Record<string, unknown>[]).map(atomEntry);
  throw new FeedFormatError('the XML is neither RSS nor Atom');
}
