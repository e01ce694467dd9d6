/**
 * The state of an application on a given day, derived from its events and the calendar. This is
 * what the API shows at the application's top level and what reminders and the report read.
 */
import { isIsoDate, type Calendar } from '../calendar.js';
import type { OutcomeId } from '../outcomes.js';
import { computeDeadline } from './deadline.js';
import { readHistory, type History } from './history.js';
import { chineseDate } from './labels.js';
import type { Application, ApplicationStatus } from './types.js';

export interface ApplicationState {
  status: ApplicationStatus;
  submittedOn: string | null;
  receivedOn: string | null;
  /** The date after which the reply days are counted (receipt, or the latest 补正). */
  clockStart: string | null;
  /** Null before receipt, while a 补正 is outstanding, and while a consultation is open. */
  dueDate: string | null;
  /** The clock is stopped: a 补正 is awaited or a consultation is open. */
  paused: boolean;
  pausedWorkingDays: number;
  /** A date above was computed over a year the calendar does not cover (Monday–Friday guess). */
  dueDateProvisional: boolean;
  /** addWorkingDays(receivedOn, 7), kept after the notice is sent; null before receipt. */
  supplementNoticeDue: string | null;
  /** While a consultation pauses the clock: the last of the consulted party's 15 working days, when the pause ends at the latest. */
  consultationEndsBy: string | null;
  /** The clock runs (processing or awaiting-fee) and today is after the due date. */
  overdue: boolean;
  outcome: OutcomeId | null;
  decidedOn: string | null;
  deliveredOn: string | null;
  /** Date of decide, withdraw, supplement-expired or fee-expired: when the report counts it closed. */
  closedOn: string | null;
  extensionDays: number;
  /** Plain-Chinese lines for staff: how the dates were reached. */
  explanation: string[];
}

/** Statuses in which the reply clock runs, so a passed due date means overdue (a fee notice does not stop it: docs/ARCHITECTURE.md, "Deadlines"). */
const CLOCK_RUNS: ReadonlySet<ApplicationStatus> = new Set(['processing', 'awaiting-fee']);

/**
 * The reply clock runs: in processing and awaiting-fee, and in a consultation whose 15 working days
 * ran out unanswered (第三十二条、第三十四条), which no longer pauses it. The one place this rule is
 * written: the view's `overdue` and the staff reminders both follow it.
 */
export function replyClockRuns(state: { status: ApplicationStatus; paused: boolean }): boolean {
  return CLOCK_RUNS.has(state.status) || (state.status === 'consulting' && !state.paused);
}

export function deriveState(app: Pick<Application, 'events'>, calendar: Calendar, today: string): ApplicationState {
  if (!isIsoDate(today)) throw new RangeError(`today must be a YYYY-MM-DD date, got ${JSON.stringify(today)}`);
  const h = readHistory(app.events);
  const deadline = computeDeadline(h, calendar, today);
  const closing = closingLine(h);
  return {
    status: h.status,
    submittedOn: h.submittedOn,
    receivedOn: h.receivedOn,
    clockStart: deadline.clockStart,
    dueDate: deadline.dueDate,
    paused: deadline.paused,
    pausedWorkingDays: deadline.pausedWorkingDays,
    dueDateProvisional: deadline.provisional,
    supplementNoticeDue: deadline.supplementNoticeDue,
    consultationEndsBy: deadline.consultationEndsBy,
    overdue: replyClockRuns({ status: h.status, paused: deadline.paused }) && deadline.dueDate !== null && today > deadline.dueDate,
    outcome: h.outcome,
    decidedOn: h.decision?.on ?? null,
    deliveredOn: h.deliveredOn,
    closedOn: h.closing?.on ?? null,
    extensionDays: h.extension?.days ?? 0,
    explanation: closing ? [...deadline.explanation, closing] : deadline.explanation,
  };
}

function closingLine(h: History): string | null {
  if (h.deliveredOn) return `${chineseDate(h.deliveredOn)}答复已送达。`;
  switch (h.closing?.by) {
    case 'withdraw':
      return `${chineseDate(h.closing.on)}申请人撤回申请，办理终止。`;
    case 'supplement-expired':
      return `${chineseDate(h.closing.on)}补正期限届满，申请人未补正，视为放弃申请（第三十条）。`;
    case 'fee-expired':
      return `${chineseDate(h.closing.on)}申请人逾期未缴纳信息处理费，视为放弃申请（第四十二条）。`;
    default:
      return null;
  }
}
