// Disclosure requests (applications.json): the applications with their events, the per-year
// tracking-number sequences, submit idempotency keys, and the notification intents that events
// create. Intents are written in the same file write as the event that causes them, so an event is
// never recorded without its notifications, nor the other way round; delivery state lives in the
// notify file and never rewrites this one.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
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
}

export class ApplicationsRepo {
  readonly #byId = new Map<string, StoredApplication>();
  readonly #byTrackingNo = new Map<string, StoredApplication>();

  private constructor(private readonly file: DataFile<ApplicationsData>) {
    for (const app of file.data.applications) this.#index(app);
  }

  static async open(store: Store): Promise<ApplicationsRepo> {
    const file = await store.file<ApplicationsData>({
      name: 'applications',
      version: 1,
      defaults: () => ({ applications: [], sequences: {}, idempotency: {}, intents: [] }),
      check: (d) => (Array.isArray(d.applications) && Array.isArray(d.intents) ? null : 'applications or intents is not a list'),
    });
    return new ApplicationsRepo(file);
  }

  /** Runs a change; if the write fails the file reloads its data, so the indexes are rebuilt too. */
  async #write<R>(change: (d: ApplicationsData) => R): Promise<R> {
    try {
      return await this.file.update(change);
    } catch (error) {
      this.#byId.clear();
      this.#byTrackingNo.clear();
      for (const app of this.file.data.applications) this.#index(app);
      throw error;
    }
  }

  #index(app: StoredApplication): void {
    this.#byId.set(app.id, app);
    this.#byTrackingNo.set(app.trackingNo, app);
  }

  all(): readonly StoredApplication[] {
    return this.file.data.applications;
  }

  get(id: string): StoredApplication | undefined {
    return this.#byId.get(id);
  }

  byTrackingNo(trackingNo: string): StoredApplication | undefined {
    return this.#byTrackingNo.get(trackingNo);
  }

  byOpenid(openid: string): StoredApplication[] {
    return this.file.data.applications.filter((a) => a.openid === openid);
  }

  idempotent(key: string): StoredApplication | undefined {
    const hit = this.file.data.idempotency[key];
    return hit ? this.#byId.get(hit.applicationId) : undefined;
  }

  intents(): readonly NotificationIntent[] {
    return this.file.data.intents;
  }

  /**
   * Numbers and stores new applications in one write. `build` receives a fresh sequence number per
   * application (never reused, even if a later write fails, since the number is taken in the same
   * write that stores the application).
   */
  async insert(
    drafts: Array<{ year: number; build: (seq: number) => StoredApplication; idempotencyKey?: string; intents: (app: StoredApplication) => NotificationIntent[] }>,
    now: string,
  ): Promise<StoredApplication[]> {
    return this.#write((d) => {
      const created: StoredApplication[] = [];
      for (const draft of drafts) {
        const seq = (d.sequences[draft.year] ?? 0) + 1;
        d.sequences[draft.year] = seq;
        const app = draft.build(seq);
        d.applications.push(app);
        this.#index(app);
        if (draft.idempotencyKey) d.idempotency[draft.idempotencyKey] = { applicationId: app.id, at: now };
        d.intents.push(...draft.intents(app));
        created.push(app);
      }
      return created;
    });
  }

  /** Appends one event (and the intents it causes) to an application, in one write. */
  async appendEvent(id: string, event: ApplicationEvent, intents: NotificationIntent[]): Promise<StoredApplication> {
    return this.#write((d) => {
      const app = this.#byId.get(id);
      if (!app) throw new Error(`application ${id} vanished`);
      app.events.push(event);
      d.intents.push(...intents);
      return app;
    });
  }
}
