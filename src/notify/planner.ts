// Who receives an outbox entry, on which channels, with which values: one delivery per recipient.
// Planned once per entry, so the words and recipients do not change between retries.
import type { Calendar } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import type { Role } from '../domain/roles.js';
import type { ApplicationsService } from '../applications/service.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { StoredApplication } from '../store/applications-repo.js';
import type { ChannelName, Delivery, Recipient } from '../store/notify-repo.js';
import { applicationVars, officeVars, type OfficeInfo } from './message-vars.js';
import { QUESTION_REPLY_KIND, type NotifyTemplates } from './templates.js';

/** An application's intent or one of notify's own entries, as the outbox sees both. */
export interface OutboxEntry {
  key: string;
  kind: string;
  audience: 'applicant' | 'staff';
  applicationId: string | null;
  /** The event that caused it; null for reminders, digests and alerts. */
  eventIndex: number | null;
  createdAt: string;
  data: Record<string, string>;
}

/** Kinds that tell staff about failed deliveries. */
export const ALERT_KINDS: ReadonlySet<string> = new Set(['staff:dead-letter', 'staff:needs-contact']);

export interface PlannerDeps {
  applications: Pick<ApplicationsService, 'get' | 'view' | 'today'>;
  accounts: Pick<StaffAccounts, 'staffWithWechat'>;
  templates: NotifyTemplates;
  office: OfficeInfo;
  calendar: () => Calendar;
  wecomConfigured: boolean;
  /** Links to the applicant's copy of a step's document (src/documents/applicant-routes.ts); absent: none. */
  documents?: { urlFor(app: StoredApplication, eventIndex: number): string | null };
}

export class Planner {
  constructor(private readonly deps: PlannerDeps) {}

  /** The deliveries of one entry; `now` is an ISO timestamp. */
  async plan(entry: OutboxEntry, now: string): Promise<Delivery[]> {
    const app = entry.applicationId ? await this.#application(entry.applicationId) : undefined;
    const base = (key: string, recipient: Recipient, channels: ChannelName[], vars: Record<string, string>): Delivery => ({
      key,
      entryKey: entry.key,
      kind: entry.kind,
      audience: entry.audience,
      applicationId: entry.applicationId,
      eventIndex: entry.eventIndex,
      recipient,
      channels,
      channelIndex: 0,
      vars: { ...vars, ...entry.data },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      inFlight: null,
      sentVia: null,
      confirmed: null,
      msgid: null,
      reason: null,
      history: [],
      createdAt: now,
      updatedAt: now,
    });
    const skipped = (key: string, recipient: Recipient, reason: string): Delivery => ({ ...base(key, recipient, [], {}), status: 'skipped', reason });

    if (entry.kind === QUESTION_REPLY_KIND) {
      // A staff member's answer to a chat question: the asker is known only by openid. Inside the
      // 48-hour window it goes as a customer-service message, else by a template if the office set
      // one for it, else it waits for the asker's next message (waitForUser).
      const { openid, question = '', replyText = '' } = entry.data;
      if (!openid) return [skipped(entry.key, { type: 'nobody' }, '提问时没有记录提问人')];
      const vars = { ...officeVars(this.deps.office, this.deps.applications.today()), question, replyText };
      return [{ ...base(entry.key, { type: 'applicant', openid, app: 'oa' }, ['customer-service', 'oa-template'], {}), vars, waitForUser: true }];
    }
    if (entry.applicationId && !app) return [skipped(entry.key, { type: 'nobody' }, '申请记录不存在')];
    const today = this.deps.applications.today();
    const calendar = this.deps.calendar();

    if (entry.audience === 'applicant') {
      if (!app) return [skipped(entry.key, { type: 'nobody' }, '消息没有对应的申请')];
      const vars = applicationVars(app, this.#viewAsOf(app, entry.eventIndex), entry.eventIndex, 'applicant', this.deps.office, calendar, today, this.#documentUrl(app, entry.eventIndex));
      if (app.openid && (app.channel === 'wechat' || app.channel === 'miniprogram')) {
        const recipient: Recipient = { type: 'applicant', openid: app.openid, app: app.channel === 'wechat' ? 'oa' : 'mp' };
        return [base(entry.key, recipient, this.deps.templates.channelOrder[app.channel], vars)];
      }
      return [{ ...base(entry.key, { type: 'offline' }, [], vars), status: 'skipped', reason: '线下提交的申请，按纸质文书送达' }];
    }

    const vars = app
      ? applicationVars(app, this.#viewAsOf(app, entry.eventIndex), entry.eventIndex, 'staff', this.deps.office, calendar, today)
      : officeVars(this.deps.office, today);
    const roles = this.deps.templates.messages[entry.kind]?.staffRoles ?? [];
    const deliveries = (await this.deps.accounts.staffWithWechat())
      .filter((s) => s.roles.some((role: Role) => roles.includes(role)))
      .map((s) => base(`${entry.key}>staff:${s.username}`, { type: 'staff', username: s.username, openid: s.openid }, this.deps.templates.channelOrder.staff, vars));
    if (this.deps.wecomConfigured) deliveries.push(base(`${entry.key}>group`, { type: 'group' }, this.deps.templates.channelOrder.group, vars));
    if (deliveries.length === 0) {
      // An alert about a failed delivery: the failed one is listed already.
      if (ALERT_KINDS.has(entry.kind)) return [skipped(`${entry.key}>nobody`, { type: 'nobody' }, '没有可以接收提醒的工作人员')];
      return [{ ...base(`${entry.key}>nobody`, { type: 'nobody' }, [], vars), status: 'dead', reason: '没有工作人员绑定微信，也没有配置企业微信群机器人' }];
    }
    return deliveries;
  }

  /** What staff call this kind of message, e.g. "补正通知". */
  label(kind: string): string {
    return this.deps.templates.messages[kind]?.label ?? kind;
  }

  /**
   * The application as it stood right after the event: a message planned late (after a restart,
   * or after later events) still tells what that step meant, e.g. the due date the receipt set.
   */
  #viewAsOf(app: StoredApplication, eventIndex: number | null) {
    const asOf = eventIndex === null ? app : { ...app, events: app.events.slice(0, eventIndex + 1) };
    return this.deps.applications.view(asOf, 'staff-full');
  }

  /** The document a message about this event links to: its own, or for a delivery the letter delivered. */
  #documentUrl(app: StoredApplication, eventIndex: number | null): string | null {
    if (eventIndex === null || !this.deps.documents) return null;
    const event = app.events[eventIndex];
    const index = event?.type === 'deliver' ? app.events.slice(0, eventIndex).findLastIndex((e) => e.type === 'decide') : eventIndex;
    return index >= 0 ? this.deps.documents.urlFor(app, index) : null;
  }

  async #application(id: string): Promise<StoredApplication | undefined> {
    try {
      return await this.deps.applications.get(id);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not-found') return undefined;
      throw error;
    }
  }
}
