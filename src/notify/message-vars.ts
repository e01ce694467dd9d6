// The values a message is filled with ({trackingNo}, {dueDate}, ...), taken from an application,
// the event that caused the message and the office. Pure: the caller passes the derived view and the
// calendar. Staff get personal data masked (docs/ARCHITECTURE.md, "Contracts"); applicants get none they do not know.
import type { Calendar } from '../domain/calendar.js';
import { CONSULTATION_WORKING_DAYS, FEE_PAYMENT_WORKING_DAYS, STATUTORY_PERIODS, chineseDate, outcomeOfEvent, supplementPeriodOf, type ApplicationEvent } from '../domain/applications/index.js';
import { getOutcome, isOutcomeId } from '../domain/outcomes.js';
import { remedyClause } from '../domain/remedies.js';
import { APPLICANT_TYPE_LABELS, DELIVERY_METHOD_LABELS, ORG_KIND_LABELS } from '../domain/application-form.js';
import { maskFreeText, maskName } from '../domain/masking.js';
import type { StoredApplication } from '../store/applications-repo.js';
import type { ApplicationView } from '../applications/view.js';
import { CHANNEL_NAMES, SUPPLEMENT_HOW, dueDateText, groundLine, provisionalNote, supplementReceivedLine, tellApplicant } from '../applications/applicant-text.js';
import { LINK_VALID_DAYS } from '../documents/applicant-links.js';

/** Every value a template may name; data/notify/templates.json is checked against this list. */
export const KNOWN_VARS: ReadonlySet<string> = new Set([
  // every message
  'office',
  'contact',
  'trackingNo',
  'applicationId',
  'eventDate',
  'dueDate',
  'statusLabel',
  /** Where the request stands, in the words of 查询进度 (src/applications/applicant-text.ts). */
  'statusText',
  /** Why a due date is provisional (its year's holidays are not yet announced), or nothing. */
  'dueDateNote',
  // applicant messages
  'receivedOn',
  'items',
  /** The 补正 items in at most 20 characters (a template's thing field): the first, and how many. */
  'itemsBrief',
  'supplementBy',
  /** The 补正 period's last day alone, for short template fields. */
  'supplementLastDay',
  /** How to send the 补正 on the channel the applicant used, or nothing. */
  'supplementHow',
  /** What a 补正 received means for the reply, with the new due date (the chat says the same). */
  'supplementReceivedLine',
  /** The link to this step's document (补正 notice, reply letter), or nothing: template messages open it. */
  'documentUrl',
  /** A line of its own, with its line break, naming and linking the step's document; or nothing. */
  'documentLine',
  'extensionDays',
  /** The last of a consultation's 15 working days (第三十二条、第三十四条). */
  'consultationEndsBy',
  'amount',
  'payBy',
  'outcomeLabel',
  'outcomeText',
  'delivery',
  /** A decision's 行政复议/行政诉讼 clause for its outcome (src/domain/remedies.ts). */
  'remedy',
  /** A refusal's ground (理由 and the 条例's articles), a line of its own with its line break; or nothing. */
  'groundLine',
  // a staff member's answer to a citizen's question
  'question',
  'replyText',
  // staff messages
  'applicantName',
  'applicantType',
  'channelLabel',
  'summary',
  'daysLeft',
  'messageLabel',
  'reason',
  'count',
  'samples',
  'since',
  // the statutory periods a text states ({replyWorkingDays}, {consultationWorkingDays} …): src/domain/applications/periods.ts
  ...Object.keys(STATUTORY_PERIODS),
]);

/** The statutory periods as a message prints them; every message is filled with them (templates.ts renderMessage). */
export const PERIOD_VARS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(STATUTORY_PERIODS).map(([name, value]) => [name, String(value)]),
);

export interface OfficeInfo {
  name: string;
  /** One line with the office's contact details (Agency.contactLine). */
  contact: string;
  /** The office's 补正 period, if it set one (agency.json supplementPeriodWorkingDays). */
  supplementPeriodWorkingDays: number | null;
  /** The 行政复议机关 a decision names; absent: 本级人民政府 (see domain/remedies.ts). */
  reviewAuthority?: string | null;
}


/**
 * Values for a message about `app`, caused by the event at `eventIndex` (null for reminders and
 * alerts, which are about the application as it stands today).
 */
export function applicationVars(
  app: StoredApplication,
  view: ApplicationView,
  eventIndex: number | null,
  audience: 'applicant' | 'staff',
  office: OfficeInfo,
  calendar: Calendar,
  today: string,
  /** The link to the document of the event's step, when it has one for the applicant. */
  documentUrl: string | null = null,
): Record<string, string> {
  const event: ApplicationEvent | undefined = eventIndex === null ? undefined : app.events[eventIndex];
  const vars: Record<string, string> = {
    office: office.name,
    contact: office.contact,
    trackingNo: app.trackingNo,
    applicationId: app.id,
    eventDate: chineseDate(event?.on ?? today),
    dueDate: view.dueDate ? dueDateText(view) : view.paused ? '暂停计算' : '待定',
    dueDateNote: provisionalNote(view),
    statusLabel: view.statusLabel,
    statusText: tellApplicant(view).line,
    documentUrl: documentUrl ?? '',
    documentLine: '',
    groundLine: '',
    supplementHow: '',
    supplementReceivedLine: supplementReceivedLine(view.dueDate ? dueDateText(view) : '待定'),
    // Staff reminders are about today's state; a consult-start message overrides it with its own date.
    consultationEndsBy: view.consultationEndsBy ? chineseDate(view.consultationEndsBy) : '—',
    receivedOn: view.receivedOn ? chineseDate(view.receivedOn) : '待确认',
    delivery: DELIVERY_METHOD_LABELS[app.delivery.method] ?? app.delivery.method,
  };
  if (event) Object.assign(vars, eventVars(event, office, calendar));
  if (event && audience === 'applicant') Object.assign(vars, applicantEventVars(app, event, documentUrl));
  if (audience === 'staff') Object.assign(vars, staffVars(app));
  return vars;
}

function eventVars(event: ApplicationEvent, office: OfficeInfo, calendar: Calendar): Record<string, string> {
  switch (event.type) {
    case 'request-supplement': {
      const period = supplementPeriodOf(event.days, office.supplementPeriodWorkingDays);
      // "N个工作日内" includes its last day: "X前" would read as the day before, so say 含当日.
      const lastDay = period ? chineseDate(calendar.addWorkingDays(event.on, period).date) : null;
      return {
        items: event.items.map((item, i) => `${i + 1}. ${item}`).join('\n'),
        itemsBrief: briefList(event.items, 20),
        supplementBy: lastDay ? `最迟于${lastDay}（含当日）` : '在补正告知书写明的期限内',
        supplementLastDay: lastDay ?? '见补正告知书',
      };
    }
    case 'consult-start':
      return { consultationEndsBy: chineseDate(calendar.addWorkingDays(event.on, CONSULTATION_WORKING_DAYS).date) };
    case 'extend':
      return { extensionDays: String(event.days) };
    case 'fee-notice':
      return { amount: formatYuan(event.amount), payBy: chineseDate(calendar.addWorkingDays(event.on, FEE_PAYMENT_WORKING_DAYS).date) };
    case 'decide':
    case 'supplement-expired':
    case 'fee-expired':
    case 'withdraw': {
      const outcome = outcomeOfEvent(event);
      if (!outcome || !isOutcomeId(outcome)) return {};
      const { label, citizenText } = getOutcome(outcome);
      return { outcomeLabel: label, outcomeText: citizenText, remedy: remedyClause(outcome, { reviewAuthority: office.reviewAuthority }) };
    }
    case 'deliver':
      return { delivery: DELIVERY_METHOD_LABELS[event.method] ?? event.method };
    default:
      return {};
  }
}

/** What only the applicant's message about `event` says: how to answer, the document, the ground. */
function applicantEventVars(app: StoredApplication, event: ApplicationEvent, documentUrl: string | null): Record<string, string> {
  const vars: Record<string, string> = {};
  const linked = (name: string) => (documentUrl ? `\n${name}全文（可打印，可下载Word版，${LINK_VALID_DAYS}日内有效）：${documentUrl}` : '');
  switch (event.type) {
    case 'request-supplement':
      vars.documentLine = linked('补正申请告知书');
      vars.supplementHow = SUPPLEMENT_HOW[app.channel]?.inMessage ?? '';
      break;
    case 'decide':
      vars.documentLine = linked('答复书');
      if (isOutcomeId(event.outcome)) {
        const ground = groundLine(event.outcome, event.ground);
        vars.groundLine = ground ? `\n${ground}` : '';
      }
      break;
    case 'deliver':
    case 'supplement-expired':
    case 'fee-expired':
      vars.documentLine = linked('答复书');
      break;
    default:
      break;
  }
  return vars;
}

/** Who applied and what for, masked: staff alerts travel through WeChat and group chats. */
function staffVars(app: StoredApplication): Record<string, string> {
  const a = app.applicant;
  const applicantName = a.type === 'person' ? maskName(a.name) : a.name;
  const applicantType = a.type === 'person' ? APPLICANT_TYPE_LABELS.person : (ORG_KIND_LABELS[a.orgKind] ?? APPLICANT_TYPE_LABELS.organization);
  const description = maskFreeText(app.request.description.replace(/\s+/g, ' ').trim());
  const chars = [...description];
  return {
    applicantName,
    applicantType,
    channelLabel: CHANNEL_NAMES[app.channel] ?? app.channel,
    summary: chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : description,
  };
}

/** Values for a message about no application (the digest). */
export function officeVars(office: OfficeInfo, today: string): Record<string, string> {
  return { office: office.name, contact: office.contact, trackingNo: '-', eventDate: chineseDate(today), dueDate: '—', statusLabel: '—' };
}

/** "申请的具体年份等2项", within `limit` characters. */
function briefList(items: readonly string[], limit: number): string {
  const suffix = items.length > 1 ? `等${items.length}项` : '';
  const first = [...(items[0] ?? '')];
  const room = limit - [...suffix].length;
  return (first.length > room ? `${first.slice(0, room - 1).join('')}…` : first.join('')) + suffix;
}

function formatYuan(amount: number): string {
  return Number.isInteger(amount) ? String(amount) : amount.toFixed(2);
}
