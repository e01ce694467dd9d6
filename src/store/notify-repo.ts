// Delivery state of notifications. The outbox entries caused by application events are the
// applications' intents; the notify store never copies them (it records which are planned). It
// holds what delivering them needs: one delivery per recipient (attempts, next try, the channel
// being tried, the client_msg_id recorded before a send), the entries notify creates itself
// (deadline reminders, digests, alerts about failed deliveries), subscribe-message consents, the
// last interaction per user (the 48-hour customer-service window) and staff binding codes.
//
// NotifyRepository is what the notify module uses, on either engine; NotifyRepo below is the
// embedded one (one process), PgNotifyRepo (src/store/pg/notify-repo.ts) the PostgreSQL one.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import { JournaledFile } from './journaled-file.js';
import type { Transferable, TransferRecord } from './transfer.js';

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
  /** The application event the entry came from (null for notify's own entries): to plan it again. */
  eventIndex?: number | null;
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

export interface BindingFailures {
  count: number;
  since: string;
}

/** What else changes in the same write as a delivery. */
export interface DeliveryEffects {
  entries?: OwnEntry[];
  /** A one-time subscribe credit: used (-1), given back (+1), or found to be gone (exhaust). */
  credit?: { openid: string; templateId: string; delta?: number; exhaust?: boolean };
  /** WeChat said the customer-service window is closed: forget the interaction (in its own journal). */
  forgetInteraction?: string;
}

/** One page of the deliveries in one status, newest change first (the console's 消息异常 page). */
export interface DeliveryFilter {
  status: DeliveryStatus;
  /** Only these (sent: false is "arrival unknown"). */
  confirmed?: boolean;
  /** Only those changed at or after this instant. */
  updatedSince?: string;
  limit: number;
}

export interface DeliveryPage {
  /** How many match the filter, beyond the page too. */
  total: number;
  deliveries: Delivery[];
}

/** What the metrics gauges show of the outbox, counted by the store. */
export interface DeliveryGauges {
  /** Pending deliveries by the channel they will be tried on next ('none': no channel left). */
  backlog: Record<string, number>;
  /** Dead letters by the last channel tried ('none': none was). */
  dead: Record<string, number>;
  /** Failed send attempts recorded in the deliveries' histories, by channel. */
  failedAttempts: Record<string, number>;
  needsContact: number;
}

/**
 * The notification outbox's storage. Every method is keyed or filtered: nothing reads every
 * delivery on a request's or a job's path.
 */
export interface NotifyRepository extends Transferable {
  // --- notify's own outbox entries
  entry(key: string): Promise<OwnEntry | undefined>;
  hasEntry(key: string): Promise<boolean>;
  /** The newest entry of a kind (by createdAt), e.g. the last digest. */
  latestEntry(kind: string): Promise<OwnEntry | undefined>;
  /** Adds the entries whose keys are new; returns those added (a key taken already is a no-op). */
  addEntries(entries: OwnEntry[]): Promise<OwnEntry[]>;
  /** Own entries not planned yet, oldest first. */
  unplannedEntries(limit: number): Promise<OwnEntry[]>;

  // --- deliveries
  /**
   * Records the deliveries of several entries (applications' intents or own entries). Each entry is
   * planned once: an entry planned already, here or by another instance at the same moment, is
   * left alone. Returns the keys of the entries planned by this call.
   */
  plan(plans: Array<{ entryKey: string; deliveries: Delivery[] }>, at: string): Promise<string[]>;
  /** Which of these entries are planned already (so the outbox need not plan them to find out). */
  plannedOf(entryKeys: string[]): Promise<Set<string>>;
  /**
   * Replaces a dead delivery by the deliveries of the same entry planned again (a staff message
   * nobody could receive, once someone can). False, and nothing changed, when it is not dead (any more).
   */
  replan(deliveryKey: string, deliveries: Delivery[], at: string): Promise<boolean>;
  delivery(key: string): Promise<Delivery | undefined>;
  /** The deliveries about one application, oldest first. */
  deliveriesOf(applicationId: string): Promise<Delivery[]>;
  /**
   * Takes up to `limit` pending deliveries whose time has come, oldest first, for this process
   * alone until `leaseMs` after `now` or until releaseClaims: another instance claiming at the same
   * time gets others, and takes these again only once this process died (PostgreSQL: its instance
   * stopped beating, within seconds) or the lease ran out.
   */
  claimDue(now: string, limit: number, leaseMs: number): Promise<Delivery[]>;
  /** Gives up this process's claims on these (a claim another instance took over stays its). */
  releaseClaims(keys: string[]): Promise<void>;
  /** Deliveries waiting for this user's next message (status awaiting-user). */
  awaitingUser(openid: string): Promise<Delivery[]>;
  /**
   * Changes one delivery, and whatever goes with it, in one write, with the delivery locked;
   * `change` may throw to change nothing. Returns the delivery as saved.
   */
  updateDelivery(key: string, change: (d: Delivery) => void, effects?: DeliveryEffects, at?: string): Promise<Delivery>;
  deliveryPage(filter: DeliveryFilter): Promise<DeliveryPage>;
  deliveryGauges(): Promise<DeliveryGauges>;

  // --- subscribe-message consents
  consent(openid: string, templateId: string): Promise<ConsentState | undefined>;
  recordConsents(openid: string, changes: Array<{ templateId: string; accepted: boolean; longTerm: boolean }>, at: string): Promise<void>;

  // --- customer-service window
  lastInteraction(openid: string): Promise<string | undefined>;
  noteInteraction(openid: string, at: string): Promise<void>;
  /** WeChat said the customer-service window is closed. */
  forgetInteraction(openid: string): Promise<void>;

  // --- staff binding codes
  bindingCode(code: string): Promise<BindingCode | undefined>;
  /**
   * Stores a code as the user's only one, dropping expired codes of everyone. False, and nothing
   * stored, when another user holds the same code and it is still live: draw another.
   */
  putBindingCode(code: BindingCode, now: string): Promise<boolean>;
  /** Removes the code and returns it (live or expired): a code is redeemed once, even by two instances at once. */
  takeBindingCode(code: string): Promise<BindingCode | undefined>;
  bindingFailures(openid: string): Promise<BindingFailures | undefined>;
  /** Counts one wrong code: one more since `since` when the last count began after `windowStart`, else a fresh count. */
  countBindingFailure(openid: string, at: string, windowStart: string): Promise<BindingFailures>;
  clearBindingFailures(openid: string): Promise<void>;
}

export const HISTORY_LIMIT = 30;
/** WeChat keeps counting one-time acceptances; we stop at a sane number. */
export const MAX_CREDITS = 50;

/** Attempt results that count as a failed send in the metrics. */
const FAILED_RESULTS: ReadonlySet<DeliveryAttempt['result']> = new Set(['retry', 'failed', 'unavailable']);

/** The openid a delivery goes to, if it goes to a WeChat user. */
export function recipientOpenid(d: Delivery): string | null {
  return 'openid' in d.recipient ? d.recipient.openid : null;
}

/** The channel a pending delivery is tried on next: the one in flight, else the next in its list. */
export function nextChannel(d: Delivery): ChannelName | null {
  return d.inFlight?.channel ?? d.channels[d.channelIndex] ?? null;
}

/** Failed attempts in a delivery's history, by channel. */
export function failedAttempts(d: Delivery): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const h of d.history) if (h.channel && FAILED_RESULTS.has(h.result)) counts[h.channel] = (counts[h.channel] ?? 0) + 1;
  return counts;
}

/** Applies a change's bookkeeping: the history kept short, the time of the change. */
export function finishChange(d: Delivery, at?: string): void {
  if (d.history.length > HISTORY_LIMIT) d.history.splice(0, d.history.length - HISTORY_LIMIT);
  if (at) d.updatedAt = at;
}

/** A consent after a credit effect (used, given back, or found gone). */
export function applyCredit(consent: ConsentState | undefined, effect: NonNullable<DeliveryEffects['credit']>, at?: string): ConsentState {
  const next = consent ? { ...consent } : { credits: 0, longTerm: false, updatedAt: at ?? '' };
  next.credits = effect.exhaust ? 0 : Math.max(0, next.credits + (effect.delta ?? 0));
  if (effect.exhaust) next.longTerm = false;
  if (at) next.updatedAt = at;
  return next;
}

/** A consent after the user answered one prompt for its template. */
export function applyConsentAnswer(consent: ConsentState | undefined, answer: { accepted: boolean; longTerm: boolean }, at: string): ConsentState {
  const next = consent ? { ...consent } : { credits: 0, longTerm: false, updatedAt: at };
  if (answer.longTerm) next.longTerm = answer.accepted;
  else if (answer.accepted) next.credits = Math.min(next.credits + 1, MAX_CREDITS);
  next.updatedAt = at;
  return next;
}

/** Oldest first, then by key: the order deliveries are sent in. */
export function oldestFirst(a: Delivery, b: Delivery): number {
  return a.createdAt === b.createdAt ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.createdAt < b.createdAt ? -1 : 1;
}

/** Newest change first, then by key. */
export function newestChangeFirst(a: Delivery, b: Delivery): number {
  return a.updatedAt === b.updatedAt ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.updatedAt < b.updatedAt ? 1 : -1;
}

// --- the embedded engine -------------------------------------------------------------------------

interface NotifyData {
  entries: OwnEntry[];
  /** Entry key → when its deliveries were planned. */
  planned: Record<string, string>;
  deliveries: Record<string, Delivery>;
  /** openid → template id → consent. */
  consents: Record<string, Record<string, ConsentState>>;
  /** Files written before the interactions had their own journal kept them here: openid → last time. */
  interactions: Record<string, string>;
  bindingCodes: BindingCode[];
  bindingFailures: Record<string, BindingFailures>;
}

/** One line per message a user sends: the 48-hour window opens (at) or is found closed (null). */
type InteractionOp = { openid: string; at: string | null };

const copy = <T>(value: T): T => structuredClone(value);

/**
 * The embedded engine: notify.json (one lowdb file) and the interactions journal, held in memory by
 * the one process that owns the data folder, with in-memory indexes for the keyed reads. A claim is
 * trivial here: one process, and its outbox runs one pass at a time.
 */
export class NotifyRepo implements NotifyRepository {
  /** Delivery keys by status. */
  #byStatus = new Map<DeliveryStatus, Set<string>>();
  /** openid → keys of deliveries awaiting that user's next message: asked on every chat message. */
  #awaiting = new Map<string, Set<string>>();
  #byApplication = new Map<string, Set<string>>();
  #entries = new Map<string, OwnEntry>();
  /** Every own entry before this position is planned (entries are appended, plans never undone). */
  #unplannedFrom = 0;
  /** The data object the indexes describe: a failed write reloads the file and replaces it. */
  #indexed: NotifyData | null = null;

  private constructor(
    private readonly file: DataFile<NotifyData>,
    // Written on almost every chat message, so it has a journal of its own: recording that a user
    // wrote must not rewrite the whole outbox file.
    private readonly interactions: JournaledFile<{ interactions: Record<string, string> }, InteractionOp>,
  ) {
    this.#data();
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

  // --- indexes -------------------------------------------------------------------------------------

  /** The data, with the indexes rebuilt when the file was reloaded (after a failed write). */
  #data(): NotifyData {
    const data = this.file.data;
    if (this.#indexed !== data) {
      this.#indexed = data;
      for (const map of [this.#byStatus, this.#awaiting, this.#byApplication, this.#entries]) map.clear();
      this.#unplannedFrom = 0;
      for (const d of Object.values(data.deliveries)) this.#index(d);
      for (const e of data.entries) this.#entries.set(e.key, e);
    }
    return data;
  }

  #index(d: Delivery, before?: Delivery): void {
    if (before) this.#unindex(before);
    setIn(this.#byStatus, d.status).add(d.key);
    if (d.applicationId) setIn(this.#byApplication, d.applicationId).add(d.key);
    const openid = recipientOpenid(d);
    if (openid && d.status === 'awaiting-user') setIn(this.#awaiting, openid).add(d.key);
  }

  #unindex(d: Delivery): void {
    removeFrom(this.#byStatus, d.status, d.key);
    if (d.applicationId) removeFrom(this.#byApplication, d.applicationId, d.key);
    const openid = recipientOpenid(d);
    if (openid) removeFrom(this.#awaiting, openid, d.key);
  }

  /** Writes a change; the indexes follow the data, also when the write failed and the file was reloaded. */
  async #write<R>(change: (data: NotifyData) => R): Promise<R> {
    try {
      return await this.file.update(() => change(this.#data()));
    } finally {
      this.#data();
    }
  }

  #statusKeys(status: DeliveryStatus): Delivery[] {
    const data = this.#data();
    return [...(this.#byStatus.get(status) ?? [])].map((key) => data.deliveries[key]!);
  }

  // --- outbox entries ------------------------------------------------------------------------------

  async entry(key: string): Promise<OwnEntry | undefined> {
    this.#data();
    const found = this.#entries.get(key);
    return found && copy(found);
  }

  async hasEntry(key: string): Promise<boolean> {
    this.#data();
    return this.#entries.has(key);
  }

  async latestEntry(kind: string): Promise<OwnEntry | undefined> {
    let latest: OwnEntry | undefined;
    for (const e of this.#data().entries) if (e.kind === kind && (!latest || e.createdAt > latest.createdAt)) latest = e;
    return latest && copy(latest);
  }

  async addEntries(entries: OwnEntry[]): Promise<OwnEntry[]> {
    this.#data();
    const fresh: OwnEntry[] = [];
    for (const e of entries) if (!this.#entries.has(e.key) && !fresh.some((f) => f.key === e.key)) fresh.push(copy(e));
    if (fresh.length === 0) return [];
    await this.#write((d) => {
      d.entries.push(...fresh);
      for (const e of fresh) this.#entries.set(e.key, e);
    });
    return fresh.map(copy);
  }

  async unplannedEntries(limit: number): Promise<OwnEntry[]> {
    const { entries, planned } = this.#data();
    while (this.#unplannedFrom < entries.length && entries[this.#unplannedFrom]!.key in planned) this.#unplannedFrom++;
    return entries
      .slice(this.#unplannedFrom)
      .filter((e) => !(e.key in planned))
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.key < b.key ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
      .slice(0, limit)
      .map(copy);
  }

  // --- deliveries ----------------------------------------------------------------------------------

  async plan(plans: Array<{ entryKey: string; deliveries: Delivery[] }>, at: string): Promise<string[]> {
    const { planned } = this.#data();
    const fresh = plans.filter((p, i) => !(p.entryKey in planned) && plans.findIndex((q) => q.entryKey === p.entryKey) === i);
    if (fresh.length === 0) return [];
    await this.#write((d) => {
      for (const p of fresh) {
        d.planned[p.entryKey] = at;
        for (const delivery of p.deliveries) {
          if (d.deliveries[delivery.key]) continue;
          const stored = copy(delivery);
          d.deliveries[stored.key] = stored;
          this.#index(stored);
        }
      }
    });
    return fresh.map((p) => p.entryKey);
  }

  async plannedOf(entryKeys: string[]): Promise<Set<string>> {
    const { planned } = this.#data();
    return new Set(entryKeys.filter((key) => key in planned));
  }

  async replan(deliveryKey: string, deliveries: Delivery[], _at: string): Promise<boolean> {
    if (this.#data().deliveries[deliveryKey]?.status !== 'dead') return false;
    return this.#write((d) => {
      const old = d.deliveries[deliveryKey];
      if (old?.status !== 'dead') return false;
      delete d.deliveries[deliveryKey];
      this.#unindex(old);
      for (const delivery of deliveries) {
        if (d.deliveries[delivery.key]) continue;
        const stored = copy(delivery);
        d.deliveries[stored.key] = stored;
        this.#index(stored);
      }
      return true;
    });
  }

  async delivery(key: string): Promise<Delivery | undefined> {
    const found = this.#data().deliveries[key];
    return found && copy(found);
  }

  async deliveriesOf(applicationId: string): Promise<Delivery[]> {
    const data = this.#data();
    return [...(this.#byApplication.get(applicationId) ?? [])].map((key) => copy(data.deliveries[key]!)).sort(oldestFirst);
  }

  async claimDue(now: string, limit: number, _leaseMs: number): Promise<Delivery[]> {
    return this.#statusKeys('pending')
      .filter((d) => d.nextAttemptAt <= now)
      .sort(oldestFirst)
      .slice(0, limit)
      .map(copy);
  }

  async releaseClaims(_keys: string[]): Promise<void> {}

  async awaitingUser(openid: string): Promise<Delivery[]> {
    const data = this.#data();
    return [...(this.#awaiting.get(openid) ?? [])].map((key) => copy(data.deliveries[key]!)).sort(oldestFirst);
  }

  async updateDelivery(key: string, change: (d: Delivery) => void, effects: DeliveryEffects = {}, at?: string): Promise<Delivery> {
    // A closed window only costs one more refused send if this is lost in a crash: its own journal.
    if (effects.forgetInteraction) await this.forgetInteraction(effects.forgetInteraction);
    const saved = await this.#write((data) => {
      const before = data.deliveries[key];
      if (!before) throw new Error(`delivery ${key} vanished`);
      // Changed on a copy: a change that throws leaves the stored delivery as it was.
      const after = copy(before);
      change(after);
      finishChange(after, at);
      data.deliveries[key] = after;
      this.#index(after, before);
      for (const entry of effects.entries ?? []) {
        if (this.#entries.has(entry.key)) continue;
        const stored = copy(entry);
        data.entries.push(stored);
        this.#entries.set(stored.key, stored);
      }
      if (effects.credit) {
        const { openid, templateId } = effects.credit;
        const mine = (data.consents[openid] ??= {});
        mine[templateId] = applyCredit(mine[templateId], effects.credit, at);
      }
      return after;
    });
    return copy(saved);
  }

  async deliveryPage(filter: DeliveryFilter): Promise<DeliveryPage> {
    const matching = this.#statusKeys(filter.status).filter(
      (d) => (filter.confirmed === undefined || d.confirmed === filter.confirmed) && (filter.updatedSince === undefined || d.updatedAt >= filter.updatedSince),
    );
    return { total: matching.length, deliveries: matching.sort(newestChangeFirst).slice(0, filter.limit).map(copy) };
  }

  async deliveryGauges(): Promise<DeliveryGauges> {
    const gauges: DeliveryGauges = { backlog: {}, dead: {}, failedAttempts: {}, needsContact: 0 };
    for (const d of this.#statusKeys('pending')) increment(gauges.backlog, nextChannel(d) ?? 'none');
    for (const d of this.#statusKeys('dead')) increment(gauges.dead, d.history.at(-1)?.channel ?? 'none');
    gauges.needsContact = this.#byStatus.get('needs-contact')?.size ?? 0;
    for (const d of Object.values(this.#data().deliveries)) {
      for (const [channel, n] of Object.entries(failedAttempts(d))) increment(gauges.failedAttempts, channel, n);
    }
    return gauges;
  }

  // --- subscribe-message consents -----------------------------------------------------------------

  async consent(openid: string, templateId: string): Promise<ConsentState | undefined> {
    const found = this.#data().consents[openid]?.[templateId];
    return found && copy(found);
  }

  async recordConsents(openid: string, changes: Array<{ templateId: string; accepted: boolean; longTerm: boolean }>, at: string): Promise<void> {
    await this.#write((d) => {
      const mine = (d.consents[openid] ??= {});
      for (const change of changes) mine[change.templateId] = applyConsentAnswer(mine[change.templateId], change, at);
    });
  }

  // --- customer-service window ----------------------------------------------------------------------

  async lastInteraction(openid: string): Promise<string | undefined> {
    // Files written before the interactions had their own journal kept them in notify.json.
    return this.interactions.data.interactions[openid] ?? this.#data().interactions[openid];
  }

  async noteInteraction(openid: string, at: string): Promise<void> {
    await this.interactions.commit({ openid, at });
  }

  async forgetInteraction(openid: string): Promise<void> {
    if (this.#data().interactions[openid]) await this.#write((d) => void delete d.interactions[openid]);
    await this.interactions.commit({ openid, at: null });
  }

  // --- staff binding codes --------------------------------------------------------------------------

  async bindingCode(code: string): Promise<BindingCode | undefined> {
    const found = this.#data().bindingCodes.find((c) => c.code === code);
    return found && copy(found);
  }

  async putBindingCode(code: BindingCode, now: string): Promise<boolean> {
    const taken = this.#data().bindingCodes.some((c) => c.code === code.code && c.expiresAt > now && c.username !== code.username);
    if (taken) return false;
    await this.#write((d) => {
      d.bindingCodes = d.bindingCodes.filter((c) => c.expiresAt > now && c.username !== code.username && c.code !== code.code);
      d.bindingCodes.push(copy(code));
    });
    return true;
  }

  async takeBindingCode(code: string): Promise<BindingCode | undefined> {
    const found = this.#data().bindingCodes.find((c) => c.code === code);
    if (!found) return undefined;
    await this.#write((d) => {
      d.bindingCodes = d.bindingCodes.filter((c) => c.code !== code);
    });
    return copy(found);
  }

  async bindingFailures(openid: string): Promise<BindingFailures | undefined> {
    const found = this.#data().bindingFailures[openid];
    return found && copy(found);
  }

  async countBindingFailure(openid: string, at: string, windowStart: string): Promise<BindingFailures> {
    return copy(
      await this.#write((d) => {
        const last = d.bindingFailures[openid];
        const next = last && last.since > windowStart ? { count: last.count + 1, since: last.since } : { count: 1, since: at };
        d.bindingFailures[openid] = next;
        return next;
      }),
    );
  }

  async clearBindingFailures(openid: string): Promise<void> {
    if (this.#data().bindingFailures[openid]) await this.#write((d) => void delete d.bindingFailures[openid]);
  }

  // --- moving an office ----------------------------------------------------------------------------

  async counts(): Promise<Record<string, number>> {
    const d = this.#data();
    return {
      entry: d.entries.length,
      planned: Object.keys(d.planned).length,
      delivery: Object.keys(d.deliveries).length,
      consent: Object.values(d.consents).reduce((n, mine) => n + Object.keys(mine).length, 0),
      interaction: Object.keys(this.#allInteractions()).length,
      'binding-code': d.bindingCodes.length,
      'binding-failure': Object.keys(d.bindingFailures).length,
    };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const d = this.#data();
    for (const e of d.entries) yield { kind: 'entry', data: copy(e) };
    for (const [entryKey, at] of Object.entries(d.planned)) yield { kind: 'planned', data: { entryKey, at } };
    for (const delivery of Object.values(d.deliveries)) yield { kind: 'delivery', data: copy(delivery) };
    for (const [openid, mine] of Object.entries(d.consents)) {
      for (const [templateId, consent] of Object.entries(mine)) yield { kind: 'consent', data: { openid, templateId, ...consent } };
    }
    for (const [openid, at] of Object.entries(this.#allInteractions())) yield { kind: 'interaction', data: { openid, at } };
    for (const c of d.bindingCodes) yield { kind: 'binding-code', data: copy(c) };
    for (const [openid, f] of Object.entries(d.bindingFailures)) yield { kind: 'binding-failure', data: { openid, ...f } };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const counts = await this.counts();
    if (Object.values(counts).some((n) => n > 0)) throw new Error('the notify store is not empty: records are imported only into an empty one');
    const interactions: Array<{ openid: string; at: string }> = [];
    const incoming: NotifyData = { entries: [], planned: {}, deliveries: {}, consents: {}, interactions: {}, bindingCodes: [], bindingFailures: {} };
    for await (const record of records) {
      const r = record.data as any;
      switch (record.kind) {
        case 'entry':
          incoming.entries.push(r as OwnEntry);
          break;
        case 'planned':
          incoming.planned[r.entryKey] = r.at;
          break;
        case 'delivery':
          incoming.deliveries[r.key] = r as Delivery;
          break;
        case 'consent': {
          const { openid, templateId, ...consent } = r;
          (incoming.consents[openid] ??= {})[templateId] = consent as ConsentState;
          break;
        }
        case 'interaction':
          interactions.push({ openid: r.openid, at: r.at });
          break;
        case 'binding-code':
          incoming.bindingCodes.push(r as BindingCode);
          break;
        case 'binding-failure': {
          const { openid, ...failures } = r;
          incoming.bindingFailures[openid] = failures as BindingFailures;
          break;
        }
        default:
          throw new Error(`the notify store does not know records of kind ${record.kind}`);
      }
    }
    // Entries in the order they were created, as the outbox plans them.
    incoming.entries.sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? -1 : 1));
    await this.#write((d) => Object.assign(d, incoming));
    this.#indexed = null;
    this.#data();
    await Promise.all(interactions.map((i) => this.interactions.commit(i)));
  }

  /** The interactions of both places they were kept (the journal wins). */
  #allInteractions(): Record<string, string> {
    return { ...this.#data().interactions, ...this.interactions.data.interactions };
  }
}

function setIn<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set?.delete(value) && set.size === 0) map.delete(key);
}

function increment(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}
