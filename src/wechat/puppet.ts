// A lean Wechaty puppet for an official account, mounted on our own Koa route instead of running
// an HTTP server of its own. WeChat's pushes come in through `ingest()`, and each one not silent
// opens a passive-reply slot for its sender for `passiveWindowMs`. The bot's `message.say()` to a
// user fills that user's oldest open slot (the passive reply of a push still waiting, not
// necessarily the one being answered when two arrive close together); what finds no open slot, or
// does not fit one message, goes out through the customer-service API. A slot nobody fills within
// the window resolves to null and the webhook answers "success".
import * as PUPPET from 'wechaty-puppet';
import { dedupeKey, type WechatInbound } from './xml.js';
import { splitForWechat } from './text.js';

/** What a user's message looks like to the bot: the raw inbound, kept for what Wechaty cannot carry. */
export interface InboundPayload {
  id: string;
  inbound: WechatInbound;
}

/** Events carry no text in Wechaty; the bot reads this JSON from an Unknown-type message instead. */
export interface EventText {
  event: string;
  key: string;
  raw: Record<string, unknown>;
}

export interface OfficialAccountPuppetOptions {
  /** The account's own id as seen by users (its gh_ id, or the appid in sandbox). */
  selfId: string;
  /** Sends text through the customer-service API (after the passive window has passed). */
  sendText: (openid: string, text: string) => Promise<void>;
  /** How long a webhook request waits for the bot's answer; WeChat gives up at 5 s. */
  passiveWindowMs?: number;
  onSendError?: (error: unknown, openid: string) => void;
}

// Events nobody answers: replying to them would be wasted, and waiting for a reply would hold the
// request open for the whole window.
const SILENT_EVENTS = new Set([
  'unsubscribe',
  'VIEW',
  'view_miniprogram',
  'LOCATION',
  'TEMPLATESENDJOBFINISH',
  'MASSSENDJOBFINISH',
  'PUBLISHJOBFINISH',
  'subscribe_msg_popup_event',
  'subscribe_msg_change_event',
  'subscribe_msg_sent_event',
]);

interface PassiveSlot {
  resolve: (text: string | null) => void;
  timer: NodeJS.Timeout;
}

const RECENT_LIMIT = 2000;

export class OfficialAccountPuppet extends PUPPET.Puppet {
  readonly #options: Required<Omit<OfficialAccountPuppetOptions, 'onSendError'>> & Pick<OfficialAccountPuppetOptions, 'onSendError'>;
  readonly #recent = new Map<string, InboundPayload>();
  readonly #slots = new Map<string, PassiveSlot[]>();

  constructor(options: OfficialAccountPuppetOptions) {
    super();
    this.#options = { passiveWindowMs: 4000, ...options };
  }

  override async onStart(): Promise<void> {
    // login() needs the puppet fully started; Wechaty calls onStart() before that.
    setImmediate(() => this.login(this.#options.selfId));
  }

  override async onStop(): Promise<void> {
    for (const slots of this.#slots.values()) for (const slot of slots) this.#close(slot, null);
    this.#slots.clear();
  }

  /**
   * Hands one inbound push to the bot. Resolves with the passive reply text, or null when the bot
   * had nothing to say within the window (the HTTP route then answers "success"). `waitedMs`: how
   * long the push already waited (for the bot to load), taken off the window, so the HTTP answer
   * still comes within WeChat's 5 s; a reply too late for it goes out as a customer-service message.
   */
  ingest(inbound: WechatInbound, waitedMs = 0): Promise<string | null> {
    // The push's dedupe key is its id: a resend of the same push is the same message to the bot.
    const id = dedupeKey(inbound);
    this.#remember({ id, inbound });
    const silent = inbound.type === 'event' && SILENT_EVENTS.has(inbound.event === 'other' ? inbound.name : inbound.event);
    const reply = silent
      ? Promise.resolve(null)
      : new Promise<string | null>((resolve) => {
          const slot: PassiveSlot = {
            resolve,
            timer: setTimeout(() => this.#close(slot, null, inbound.fromUserName), Math.max(0, this.#options.passiveWindowMs - waitedMs)),
          };
          const queue = this.#slots.get(inbound.fromUserName) ?? [];
          queue.push(slot);
          this.#slots.set(inbound.fromUserName, queue);
        });
    this.emit('message', { messageId: id });
    return reply;
  }

  #remember(payload: InboundPayload): void {
    this.#recent.set(payload.id, payload);
    if (this.#recent.size > RECENT_LIMIT) this.#recent.delete(this.#recent.keys().next().value!);
  }

  #close(slot: PassiveSlot, text: string | null, openid?: string): void {
    clearTimeout(slot.timer);
    if (openid) {
      const queue = this.#slots.get(openid)?.filter((s) => s !== slot) ?? [];
      if (queue.length) this.#slots.set(openid, queue);
      else this.#slots.delete(openid);
    }
    slot.resolve(text);
  }

  override async messageSendText(conversationId: string, text: string): Promise<void> {
    const [first, ...rest] = splitForWechat(text);
    const slot = this.#slots.get(conversationId)?.[0];
    if (slot && first !== undefined) {
      this.#close(slot, first, conversationId);
    } else if (first !== undefined) {
      rest.unshift(first);
    }
    // What does not fit the passive reply goes out through the customer-service API, in order.
    for (const part of rest) {
      try {
        await this.#options.sendText(conversationId, part);
      } catch (error) {
        this.#options.onSendError?.(error, conversationId);
        return;
      }
    }
  }

  override async messageRawPayload(id: string): Promise<InboundPayload> {
    const payload = this.#recent.get(id);
    if (!payload) throw new Error(`message ${id} is no longer held`);
    return payload;
  }

  override async messageRawPayloadParser(payload: InboundPayload): Promise<PUPPET.payloads.Message> {
    const { inbound } = payload;
    const base = {
      id: payload.id,
      talkerId: inbound.fromUserName,
      listenerId: this.#options.selfId,
      timestamp: inbound.createTime * 1000,
    };
    switch (inbound.type) {
      case 'text':
        return { ...base, type: PUPPET.types.Message.Text, text: inbound.content };
      case 'voice':
        // With speech recognition on, a voice message is as good as text to the bot.
        return { ...base, type: PUPPET.types.Message.Audio, text: inbound.recognition ?? '' };
      case 'image':
        // The bot takes pictures as 补正 material: it needs WeChat's link and media id (imageOfText).
        return { ...base, type: PUPPET.types.Message.Image, text: JSON.stringify({ url: inbound.picUrl, mediaId: inbound.mediaId }) };
      case 'location':
        return { ...base, type: PUPPET.types.Message.Location, text: inbound.label };
      case 'video':
      case 'shortvideo':
        return { ...base, type: PUPPET.types.Message.Video, text: '' };
      case 'event': {
        const event: EventText = { event: inbound.event, key: 'eventKey' in inbound ? String(inbound.eventKey ?? '') : '', raw: { ...inbound.raw } };
        return { ...base, type: PUPPET.types.Message.Unknown, text: JSON.stringify(event) };
      }
      default:
        return { ...base, type: PUPPET.types.Message.Unknown, text: '' };
    }
  }

  override async contactRawPayload(id: string): Promise<{ id: string }> {
    return { id };
  }

  override async contactRawPayloadParser(raw: { id: string }): Promise<PUPPET.payloads.Contact> {
    const self = raw.id === this.#options.selfId;
    return {
      id: raw.id,
      name: self ? '公众号' : raw.id,
      gender: PUPPET.types.ContactGender.Unknown,
      type: self ? PUPPET.types.Contact.Official : PUPPET.types.Contact.Individual,
      avatar: '',
      phone: [],
    };
  }
}

/** Reads the picture's link and media id that the puppet puts into an Image-type message. */
export function imageOfText(text: string): { url: string; mediaId: string } | null {
  try {
    const parsed = JSON.parse(text) as { url?: unknown; mediaId?: unknown };
    return typeof parsed?.url === 'string' && typeof parsed.mediaId === 'string' ? { url: parsed.url, mediaId: parsed.mediaId } : null;
  } catch {
    return null;
  }
}

/** Reads the event JSON that the puppet puts into an Unknown-type message. */
export function parseEventText(text: string): EventText | null {
  try {
    const parsed = JSON.parse(text) as EventText;
    return typeof parsed?.event === 'string' ? parsed : null;
  } catch {
    return null;
  }
}
