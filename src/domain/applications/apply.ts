/**
 * Creating an application and appending events to it. Every change is an appended event; the
 * checks here keep the history consistent: the status must allow the event (machine.ts) and its
 * date must fit the history and not lie in the future.
 */
import { isIsoDate, todayInChina } from '../calendar.js';
import { DomainError } from './errors.js';
import { readHistory, type History } from './history.js';
import { EVENT_LABELS } from './labels.js';
import { allowedEventTypes, refusalReason } from './machine.js';
import { earliestReceiptDate } from './periods.js';
import type { Application, ApplicationEvent, StaffEventType } from './types.js';

/**
 * A new application whose history is its submit event. `on` defaults to the China date of `at`.
 * `by` is 'applicant' for the mini-program and chat, or the registrar's username for paper,
 * fax and on-site requests entered by staff.
 */
export function createApplication<A extends Omit<Application, 'events'>>(
  fields: A,
  submitted: { at: string; by: string; on?: string },
): A & { events: ApplicationEvent[] } {
  const on = submitted.on ?? todayInChina(new Date(submitted.at));
  return { ...fields, events: [{ type: 'submit', on, at: submitted.at, by: submitted.by }] };
}

/**
 * The application with `event` appended, or a DomainError:
 * - 'invalid-transition' when the status does not allow the event (or it was already used up,
 *   like the one extension), with a Chinese message saying why;
 * - 'invalid-date' when the date is after `today`, before the receipt or before the previous
 *   event; a corrected receipt date may be earlier than before, but not after the first step
 *   that was taken on the strength of it. A first receipt may predate the submit event: a letter
 *   can be signed for before the registrar enters it.
 */
export function applyEvent<A extends Application>(app: A, event: ApplicationEvent, today: string): A {
  if (event.type === 'submit') {
    throw new DomainError('invalid-transition', '“提交申请”由系统在申请提交时自动记录，不能再次添加。');
  }
  const history = readHistory(app.events);
  const refusal = refusalReason(history, event.type);
  if (refusal) throw new DomainError('invalid-transition', refusal);

  const dateProblem = checkDate(history, event.type, event.on, today);
  if (dateProblem) throw new DomainError('invalid-date', dateProblem, { on: dateProblem });

  return { ...app, events: [...app.events, event] };
}

function checkDate(history: History, type: StaffEventType, on: string, today: string): string | null {
  if (!isIsoDate(on)) return '日期应为 YYYY-MM-DD 格式的有效日期';
  if (on > today) return `日期 ${on} 晚于今天（${today}），不能预先记录`;

  if (type === 'receive') {
    // A receipt date more than a year before the request was entered is a typing mistake (a wrong
    // year): it would make the request overdue at once. The console's register form limits it too.
    const earliest = history.submittedOn ? earliestReceiptDate(history.submittedOn) : null;
    if (earliest && on < earliest) {
      return `收到日期 ${on} 早于提交申请的日期（${history.submittedOn}）一年以上，请核对年份；收到日期不能早于 ${earliest}`;
    }
    const first = history.firstStep;
    if (first && on > first.on) {
      return `收到日期 ${on} 不能晚于已记录的“${EVENT_LABELS[first.type]}”日期（${first.on}）`;
    }
    return null;
  }
  if (history.latest) {
    if (on < history.latest.on) {
      return `日期 ${on} 不能早于上一条记录“${EVENT_LABELS[history.latest.type]}”的日期（${history.latest.on}）`;
    }
  } else if (history.receivedOn) {
    if (on < history.receivedOn) return `日期 ${on} 不能早于收到申请的日期（${history.receivedOn}）`;
  } else if (history.submittedOn && on < history.submittedOn) {
    return `日期 ${on} 不能早于提交申请的日期（${history.submittedOn}）`;
  }
  return null;
}

/** The application's status, from its events alone. */
export function currentStatus(app: Pick<Application, 'events'>) {
  return readHistory(app.events).status;
}

/** The staff event types that the application accepts now (status and one-time rules). */
export function allowedEvents(app: Pick<Application, 'events'>): StaffEventType[] {
  return allowedEventTypes(readHistory(app.events));
}
