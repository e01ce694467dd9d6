// Notifications: applicants hear about every step of their request, staff about new work and
// deadlines. createNotify wires the outbox worker, the channels, consents, staff binding,
// reminders and the digest around one NotifyRepository (src/store/notify-repo.ts), on either engine.
import type { Calendar } from '../domain/calendar.js';
import type { Agency } from '../agency.js';
import { reviewAuthorityOf } from '../domain/remedies.js';
import { officeSupplementPeriod } from '../domain/applications/index.js';
import type { ApplicationsService } from '../applications/service.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { UnansweredQuestion } from '../store/conversations-repo.js';
import type { Delivery, NotifyRepository } from '../store/notify-repo.js';
import { DomainError } from '../domain/errors.js';
import { maskFreeText } from '../domain/masking.js';
import type { FetchLike } from '../wechat/http.js';
import { Channels, type WechatSender } from './channels.js';
import { SubscribeConsents } from './consents.js';
import type { OutboxPolicy } from './delivery-policy.js';
import type { OfficeInfo } from './message-vars.js';
import { Outbox, type IntentSource, type OutboxSummary } from './outbox.js';
import { Planner, type PlannerDeps } from './planner.js';
import { createDeadlineReminders, createUnansweredDigest, type DigestResult, type RemindersResult } from './reminders.js';
import { StaffBinding, type StaffBindingOptions } from './staff-binding.js';
import { QUESTION_REPLY_KIND, type NotifyTemplates } from './templates.js';
import { WecomRobot } from './wecom-robot.js';
import { isStoreWriteError } from '../store/write-faults.js';

export { loadNotifyTemplates, parseNotifyTemplates, type NotifyTemplates } from './templates.js';
export type { OutboxSummary } from './outbox.js';
export { mountNotifyAdminRoutes, mountNotifyMiniProgramRoutes } from './routes.js';

export interface NotifyDeps {
  repo: NotifyRepository;
  applications: ApplicationsService;
  /**
   * The intents written with application events, not planned yet:
   * { pending: (n) => applicationsRepo.pendingIntents(n), markPlanned: (keys) => applicationsRepo.markIntentsPlanned(keys) }.
   */
  intents: IntentSource;
  accounts: Pick<StaffAccounts, 'staffWithWechat' | 'bindWechat'>;
  /** The bot's open unanswered questions asked after `after` (all when null), oldest first. */
  unanswered: (after: string | null) => Promise<readonly UnansweredQuestion[]>;
  /** The WeChat client, or a getter for one built later (main builds it once the server listens). */
  wechat: WechatSender | (() => WechatSender);
  templates: NotifyTemplates;
  office: OfficeInfo;
  calendar: () => Calendar;
  clock?: () => Date;
  /** The staff group's WeCom robot webhook URL; none → no group messages. */
  wecomWebhookUrl?: string | null;
  /** For the WeCom robot (tests). */
  fetch?: FetchLike;
  /** Sandbox mode only: the fake API does not check subscribe consent. */
  assumeConsent?: boolean;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  policy?: Partial<OutboxPolicy>;
  customWindowMs?: number;
  binding?: StaffBindingOptions;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Links to the applicant's copy of each step's document, for the messages about it. */
  documents?: PlannerDeps['documents'];
}

export interface Notify {
  templates: NotifyTemplates;
  outbox: Outbox;
  consents: SubscribeConsents;
  binding: StaffBinding;
  /** One outbox pass (the `outbox` job). */
  runOutbox(): Promise<OutboxSummary>;
  /** Today's deadline reminders, then a pass to send them (the `deadline-reminders` job). */
  runDeadlineReminders(): Promise<RemindersResult>;
  /** The daily digest of unanswered bot questions (the `unanswered-digest` job). */
  runUnansweredDigest(): Promise<DigestResult>;
  /** Asks for a pass now, without waiting for it: call after recording an application event. */
  nudge(): void;
  /** The user wrote to or clicked in the official account: the customer-service window is open. */
  noteInteraction(openid: string, at?: Date): Promise<void>;
  /**
   * Queues a staff member's answer to a question the bot could not answer, for its asker. One per
   * question: a second is refused (conflict). Bad text: DomainError('validation').
   */
  replyToQuestion(reply: QuestionReply): Promise<void>;
  /** The answer given to a question and how its delivery stands, or undefined when none was given. */
  questionReply(questionId: string): Promise<QuestionReplyState | undefined>;
  /** For the bot: the answer to "绑定 123456" / "解除绑定", or null for any other text. */
  handleBindingMessage(openid: string, text: string): Promise<string | null>;
  /** Resolves when no pass is running; call before closing the store. */
  idle(): Promise<void>;
}

export interface QuestionReply {
  questionId: string;
  /** The asker (UnansweredQuestion.openid). */
  openid: string;
  /** The question as asked; the message quotes its beginning. */
  question: string;
  text: string;
  /** The staff member's username. */
  by: string;
}

export interface QuestionReplyState {
  text: string;
  by: string;
  at: string;
  /** undefined until the outbox has planned it (it does so on the pass the reply asks for). */
  delivery: Delivery | undefined;
}

/** The answer and the quoted question fit one WeChat message (≤ 600 characters) with the office's name. */
export const MAX_REPLY_LENGTH = 500;
const QUOTED_QUESTION_LENGTH = 40;

/** The office facts messages use, from data/agency.json. */
export function officeInfo(
  agency: Pick<Agency, 'name' | 'contactLine'> & Partial<Pick<Agency, 'reviewAuthority' | 'region'>> & { supplementPeriodWorkingDays?: unknown },
): OfficeInfo {
  return {
    name: agency.name,
    contact: agency.contactLine,
    reviewAuthority: reviewAuthorityOf(agency),
    supplementPeriodWorkingDays: officeSupplementPeriod(agency.supplementPeriodWorkingDays),
  };
}

/** Interactions closer together than this are not written again: the window is 48 hours. */
const INTERACTION_RESOLUTION_MS = 10 * 60_000;
/** How long a nudge waits for others to join its pass: unnoticeable to a citizen, long enough to batch a burst. */
const NUDGE_DELAY_MS = 25;

export function createNotify(deps: NotifyDeps): Notify {
  const clock = deps.clock ?? (() => new Date());
  // Resolved at each send, so a client built after createNotify (main builds it once it listens) is used.
  const client = typeof deps.wechat === 'function' ? deps.wechat : () => deps.wechat as WechatSender;
  const wechat: WechatSender = {
    sendTemplate: (m) => client().sendTemplate(m),
    sendBizSubscribe: (m) => client().sendBizSubscribe(m),
    sendMiniProgramSubscribe: (m) => client().sendMiniProgramSubscribe(m),
    sendCustomText: (to, text) => client().sendCustomText(to, text),
  };
  const wecom = deps.wecomWebhookUrl ? new WecomRobot(deps.wecomWebhookUrl, { fetch: deps.fetch }) : null;
  const channels = new Channels({
    wechat,
    wecom,
    templates: deps.templates,
    repo: deps.repo,
    clock,
    assumeConsent: deps.assumeConsent,
    miniprogramState: deps.miniprogramState,
    customWindowMs: deps.customWindowMs,
  });
  const planner = new Planner({
    applications: deps.applications,
    accounts: deps.accounts,
    templates: deps.templates,
    office: deps.office,
    calendar: deps.calendar,
    wecomConfigured: wecom !== null,
    documents: deps.documents,
  });
  const outbox = new Outbox({ repo: deps.repo, intents: deps.intents, planner, channels, clock, policy: deps.policy, logger: deps.logger });
  const consents = new SubscribeConsents(deps.repo, deps.templates, clock);
  const binding = new StaffBinding(deps.repo, deps.accounts, clock, deps.binding);

  const runPass = () => {
    outbox.run().catch((error: unknown) => {
      // A full disk was logged once by the store; the next pass tries again.
      if (!isStoreWriteError(error)) deps.logger?.error({ err: error }, 'outbox pass failed');
    });
  };
  // Nudges close together share one pass: a burst of submits is planned and sent together, and the
  // request that caused a notification is answered before the outbox's statements compete with it.
  let pending: NodeJS.Timeout | null = null;
  const nudge = () => {
    pending ??= setTimeout(() => {
      pending = null;
      runPass();
    }, NUDGE_DELAY_MS);
  };

  return {
    templates: deps.templates,
    outbox,
    consents,
    binding,
    runOutbox: () => outbox.run(),
    async runDeadlineReminders() {
      const result = await createDeadlineReminders({ applications: deps.applications, repo: deps.repo, calendar: deps.calendar, clock });
      if (result.created.length) nudge();
      return result;
    },
    async runUnansweredDigest() {
      const result = await createUnansweredDigest({ unanswered: deps.unanswered, repo: deps.repo, calendar: deps.calendar, clock });
      if (result.created) nudge();
      return result;
    },
    nudge,
    async noteInteraction(openid, at = clock()) {
      const last = await deps.repo.lastInteraction(openid);
      const recent = last && at.getTime() - Date.parse(last) < INTERACTION_RESOLUTION_MS && at.getTime() >= Date.parse(last);
      if (!recent) await deps.repo.noteInteraction(openid, at.toISOString());
      // Answers that could not reach this user go now, in the window this message opened.
      if (await outbox.wakeFor(openid)) nudge();
    },
    async replyToQuestion(reply) {
      const text = typeof reply.text === 'string' ? reply.text.trim() : '';
      if (text === '') throw new DomainError('validation', '请填写答复内容', { text: '请填写答复内容' });
      const length = Array.from(text).length;
      if (length > MAX_REPLY_LENGTH) {
        throw new DomainError('validation', `答复不超过${MAX_REPLY_LENGTH}字（现在${length}字），一条微信消息要能放下`, { text: `不超过${MAX_REPLY_LENGTH}字` });
      }
      // Masked like every notification: the quote may hold the asker's phone or ID number.
      const chars = Array.from(maskFreeText(reply.question.trim()));
      const question = chars.length > QUOTED_QUESTION_LENGTH ? `${chars.slice(0, QUOTED_QUESTION_LENGTH).join('')}…` : chars.join('');
      // The entry's key is the question's: the outbox plans and sends it once, whatever happens.
      const added = await deps.repo.addEntries([
        {
          key: questionReplyKey(reply.questionId),
          kind: QUESTION_REPLY_KIND,
          audience: 'applicant',
          applicationId: null,
          createdAt: clock().toISOString(),
          data: { openid: reply.openid, question, replyText: text, by: reply.by },
        },
      ]);
      if (added.length === 0) throw new DomainError('conflict', '这个问题已经答复过了，每个问题只答复一次');
      nudge();
    },
    async questionReply(questionId) {
      const key = questionReplyKey(questionId);
      const entry = await deps.repo.entry(key);
      if (!entry) return undefined;
      return { text: entry.data.replyText ?? '', by: entry.data.by ?? '', at: entry.createdAt, delivery: await deps.repo.delivery(key) };
    },
    handleBindingMessage: (openid, text) => binding.handleBindingMessage(openid, text),
    async idle() {
      // A pass still waiting for its moment runs now, so nothing nudged is left unsent.
      if (pending) {
        clearTimeout(pending);
        pending = null;
        runPass();
      }
      await outbox.idle();
    },
  };
}

function questionReplyKey(questionId: string): string {
  return `question-reply:${questionId}`;
}
