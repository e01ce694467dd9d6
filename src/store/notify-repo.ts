// Delivery state of notifications (notify.json). The outbox entries caused by application events are
// the intents in applications.json; this file never copies them. It holds what delivering them
// needs: one delivery per recipient (attempts, next try, the channel being tried, the client_msg_id
// recorded before a send), the entries notify creates itself (deadline reminders, digests, alerts
// about failed deliveries), subscribe-message consents, the last interaction per user (the 48-hour
// customer-service window) and staff binding codes.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import { JournaledFile } from './journaled-file.js';

/** The ways a message can travel; the order per audience is data (data/notify/templates.json). */
export const CHANNEL_NAMES = ['oa-template', 'oa-subscribe', 'mp-subscribe', 'customer-service', 'wecom-robot'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** An outbox entry notify creates itself, with the same shape as an application's intent. */
export interface OwnEntry {
  /** Unique and stable, e.g. "<appId>:reminder:due-5:<dueDate>": creating it twice is a no-op. */
  key: string;
  kind: string;
  audience: 'applicant' | 'staff';
  applicationId: string | null;
  createdAt: string;
  /** What the message needs beyond the application, e.g. the reason a delivery failed. */
  data: Record<string, string>;
}

export type Recipient =
  | { type: 'applicant'; openid: string; app: 'oa' | 'mp' }
  | { type: 'staff'; username: string; openid: string }
  /** The WeCom group robot of the office. */
  | { type: 'group' }
  /** Applied on paper, by fax or in person: the office answers on paper, not through us. */
  | { type: 'offline' }
  /** A staff message with no staff member bound and no robot configured. */
  | { type: 'nobody' };

/**
 * pending: to be (re)tried at nextAttemptAt; sent: done (confirmed false when the outcome of the
 * one send was unknown and it was not repeated); dead: gave up, listed for staff to retry;
 * needs-contact: no channel reaches the applicant, staff must phone or write; contacted: staff did;
 * skipped: nothing to send (offline applicant, application gone); awaiting-user: no channel reaches
 * the person now, and the delivery is tried again the next time they write (waitForUser).
 */
export type DeliveryStatus = 'pending' | 'sent' | 'dead' | 'needs-contact' | 'contacted' | 'skipped' | 'awaiting-user';

export interface DeliveryAttempt {
  at: string;
  channel: ChannelName | null;
  result: 'sent' | 'unavailable' | 'not-authorised' | 'retry' | 'failed' | 'unknown' | 'retried-by-staff' | 'contacted';
  code?: number;
  detail?: string;
}

export interface Delivery {
  /** The intent key for the applicant; "<entryKey>><recipient>" for each staff recipient. */
  key: string;
  entryKey: string;
  kind: string;
  audience: 'applicant' | 'staff';
  applicationId: string | null;
  recipient: Recipient;
  /** The channels to try, in order, fixed when the delivery was planned. */
  channels: ChannelName[];
  channelIndex: number;
  /** The values the message is rendered from, fixed at planning so every retry sends the same words. */
  vars: Record<string, string>;
  status: DeliveryStatus;
  /** Failed tries that count towards giving up. */
  attempts: number;
  nextAttemptAt: string;
  /** Written before a send and cleared after its result is recorded: set after a crash. */
  inFlight: { channel: ChannelName; clientMsgId: string | null; at: string } | null;
  sentVia: ChannelName | null;
  confirmed: boolean | null;
  msgid: string | null;
  reason: string | null;
  history: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
  /**
   * When no channel reaches the person, wait for their next message (which opens the
   * customer-service window) instead of asking staff to phone: a staff member's answer to a chat
   * question, whose asker staff know only by openid.
   */
  waitForUser?: boolean;
}

export interface ConsentState {
  /** One-time acceptances not used yet: each is one send. */
  credits: number;
  longTerm: boolean;
  updatedAt: string;
}

export interface BindingCode {
  code: string;
  username: string;
  expiresAt: string;
}

interface NotifyData {
  entries: OwnEntry[];
  /** Entry key → when its deliveries were planned. */
  planned: Record<string, string>;
  deliveries: Record<string, Delivery>;
  /** openid → template id → consent. */
  consents: Record<string, Record<string, ConsentState>>;
  /** openid → last time the user wrote to or clicked in the official account. */
  interactions: Record<string, string>;
  bindingCodes: BindingCode[];
  bindingFailures: Record<string, { count: number; since: string }>;
}

/** What else changes in the same write as a delivery. */
export interface DeliveryEffects {
  entries?: OwnEntry[];
  /** A one-time subscribe credit: used (-1), given back (+1), or found to be gone (exhaust). */
  credit?: { openid: string; templateId: string; delta?: number; exhaust?: boolean };
  /** WeChat said the customer-service window is closed: forget the interaction (in its own journal). */
  forgetInteraction?: string;
}

const HISTORY_LIMIT = 30;

/** One line per message a user sends: the 48-hour window opens (at) or is found closed (null). */
type InteractionOp = { openid: string; at: string | null };

export class NotifyRepo {
  /** openid → keys of deliveries awaiting that user's next message: asked on every chat message. */
  #awaiting = new Map<string, Set<string>>();

  private constructor(
    private readonly file: DataFile<NotifyData>,
    // Written on almost every chat message, so it has a journal of its own: recording that a user
    // wrote must not rewrite the whole outbox file.
    private readonly interactions: JournaledFile<{ interactions: Record<string, string> }, InteractionOp>,
  ) {
    this.#indexAwaiting();
  }

  static async open(store: Store): Promise<NotifyRepo> {
    const file = await store.file<NotifyData>({
      name: 'notify',
      version: 1,
      defaults: () => ({ entries: [], planned: {}, deliveries: {}, consents: {}, interactions: {}, bindingCodes: [], bindingFailures: {} }),
      check: (d) => (Array.isArray(d.entries) && typeof d.deliveries === 'object' && d.deliveries !== null ? null : 'entries or deliveries missing'),
    });
    const interactions = await JournaledFile.open<{ interactions: Record<string, string> }, InteractionOp>(store, {
      name: 'interactions',
      version: 1,
      defaults: () => ({ interactions: {} }),
      reduce: (d, op) => {
        if (op.at) d.interactions[op.openid] = op.at;
        else delete d.interactions[op.openid];
      },
    });
    return new NotifyRepo(file, interactions);
  }

  // --- outbox entries and deliveries --------------------------------------------------------------

  entries(): readonly OwnEntry[] {
    return this.file.data.entries;
  }

  hasEntry(key: string): boolean {
    return this.file.data.entries.some((e) => e.key === key);
  }

  /** Adds the entries whose keys are new; returns those added. */
  async addEntries(entries: OwnEntry[]): Promise<OwnEntry[]> {
    const fresh = entries.filter((e) => !this.hasEntry(e.key));
    if (fresh.length === 0) return [];
    await this.file.update((d) => {
      d.entries.push(...fresh);
    });
    return fresh;
  }

  isPlanned(entryKey: string): boolean {
    return entryKey in this.file.data.planned;
  }

  /** Records the deliveries of several entries in one write; an entry planned already is left alone. */
  async plan(plans: Array<{ entryKey: string; deliveries: Delivery[] }>, at: string): Promise<void> {
    const fresh = plans.filter((p) => !this.isPlanned(p.entryKey));
    if (fresh.length === 0) return;
    await this.file.update((d) => {
      for (const p of fresh) {
        d.planned[p.entryKey] = at;
        for (const delivery of p.deliveries) d.deliveries[delivery.key] = delivery;
      }
    });
  }

  delivery(key: string): Delivery | undefined {
    return this.file.data.deliveries[key];
  }

  deliveries(): Delivery[] {
    return Object.values(this.file.data.deliveries);
  }

  /** Pending deliveries whose time has come, oldest first. */
  due(now: string): Delivery[] {
    return this.deliveries()
      .filter((d) => d.status === 'pending' && d.nextAttemptAt <= now)
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.key < b.key ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
  }

  /** Deliveries waiting for this user's next message (status awaiting-user). */
  awaitingUser(openid: string): Delivery[] {
    const keys = this.#awaiting.get(openid);
    if (!keys) return [];
    return [...keys].map((key) => this.file.data.deliveries[key]).filter((d): d is Delivery => d?.status === 'awaiting-user');
  }

  /** Changes one delivery, and whatever goes with it, in one write; returns the delivery as saved. */
  async updateDelivery(key: string, change: (d: Delivery) => void, effects: DeliveryEffects = {}, at?: string): Promise<Delivery> {
    // A closed window only costs one more refused send if this is lost in a crash: its own journal.
    if (effects.forgetInteraction) await this.forgetInteraction(effects.forgetInteraction);
    try {
      const saved = await this.#changeDelivery(key, change, effects, at);
      this.#indexAwaiting(saved);
      return saved;
    } catch (error) {
      // A failed write reloads the file: the index follows it.
      this.#indexAwaiting();
      throw error;
    }
  }

  /** The index of deliveries awaiting a user: of one delivery after it changed, or of all. */
  #indexAwaiting(one?: Delivery): void {
    if (!one) this.#awaiting.clear();
    for (const d of one ? [one] : this.deliveries()) {
      const openid = 'openid' in d.recipient ? d.recipient.openid : null;
      if (!openid) continue;
      const keys = this.#awaiting.get(openid);
      if (d.status === 'awaiting-user') {
        if (keys) keys.add(d.key);
        else this.#awaiting.set(openid, new Set([d.key]));
      } else if (keys?.delete(d.key) && keys.size === 0) this.#awaiting.delete(openid);
    }
  }

  #changeDelivery(key: string, change: (d: Delivery) => void, effects: DeliveryEffects, at?: string): Promise<Delivery> {
    return this.file.update((data) => {
      const delivery = data.deliveries[key];
      if (!delivery) throw new Error(`delivery ${key} vanished`);
      change(delivery);
      if (delivery.history.length > HISTORY_LIMIT) delivery.history.splice(0, delivery.history.length - HISTORY_LIMIT);
      if (at) delivery.updatedAt = at;
      for (const entry of effects.entries ?? []) {
        if (!data.entries.some((e) => e.key === entry.key)) data.entries.push(entry);
      }
      if (effects.credit) {
        const { openid, templateId, delta = 0, exhaust } = effects.credit;
        const consent = (data.consents[openid] ??= {})[templateId] ??= { credits: 0, longTerm: false, updatedAt: at ?? '' };
        consent.credits = exhaust ? 0 : Math.max(0, consent.credits + delta);
        if (exhaust) consent.longTerm = false;
        if (at) consent.updatedAt = at;
      }
      return delivery;
    });
  }

  /** Drops a planned entry's delivery so the next pass plans it again (a staff message nobody could receive). */
  async replan(deliveryKey: string): Promise<void> {
    await this.file.update((d) => {
      const delivery = d.deliveries[deliveryKey];
      if (!delivery) return;
      delete d.deliveries[deliveryKey];
      delete d.planned[delivery.entryKey];
    });
  }

  // --- subscribe-message consents -----------------------------------------------------------------

  consent(openid: string, templateId: string): ConsentState | undefined {
    return this.file.data.consents[openid]?.[templateId];
  }

  async recordConsents(openid: string, changes: Array<{ templateId: string; accepted: boolean; longTerm: boolean }>, at: string): Promise<void> {
    await this.file.update((d) => {
      const mine = (d.consents[openid] ??= {});
      for (const { templateId, accepted, longTerm } of changes) {
        const consent = (mine[templateId] ??= { credits: 0, longTerm: false, updatedAt: at });
        if (longTerm) consent.longTerm = accepted;
        else if (accepted) consent.credits = Math.min(consent.credits + 1, MAX_CREDITS);
        consent.updatedAt = at;
      }
    });
  }

  // --- customer-service window ----------------------------------------------------------------------

  lastInteraction(openid: string): string | undefined {
    // Files written before the interactions had their own journal kept them in notify.json.
    return this.interactions.data.interactions[openid] ?? this.file.data.interactions[openid];
  }

  async noteInteraction(openid: string, at: string): Promise<void> {
    await this.interactions.commit({ openid, at });
  }

  /** WeChat said the customer-service window is closed. */
  async forgetInteraction(openid: string): Promise<void> {
    if (this.file.data.interactions[openid]) await this.file.update((d) => void delete d.interactions[openid]);
    await this.interactions.commit({ openid, at: null });
  }

  // --- staff binding codes --------------------------------------------------------------------------

  bindingCode(code: string): BindingCode | undefined {
    return this.file.data.bindingCodes.find((c) => c.code === code);
  }

  liveBindingCodes(now: string): readonly BindingCode[] {
    return this.file.data.bindingCodes.filter((c) => c.expiresAt > now);
  }

  /** Stores a code as the user's only one, dropping expired codes of everyone. */
  async putBindingCode(code: BindingCode, now: string): Promise<void> {
    await this.file.update((d) => {
      d.bindingCodes = d.bindingCodes.filter((c) => c.expiresAt > now && c.username !== code.username);
      d.bindingCodes.push(code);
    });
  }

  async removeBindingCode(code: string): Promise<void> {
    await this.file.update((d) => {
      d.bindingCodes = d.bindingCodes.filter((c) => c.code !== code);
    });
  }

  bindingFailures(openid: string): { count: number; since: string } | undefined {
    return this.file.data.bindingFailures[openid];
  }

  async setBindingFailures(openid: string, value: { count: number; since: string } | null): Promise<void> {
    await this.file.update((d) => {
      if (value) d.bindingFailures[openid] = value;
      else delete d.bindingFailures[openid];
    });
  }
}

/** WeChat keeps counting one-time acceptances; we stop at a sane number. */
const MAX_CREDITS = 50;
