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

/** The items of the run in the subscriber's categories, in publication order. */
export function digestItems(runItems: readonly DigestItem[], categories: readonly string[]): DigestItem[] {
  const wanted = new Set(categories);
  return runItems.filter((item) => wanted.has(item.category));
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

/** The page (or link) carries the run and the categories, so it opens on exactly these items. */
function withQuery(target: string, runId: string, items: readonly DigestItem[]): string {
  const categories = [...new Set(items.map((i) => i.category))].join(',');
  const separator = target.includes('?') ? '&' : '?';
  return `${target}${separator}digest=${encodeURIComponent(runId)}&categories=${encodeURIComponent(categories)}`;
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
}): DigestMessage {
  const { channel, openid, runId, items, values, templates } = options;
  if (channel === 'miniprogram') {
    const t = templates.miniProgram;
    return {
      channel,
      miniProgram: {
        touser: openid,
        template_id: t.templateId,
        page: withQuery(t.page, runId, items),
        miniprogram_state: t.state,
        lang: 'zh_CN',
        data: fill(t.data, values),
      },
    };
  }
  const t = templates.officialAccount;
  const message: TemplateMessage = { touser: openid, template_id: t.templateId, client_msg_id: options.clientMsgId, data: fill(t.data, values) };
  if (t.url) message.url = withQuery(t.url, runId, items);
  if (t.miniprogramPage && options.mpAppid) message.miniprogram = { appid: options.mpAppid, pagepath: withQuery(t.miniprogramPage, runId, items) };
  return { channel, officialAccount: message };
}
