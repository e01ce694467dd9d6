// The applications service: the one place where disclosure requests are created and moved along.
// It validates, numbers, detects duplicates, appends events through the domain's state machine, and
// writes the notification intents in the same store write as the event that causes them.
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { validateApplicationInput } from '../domain/application-form.js';
import { formatTrackingNo } from '../domain/tracking-number.js';
import { todayInChina, type Calendar } from '../domain/calendar.js';
import {
  applyEvent,
  createApplication,
  EVENT_LABELS,
  isClosingEventType,
  stampEvent,
  validateEvent,
  type ApplicationEvent,
  type StaffEvent,
} from '../domain/applications/index.js';
import type { ApplicationsQuery, ApplicationsPage, ApplicationsRepository, Channel, NotificationIntent, StoredApplication } from '../store/applications-repo.js';
import { isConflictError } from '../store/conflict.js';
import { findPossibleDuplicates } from './duplicates.js';
import { identityKey } from '../domain/identity.js';
import { intentsFor } from './intents.js';
import { toView, type ApplicationView, type ViewAudience } from './view.js';

export interface ApplicationsPolicy {
  /**
   * Online requests count as received on the day the system confirms them to the applicant
   * (第三十一条第三项: 以双方确认之日为收到申请之日); the receipt message is that confirmation.
   * An office that confirms by hand turns this off and records `receive` itself.
   */
  autoReceiveOnline: boolean;
  /** Submissions per WeChat user: at most `perHour` in any hour and `perDay` in any 24 hours. */
  rateLimit: { perHour: number; perDay: number };
  /** The office's 补正 period when the clerk sets none (agency.json supplementPeriodWorkingDays). */
  supplementPeriodWorkingDays: number | null;
}

export const DEFAULT_POLICY: ApplicationsPolicy = { autoReceiveOnline: true, rateLimit: { perHour: 5, perDay: 20 }, supplementPeriodWorkingDays: null };

/** What an applicant may send as one supplement. */
export const MAX_SUPPLEMENT_TEXT = 2000;
export const MAX_SUPPLEMENT_IMAGES = 9;

export interface SubmitContext {
  channel: Channel;
  openid: string | null;
  /** Who entered it: 'applicant', or the staff username for paper, fax and on-site requests. */
  by: string;
  idempotencyKey?: string;
  /**
   * A letter, fax or visit registered later: the day it came, which is both its submission and its
   * receipt date (a registered letter cannot be received before it was submitted). At most today.
   */
  submittedOn?: string;
}

/** Who the service tells of its changes, and whom it asks about applicants. */
export interface ApplicationsLinks {
  /** Called after every saved change that may have created notification intents. */
  onChange?: () => void;
  /**
   * Every openid of the person behind an openid (the official account's and the mini-program's,
   * once linked: accounts/identity-links.ts), so both channels show the same requests.
   */
  linkedOpenids?: (openid: string) => Promise<string[]>;
}

export class ApplicationsService {
  readonly #policy: ApplicationsPolicy;
  readonly #links: ApplicationsLinks;

  constructor(
    private readonly repo: ApplicationsRepository,
    private readonly calendar: () => Calendar,
    private readonly clock: () => Date = () => new Date(),
    policy: Partial<ApplicationsPolicy> = {},
    links: ApplicationsLinks = {},
  ) {
    this.#policy = { ...DEFAULT_POLICY, ...policy };
    this.#links = links;
  }

  today(): string {
    return todayInChina(this.clock());
  }

  workingDaysBetween(a: string, b: string): number {
    return this.calendar().workingDaysBetween(a, b).count;
  }

  view(app: StoredApplication, audience: ViewAudience): ApplicationView {
    return toView(app, this.calendar(), this.today(), audience, { supplementPeriodWorkingDays: this.#policy.supplementPeriodWorkingDays });
  }

  async submit(body: unknown, context: SubmitContext): Promise<{ application: StoredApplication; created: boolean }> {
    const scopedKey = context.idempotencyKey ? `${context.openid ?? context.by}:${context.idempotencyKey}` : undefined;
    if (scopedKey) {
      const earlier = await this.repo.idempotent(scopedKey);
      if (earlier) return { application: earlier, created: false };
    }
    const { value } = validateApplicationInput(body, this.today());
    // The same applicant's earlier requests include this user's: one read serves both checks.
    const earlier = await this.repo.sameApplicant(identityKey(value.applicant), context.openid);
    if (context.openid) this.#checkRate(earlier.filter((a) => a.openid === context.openid));

    const now = this.clock();
    const at = now.toISOString();
    const today = todayInChina(now);
    const possibleDuplicateOf = findPossibleDuplicates(value, context.openid, earlier);
    const online = context.channel === 'miniprogram' || context.channel === 'wechat';

    // Two instances handling the same retried submit both get here: the key is unique, so one
    // request is stored and the later one answers it (created: false).
    const [stored] = await this.repo.insert(
      [
        {
          year: Number(today.slice(0, 4)),
          idempotencyKey: scopedKey,
          build: (seq) => {
            const fields = {
              id: newId(),
              trackingNo: formatTrackingNo(Number(today.slice(0, 4)), seq),
              createdAt: at,
              applicant: value.applicant,
              request: value.request,
              delivery: value.delivery,
              channel: context.channel,
              openid: context.openid,
              possibleDuplicateOf,
            } as Omit<StoredApplication, 'events'>;
            const on = context.submittedOn && context.submittedOn < today ? context.submittedOn : today;
            const app = createApplication(fields, { at, by: context.by, on }) as StoredApplication;
            if (online && this.#policy.autoReceiveOnline) {
              app.events.push({ type: 'receive', on: today, at, by: 'system' });
            }
            return app;
          },
          intents: (app) => intentsFor(app, 0, at),
        },
      ],
      at,
    );
    if (stored!.created) this.#links.onChange?.();
    return stored!;
  }

  /** Records a staff event (or the applicant's supplement / withdrawal) and its notifications. */
  async record(id: string, input: unknown, by: string): Promise<StoredApplication> {
    // Read first: an unknown request is 404 whatever was posted.
    return this.#appendOnce(
      () => this.get(id),
      () => {
        const checked = validateEvent(input);
        if (!checked.ok) throw new DomainError('validation', checked.message, checked.fields);
        return stampEvent(checked.event, by, this.clock().toISOString());
      },
    );
  }

  /**
   * The applicant's answer to a pending 补正: text, pictures sent in the chat, or both. Bad input is
   * refused in Chinese; a request that is not waiting for a 补正 answers 409 (invalid-transition).
   */
  async supplementByApplicant(id: string, openid: string, text: unknown, images: unknown = []): Promise<StoredApplication> {
    await this.mine(id, openid);
    if (text !== undefined && text !== null && typeof text !== 'string') {
      throw new DomainError('validation', '补正内容应为文字', { text: '补正内容应为文字' });
    }
    const body = typeof text === 'string' ? text.trim() : '';
    const pictures = Array.isArray(images) ? images : null;
    if (!pictures || !pictures.every(isSupplementImage)) {
      throw new DomainError('validation', '补正图片格式不正确', { images: '应为图片列表 [{url, mediaId}]' });
    }
    if (body.length < 2 && pictures.length === 0) {
      throw new DomainError('validation', '请填写补正内容', { text: '请填写需要补正的内容' });
    }
    if (body.length > MAX_SUPPLEMENT_TEXT) {
      throw new DomainError('validation', `补正内容不能超过 ${MAX_SUPPLEMENT_TEXT} 字`, { text: `补正内容不能超过 ${MAX_SUPPLEMENT_TEXT} 字` });
    }
    if (pictures.length > MAX_SUPPLEMENT_IMAGES) {
      throw new DomainError('validation', `一次补正最多 ${MAX_SUPPLEMENT_IMAGES} 张图片`, { images: `最多 ${MAX_SUPPLEMENT_IMAGES} 张` });
    }
    const event: StaffEvent = {
      type: 'supplement-received',
      on: this.today(),
      at: this.clock().toISOString(),
      by: 'applicant',
      ...(body ? { text: body } : {}),
      ...(pictures.length ? { images: pictures.map((p) => ({ url: p.url, mediaId: p.mediaId })) } : {}),
    };
    return this.#appendOnce(
      () => this.mine(id, openid),
      (app) => {
        if (app.events.length > 0 && this.view(app, 'applicant').status !== 'awaiting-supplement') {
          throw new DomainError('invalid-transition', '这件申请目前不需要补正');
        }
        return event;
      },
    );
  }

  /** The applicant's requests waiting for a 补正 from them, newest first. */
  async awaitingSupplement(openid: string): Promise<StoredApplication[]> {
    return (await this.listMine(openid)).filter((app) => this.view(app, 'applicant').status === 'awaiting-supplement');
  }

  async withdrawByApplicant(id: string, openid: string): Promise<StoredApplication> {
    const event: StaffEvent = { type: 'withdraw', on: this.today(), at: this.clock().toISOString(), by: 'applicant' };
    return this.#appendOnce(() => this.mine(id, openid), () => event);
  }

  /**
   * Reads the request, checks the event against it and appends it as the next event. When another
   * instance (or request) appended first, reads and checks once more: the event may no longer be
   * allowed (a domain refusal), or it goes after the other one; a second loss is a ConflictError (409).
   */
  async #appendOnce(read: () => Promise<StoredApplication>, eventFor: (app: StoredApplication) => ApplicationEvent): Promise<StoredApplication> {
    for (let attempt = 0; ; attempt++) {
      const app = await read();
      const event = eventFor(app);
      try {
        return await this.#append(app, event);
      } catch (error) {
        if (!isConflictError(error) || attempt > 0) throw error;
      }
    }
  }

  async #append(app: StoredApplication, event: ApplicationEvent): Promise<StoredApplication> {
    // applyEvent checks the transition and the date; it returns a copy, the repo appends for real.
    applyEvent(app, event, this.today());
    const eventIndex = app.events.length;
    const intents: NotificationIntent[] = intentsFor({ ...app, events: [...app.events, event] }, eventIndex, event.at);
    const saved = await this.repo.appendEvent(app.id, eventIndex, event, intents);
    this.#links.onChange?.();
    return saved;
  }

  async get(id: string): Promise<StoredApplication> {
    const app = await this.repo.get(id);
    if (!app) throw new DomainError('not-found', '找不到该申请');
    return app;
  }

  /** The applicant's own application; anyone else's is "not found", so ids cannot be probed. */
  async mine(id: string, openid: string): Promise<StoredApplication> {
    const app = await this.repo.get(id);
    if (!app || app.openid === null || !(await this.#openidsOf(openid)).includes(app.openid)) throw new DomainError('not-found', '找不到该申请');
    return app;
  }

  async listMine(openid: string): Promise<StoredApplication[]> {
    const lists = await Promise.all((await this.#openidsOf(openid)).map((each) => this.repo.byOpenid(each)));
    return lists.flat().sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  async #openidsOf(openid: string): Promise<string[]> {
    return (await this.#links.linkedOpenids?.(openid)) ?? [openid];
  }

  /** The requests not yet delivered or closed, in the order they were stored (inbox, reminders, metrics). */
  open(): Promise<StoredApplication[]> {
    return this.repo.open();
  }

  /** One page of a console list. */
  page(query: ApplicationsQuery): Promise<ApplicationsPage> {
    return this.repo.page(query);
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /** The requests received or closed in `year` (the year's figures), in stored order. */
  ofYear(year: number): Promise<StoredApplication[]> {
    return this.#every({ year });
  }

  /**
   * Every request, read a batch at a time: for the annual report, which counts the requests carried
   * over from earlier years, and for tests. Request paths read open(), page() or ofYear() instead.
   */
  all(): Promise<StoredApplication[]> {
    return this.#every({});
  }

  async #every(filters: Omit<ApplicationsQuery, 'order' | 'limit' | 'offset'>): Promise<StoredApplication[]> {
    const found: StoredApplication[] = [];
    // Stored order: requests added meanwhile come after the pages already read.
    for (let offset = 0; ; offset += EVERY_BATCH) {
      const { applications } = await this.repo.page({ ...filters, order: 'stored', limit: EVERY_BATCH, offset });
      found.push(...applications);
      if (applications.length < EVERY_BATCH) return found;
    }
  }

  byTrackingNo(trackingNo: string): Promise<StoredApplication | undefined> {
    return this.repo.byTrackingNo(trackingNo);
  }

  /**
   * Historical records, e.g. from the paper register: each is validated as a submission, then its
   * events are replayed through the same state machine. Nothing is saved unless every record is
   * valid, and no one is notified about the past.
   */
  async import(records: unknown, by: string, mayImport: ImportPermissions = ALLOW_ALL_IMPORTS): Promise<StoredApplication[]> {
    if (!Array.isArray(records) || records.length === 0) {
      throw new DomainError('validation', '请提供要导入的记录列表 records', { records: '应为非空数组' });
    }
    if (records.length > 5000) throw new DomainError('validation', '一次最多导入 5000 条记录', { records: '一次最多 5000 条' });
    const at = this.clock().toISOString();
    const today = this.today();
    const prepared = records.map((record, index) => {
      const fields: Record<string, string> = {};
      const prefix = `records[${index}]`;
      const r = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
      let value;
      try {
        value = validateApplicationInput({ applicant: r.applicant, request: r.request, delivery: r.delivery }, today).value;
      } catch (error) {
        if (error instanceof DomainError) {
          for (const [k, v] of Object.entries(error.fields ?? { '': error.message })) fields[`${prefix}.${k}`] = v;
          throw new DomainError('validation', `第 ${index + 1} 条记录有误：${error.message}`, fields);
        }
        throw error;
      }
      const inputs = Array.isArray(r.events) ? r.events : [];
      const events: StaffEvent[] = [];
      inputs.forEach((input, i) => {
        const checked = validateEvent(input);
        if (!checked.ok) {
          for (const [k, v] of Object.entries(checked.fields)) fields[`${prefix}.events[${i}].${k}`] = v;
          throw new DomainError('validation', `第 ${index + 1} 条记录的第 ${i + 1} 个事件有误：${checked.message}`, fields);
        }
        // The same role check as an event posted on its own: a bulk import is no way around it.
        const type = checked.event.type;
        const label = EVENT_LABELS[type];
        if (!mayImport.event(type)) {
          throw new DomainError('forbidden', `第 ${index + 1} 条记录的第 ${i + 1} 个事件（${label}）：当前账号的角色无权记录此事件`, {
            [`${prefix}.events[${i}].type`]: '无权记录此事件',
          });
        }
        // A closing event settles an outcome the annual report counts: importing one rewrites the
        // office's figures, so it is a permission of its own.
        if (isClosingEventType(type) && !mayImport.decisions) {
          throw new DomainError('forbidden', `第 ${index + 1} 条记录的第 ${i + 1} 个事件（${label}）：导入已办结的历史记录需要系统管理员`, {
            [`${prefix}.events[${i}].type`]: '导入办理结果需要系统管理员',
          });
        }
        // Marked, so the timeline and the console tell imported history from steps taken here.
        events.push(Object.assign(stampEvent(checked.event, by, at), { imported: true }));
      });
      const submittedOn = events[0]?.on ?? today;
      let app = createApplication(
        { id: newId(), trackingNo: '', createdAt: at, applicant: value.applicant, request: value.request, delivery: value.delivery, channel: 'import' as Channel, openid: null, possibleDuplicateOf: [] as string[] },
        { at, by, on: submittedOn },
      ) as StoredApplication;
      events.forEach((event, i) => {
        try {
          app = applyEvent(app, event, today);
        } catch (error) {
          if (error instanceof Error && 'code' in error) {
            throw new DomainError((error as DomainError).code === 'invalid-transition' ? 'invalid-transition' : 'validation', `第 ${index + 1} 条记录的第 ${i + 1} 个事件：${error.message}`, {
              [`${prefix}.events[${i}]`]: error.message,
            });
          }
          throw error;
        }
      });
      return { app, year: Number(submittedOn.slice(0, 4)) };
    });
    // One write for the whole batch; tracking numbers follow the year each request was submitted in.
    const stored = await this.repo.insert(
      prepared.map(({ app, year }) => ({ year, build: (seq: number) => ({ ...app, trackingNo: formatTrackingNo(year, seq) }), intents: () => [] })),
      at,
    );
    return stored.map((s) => s.application);
  }

  /** `mine`: the user's stored requests. */
  #checkRate(mine: readonly StoredApplication[]): void {
    const now = this.clock().getTime();
    const ages = mine.map((a) => now - Date.parse(a.createdAt));
    const lastHour = ages.filter((age) => age < 3600_000).length;
    const lastDay = ages.filter((age) => age < 24 * 3600_000).length;
    if (lastHour >= this.#policy.rateLimit.perHour || lastDay >= this.#policy.rateLimit.perDay) {
      throw new DomainError('rate-limited', '提交过于频繁，请稍后再试；如有紧急情况请致电政府信息公开工作机构');
    }
  }
}

/** What the importing staff member may bring in: each event type, and closed (decided) records. */
export interface ImportPermissions {
  event: (type: StaffEvent['type']) => boolean;
  decisions: boolean;
}

/** Requests per read when a job reads many (all(), ofYear()). */
const EVERY_BATCH = 500;

const ALLOW_ALL_IMPORTS: ImportPermissions = { event: () => true, decisions: true };

function isSupplementImage(value: unknown): value is { url: string; mediaId: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { url, mediaId } = value as Record<string, unknown>;
  return typeof url === 'string' && /^(https?:\/\/\S{1,500})?$/.test(url) && typeof mediaId === 'string' && /^[\w-]{1,128}$/.test(mediaId);
}

function newId(): string {
  return randomBytes(9).toString('base64url');
}
