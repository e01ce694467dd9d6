// Who wants to hear about new disclosures (subscribers.json), and what the push job has sent them
// (push-ledger.json). Two files: changing a subscription never rewrites the ledger, and the ledger's
// many small writes during a push never rewrite the subscribers.
//
// SubscribersRepository and PushLedgerRepository are what services use, on either engine; the
// classes here are the embedded engine's (src/store/pg/subscribers-repo.ts the PostgreSQL ones).
// The push job reads subscribers a page at a time and claims each delivery before it sends, so two
// instances working on one run never send a subscriber two digests.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { Transferable, TransferRecord } from './transfer.js';

/** Where the subscriber is reached: the official account, or the mini-program (different openids). */
export type SubscriberChannel = 'official-account' | 'miniprogram';

export interface Subscriber {
  /** `${channel}:${openid}`. */
  key: string;
  channel: SubscriberChannel;
  openid: string;
  /** Category ids, in the order of the office's category list. */
  categories: string[];
  since: string;
  /**
   * When each category was subscribed (ISO), for those added after `since`: a digest tells only
   * of items published after the subscription to their category. Absent: `since` for all.
   */
  categorySince?: Record<string, string>;
  updatedAt: string;
}

interface SubscribersData {
  subscribers: Subscriber[];
}

export function subscriberKey(channel: SubscriberChannel, openid: string): string {
  return `${channel}:${openid}`;
}

/** A page of subscribers in the order they subscribed; `next` continues after it (null: no more). */
export interface SubscriberPage {
  items: Subscriber[];
  next: number | null;
}

export interface SubscriberStats {
  total: number;
  byChannel: Record<string, number>;
  byCategory: Record<string, number>;
}

export interface SubscribersRepository extends Transferable {
  get(channel: SubscriberChannel, openid: string): Promise<Subscriber | undefined>;
  byKey(key: string): Promise<Subscriber | undefined>;
  /** Subscribers following any of `categories` (all when null), `limit` at a time from `after`. */
  page(options: { categories: readonly string[] | null; after: number | null; limit: number }): Promise<SubscriberPage>;
  /** How many follow any of `categories` (all when null). */
  count(categories: readonly string[] | null): Promise<number>;
  /** How many subscribers, by channel and by category (the staff's overview). */
  stats(): Promise<SubscriberStats>;
  /**
   * Changes the categories in one step: `change` gets the stored ones (none for a new subscriber)
   * and returns the new list; an empty list removes the subscriber altogether (nothing kept about
   * them). The same list leaves the record untouched. Returns the record, or null when none is left.
   */
  update(channel: SubscriberChannel, openid: string, change: (categories: readonly string[]) => readonly string[], at: string): Promise<Subscriber | null>;
  /** update() to a given list. */
  set(channel: SubscriberChannel, openid: string, categories: readonly string[], at: string): Promise<Subscriber | null>;
  /**
   * One person's subscriber records become one (their two WeChat identities were linked): `keep`
   * takes the union of the categories (put in order by `order`), each with its earliest since; the
   * others are removed.
   */
  mergeInto(keepKey: string, otherKeys: readonly string[], at: string, order?: (categories: readonly string[]) => string[]): Promise<Subscriber | null>;
  /** Moves a subscriber to another channel of the same person (they left the one it was on); nothing when that one has its own. */
  move(fromKey: string, channel: SubscriberChannel, openid: string, at: string): Promise<void>;
}

/** The record `update` leaves: null when removed, `existing` itself when nothing changed. */
export function updatedSubscriber(
  existing: Subscriber | undefined,
  key: string,
  channel: SubscriberChannel,
  openid: string,
  categories: readonly string[],
  at: string,
): Subscriber | null {
  if (categories.length === 0) return null;
  if (!existing) return { key, channel, openid, categories: [...categories], since: at, updatedAt: at };
  if (categories.length === existing.categories.length && categories.every((id, i) => id === existing.categories[i])) return existing;
  const added = categories.filter((id) => !existing.categories.includes(id));
  const kept = Object.entries(existing.categorySince ?? {}).filter(([id]) => categories.includes(id));
  const since = Object.fromEntries([...kept, ...added.map((id) => [id, at] as const)]);
  const updated: Subscriber = { ...existing, categories: [...categories], updatedAt: at };
  if (Object.keys(since).length > 0) updated.categorySince = since;
  else delete updated.categorySince;
  return updated;
}

/** The record of one person after mergeInto: `keep` with every category of all, each with its earliest since. */
export function mergedSubscriber(keep: Subscriber, others: readonly Subscriber[], at: string, order: (categories: readonly string[]) => string[]): Subscriber {
  const all = [keep, ...others];
  const sinceOf = (s: Subscriber, c: string) => s.categorySince?.[c] ?? s.since;
  const categories = order([...new Set(all.flatMap((s) => s.categories))]);
  const since = all.map((s) => s.since).sort()[0]!;
  const perCategory: Record<string, string> = {};
  for (const c of categories) {
    const earliest = all.filter((s) => s.categories.includes(c)).map((s) => sinceOf(s, c)).sort()[0]!;
    if (earliest !== since) perCategory[c] = earliest;
  }
  const merged: Subscriber = { ...keep, since, categories, updatedAt: at };
  if (Object.keys(perCategory).length > 0) merged.categorySince = perCategory;
  else delete merged.categorySince;
  return merged;
}

const asIs = (categories: readonly string[]) => [...categories];

export class SubscribersRepo implements SubscribersRepository {
  readonly #byKey = new Map<string, Subscriber>();
  /** key → its place in the order of subscription, for paging; kept across channel moves. */
  readonly #ord = new Map<string, number>();
  #nextOrd = 1;

  private constructor(private readonly file: DataFile<SubscribersData>) {
    this.#reindex();
  }

  static async open(store: Store): Promise<SubscribersRepo> {
    const file = await store.file<SubscribersData>({
      name: 'subscribers',
      version: 1,
      defaults: () => ({ subscribers: [] }),
      check: (d) => (Array.isArray(d.subscribers) ? null : 'subscribers is not a list'),
    });
    return new SubscribersRepo(file);
  }

  #reindex(): void {
    this.#byKey.clear();
    for (const s of this.file.data.subscribers) {
      this.#byKey.set(s.key, s);
      if (!this.#ord.has(s.key)) this.#ord.set(s.key, this.#nextOrd++);
    }
  }

  async #write<R>(change: (d: SubscribersData) => R): Promise<R> {
    try {
      return await this.file.update(change);
    } catch (error) {
      this.#reindex();
      throw error;
    }
  }

  async get(channel: SubscriberChannel, openid: string): Promise<Subscriber | undefined> {
    return this.byKey(subscriberKey(channel, openid));
  }

  async byKey(key: string): Promise<Subscriber | undefined> {
    const found = this.#byKey.get(key);
    return found && structuredClone(found);
  }

  #following(categories: readonly string[] | null): (s: Subscriber) => boolean {
    return categories === null ? () => true : (s) => s.categories.some((c) => categories.includes(c));
  }

  async page(options: { categories: readonly string[] | null; after: number | null; limit: number }): Promise<SubscriberPage> {
    const follows = this.#following(options.categories);
    const after = options.after ?? 0;
    const items: Subscriber[] = [];
    let last = after;
    for (const s of this.file.data.subscribers) {
      const ord = this.#ord.get(s.key)!;
      if (ord <= after || !follows(s)) continue;
      if (items.length === options.limit) return { items, next: last };
      items.push(structuredClone(s));
      last = ord;
    }
    return { items, next: null };
  }

  async count(categories: readonly string[] | null): Promise<number> {
    return this.file.data.subscribers.filter(this.#following(categories)).length;
  }

  async stats(): Promise<SubscriberStats> {
    const byChannel: Record<string, number> = {};
    const byCategory: Record<string, number> = {};
    for (const s of this.file.data.subscribers) {
      byChannel[s.channel] = (byChannel[s.channel] ?? 0) + 1;
      for (const c of s.categories) byCategory[c] = (byCategory[c] ?? 0) + 1;
    }
    return { total: this.file.data.subscribers.length, byChannel, byCategory };
  }

  async update(channel: SubscriberChannel, openid: string, change: (categories: readonly string[]) => readonly string[], at: string): Promise<Subscriber | null> {
    const key = subscriberKey(channel, openid);
    const before = this.#byKey.get(key);
    const unchanged = updatedSubscriber(before, key, channel, openid, change(before?.categories ?? []), at);
    if (unchanged === before) return before ? structuredClone(before) : null;
    // Read, changed and written in one step of the file (a write waiting on another sees its result).
    return this.#write((d) => {
      const existing = this.#byKey.get(key);
      const next = updatedSubscriber(existing, key, channel, openid, change(existing?.categories ?? []), at);
      if (next === null) {
        d.subscribers = d.subscribers.filter((s) => s.key !== key);
        this.#byKey.delete(key);
        this.#ord.delete(key);
        return null;
      }
      if (existing) d.subscribers = d.subscribers.map((s) => (s.key === key ? next : s));
      else {
        d.subscribers.push(next);
        this.#ord.set(key, this.#nextOrd++);
      }
      this.#byKey.set(key, next);
      return structuredClone(next);
    });
  }

  set(channel: SubscriberChannel, openid: string, categories: readonly string[], at: string): Promise<Subscriber | null> {
    return this.update(channel, openid, () => categories, at);
  }

  async mergeInto(keepKey: string, otherKeys: readonly string[], at: string, order = asIs): Promise<Subscriber | null> {
    return this.#write((d) => {
      const keep = this.#byKey.get(keepKey);
      const others = otherKeys.map((k) => this.#byKey.get(k)).filter((x): x is Subscriber => x !== undefined && x.key !== keepKey);
      if (!keep || others.length === 0) return keep ? structuredClone(keep) : null;
      const merged = mergedSubscriber(keep, others, at, order);
      const gone = new Set(others.map((o) => o.key));
      d.subscribers = d.subscribers.filter((s) => !gone.has(s.key)).map((s) => (s.key === keepKey ? merged : s));
      for (const key of gone) {
        this.#byKey.delete(key);
        this.#ord.delete(key);
      }
      this.#byKey.set(keepKey, merged);
      return structuredClone(merged);
    });
  }

  async move(fromKey: string, channel: SubscriberChannel, openid: string, at: string): Promise<void> {
    await this.#write((d) => {
      const from = this.#byKey.get(fromKey);
      const key = subscriberKey(channel, openid);
      if (!from || this.#byKey.has(key)) return;
      const moved: Subscriber = { ...from, key, channel, openid, updatedAt: at };
      d.subscribers = d.subscribers.map((s) => (s.key === fromKey ? moved : s));
      this.#byKey.delete(fromKey);
      this.#byKey.set(key, moved);
      this.#ord.set(key, this.#ord.get(fromKey)!);
      this.#ord.delete(fromKey);
    });
  }

  async counts(): Promise<Record<string, number>> {
    return { subscriber: this.file.data.subscribers.length };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    for (const s of this.file.data.subscribers) yield { kind: 'subscriber', data: structuredClone(s) };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (this.file.data.subscribers.length > 0) throw new Error('the subscribers are not empty');
    const subscribers: Subscriber[] = [];
    for await (const record of records) {
      if (record.kind !== 'subscriber') throw new Error(`the subscribers do not take ${record.kind} records`);
      subscribers.push(record.data as Subscriber);
    }
    await this.#write((d) => {
      d.subscribers = subscribers;
    });
    this.#reindex();
  }
}

// ---------------------------------------------------------------------------------------------
// The push ledger.

/**
 * 'sending' is written (on disk) before a digest goes out and 'sent' after WeChat accepted it, so
 * a run restarted after a crash knows whom it may already have reached. 'failed': WeChat refused
 * it for this subscriber (e.g. 43101, they declined the template). 'unknown': it may or may not
 * have arrived and sending again could duplicate it, so it is not sent again.
 */
export type DeliveryState = 'sending' | 'sent' | 'failed' | 'unknown';

export interface Delivery {
  state: DeliveryState;
  /** Stable per (run, subscriber): WeChat drops a second template message with the same id. */
  clientMsgId: string;
  /** The items in this subscriber's digest, fixed when the entry is first written. */
  items: string[];
  at: string;
  errcode?: number;
}

export interface DeliveryTotals {
  sent: number;
  failed: number;
  unknown: number;
  sending: number;
}

export interface PushPause {
  at: string;
  /** e.g. "45009" (quota or rate limit), "network". */
  reason: string;
  ms: number;
}

export interface PushRun {
  id: string;
  createdAt: string;
  /** The published items this run announces (publication numbers after the previous run's). */
  itemIds: string[];
  toSeq: number;
  state: 'running' | 'paused' | 'finished';
  finishedAt: string | null;
  /** When the current or last attempt at this run began. */
  attemptedAt: string;
  attempts: number;
  pauses: PushPause[];
  /** Frozen when the run finishes; until then counted from the ledger entries. */
  totals: DeliveryTotals | null;
  /** Why the run stopped early, in words for staff. */
  note: string | null;
}

interface PushLedgerData {
  /** The highest publication number already given to a run. */
  cursor: number;
  runSeq: number;
  runs: PushRun[];
  /** runId → subscriber key → entry; kept for unfinished runs and the latest finished one. */
  deliveries: Record<string, Record<string, Delivery>>;
  /** China date → channel → digests accepted by WeChat that day, for the daily quotas. */
  sentByDay: Record<string, Partial<Record<SubscriberChannel, number>>>;
}

export const RUNS_KEPT = 200;
export const DAYS_KEPT = 7;

/** What planRun's caller gives: the run's own fields, from the run sequence number. */
export type RunPlan = Omit<PushRun, 'state' | 'finishedAt' | 'pauses' | 'totals' | 'note' | 'attempts'>;

export interface PushLedgerRepository extends Transferable {
  /** The highest publication number already given to a run. */
  cursor(): Promise<number>;
  /** The latest runs, newest first. */
  recentRuns(limit: number): Promise<PushRun[]>;
  run(id: string): Promise<PushRun | undefined>;
  /** Runs not finished (crashed, paused), oldest first. */
  unfinished(): Promise<PushRun[]>;
  /** Every entry of a run (the staff's and the tests' view; the job reads entriesFor and inState). */
  deliveries(runId: string): Promise<Record<string, Delivery>>;
  /** The entries of these subscribers in a run (one page of the job's subscribers). */
  entriesFor(runId: string, keys: readonly string[]): Promise<Record<string, Delivery>>;
  /** The entries of a run in one state (those a crashed attempt left 'sending'). */
  inState(runId: string, state: DeliveryState): Promise<Record<string, Delivery>>;
  totals(runId: string): Promise<DeliveryTotals>;
  /**
   * Creates a run and moves the cursor past its items in one step, if the cursor is still
   * `expectedCursor`; else (another instance planned this slot first) creates nothing: null.
   */
  planRun(expectedCursor: number, make: (runSeq: number) => RunPlan): Promise<PushRun | null>;
  /**
   * Starts another attempt at an unfinished run; false when another attempt began since the caller
   * read `expectedAttempts`, or when the attempt at work on it is alive (on PostgreSQL: its
   * heartbeat is recent; the embedded store is one process, whose job joins its own running attempt).
   */
  resumeRun(runId: string, expectedAttempts: number, at: string): Promise<boolean>;
  /** The attempt working on the run is alive (see resumeRun). */
  heartbeat(runId: string): Promise<void>;
  /** Digests accepted on a China date on a channel. */
  sentOn(day: string, channel: SubscriberChannel): Promise<number>;
  /** Writes one entry; a 'sent' entry also counts towards its day's quota, in the same write. */
  setDelivery(runId: string, key: string, delivery: Delivery, sent?: { day: string; channel: SubscriberChannel }): Promise<void>;
  /**
   * The push job's group commit (ledger-batch.ts), in one write: `entries` (null gives back a
   * claim: removes the entry while it is still 'sending'), and the day counts of the digests
   * accepted. The keys in `claims` are 'sending' entries written only where the subscriber has no
   * entry in the run yet: the sender whose claim is written sends, any other (another instance on
   * the same run) does not. Returns the claims written.
   */
  writeEntries(
    runId: string,
    entries: ReadonlyMap<string, Delivery | null>,
    sent: ReadonlyArray<{ day: string; channel: SubscriberChannel }>,
    claims?: ReadonlySet<string>,
  ): Promise<ReadonlySet<string>>;
  notePause(runId: string, pause: PushPause): Promise<void>;
  /** Leaves the run for the next attempt, saying why. */
  pauseRun(runId: string, note: string): Promise<void>;
  /** Closes a run: freezes its counts and drops the entries of older finished runs, old runs and old day counts. */
  finishRun(runId: string, at: string): Promise<void>;
}

export function newRun(plan: RunPlan): PushRun {
  return { ...plan, state: 'running', finishedAt: null, pauses: [], totals: null, note: null, attempts: 1 };
}

export function countTotals(entries: Iterable<Delivery>): DeliveryTotals {
  const totals: DeliveryTotals = { sent: 0, failed: 0, unknown: 0, sending: 0 };
  for (const entry of entries) totals[entry.state]++;
  return totals;
}

/** Transfer shapes of the ledger, the same on both engines. */
export interface PushStateRecord {
  cursor: number;
  runSeq: number;
}
export interface DeliveryRecord {
  runId: string;
  key: string;
  delivery: Delivery;
}
export interface SentDayRecord {
  day: string;
  channel: SubscriberChannel;
  count: number;
}

export class PushLedgerRepo implements PushLedgerRepository {
  private constructor(private readonly file: DataFile<PushLedgerData>) {}

  static async open(store: Store): Promise<PushLedgerRepo> {
    const file = await store.file<PushLedgerData>({
      name: 'push-ledger',
      version: 1,
      defaults: () => ({ cursor: 0, runSeq: 0, runs: [], deliveries: {}, sentByDay: {} }),
      check: (d) => (Array.isArray(d.runs) && typeof d.cursor === 'number' ? null : 'runs is not a list'),
    });
    return new PushLedgerRepo(file);
  }

  async cursor(): Promise<number> {
    return this.file.data.cursor;
  }

  async recentRuns(limit: number): Promise<PushRun[]> {
    return limit < 1 ? [] : structuredClone(this.file.data.runs.slice(-limit).reverse());
  }

  async run(id: string): Promise<PushRun | undefined> {
    const run = this.#find(id);
    return run && structuredClone(run);
  }

  #find(id: string): PushRun | undefined {
    return this.file.data.runs.find((r) => r.id === id);
  }

  async unfinished(): Promise<PushRun[]> {
    return structuredClone(this.file.data.runs.filter((r) => r.state !== 'finished'));
  }

  async deliveries(runId: string): Promise<Record<string, Delivery>> {
    return structuredClone(this.file.data.deliveries[runId] ?? {});
  }

  async entriesFor(runId: string, keys: readonly string[]): Promise<Record<string, Delivery>> {
    const run = this.file.data.deliveries[runId] ?? {};
    const found: Record<string, Delivery> = {};
    for (const key of keys) if (run[key]) found[key] = structuredClone(run[key]);
    return found;
  }

  async inState(runId: string, state: DeliveryState): Promise<Record<string, Delivery>> {
    const entries = Object.entries(this.file.data.deliveries[runId] ?? {}).filter(([, entry]) => entry.state === state);
    return structuredClone(Object.fromEntries(entries));
  }

  async totals(runId: string): Promise<DeliveryTotals> {
    return this.#totals(runId);
  }

  #totals(runId: string): DeliveryTotals {
    const run = this.#find(runId);
    if (run?.totals) return { ...run.totals };
    return countTotals(Object.values(this.file.data.deliveries[runId] ?? {}));
  }

  async planRun(expectedCursor: number, make: (runSeq: number) => RunPlan): Promise<PushRun | null> {
    return this.file.update((d) => {
      if (d.cursor !== expectedCursor) return null;
      d.runSeq += 1;
      const run = newRun(make(d.runSeq));
      d.cursor = Math.max(d.cursor, run.toSeq);
      d.runs.push(run);
      d.deliveries[run.id] = {};
      return structuredClone(run);
    });
  }

  async resumeRun(runId: string, expectedAttempts: number, at: string): Promise<boolean> {
    return this.file.update(() => {
      const run = this.#run(runId);
      if (run.attempts !== expectedAttempts || run.state === 'finished') return false;
      run.state = 'running';
      run.attemptedAt = at;
      run.attempts += 1;
      run.note = null;
      return true;
    });
  }

  async heartbeat(_runId: string): Promise<void> {
    // One process per data folder: a run left 'running' here was left by a process that is gone.
  }

  async sentOn(day: string, channel: SubscriberChannel): Promise<number> {
    return this.file.data.sentByDay[day]?.[channel] ?? 0;
  }

  async setDelivery(runId: string, key: string, delivery: Delivery, sent?: { day: string; channel: SubscriberChannel }): Promise<void> {
    await this.writeEntries(runId, new Map([[key, delivery]]), sent ? [sent] : []);
  }

  async writeEntries(
    runId: string,
    entries: ReadonlyMap<string, Delivery | null>,
    sent: ReadonlyArray<{ day: string; channel: SubscriberChannel }>,
    claims: ReadonlySet<string> = new Set(),
  ): Promise<ReadonlySet<string>> {
    return this.file.update((d) => {
      const run = (d.deliveries[runId] ??= {});
      const claimed = new Set<string>();
      for (const [key, entry] of entries) {
        if (entry === null) {
          if (run[key]?.state === 'sending') delete run[key];
        } else if (!claims.has(key)) run[key] = structuredClone(entry);
        else if (!run[key]) {
          run[key] = structuredClone(entry);
          claimed.add(key);
        }
      }
      for (const { day, channel } of sent) {
        const counts = (d.sentByDay[day] ??= {});
        counts[channel] = (counts[channel] ?? 0) + 1;
      }
      return claimed;
    });
  }

  async notePause(runId: string, pause: PushPause): Promise<void> {
    await this.file.update(() => {
      this.#run(runId).pauses.push(pause);
    });
  }

  async pauseRun(runId: string, note: string): Promise<void> {
    await this.file.update(() => {
      const run = this.#run(runId);
      run.state = 'paused';
      run.note = note;
    });
  }

  async finishRun(runId: string, at: string): Promise<void> {
    await this.file.update((d) => {
      const run = this.#run(runId);
      run.totals = countTotals(Object.values(d.deliveries[runId] ?? {}));
      run.state = 'finished';
      run.finishedAt = at;
      for (const older of d.runs) {
        if (older.id !== runId && older.state === 'finished') delete d.deliveries[older.id];
      }
      while (d.runs.length > RUNS_KEPT) {
        const oldest = d.runs.findIndex((r) => r.state === 'finished' && r.id !== runId);
        if (oldest < 0) break;
        d.runs.splice(oldest, 1);
      }
      const days = Object.keys(d.sentByDay).sort();
      for (const day of days.slice(0, Math.max(0, days.length - DAYS_KEPT))) delete d.sentByDay[day];
    });
  }

  #run(id: string): PushRun {
    const run = this.#find(id);
    if (!run) throw new Error(`push run ${id} vanished`);
    return run;
  }

  async counts(): Promise<Record<string, number>> {
    const d = this.file.data;
    return {
      'push-state': d.cursor === 0 && d.runSeq === 0 ? 0 : 1,
      'push-run': d.runs.length,
      'push-delivery': Object.values(d.deliveries).reduce((n, run) => n + Object.keys(run).length, 0),
      'push-sent-day': Object.values(d.sentByDay).reduce((n, day) => n + Object.keys(day).length, 0),
    };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const d = this.file.data;
    if (d.cursor !== 0 || d.runSeq !== 0) yield { kind: 'push-state', data: { cursor: d.cursor, runSeq: d.runSeq } satisfies PushStateRecord };
    // Runs in the order they were planned; each run before its entries.
    for (const run of d.runs) yield { kind: 'push-run', data: structuredClone(run) };
    for (const run of d.runs) {
      for (const [key, delivery] of Object.entries(d.deliveries[run.id] ?? {})) {
        yield { kind: 'push-delivery', data: { runId: run.id, key, delivery: structuredClone(delivery) } satisfies DeliveryRecord };
      }
    }
    for (const [day, counts] of Object.entries(d.sentByDay)) {
      for (const [channel, count] of Object.entries(counts)) yield { kind: 'push-sent-day', data: { day, channel: channel as SubscriberChannel, count: count! } satisfies SentDayRecord };
    }
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (Object.values(await this.counts()).some((n) => n > 0)) throw new Error('the push ledger is not empty');
    const data: PushLedgerData = { cursor: 0, runSeq: 0, runs: [], deliveries: {}, sentByDay: {} };
    for await (const record of records) {
      if (record.kind === 'push-state') Object.assign(data, record.data as PushStateRecord);
      else if (record.kind === 'push-run') {
        const run = record.data as PushRun;
        data.runs.push(run);
      } else if (record.kind === 'push-delivery') {
        const { runId, key, delivery } = record.data as DeliveryRecord;
        (data.deliveries[runId] ??= {})[key] = delivery;
      } else if (record.kind === 'push-sent-day') {
        const { day, channel, count } = record.data as SentDayRecord;
        (data.sentByDay[day] ??= {})[channel] = count;
      } else throw new Error(`the push ledger does not take ${record.kind} records`);
    }
    await this.file.update((d) => Object.assign(d, data));
  }
}
