// The statutory rules that used to be written in several places, now exported once by the domain:
// what each says, and that the state, the reminders and the notifications read the same answer.
import test from 'ava';
import path from 'node:path';
import {
  APPLICATION_STATUSES,
  CLOSING_EVENT_OUTCOMES,
  CLOSING_EVENT_TYPES,
  FINISHED_STATUSES,
  MAX_EXTENSION_DAYS,
  REPLY_WORKING_DAYS,
  TRANSITIONS,
  deriveState,
  earliestReceiptDate,
  isClosingEventType,
  isFinished,
  isSetByExpiryEvent,
  officeSupplementPeriod,
  outcomeOfEvent,
  replyClockRuns,
  supplementPeriodOf,
  validateEvent,
  type ApplicationEvent,
  type ApplicationStatus,
} from '../src/domain/applications/index.js';
import { OUTCOME_IDS } from '../src/domain/outcomes.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { reminderFor } from '../src/notify/reminders.js';
import { tempDir } from './helpers/temp.js';

const CONTENT = path.resolve(import.meta.dirname, '..', 'data');
const stamp = { at: '2026-01-01T00:00:00.000Z', by: 'han' };

test('the reply clock runs in processing and awaiting-fee, and in a consultation only once it no longer pauses', (t) => {
  const runs = (status: ApplicationStatus, paused: boolean) => replyClockRuns({ status, paused });
  t.deepEqual(
    APPLICATION_STATUSES.filter((s) => runs(s, false)),
    ['processing', 'consulting', 'awaiting-fee'],
  );
  t.deepEqual(
    APPLICATION_STATUSES.filter((s) => runs(s, true)),
    ['processing', 'awaiting-fee'],
  );
});

test('a consultation past its 15 working days: the view says overdue exactly when the reminder says so', async (t) => {
  const calendar = (await CalendarSource.open(CONTENT, await tempDir(t))).current();
  const events: ApplicationEvent[] = [
    { type: 'submit', on: '2025-09-01', ...stamp },
    { type: 'receive', on: '2025-09-01', ...stamp },
    { type: 'consult-start', on: '2025-09-02', party: '某公司', ...stamp },
  ];
  let sawOverdue = false;
  let sawRunning = false;
  for (const today of ['2025-09-10', '2025-09-25', '2025-10-20', '2025-10-31', '2025-11-20']) {
    const state = deriveState({ events }, calendar, today);
    const reminder = reminderFor(state, today, calendar);
    t.is(reminder?.threshold === 'overdue', state.overdue, today);
    if (state.paused) {
      t.is(state.dueDate, null, `${today}: paused, no due date`);
      t.is(reminder, null, `${today}: nothing to remind while paused`);
    } else {
      sawRunning = true;
      t.true(replyClockRuns(state), today);
    }
    sawOverdue ||= state.overdue;
  }
  t.true(sawRunning, 'the 15 days ran out within the dates tried');
  t.true(sawOverdue, 'and the due date passed');
});

test('the outcome a closing event sets, and the events that close a request', (t) => {
  t.deepEqual(CLOSING_EVENT_OUTCOMES, { withdraw: 'other', 'supplement-expired': 'other-no-supplement', 'fee-expired': 'other-fee-unpaid' });
  t.deepEqual([...CLOSING_EVENT_TYPES].sort(), ['decide', 'fee-expired', 'supplement-expired', 'withdraw']);
  t.true(isClosingEventType('decide'));
  t.false(isClosingEventType('deliver'));
  t.is(outcomeOfEvent({ type: 'decide', on: '2026-01-05', outcome: 'partial', ground: 'withheld-third-party', ...stamp }), 'partial');
  t.is(outcomeOfEvent({ type: 'fee-expired', on: '2026-01-05', ...stamp }), 'other-fee-unpaid');
  t.is(outcomeOfEvent({ type: 'withdraw', on: '2026-01-05', ...stamp }), 'other');
  t.is(outcomeOfEvent({ type: 'deliver', on: '2026-01-05', method: 'email', ...stamp }), null);
  t.deepEqual(OUTCOME_IDS.filter(isSetByExpiryEvent), ['other-no-supplement', 'other-fee-unpaid']);
});

test('a request is finished when the state machine allows nothing more: delivered or closed', (t) => {
  t.deepEqual([...FINISHED_STATUSES], ['delivered', 'closed']);
  for (const status of APPLICATION_STATUSES) t.is(isFinished(status), Object.keys(TRANSITIONS[status]).length === 0, status);
});

test('the 补正 period: the clerk’s days, else the office’s, only when they are a usable number of working days', (t) => {
  t.is(supplementPeriodOf(10, 15), 10);
  t.is(supplementPeriodOf(undefined, 15), 15);
  t.is(supplementPeriodOf(undefined, null), null);
  for (const bad of [0, -3, 2.5, '15', 61, Number.NaN]) t.is(officeSupplementPeriod(bad), null, String(bad));
  t.is(officeSupplementPeriod(60), 60);
});

test('a receipt date reaches back one year at most, 29 February included', (t) => {
  t.is(earliestReceiptDate('2026-11-30'), '2025-11-30');
  t.is(earliestReceiptDate('2024-02-29'), '2023-02-28');
  t.is(earliestReceiptDate('2026-01-01'), '2025-01-01');
});

test('the periods the checks enforce are the exported ones', (t) => {
  t.is(REPLY_WORKING_DAYS, 20);
  t.true(validateEvent({ type: 'extend', on: '2026-01-05', days: MAX_EXTENSION_DAYS }).ok);
  const refused = validateEvent({ type: 'extend', on: '2026-01-05', days: MAX_EXTENSION_DAYS + 1 });
  t.false(refused.ok);
  t.regex(refused.ok ? '' : refused.message, new RegExp(`最长不得超过${MAX_EXTENSION_DAYS}个工作日`));
});
