// One digest per subscriber and push run: the new items in the subscriber's categories, told in a
// template message (official account) or a subscribe message (mini-program). Pure.
import { createHash } from 'node:crypto';
import { renderTemplate } from '../guide/template.js';
import type { MiniProgramSubscribeMessage, TemplateData, TemplateMessage } from '../wechat/api-client.js';
import type { SubscriberChannel } from '../store/subscribers-repo.js';

export interface DigestItem {
  id: string;
  title: string;
  category: string;
  /** When it was published here (ISO) and the publication date it bears (China date). */
  publishedAt?: string;
  publishedOn?: string;
}

/** When the subscriber began following a category (ISO), or null when they do not follow it. */
export type SinceOf = (category: string) => string | null;

/** China date of an ISO moment (UTC+8, no daylight saving). */
function chinaDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Whether an item is news to someone following its category since `since`: published here after
 * that moment and dated no earlier than that day. A portal's half-year-old items, imported today,
 * are not news to someone who subscribed this morning; to an older subscriber they are.
 */
export function publishedSince(item: Pick<DigestItem, 'publishedAt' | 'publishedOn'>, since: string): boolean {
  if (item.publishedAt !== undefined && item.publishedAt < since) return false;
  return item.publishedOn === undefined || item.publishedOn >= chinaDay(since);
}

/** A subscriber's `SinceOf`, from their record (categorySince, else since). */
export function subscriberSince(subscriber: { categories: readonly string[]; since: string; categorySince?: Record<string, string> }): SinceOf {
  return (category) => (subscriber.categories.includes(category) ? (subscriber.categorySince?.[category] ?? subscriber.since) : null);
}

/** Template ids, links and the data fields to fill, from data/catalog/push.json. */
export interface DigestTemplates {
  officialAccount: {
    templateId: string;
    /** Where tapping the message leads (the portal's disclosure page); optional. */
    url: string | null;
    /** The mini-program page to open instead, when a mini-program is linked; optional. */
    miniprogramPage: string | null;
    /** Template field → text with {{count}}, {{categories}}, {{firstTitle}}, {{date}}, {{agency}}. */
    data: Record<string, string>;
  };
  miniProgram: {
    templateId: string;
    page: string;
    state: 'developer' | 'trial' | 'formal';
    data: Record<string, string>;
  };
}

/**
 * The items of the run in the subscriber's categories, in publication order; with `sinceOf`, only
 * those published after the subscriber began following their category.
 */
export function digestItems(runItems: readonly DigestItem[], categories: readonly string[], sinceOf?: SinceOf): DigestItem[] {
  const wanted = new Set(categories);
  return runItems.filter((item) => {
    if (!wanted.has(item.category)) return false;
    const since = sinceOf?.(item.category);
    return !since || publishedSince(item, since);
  });
}

/**
 * The same (run, subscriber) always gives the same id, so a digest sent again after a crash
 * carries the id of the first attempt and WeChat delivers it only once.
 */
export function clientMsgId(runId: string, subscriberKey: string): string {
  return createHash('sha256').update(`${runId}\n${subscriberKey}`).digest('hex').slice(0, 32);
}

const MAX_BY_TYPE: Record<string, number> = { thing: 20, name: 10, phrase: 5, character_string: 32, number: 32, car_number: 8, symbol: 5 };

/** Cuts a value to what WeChat accepts for the field's type (thing1 → thing: 20 characters). */
export function fitField(key: string, value: string): string {
  const max = MAX_BY_TYPE[key.replace(/\d+$/, '')];
  const chars = [...value];
  if (max === undefined || chars.length <= max) return value;
  return `${chars.slice(0, max - 1).join('')}…`;
}

export interface DigestValues {
  count: string;
  categories: string;
  firstTitle: string;
  date: string;
  agency: string;
}

export function digestValues(items: readonly DigestItem[], categoryName: (id: string) => string, date: string, agency: string): DigestValues {
  const ids = [...new Set(items.map((i) => i.category))];
  return {
    count: String(items.length),
    categories: ids.map(categoryName).join('、'),
    firstTitle: items.length > 1 ? `${items[0]!.title}等` : (items[0]?.title ?? ''),
    date,
    agency,
  };
}

function fill(spec: Record<string, string>, values: DigestValues): TemplateData {
  const data: TemplateData = {};
  for (const [key, text] of Object.entries(spec)) data[key] = { value: fitField(key, renderTemplate(text, { ...values })) };
  return data;
}

/**
 * The page (or link) carries the run and the categories, so it opens on exactly these items; and,
 * for a category the subscriber followed only after some of the run's items were published, since
 * when (`since=policies~1773622800`, seconds), which GET /mp/v1/catalog?digest= applies alike.
 */
function withQuery(target: string, runId: string, items: readonly DigestItem[], since: Readonly<Record<string, string>> = {}): string {
  const categories = [...new Set(items.map((i) => i.category))];
  const separator = target.includes('?') ? '&' : '?';
  const cutoffs = categories.filter((c) => since[c]).map((c) => `${c}~${Math.floor(Date.parse(since[c]!) / 1000)}`);
  return (
    `${target}${separator}digest=${encodeURIComponent(runId)}&categories=${encodeURIComponent(categories.join(','))}` +
    (cutoffs.length > 0 ? `&since=${encodeURIComponent(cutoffs.join(','))}` : '')
  );
}

/** The categories of a digest whose since-subscription rule left out some of the run's items, with their since. */
export function digestCutoffs(runItems: readonly DigestItem[], mine: readonly DigestItem[], sinceOf: SinceOf): Record<string, string> {
  const kept = new Set(mine.map((i) => i.id));
  const cutoffs: Record<string, string> = {};
  for (const item of runItems) {
    const since = sinceOf(item.category);
    if (since && !kept.has(item.id) && mine.some((m) => m.category === item.category)) cutoffs[item.category] = since;
  }
  return cutoffs;
}

/** Reads `since=policies~1773622800,news~…` back; null when it is malformed. */
export function parseCutoffs(text: string): Record<string, string> | null {
  const cutoffs: Record<string, string> = {};
  if (text === '') return cutoffs;
  for (const part of text.split(',')) {
    const match = /^([\w-]{1,64})~(\d{1,12})$/.exec(part);
    if (!match) return null;
    cutoffs[match[1]!] = new Date(Number(match[2]) * 1000).toISOString();
  }
  return cutoffs;
}

export interface DigestMessage {
  channel: SubscriberChannel;
  officialAccount?: TemplateMessage;
  miniProgram?: MiniProgramSubscribeMessage;
}

export function digestMessage(options: {
  channel: SubscriberChannel;
  openid: string;
  runId: string;
  clientMsgId: string;
  items: readonly DigestItem[];
  values: DigestValues;
  templates: DigestTemplates;
  /** The mini-program linked to the official account, if any. */
  mpAppid: string | null;
  /** digestCutoffs() of this digest, for its link. */
  since?: Readonly<Record<string, string>>;
  /** Where template digests lead when push.json names no link: the portal. */
  fallbackUrl?: string | null;
}): DigestMessage {
  const { channel, openid, runId, items, values, templates, since } = options;
  if (channel === 'miniprogram') {
    const t = templates.miniProgram;
    return {
      channel,
      miniProgram: {
        touser: openid,
        template_id: t.templateId,
        page: withQuery(t.page, runId, items, since),
        miniprogram_state: t.state,
        lang: 'zh_CN',
        data: fill(t.data, values),
      },
    };
  }
  const t = templates.officialAccount;
  const message: TemplateMessage = { touser: openid, template_id: t.templateId, client_msg_id: options.clientMsgId, data: fill(t.data, values) };
  if (t.url) message.url = withQuery(t.url, runId, items, since);
  // Without a page of our own to open, the portal's home at least leads to the items.
  else if (options.fallbackUrl) message.url = options.fallbackUrl;
  if (t.miniprogramPage && options.mpAppid) message.miniprogram = { appid: options.mpAppid, pagepath: withQuery(t.miniprogramPage, runId, items, since) };
  return { channel, officialAccount: message };
}
