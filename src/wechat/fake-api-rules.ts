/**
 * The payload rules the fake WeChat API enforces, as pure functions: each answers the WeChat error
 * a real server would give, or undefined when the payload passes. Only rules the protocol notes
 * state are here; the fake must not be stricter or looser than WeChat where we know better.
 */
import { WECHAT_TEXT_MAX_BYTES, utf8Length } from './text.js';

export interface WechatErrorBody {
  errcode: number;
  errmsg: string;
}

const fail = (errcode: number, errmsg: string): WechatErrorBody => ({ errcode, errmsg });

export const DATA_FORMAT_ERROR = fail(47001, 'data format error');
const INVALID_OPENID = fail(40003, 'invalid openid');
const INVALID_TEMPLATE = fail(40037, 'invalid template_id');

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const chars = (value: string) => [...value].length;

/**
 * Subscribe-message value rules by key type (`thing1` → `thing`). Types not listed here are
 * accepted as any non-empty text.
 */
const VALUE_RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => chars(v) <= 20,
  number: (v) => /^\d+(\.\d+)?$/.test(v) && v.length <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => chars(v) <= 5,
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
  name: (v) => (/^[\x20-\x7e]*$/.test(v) ? v.length <= 20 : chars(v) <= 10),
  phone_number: (v) => /^[\d+\-() ]{1,17}$/.test(v),
  car_number: (v) => chars(v) <= 8,
};

function checkTemplateData(data: unknown, subscribeRules: boolean): WechatErrorBody | undefined {
  if (!isObject(data) || Object.keys(data).length === 0) return DATA_FORMAT_ERROR;
  for (const [key, entry] of Object.entries(data)) {
    if (!isObject(entry) || typeof entry.value !== 'string') return DATA_FORMAT_ERROR;
    if (!subscribeRules) continue;
    const rule = VALUE_RULES[key.replace(/\d+$/, '')];
    if (entry.value === '' || (rule && !rule(entry.value))) {
      return fail(47003, `argument invalid! data.${key}.value invalid`);
    }
  }
  return undefined;
}

export function checkCustomMessage(body: unknown): WechatErrorBody | undefined {
  if (!isObject(body)) return DATA_FORMAT_ERROR;
  if (!nonEmptyString(body.touser)) return INVALID_OPENID;
  const content = body[String(body.msgtype)];
  switch (body.msgtype) {
    case 'text': {
      const text = isObject(content) ? content.content : undefined;
      if (typeof text !== 'string' || text === '') return fail(44004, 'empty content');
      if (utf8Length(text) > WECHAT_TEXT_MAX_BYTES) return fail(45002, 'content size out of limit');
      return undefined;
    }
    case 'image':
    case 'voice':
      return isObject(content) && nonEmptyString(content.media_id) ? undefined : fail(40007, 'invalid media_id');
    case 'news': {
      const articles = isObject(content) ? content.articles : undefined;
      if (!Array.isArray(articles) || articles.length === 0) return fail(44003, 'empty news data');
      return articles.length > 1 ? fail(45008, 'article size out of limit') : undefined;
    }
    case 'miniprogrampage':
      return isObject(content) && nonEmptyString(content.appid) && nonEmptyString(content.pagepath) && nonEmptyString(content.thumb_media_id)
        ? undefined
        : DATA_FORMAT_ERROR;
    default:
      return fail(40008, 'invalid message type');
  }
}

export function checkTemplateMessage(body: unknown): WechatErrorBody | undefined {
  if (!isObject(body)) return DATA_FORMAT_ERROR;
  if (!nonEmptyString(body.touser)) return INVALID_OPENID;
  if (!nonEmptyString(body.template_id)) return INVALID_TEMPLATE;
  if (body.url !== undefined && typeof body.url !== 'string') return DATA_FORMAT_ERROR;
  return checkTemplateData(body.data, false);
}

export function checkBizSubscribeMessage(body: unknown): WechatErrorBody | undefined {
  if (!isObject(body)) return DATA_FORMAT_ERROR;
  if (!nonEmptyString(body.touser)) return INVALID_OPENID;
  if (!nonEmptyString(body.template_id)) return INVALID_TEMPLATE;
  return checkTemplateData(body.data, true);
}

export function checkMiniProgramSubscribeMessage(body: unknown): WechatErrorBody | undefined {
  if (!isObject(body)) return DATA_FORMAT_ERROR;
  if (!nonEmptyString(body.touser)) return INVALID_OPENID;
  if (!nonEmptyString(body.template_id)) return INVALID_TEMPLATE;
  if (body.page !== undefined && (typeof body.page !== 'string' || /\s/.test(body.page))) return fail(41030, 'invalid page');
  if (body.miniprogram_state !== undefined && !['developer', 'trial', 'formal'].includes(String(body.miniprogram_state))) {
    return fail(47003, 'argument invalid! miniprogram_state invalid');
  }
  if (body.lang !== undefined && !['zh_CN', 'en_US', 'zh_HK', 'zh_TW'].includes(String(body.lang))) {
    return fail(47003, 'argument invalid! lang invalid');
  }
  return checkTemplateData(body.data, true);
}

const bytes = (value: unknown) => (typeof value === 'string' ? utf8Length(value) : 0);

const BUTTON_TYPES = new Set([
  'click',
  'view',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'media_id',
  'article_id',
  'article_view_limited',
  'miniprogram',
  'view_limited',
]);

function checkLeafButton(button: Record<string, unknown>, sub: boolean): WechatErrorBody | undefined {
  if (!BUTTON_TYPES.has(String(button.type))) return sub ? fail(40024, 'invalid sub button type') : fail(40017, 'invalid button type');
  const needsKey = ['click', 'scancode_push', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album', 'pic_weixin', 'location_select'];
  if (needsKey.includes(String(button.type)) && (!nonEmptyString(button.key) || bytes(button.key) > 128)) {
    return fail(40019, 'invalid button key size');
  }
  if ((button.type === 'view' || button.type === 'miniprogram') && (!nonEmptyString(button.url) || bytes(button.url) > 1024)) {
    return fail(40020, 'invalid button url size');
  }
  if (button.type === 'miniprogram' && (!nonEmptyString(button.appid) || !nonEmptyString(button.pagepath))) {
    return DATA_FORMAT_ERROR;
  }
  return undefined;
}

/** At most 3 buttons of ≤16 bytes, each with at most 5 sub-buttons of ≤60 bytes. */
export function checkMenu(body: unknown): WechatErrorBody | undefined {
  if (!isObject(body) || !Array.isArray(body.button)) return DATA_FORMAT_ERROR;
  if (body.button.length === 0 || body.button.length > 3) return fail(40016, 'invalid button size');
  for (const button of body.button) {
    if (!isObject(button)) return DATA_FORMAT_ERROR;
    if (!nonEmptyString(button.name) || bytes(button.name) > 16) return fail(40018, 'invalid button name size');
    if (button.sub_button === undefined) {
      const problem = checkLeafButton(button, false);
      if (problem) return problem;
      continue;
    }
    if (!Array.isArray(button.sub_button) || button.sub_button.length === 0 || button.sub_button.length > 5) {
      return fail(40023, 'invalid sub button size');
    }
    for (const sub of button.sub_button) {
      if (!isObject(sub)) return DATA_FORMAT_ERROR;
      if (!nonEmptyString(sub.name) || bytes(sub.name) > 60) return fail(40025, 'invalid sub button name size');
      const problem = checkLeafButton(sub, true);
      if (problem) return problem;
    }
  }
  return undefined;
}

export function checkMsgSecCheck(body: unknown): WechatErrorBody | undefined {
  if (!isObject(body) || body.version !== 2) return DATA_FORMAT_ERROR;
  if (!nonEmptyString(body.openid)) return INVALID_OPENID;
  if (![1, 2, 3, 4].includes(Number(body.scene))) return fail(40097, 'invalid args');
  if (typeof body.content !== 'string' || chars(body.content) > 2500) return fail(40097, 'invalid args');
  return undefined;
}
