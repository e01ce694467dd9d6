/**
 * The application state machine, in one place: which event each status allows and where it
 * leads, the few rules that depend on more than the status, and why anything else is refused.
 */
import type { History } from './history-types.js';
import type { OutcomeSettingEventType } from './closing.js';
import { EVENT_LABELS } from './labels.js';
import { APPLICATION_STATUSES, type ApplicationStatus, type StaffEventType } from './types.js';

type Transitions = Readonly<Record<ApplicationStatus, Readonly<Partial<Record<StaffEventType, ApplicationStatus>>>>>;

/**
 * status → allowed event → next status. An event missing from a status's row is refused.
 * `receive` in a received application corrects the receipt date (第三十一条) and keeps the status.
 * `withdraw` is open until a reply is decided. Nothing follows 'delivered' or 'closed'.
 */
export const TRANSITIONS: Transitions = {
  submitted: {
    receive: 'processing',
    withdraw: 'closed',
  },
  processing: {
    receive: 'processing',
    'request-supplement': 'awaiting-supplement',
    'consult-start': 'consulting',
    extend: 'processing',
    'fee-notice': 'awaiting-fee',
    decide: 'decided',
    withdraw: 'closed',
  },
  'awaiting-supplement': {
    receive: 'awaiting-supplement',
    'supplement-received': 'processing',
    'supplement-expired': 'closed',
    withdraw: 'closed',
  },
  consulting: {
    receive: 'consulting',
    'consult-end': 'processing',
    extend: 'consulting',
    withdraw: 'closed',
  },
  'awaiting-fee': {
    receive: 'awaiting-fee',
    extend: 'awaiting-fee',
    'fee-paid': 'processing',
    'fee-expired': 'closed',
    withdraw: 'closed',
  },
  decided: {
    deliver: 'delivered',
  },
  delivered: {},
  closed: {},
};

/** Statuses nothing follows: the request is over (the rows of TRANSITIONS without an event). */
export const FINISHED_STATUSES: ReadonlySet<ApplicationStatus> = new Set(
  APPLICATION_STATUSES.filter((status) => Object.keys(TRANSITIONS[status]).length === 0),
);

/** The request is over (delivered or closed): no due date to keep, nothing left to record. */
export function isFinished(status: ApplicationStatus): boolean {
  return FINISHED_STATUSES.has(status);
}

/** Rules beyond the status: a guard returns why the event is refused, or null. */
const GUARDS: Readonly<Partial<Record<StaffEventType, (history: History) => string | null>>> = {
  extend: (h) => (h.extension ? '已延期过一次，不能再次延期（第三十三条）' : null),
  // 第三十条: the office tells the applicant once (一次性告知) everything to supply; a second request
  // would restart the 20 days again at will.
  'request-supplement': (h) =>
    h.supplementRequests.length > 0 ? '已经要求过一次补正；补正事项应一次性告知，不能再次要求补正（第三十条）' : null,
};

/** Events that only make sense in one status, and what is missing when they come elsewhere. */
const PRECONDITIONS: Readonly<Partial<Record<StaffEventType, string>>> = {
  'supplement-received': '没有等待中的补正要求',
  'supplement-expired': '没有等待中的补正要求',
  'consult-end': '没有进行中的征求意见',
  'fee-paid': '没有待缴的信息处理费',
  'fee-expired': '没有待缴的信息处理费',
  deliver: '尚未作出答复',
};

/** Why a status blocks what it does not allow. */
const BLOCKED_BECAUSE: Readonly<Record<ApplicationStatus, (h: History) => string>> = {
  submitted: () => '尚未确认收到申请，请先记录收到申请的日期（第三十一条）',
  processing: () => '办理中的申请不能记录这一事项',
  'awaiting-supplement': () => '正在等待申请人补正，请先记录收到补正或补正逾期（第三十条）',
  consulting: () => '正在征求意见，请先记录征求意见结束（第三十三条）',
  'awaiting-fee': () => '正在等待缴纳信息处理费，请先记录已缴费或逾期未缴费（第四十二条）',
  decided: () => '已经作出答复，只能记录送达',
  delivered: () => '答复已经送达，办理已经结束',
  closed: (h) => `申请已经终止办理（${h.closing && h.closing.by !== 'decide' ? CLOSED_BECAUSE[h.closing.by] : '已终止'}）`,
};

const CLOSED_BECAUSE: Readonly<Record<OutcomeSettingEventType, string>> = {
  withdraw: '申请人已撤回',
  'supplement-expired': '逾期未补正',
  'fee-expired': '逾期未缴信息处理费',
};

/** The status after the event, or undefined when the status does not allow it. */
export function nextStatus(status: ApplicationStatus, type: StaffEventType): ApplicationStatus | undefined {
  return TRANSITIONS[status][type];
}

/** Why the event cannot be recorded now (a Chinese sentence), or null when it can. */
export function refusalReason(history: History, type: StaffEventType): string | null {
  const label = EVENT_LABELS[type];
  if (nextStatus(history.status, type) === undefined) {
    const final = history.status === 'decided' || history.status === 'delivered' || history.status === 'closed';
    const reason = !final && PRECONDITIONS[type] ? PRECONDITIONS[type] : BLOCKED_BECAUSE[history.status](history);
    return `不能记录“${label}”：${reason}。`;
  }
  const guard = GUARDS[type]?.(history);
  return guard ? `不能记录“${label}”：${guard}。` : null;
}

/** The events that could be recorded now, in the order of STAFF_EVENT_TYPES' table rows. */
export function allowedEventTypes(history: History): StaffEventType[] {
  return (Object.keys(TRANSITIONS[history.status]) as StaffEventType[]).filter((type) => refusalReason(history, type) === null);
}
