// Who wants to hear about new disclosures (subscribers.json), and what the push job has sent them
// (push-ledger.json). Two files: changing a subscription never rewrites the ledger, and the ledger's
// many small writes during a push never rewrite the subscribers.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';

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

export class SubscribersRepo {
  readonly #byKey = new Map<string, Subscriber>();

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
    for (const s of this.file.data.subscribers) this.#byKey.set(s.key, s);
  }

  async #write<R>(change: (d: SubscribersData) => R): Promise<R> {
    try {
      return await this.file.update(change);
    } catch (error) {
      this.#reindex();
      throw error;
    }
  }

  all(): readonly Subscriber[] {
    return this.file.data.subscribers;
  }

  get(channel: SubscriberChannel, openid: string): Subscriber | undefined {
    return this.#byKey.get(subscriberKey(channel, openid));
  }

  byKey(key: string): Subscriber | undefined {
    return this.#byKey.get(key);
  }

  /** Sets the categories; an empty list removes the subscriber altogether (nothing kept about them). */
  async set(channel: SubscriberChannel, openid: string, categories: string[], at: string): Promise<Subscriber | null> {
    const key = subscriberKey(channel, openid);
    return this.#write((d) => {
      const existing = this.#byKey.get(key);
      if (categories.length === 0) {
        if (existing) {
          d.subscribers = d.subscribers.filter((s) => s.key !== key);
          this.#byKey.delete(key);
        }
        return null;
      }
      if (existing) {
        const added = categories.filter((id) => !existing.categories.includes(id));
        const kept = Object.entries(existing.categorySince ?? {}).filter(([id]) => categories.includes(id));
        const since = Object.fromEntries([...kept, ...added.map((id) => [id, at] as const)]);
        existing.categories = categories;
        if (Object.keys(since).length > 0) existing.categorySince = since;
        else delete existing.categorySince;
        existing.updatedAt = at;
        return existing;
      }
      const created: Subscriber = { key, channel, openid, categories, since: at, updatedAt: at };
      d.subscribers.push(created);
      this.#byKey.set(key, created);
      return created;
    });
  }

  /**
   * One person's subscriber records become one (their two WeChat identities were linked): `keep`
   * takes the union of the categories, each with its earliest since; the others are removed.
   */
  async mergeInto(keepKey: string, otherKeys: readonly string[], at: string): Promise<Subscriber | null> {
    return this.#write((d) => {
      const keep = this.#byKey.get(keepKey);
      const others = otherKeys.map((k) => this.#byKey.get(k)).filter((x): x is Subscriber => x !== undefined && x.key !== keepKey);
      if (!keep || others.length === 0) return keep ?? null;
      const all = [keep, ...others];
      const sinceOf = (s: Subscriber, c: string) => s.categorySince?.[c] ?? s.since;
      const categories = [...new Set(all.flatMap((s) => s.categories))];
      const since = all.map((s) => s.since).sort()[0]!;
      const perCategory: Record<string, string> = {};
      for (const c of categories) {
        const earliest = all.filter((s) => s.categories.includes(c)).map((s) => sinceOf(s, c)).sort()[0]!;
        if (earliest !== since) perCategory[c] = earliest;
      }
      keep.since = since;
      keep.categories = categories;
      if (Object.keys(perCategory).length > 0) keep.categorySince = perCategory;
      else delete keep.categorySince;
      keep.updatedAt = at;
      const gone = new Set(others.map((o) => o.key));
      d.subscribers = d.subscribers.filter((s) => !gone.has(s.key));
      for (const key of gone) this.#byKey.delete(key);
      return keep;
    });
  }

  /** Moves a subscriber to another channel of the same person (they left the one it was on). */
  async move(fromKey: string, channel: SubscriberChannel, openid: string, at: string): Promise<void> {
    await this.#write((d) => {
      const from = this.#byKey.get(fromKey);
      const key = subscriberKey(channel, openid);
      if (!from || this.#byKey.has(key)) return;
      const moved: Subscriber = { ...from, key, channel, openid, updatedAt: at };
      d.subscribers = d.subscribers.map((s) => (s.key === fromKey ? moved : s));
      this.#byKey.delete(fromKey);
      this.#byKey.set(key, moved);
    });
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

const RUNS_KEPT = 200;
const DAYS_KEPT = 7;

export class PushLedgerRepo {
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

  cursor(): number {
    return this.file.data.cursor;
  }

  runs(): readonly PushRun[] {
    return this.file.data.runs;
  }

  run(id: string): PushRun | undefined {
    return this.file.data.runs.find((r) => r.id === id);
  }

  unfinished(): PushRun[] {
    return this.file.data.runs.filter((r) => r.state !== 'finished');
  }

  deliveries(runId: string): Readonly<Record<string, Delivery>> {
    return this.file.data.deliveries[runId] ?? {};
  }

  totals(runId: string): DeliveryTotals {
    const run = this.run(runId);
    if (run?.totals) return run.totals;
    const totals: DeliveryTotals = { sent: 0, failed: 0, unknown: 0, sending: 0 };
    for (const entry of Object.values(this.deliveries(runId))) totals[entry.state]++;
    return totals;
  }

  /** Creates a run and moves the cursor past its items in one write: no item is planned twice. */
  async planRun(make: (runSeq: number) => Omit<PushRun, 'state' | 'finishedAt' | 'pauses' | 'totals' | 'note' | 'attempts'>): Promise<PushRun> {
    return this.file.update((d) => {
      d.runSeq += 1;
      const run: PushRun = { ...make(d.runSeq), state: 'running', finishedAt: null, pauses: [], totals: null, note: null, attempts: 1 };
      d.cursor = Math.max(d.cursor, run.toSeq);
      d.runs.push(run);
      d.deliveries[run.id] = {};
      return run;
    });
  }

  async resumeRun(runId: string, at: string): Promise<void> {
    await this.file.update(() => {
      const run = this.#run(runId);
      run.state = 'running';
      run.attemptedAt = at;
      run.attempts += 1;
      run.note = null;
    });
  }

  /** Digests accepted on a China date on a channel. */
  sentOn(day: string, channel: SubscriberChannel): number {
    return this.file.data.sentByDay[day]?.[channel] ?? 0;
  }

  /** Writes one entry; a 'sent' entry also counts towards its day's quota, in the same write. */
  async setDelivery(runId: string, key: string, delivery: Delivery, sent?: { day: string; channel: SubscriberChannel }): Promise<void> {
    await this.file.update((d) => {
      (d.deliveries[runId] ??= {})[key] = delivery;
      if (sent) {
        const day = (d.sentByDay[sent.day] ??= {});
        day[sent.channel] = (day[sent.channel] ?? 0) + 1;
      }
    });
  }

  async setDeliveries(runId: string, entries: Record<string, Delivery>): Promise<void> {
    await this.file.update((d) => {
      Object.assign((d.deliveries[runId] ??= {}), entries);
    });
  }

  /**
   * Many entries in one write (null removes one), with the day counts of those accepted: the push
   * job's group commit.
   */
  async writeEntries(runId: string, entries: ReadonlyMap<string, Delivery | null>, sent: ReadonlyArray<{ day: string; channel: SubscriberChannel }>): Promise<void> {
    await this.file.update((d) => {
      const run = (d.deliveries[runId] ??= {});
      for (const [key, entry] of entries) {
        if (entry) run[key] = entry;
        else delete run[key];
      }
      for (const { day, channel } of sent) {
        const counts = (d.sentByDay[day] ??= {});
        counts[channel] = (counts[channel] ?? 0) + 1;
      }
    });
  }

  async notePause(runId: string, pause: PushPause): Promise<void> {
    await this.file.update(() => {
      this.#run(runId).pauses.push(pause);
    });
  }

  /** Leaves the run for the next attempt, saying why. */
  async pauseRun(runId: string, note: string): Promise<void> {
    await this.file.update(() => {
      const run = this.#run(runId);
      run.state = 'paused';
      run.note = note;
    });
  }

  /** Closes a run: freezes its counts and drops the entries of older finished runs. */
  async finishRun(runId: string, at: string): Promise<void> {
    await this.file.update((d) => {
      const run = this.#run(runId);
      run.totals = this.totals(runId);
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
    const run = this.run(id);
    if (!run) throw new Error(`push run ${id} vanished`);
    return run;
  }
}
