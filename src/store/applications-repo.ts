// Disclosure requests: the applications with their events, the per-year tracking-number sequences,
// submit idempotency keys, and the notification intents that events create. Intents are written in
// the same step as the event that causes them, so an event is never recorded without its
// notifications, nor the other way round; delivery state lives with notify and never rewrites this.
//
// ApplicationsRepository is the contract both engines keep (docs/ARCHITECTURE.md §7). The embedded
// one (applications.json) appends changes to a journal (journaled-file.ts), so a submit costs the
// same with 100 or 100,000 stored requests; the PostgreSQL one is src/store/pg/applications-repo.ts.
import type { Store } from './store.js';
import { JournaledFile } from './journaled-file.js';
import { ConflictError } from './conflict.js';
import type { Transferable, TransferRecord } from './transfer.js';
import { identityKey } from '../domain/identity.js';
import { isFinished, readHistory } from '../domain/applications/index.js';
import type { Application, ApplicationEvent, ApplicationStatus } from '../domain/applications/types.js';

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

/** One new request for insert(): numbered inside the write, so a number is never handed out twice. */
export interface ApplicationDraft {
  year: number;
  build: (seq: number) => StoredApplication;
  /** A retried submit with the same key gets the request the first one stored (a unique key). */
  idempotencyKey?: string;
  intents: (app: StoredApplication) => NotificationIntent[];
}

export interface InsertResult {
  application: StoredApplication;
  /** False when the idempotency key was already taken: `application` is the one stored then. */
  created: boolean;
}

/** A console list or a job's batch: filters on what the stored columns say, one page at a time. */
export interface ApplicationsQuery {
  /** Only finished requests (delivered or closed: true) or only open ones (false); both when absent. */
  closed?: boolean;
  status?: ApplicationStatus;
  /** Received or closed in this year (the year's figures). */
  year?: number;
  /** In the tracking number or the request's description, or the applicant's name with `matchName`. */
  text?: string;
  matchName?: boolean;
  /** Someone recorded an event of the request under this name. */
  handledBy?: string;
  /** 'stored': the order of submission, for batches; 'newest': latest first, for lists. */
  order: 'stored' | 'newest';
  limit: number;
  offset: number;
}

export interface ApplicationsPage {
  /** How many requests match, whatever the page. */
  total: number;
  applications: StoredApplication[];
}

export interface ApplicationsRepository extends Transferable {
  get(id: string): Promise<StoredApplication | undefined>;
  byTrackingNo(trackingNo: string): Promise<StoredApplication | undefined>;
  /** The requests of one WeChat user, oldest first. */
  byOpenid(openid: string): Promise<StoredApplication[]>;
  /**
   * The requests by the same applicant: the same ID number or credit code (identityKey), or the same
   * WeChat user, in stored order. Looked up, not searched: a submit must not walk every request.
   */
  sameApplicant(identity: string | null, openid: string | null): Promise<StoredApplication[]>;
  idempotent(key: string): Promise<StoredApplication | undefined>;
  /** The requests not yet delivered or closed, in stored order (the inbox, reminders, metrics). */
  open(): Promise<StoredApplication[]>;
  page(query: ApplicationsQuery): Promise<ApplicationsPage>;
  count(): Promise<number>;
  /**
   * Numbers and stores new requests in one write. A draft whose idempotency key is taken stores
   * nothing and answers the request that took it (the whole batch is then not written: only a
   * single submit carries a key).
   */
  insert(drafts: ApplicationDraft[], now: string): Promise<InsertResult[]>;
  /**
   * Appends one event (and the intents it causes) as event number `expectedEvents`. When the request
   * no longer has exactly `expectedEvents` events (another instance appended first), nothing is
   * written and a ConflictError is thrown: the caller re-reads and re-validates.
   */
  appendEvent(id: string, expectedEvents: number, event: ApplicationEvent, intents: NotificationIntent[]): Promise<StoredApplication>;
  /** Intents not yet marked planned, oldest first. */
  pendingIntents(limit: number): Promise<NotificationIntent[]>;
  /** The outbox has made deliveries of these intents: they are no longer pending. */
  markIntentsPlanned(keys: string[]): Promise<void>;
}

/** What the stored columns say about a request, derived from its events on every write. */
export interface ApplicationSummary {
  status: ApplicationStatus;
  /** Delivered or closed: nothing follows (isFinished). */
  closed: boolean;
  receivedOn: string | null;
  closedOn: string | null;
}

export function summaryOf(app: Pick<Application, 'events'>): ApplicationSummary {
  const h = readHistory(app.events);
  return { status: h.status, closed: isFinished(h.status), receivedOn: h.receivedOn, closedOn: h.closing?.on ?? null };
}

/** The query's filters on one request (the embedded engine filters in memory; PostgreSQL in SQL). */
export function matchesQuery(app: StoredApplication, summary: ApplicationSummary, q: ApplicationsQuery): boolean {
  if (q.closed !== undefined && summary.closed !== q.closed) return false;
  if (q.status && summary.status !== q.status) return false;
  if (q.year !== undefined) {
    const prefix = `${q.year}-`;
    if (!summary.receivedOn?.startsWith(prefix) && !summary.closedOn?.startsWith(prefix)) return false;
  }
  if (q.text) {
    const text = q.text;
    const found = app.trackingNo.includes(text) || app.request.description.includes(text) || (q.matchName === true && app.applicant.name.includes(text));
    if (!found) return false;
  }
  if (q.handledBy && !app.events.some((e) => e.by === q.handledBy)) return false;
  return true;
}

/** An intent as stored: planned once the outbox made its deliveries. */
export interface StoredIntent extends NotificationIntent {
  planned?: boolean;
}

interface ApplicationsData {
  applications: StoredApplication[];
  sequences: Record<string, number>;
  idempotency: Record<string, { applicationId: string; at: string }>;
  intents: StoredIntent[];
}

/** The changes to applications.json, as journal lines (see journaled-file.ts). */
type ApplicationsOp =
  | {
      type: 'insert';
      entries: Array<{ app: StoredApplication; year: number; seq: number; idempotencyKey?: string; intents: NotificationIntent[] }>;
      at: string;
    }
  // `index` (absent in lines written before it existed): the event's position, checked on write.
  | { type: 'event'; id: string; index?: number; event: ApplicationEvent; intents: NotificationIntent[] }
  | { type: 'planned'; keys: string[] }
  // Moving an office here from the other engine (importRecords): the records as they were there.
  | { type: 'import'; data: ApplicationsData };

/** Thrown by the reducer when a submit's idempotency key was taken: nothing was applied. */
class IdempotencyTaken extends Error {
  constructor(readonly applicationId: string) {
    super('idempotency key taken');
  }
}

/** Thrown by the reducer when a sequence number was taken meanwhile: nothing was applied. */
class SequenceTaken extends Error {}

export class ApplicationsRepo implements ApplicationsRepository {
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

  #index(): ApplicationsIndex {
    return this.index.of(this.file.data);
  }

  async get(id: string): Promise<StoredApplication | undefined> {
    return copy(this.#index().byId.get(id));
  }

  async byTrackingNo(trackingNo: string): Promise<StoredApplication | undefined> {
    return copy(this.#index().byTrackingNo.get(trackingNo));
  }

  async byOpenid(openid: string): Promise<StoredApplication[]> {
    return (this.#index().byOpenid.get(openid) ?? []).map((app) => structuredClone(app));
  }

  async sameApplicant(identity: string | null, openid: string | null): Promise<StoredApplication[]> {
    const index = this.#index();
    const found = new Set([...(identity ? index.byIdentity.get(identity) ?? [] : []), ...(openid ? index.byOpenid.get(openid) ?? [] : [])]);
    return [...found].sort((a, b) => index.position.get(a)! - index.position.get(b)!).map((app) => structuredClone(app));
  }

  async idempotent(key: string): Promise<StoredApplication | undefined> {
    const hit = this.file.data.idempotency[key];
    return hit ? this.get(hit.applicationId) : undefined;
  }

  async open(): Promise<StoredApplication[]> {
    const index = this.#index();
    return this.file.data.applications.filter((app) => !index.summaryOf(app).closed).map((app) => structuredClone(app));
  }

  async page(query: ApplicationsQuery): Promise<ApplicationsPage> {
    const index = this.#index();
    const matching = this.file.data.applications.filter((app) => matchesQuery(app, index.summaryOf(app), query));
    if (query.order === 'newest') matching.reverse();
    return { total: matching.length, applications: matching.slice(query.offset, query.offset + query.limit).map((app) => structuredClone(app)) };
  }

  async count(): Promise<number> {
    return this.file.data.applications.length;
  }

  async insert(drafts: ApplicationDraft[], now: string): Promise<InsertResult[]> {
    for (let attempt = 0; ; attempt++) {
      const taken = drafts.map((d) => (d.idempotencyKey ? this.file.data.idempotency[d.idempotencyKey] : undefined)).find(Boolean);
      if (taken) return [{ application: (await this.get(taken.applicationId))!, created: false }];
      const next = { ...this.file.data.sequences };
      const entries = drafts.map((draft) => {
        const seq = (next[draft.year] ?? 0) + 1;
        next[draft.year] = seq;
        const app = draft.build(seq);
        return { app: structuredClone(app), year: draft.year, seq, idempotencyKey: draft.idempotencyKey, intents: draft.intents(app) };
      });
      try {
        await this.file.commit({ type: 'insert', entries, at: now });
        return entries.map((e) => ({ application: structuredClone(e.app), created: true }));
      } catch (error) {
        // Another write got in while the file recovered from a failed write: number again.
        if (!(error instanceof IdempotencyTaken || error instanceof SequenceTaken) || attempt >= 2) throw error;
      }
    }
  }

  async appendEvent(id: string, expectedEvents: number, event: ApplicationEvent, intents: NotificationIntent[]): Promise<StoredApplication> {
    const app = this.#index().byId.get(id);
    if (!app) throw new Error(`application ${id} vanished`);
    if (app.events.length !== expectedEvents) throw new ConflictError(`application ${id}`);
    await this.file.commit({ type: 'event', id, index: expectedEvents, event: structuredClone(event), intents: structuredClone(intents) });
    return (await this.get(id))!;
  }

  async pendingIntents(limit: number): Promise<NotificationIntent[]> {
    const pending: NotificationIntent[] = [];
    for (const intent of this.file.data.intents) {
      if (pending.length >= limit) break;
      if (!intent.planned) pending.push(plainIntent(intent));
    }
    return pending;
  }

  async markIntentsPlanned(keys: string[]): Promise<void> {
    const index = this.#index();
    const fresh = [...new Set(keys)].filter((key) => index.intentByKey.get(key)?.planned === false);
    if (fresh.length > 0) await this.file.commit({ type: 'planned', keys: fresh });
  }

  async counts(): Promise<Record<string, number>> {
    const d = this.file.data;
    return {
      application: d.applications.length,
      sequence: Object.keys(d.sequences).length,
      'idempotency-key': Object.keys(d.idempotency).length,
      intent: d.intents.length,
    };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const d = this.file.data;
    // Applications before what names them (idempotency keys, intents).
    for (const app of d.applications) yield { kind: 'application', data: structuredClone(app) };
    for (const [year, last] of Object.entries(d.sequences)) yield { kind: 'sequence', data: { year: Number(year), last } };
    for (const [key, hit] of Object.entries(d.idempotency)) yield { kind: 'idempotency-key', data: { key, applicationId: hit.applicationId, at: hit.at } };
    for (const intent of d.intents) yield { kind: 'intent', data: { ...plainIntent(intent), planned: intent.planned === true } };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (this.file.data.applications.length > 0 || this.file.data.intents.length > 0) throw new Error('applications: import only into an empty store');
    const data: ApplicationsData = { applications: [], sequences: {}, idempotency: {}, intents: [] };
    for await (const record of records) {
      const r = record.data as Record<string, any>;
      if (record.kind === 'application') data.applications.push(r as StoredApplication);
      else if (record.kind === 'sequence') data.sequences[String(r.year)] = r.last;
      else if (record.kind === 'idempotency-key') data.idempotency[r.key] = { applicationId: r.applicationId, at: r.at };
      else if (record.kind === 'intent') data.intents.push({ ...(r as NotificationIntent), planned: r.planned === true });
      else throw new Error(`applications: unknown record kind ${record.kind}`);
    }
    await this.file.commit({ type: 'import', data });
  }
}

function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

function plainIntent(intent: StoredIntent): NotificationIntent {
  const { planned: _planned, ...rest } = intent;
  return { ...rest };
}

/**
 * Lookups by id, tracking number, WeChat user, applicant identity and intent key, and each request's
 * summary, kept up to date by the same reducer that applies changes. Who applied never changes after
 * a request is stored, so only an insert touches those lookups.
 */
class ApplicationsIndex {
  #data: ApplicationsData | null = null;
  byId = new Map<string, StoredApplication>();
  byTrackingNo = new Map<string, StoredApplication>();
  byOpenid = new Map<string, StoredApplication[]>();
  byIdentity = new Map<string, StoredApplication[]>();
  position = new Map<StoredApplication, number>();
  summaries = new Map<StoredApplication, ApplicationSummary>();
  intentByKey = new Map<string, StoredIntent>();

  /** The index of `data`; rebuilt when the data object was replaced (a reload after a failed write). */
  of(data: ApplicationsData): this {
    if (this.#data !== data) {
      this.#data = data;
      for (const map of [this.byId, this.byTrackingNo, this.byOpenid, this.byIdentity, this.position, this.summaries, this.intentByKey]) map.clear();
      for (const app of data.applications) this.#add(app);
      for (const intent of data.intents) this.#addIntent(intent);
    }
    return this;
  }

  summaryOf(app: StoredApplication): ApplicationSummary {
    let summary = this.summaries.get(app);
    if (!summary) this.summaries.set(app, (summary = summaryOf(app)));
    return summary;
  }

  #add(app: StoredApplication): void {
    this.position.set(app, this.position.size);
    this.byId.set(app.id, app);
    this.byTrackingNo.set(app.trackingNo, app);
    if (app.openid) listIn(this.byOpenid, app.openid).push(app);
    const identity = identityKey(app.applicant);
    if (identity) listIn(this.byIdentity, identity).push(app);
  }

  #addIntent(intent: StoredIntent): void {
    intent.planned = intent.planned === true;
    this.intentByKey.set(intent.key, intent);
  }

  apply(d: ApplicationsData, op: ApplicationsOp): void {
    this.of(d);
    if (op.type === 'insert') {
      // Checked before anything changes: a refused op leaves the data as it was.
      for (const entry of op.entries) {
        const taken = entry.idempotencyKey ? d.idempotency[entry.idempotencyKey] : undefined;
        if (taken) throw new IdempotencyTaken(taken.applicationId);
        if (entry.seq <= (d.sequences[entry.year] ?? 0) && this.byTrackingNo.has(entry.app.trackingNo)) throw new SequenceTaken();
      }
      for (const entry of op.entries) {
        d.sequences[entry.year] = Math.max(d.sequences[entry.year] ?? 0, entry.seq);
        d.applications.push(entry.app);
        this.#add(entry.app);
        if (entry.idempotencyKey) d.idempotency[entry.idempotencyKey] = { applicationId: entry.app.id, at: op.at };
        for (const intent of entry.intents) this.#pushIntent(d, intent);
      }
    } else if (op.type === 'event') {
      const app = this.byId.get(op.id);
      if (!app) throw new Error(`journal names unknown application ${op.id}`);
      if (op.index !== undefined && op.index !== app.events.length) throw new ConflictError(`application ${op.id}`);
      app.events.push(op.event);
      this.summaries.delete(app);
      for (const intent of op.intents) this.#pushIntent(d, intent);
    } else if (op.type === 'planned') {
      for (const key of op.keys) {
        const intent = this.intentByKey.get(key);
        if (intent) intent.planned = true;
      }
    } else {
      d.applications.push(...op.data.applications);
      Object.assign(d.sequences, op.data.sequences);
      Object.assign(d.idempotency, op.data.idempotency);
      d.intents.push(...op.data.intents);
      this.#data = null;
      this.of(d);
    }
  }

  #pushIntent(d: ApplicationsData, intent: NotificationIntent): void {
    const stored: StoredIntent = { ...intent, planned: false };
    d.intents.push(stored);
    this.#addIntent(stored);
  }
}

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
