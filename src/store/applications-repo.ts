// Disclosure requests (applications.json): the applications with their events, the per-year
// tracking-number sequences, submit idempotency keys, and the notification intents that events
// create. Intents are written in the same journal line as the event that causes them, so an event
// is never recorded without its notifications, nor the other way round; delivery state lives in the
// notify file and never rewrites this one. Changes are appended to a journal (journaled-file.ts),
// so a submit costs the same with 100 or 100,000 stored requests.
import type { Store } from './store.js';
import { JournaledFile } from './journaled-file.js';
import { identityKey } from '../domain/identity.js';
import type { Application, ApplicationEvent } from '../domain/applications/types.js';

export type Channel = 'miniprogram' | 'wechat' | 'staff' | 'import';

export interface StoredApplication extends Application {
  channel: Channel;
  /** The applicant's WeChat openid (official account or mini-program), if they applied there. */
  openid: string | null;
  /** Set when the same applicant asked for the same information before (staff may reject as duplicate). */
  possibleDuplicateOf: string[];
}

export interface NotificationIntent {
  /** Unique and stable: the idempotency key of the message, e.g. "<appId>:<eventIndex>:applicant". */
  key: string;
  applicationId: string;
  eventIndex: number;
  /** What happened, e.g. "receipt", "supplement-requested", "decided", "staff:new-request". */
  kind: string;
  audience: 'applicant' | 'staff';
  createdAt: string;
}

interface ApplicationsData {
  applications: StoredApplication[];
  sequences: Record<string, number>;
  idempotency: Record<string, { applicationId: string; at: string }>;
  intents: NotificationIntent[];
  /** Keys of the intents the outbox has planned (absent in files written before it was kept here). */
  plannedIntents?: Record<string, true>;
}

/** The changes to applications.json, as journal lines (see journaled-file.ts). */
type ApplicationsOp =
  | {
      type: 'insert';
      entries: Array<{ app: StoredApplication; year: number; seq: number; idempotencyKey?: string; intents: NotificationIntent[] }>;
      at: string;
    }
  | { type: 'event'; id: string; event: ApplicationEvent; intents: NotificationIntent[] }
  | { type: 'intents-planned'; keys: string[] };

export class ApplicationsRepo {
  /** Where pendingIntents starts looking: every intent before it is planned. */
  #scanned: { data: ApplicationsData | null; from: number } = { data: null, from: 0 };

  private constructor(
    private readonly file: JournaledFile<ApplicationsData, ApplicationsOp>,
    private readonly index: ApplicationsIndex,
  ) {}

  static async open(store: Store): Promise<ApplicationsRepo> {
    const index = new ApplicationsIndex();
    const file = await JournaledFile.open<ApplicationsData, ApplicationsOp>(store, {
      name: 'applications',
      version: 2,
      defaults: () => ({ applications: [], sequences: {}, idempotency: {}, intents: [] }),
      // Version 2 keeps the same data, now as a snapshot with a journal beside it.
      migrations: { 2: (d: ApplicationsData) => d },
      check: (d) => (Array.isArray(d.applications) && Array.isArray(d.intents) ? null : 'applications or intents is not a list'),
      reduce: (d, op) => index.apply(d, op),
    });
    return new ApplicationsRepo(file, index);
  }

  all(): readonly StoredApplication[] {
    return this.file.data.applications;
  }

  get(id: string): StoredApplication | undefined {
    return this.index.of(this.file.data).byId.get(id);
  }

  byTrackingNo(trackingNo: string): StoredApplication | undefined {
    return this.index.of(this.file.data).byTrackingNo.get(trackingNo);
  }

  /** The requests of one WeChat user, oldest first (a new list the caller may sort). */
  byOpenid(openid: string): StoredApplication[] {
    return [...(this.index.of(this.file.data).byOpenid.get(openid) ?? [])];
  }

  /**
   * The requests by the same applicant: the same ID number or credit code (identityKey), or the same
   * WeChat user. Looked up, not searched: a submit must not walk every request ever stored.
   */
  sameApplicant(identity: string | null, openid: string | null): StoredApplication[] {
    const index = this.index.of(this.file.data);
    const found = new Set([...(identity ? index.byIdentity.get(identity) ?? [] : []), ...(openid ? index.byOpenid.get(openid) ?? [] : [])]);
    // In the order they were stored, as in all().
    return [...found].sort((a, b) => index.position.get(a)! - index.position.get(b)!);
  }

  idempotent(key: string): StoredApplication | undefined {
    const hit = this.file.data.idempotency[key];
    return hit ? this.get(hit.applicationId) : undefined;
  }

  intents(): readonly NotificationIntent[] {
    return this.file.data.intents;
  }

  /** Intents the outbox has not planned yet, oldest first (copies). */
  async pendingIntents(limit: number): Promise<NotificationIntent[]> {
    const { intents, plannedIntents = {} } = this.file.data;
    // Intents are only appended and marks only added: the planned prefix need not be walked again.
    if (this.#scanned.data !== this.file.data) this.#scanned = { data: this.file.data, from: 0 };
    while (this.#scanned.from < intents.length && plannedIntents[intents[this.#scanned.from]!.key]) this.#scanned.from++;
    const pending: NotificationIntent[] = [];
    for (let i = this.#scanned.from; i < intents.length && pending.length < limit; i++) {
      if (!plannedIntents[intents[i]!.key]) pending.push({ ...intents[i]! });
    }
    return pending;
  }

  /** Records that the outbox planned these intents (it plans each once whatever this says: a unique key there). */
  async markIntentsPlanned(keys: string[]): Promise<void> {
    const planned = this.file.data.plannedIntents ?? {};
    const fresh = [...new Set(keys)].filter((key) => !planned[key]);
    if (fresh.length) await this.file.commit({ type: 'intents-planned', keys: fresh });
  }

  /**
   * Numbers and stores new applications in one journal line. `build` receives a fresh sequence
   * number per application; numbers are taken in the same line that stores the application, so
   * one is never handed out twice.
   */
  async insert(
    drafts: Array<{ year: number; build: (seq: number) => StoredApplication; idempotencyKey?: string; intents: (app: StoredApplication) => NotificationIntent[] }>,
    now: string,
  ): Promise<StoredApplication[]> {
    const next = { ...this.file.data.sequences };
    const entries = drafts.map((draft) => {
      const seq = (next[draft.year] ?? 0) + 1;
      next[draft.year] = seq;
      const app = draft.build(seq);
      return { app, year: draft.year, seq, idempotencyKey: draft.idempotencyKey, intents: draft.intents(app) };
    });
    await this.file.commit({ type: 'insert', entries, at: now });
    return entries.map((e) => e.app);
  }

  /** Appends one event (and the intents it causes) to an application, in one journal line. */
  async appendEvent(id: string, event: ApplicationEvent, intents: NotificationIntent[]): Promise<StoredApplication> {
    if (!this.get(id)) throw new Error(`application ${id} vanished`);
    await this.file.commit({ type: 'event', id, event, intents });
    return this.get(id)!;
  }
}

/**
 * Lookups by id, tracking number, WeChat user and applicant identity, kept up to date by the same
 * reducer that applies changes. Who applied never changes after a request is stored, so only an
 * insert touches the last two.
 */
class ApplicationsIndex {
  #data: ApplicationsData | null = null;
  byId = new Map<string, StoredApplication>();
  byTrackingNo = new Map<string, StoredApplication>();
  byOpenid = new Map<string, StoredApplication[]>();
  byIdentity = new Map<string, StoredApplication[]>();
  position = new Map<StoredApplication, number>();

  /** The index of `data`; rebuilt when the data object was replaced (a reload after a failed write). */
  of(data: ApplicationsData): this {
    if (this.#data !== data) {
      this.#data = data;
      for (const map of [this.byId, this.byTrackingNo, this.byOpenid, this.byIdentity, this.position]) map.clear();
      for (const app of data.applications) this.#add(app);
    }
    return this;
  }

  #add(app: StoredApplication): void {
    this.position.set(app, this.position.size);
    this.byId.set(app.id, app);
    this.byTrackingNo.set(app.trackingNo, app);
    if (app.openid) listIn(this.byOpenid, app.openid).push(app);
    const identity = identityKey(app.applicant);
    if (identity) listIn(this.byIdentity, identity).push(app);
  }

  apply(d: ApplicationsData, op: ApplicationsOp): void {
    this.of(d);
    if (op.type === 'insert') {
      for (const entry of op.entries) {
        d.sequences[entry.year] = Math.max(d.sequences[entry.year] ?? 0, entry.seq);
        d.applications.push(entry.app);
        this.#add(entry.app);
        if (entry.idempotencyKey) d.idempotency[entry.idempotencyKey] = { applicationId: entry.app.id, at: op.at };
        d.intents.push(...entry.intents);
      }
    } else if (op.type === 'intents-planned') {
      const planned = (d.plannedIntents ??= {});
      for (const key of op.keys) planned[key] = true;
    } else {
      const app = this.byId.get(op.id);
      if (!app) throw new Error(`journal names unknown application ${op.id}`);
      app.events.push(op.event);
      d.intents.push(...op.intents);
    }
  }
}

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
