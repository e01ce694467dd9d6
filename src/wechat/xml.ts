/**
 * The XML of WeChat server pushes and passive replies.
 *
 * Incoming XML is parsed into a typed, normalized message; everything is kept as strings first
 * (MsgId is a 64-bit integer that a JS number would round), then numbers are parsed where they are
 * small. A document type declaration is refused outright: WeChat never sends one, and refusing it
 * leaves no room for entity-expansion tricks. The caller caps the body size before it gets here.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EncryptedReplyEnvelope } from './crypto.js';

export class WechatXmlError extends Error {
  override readonly name = 'WechatXmlError';
}

interface Base {
  /** The account's original id (gh_…). */
  toUserName: string;
  /** The user's openid. */
  fromUserName: string;
  /** Unix seconds. */
  createTime: number;
  /** Every top-level field as WeChat sent it, for what is not normalized here. */
  raw: Readonly<Record<string, unknown>>;
}

interface MessageBase extends Base {
  /** 64-bit id kept as a decimal string. */
  msgId: string;
}

export interface TextMessage extends MessageBase {
  type: 'text';
  content: string;
}
export interface ImageMessage extends MessageBase {
  type: 'image';
  picUrl: string;
  mediaId: string;
}
export interface VoiceMessage extends MessageBase {
  type: 'voice';
  mediaId: string;
  format: string;
  /** Speech recognition result, only when the account enabled it. */
  recognition?: string;
}
export interface VideoMessage extends MessageBase {
  type: 'video' | 'shortvideo';
  mediaId: string;
  thumbMediaId: string;
}
export interface LocationMessage extends MessageBase {
  type: 'location';
  /** Location_X. */
  latitude: number;
  /** Location_Y. */
  longitude: number;
  scale: number;
  label: string;
}
export interface LinkMessage extends MessageBase {
  type: 'link';
  title: string;
  description: string;
  url: string;
}
/** A message type this layer does not know yet (the route still acknowledges it). */
export interface OtherMessage extends MessageBase {
  type: 'other';
  msgType: string;
}

export type WechatMessage =
  | TextMessage
  | ImageMessage
  | VoiceMessage
  | VideoMessage
  | LocationMessage
  | LinkMessage
  | OtherMessage;

interface EventBase extends Base {
  type: 'event';
}

export interface SubscribeEvent extends EventBase {
  event: 'subscribe';
  /** Raw EventKey (`qrscene_…` when the user came through a parameter QR code). */
  eventKey?: string;
  /** The QR scene with the `qrscene_` prefix removed. */
  scene?: string;
  ticket?: string;
}
export interface UnsubscribeEvent extends EventBase {
  event: 'unsubscribe';
}
export interface ScanEvent extends EventBase {
  event: 'SCAN';
  /** The QR scene (no prefix for users who already follow). */
  eventKey: string;
  ticket?: string;
}
export interface ClickEvent extends EventBase {
  event: 'CLICK';
  eventKey: string;
}
export interface ViewEvent extends EventBase {
  event: 'VIEW';
  /** The URL opened. */
  eventKey: string;
  menuId?: string;
}
export interface LocationEvent extends EventBase {
  event: 'LOCATION';
  latitude: number;
  longitude: number;
  precision: number;
}
export interface TemplateSendJobFinishEvent extends EventBase {
  event: 'TEMPLATESENDJOBFINISH';
  /** MsgID (capital D) of the template message, as a decimal string. */
  msgId: string;
  /** 'success', 'failed:user block' or 'failed: system failed'. */
  status: string;
}

/** One template's entry in a subscribe-message event. */
export interface SubscribeMsgItem {
  templateId: string;
  /** 'accept' | 'reject' for popup and change events. */
  status?: string;
  /** 1 = H5 page, 2 = article (popup events). */
  popupScene?: string;
  /** For sent events. */
  msgId?: string;
  errorCode?: string;
  errorStatus?: string;
}
export interface SubscribeMsgEvent extends EventBase {
  event: 'subscribe_msg_popup_event' | 'subscribe_msg_change_event' | 'subscribe_msg_sent_event';
  items: SubscribeMsgItem[];
}
/**
 * Any other event (view_miniprogram, scancode_*, pic_*, MASSSENDJOBFINISH, …): `name` is WeChat's
 * Event value, the rest is in `raw`. Kept under one literal so that a switch on `event` narrows.
 */
export interface OtherEvent extends EventBase {
  event: 'other';
  name: string;
  eventKey?: string;
}

export type WechatEvent =
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | ClickEvent
  | ViewEvent
  | LocationEvent
  | TemplateSendJobFinishEvent
  | SubscribeMsgEvent
  | OtherEvent;

export type WechatInbound = WechatMessage | WechatEvent;

/** The safe-mode body: in safe mode only Encrypt matters; compatibility mode also carries plain fields. */
export interface EncryptedEnvelope {
  toUserName?: string;
  encrypt: string;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only the five predefined entities can appear once DOCTYPE is refused.
  processEntities: true,
  htmlEntities: false,
});

/** Parses the root `<xml>` element into its fields, or throws WechatXmlError. */
function parseRoot(xml: string): Record<string, unknown> {
  if (typeof xml !== 'string' || xml.trim() === '') throw new WechatXmlError('empty body');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new WechatXmlError('DOCTYPE is not allowed');
  let doc: Record<string, unknown>;
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new WechatXmlError(`malformed XML: ${valid.err.msg}`);
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    // The parser's own limits (nesting depth, entity counts) throw plain errors: still the sender's fault.
    throw error instanceof WechatXmlError ? error : new WechatXmlError(`unreadable XML: ${(error as Error).message}`);
  }
  const root = doc.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new WechatXmlError('root element <xml> with child elements expected');
  }
  const fields = { ...(root as Record<string, unknown>) };
  delete fields['#text'];
  return fields;
}

function text(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
}

function trimmed(fields: Record<string, unknown>, name: string): string | undefined {
  const value = text(fields, name)?.trim();
  return value === '' ? undefined : value;
}

function required(fields: Record<string, unknown>, name: string): string {
  const value = trimmed(fields, name);
  if (value === undefined) throw new WechatXmlError(`missing <${name}>`);
  return value;
}

function num(fields: Record<string, unknown>, name: string): number {
  const value = Number(trimmed(fields, name));
  return Number.isFinite(value) ? value : NaN;
}

function subscribeItems(fields: Record<string, unknown>, container: string): SubscribeMsgItem[] {
  const holder = fields[container];
  if (holder === null || typeof holder !== 'object') return [];
  // One template arrives as an object, several as an array.
  const list = (holder as Record<string, unknown>).List;
  const entries = Array.isArray(list) ? list : list === undefined ? [] : [list];
  return entries
    .filter((entry): entry is Record<string, unknown> => entry !== null && typeof entry === 'object')
    .map((entry) => {
      const item: SubscribeMsgItem = { templateId: trimmed(entry, 'TemplateId') ?? '' };
      const optional = {
        status: 'SubscribeStatusString',
        popupScene: 'PopupScene',
        msgId: 'MsgID',
        errorCode: 'ErrorCode',
        errorStatus: 'ErrorStatus',
      } as const;
      for (const [key, tag] of Object.entries(optional) as [keyof typeof optional, string][]) {
        const value = trimmed(entry, tag);
        if (value !== undefined) item[key] = value;
      }
      return item;
    });
}

function parseEvent(fields: Record<string, unknown>, base: Base): WechatEvent {
  const event = required(fields, 'Event');
  const eventKey = trimmed(fields, 'EventKey');
  const common = { ...base, type: 'event' as const };
  switch (event) {
    case 'subscribe': {
      const scene = eventKey?.startsWith('qrscene_') ? eventKey.slice('qrscene_'.length) : undefined;
      return { ...common, event, eventKey, scene, ticket: trimmed(fields, 'Ticket') };
    }
    case 'unsubscribe':
      return { ...common, event };
    case 'SCAN':
      return { ...common, event, eventKey: eventKey ?? '', ticket: trimmed(fields, 'Ticket') };
    case 'CLICK':
      return { ...common, event, eventKey: eventKey ?? '' };
    case 'VIEW':
      return { ...common, event, eventKey: eventKey ?? '', menuId: trimmed(fields, 'MenuId') };
    case 'LOCATION':
      return {
        ...common,
        event,
        latitude: num(fields, 'Latitude'),
        longitude: num(fields, 'Longitude'),
        precision: num(fields, 'Precision'),
      };
    case 'TEMPLATESENDJOBFINISH':
      return { ...common, event, msgId: trimmed(fields, 'MsgID') ?? '', status: trimmed(fields, 'Status') ?? '' };
    case 'subscribe_msg_popup_event':
      return { ...common, event, items: subscribeItems(fields, 'SubscribeMsgPopupEvent') };
    case 'subscribe_msg_change_event':
      return { ...common, event, items: subscribeItems(fields, 'SubscribeMsgChangeEvent') };
    case 'subscribe_msg_sent_event':
      return { ...common, event, items: subscribeItems(fields, 'SubscribeMsgSentEvent') };
    default:
      return { ...common, event: 'other', name: event, eventKey };
  }
}

function parseMessage(fields: Record<string, unknown>, base: Base, msgType: string): WechatMessage {
  const common = { ...base, msgId: required(fields, 'MsgId') };
  switch (msgType) {
    case 'text':
      return { ...common, type: 'text', content: text(fields, 'Content') ?? '' };
    case 'image':
      return { ...common, type: 'image', picUrl: trimmed(fields, 'PicUrl') ?? '', mediaId: required(fields, 'MediaId') };
    case 'voice':
      return {
        ...common,
        type: 'voice',
        mediaId: required(fields, 'MediaId'),
        format: trimmed(fields, 'Format') ?? '',
        recognition: trimmed(fields, 'Recognition'),
      };
    case 'video':
    case 'shortvideo':
      return {
        ...common,
        type: msgType,
        mediaId: required(fields, 'MediaId'),
        thumbMediaId: trimmed(fields, 'ThumbMediaId') ?? '',
      };
    case 'location':
      return {
        ...common,
        type: 'location',
        latitude: num(fields, 'Location_X'),
        longitude: num(fields, 'Location_Y'),
        scale: num(fields, 'Scale'),
        label: text(fields, 'Label') ?? '',
      };
    case 'link':
      return {
        ...common,
        type: 'link',
        title: text(fields, 'Title') ?? '',
        description: text(fields, 'Description') ?? '',
        url: trimmed(fields, 'Url') ?? '',
      };
    default:
      return { ...common, type: 'other', msgType };
  }
}

/** Parses a plaintext push (or the decrypted XML of a safe-mode push) into a typed message or event. */
export function parseInboundXml(xml: string): WechatInbound {
  const fields = parseRoot(xml);
  const createTime = Number(required(fields, 'CreateTime'));
  if (!Number.isSafeInteger(createTime)) throw new WechatXmlError('CreateTime is not a number');
  const base: Base = {
    toUserName: required(fields, 'ToUserName'),
    fromUserName: required(fields, 'FromUserName'),
    createTime,
    raw: fields,
  };
  const msgType = required(fields, 'MsgType');
  return msgType === 'event' ? parseEvent(fields, base) : parseMessage(fields, base, msgType);
}

/** Reads `<Encrypt>` from a safe-mode or compatibility-mode push body. */
export function parseEncryptedEnvelope(xml: string): EncryptedEnvelope {
  const fields = parseRoot(xml);
  const encrypt = required(fields, 'Encrypt');
  return { toUserName: trimmed(fields, 'ToUserName'), encrypt };
}

export function isEvent(inbound: WechatInbound): inbound is WechatEvent {
  return inbound.type === 'event';
}

/**
 * The key under which a push is deduplicated across WeChat's retries. MsgId alone collides across
 * users, so messages add FromUserName and CreateTime; events carry no MsgId and use
 * FromUserName + CreateTime + Event + EventKey.
 */
export function dedupeKey(inbound: WechatInbound): string {
  if (inbound.type === 'event') {
    const eventKey = 'eventKey' in inbound && typeof inbound.eventKey === 'string' ? inbound.eventKey : '';
    const event = inbound.event === 'other' ? inbound.name : inbound.event;
    return ['event', inbound.fromUserName, inbound.createTime, event, eventKey].join('|');
  }
  return ['msg', inbound.msgId, inbound.fromUserName, inbound.createTime].join('|');
}

// XML 1.0 allows no control characters but tab, LF, CR, and no lone surrogates or U+FFFE/U+FFFF.
const XML_INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Wraps text in CDATA. A `]]>` inside would end the section early, so it is split across two
 * sections (`]]]]><![CDATA[>`); characters XML cannot carry at all are dropped.
 */
export function cdata(value: string): string {
  const clean = value.replace(XML_INVALID_CHARS, '');
  return `<![CDATA[${clean.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

export interface TextReplyInput {
  /** The user's openid: the incoming FromUserName. */
  toUserName: string;
  /** The account's gh_ id: the incoming ToUserName. */
  fromUserName: string;
  content: string;
  /** Unix seconds. */
  createTime: number;
}

/** A passive text reply, returned as the HTTP response body of a push. */
export function buildTextReply(input: TextReplyInput): string {
  if (!Number.isSafeInteger(input.createTime) || input.createTime > 99_999_999_999) {
    throw new RangeError('reply CreateTime must be Unix seconds');
  }
  return (
    '<xml>' +
    `<ToUserName>${cdata(input.toUserName)}</ToUserName>` +
    `<FromUserName>${cdata(input.fromUserName)}</FromUserName>` +
    `<CreateTime>${input.createTime}</CreateTime>` +
    '<MsgType><![CDATA[text]]></MsgType>' +
    `<Content>${cdata(input.content)}</Content>` +
    '</xml>'
  );
}

/** The XML of an encrypted passive reply (see WechatCipher.seal). */
export function buildEncryptedReplyXml(envelope: EncryptedReplyEnvelope): string {
  return (
    '<xml>' +
    `<Encrypt>${cdata(envelope.encrypt)}</Encrypt>` +
    `<MsgSignature>${cdata(envelope.msgSignature)}</MsgSignature>` +
    `<TimeStamp>${envelope.timeStamp}</TimeStamp>` +
    `<Nonce>${cdata(envelope.nonce)}</Nonce>` +
    '</xml>'
  );
}
