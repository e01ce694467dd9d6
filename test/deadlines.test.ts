import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createCalendar, type Calendar } from '../src/domain/calendar.js';
import {
  applyEvent,
  createApplication,
  deriveState,
  stampEvent,
  validateEvent,
  type Application,
  type ApplicationState,
} from '../src/domain/applications/index.js';
import { readHolidayFiles } from '../src/store/holiday-files.js';

let calendar: Calendar;
test.before(async () => {
  calendar = createCalendar(await readHolidayFiles(fileURLToPath(new URL('../data/holidays', import.meta.url))));
});

type Step = Record<string, unknown> & { type: string; on: string };

/** An application built the way the service will build one: validate, stamp, apply. */
function build(steps: Step[], submittedOn = steps[0]?.on ?? '2025-01-01'): Application {
  let app: Application = createApplication(
    {
      id: 'app-1',
      trackingNo: 'GK-2025-0001',
      createdAt: `${submittedOn}T01:00:00.000Z`,
      applicant: { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800000000' },
      request: { description: '人防工程建设审批信息' },
      delivery: { form: 'electronic', method: 'email' },
    },
    { at: `${submittedOn}T01:00:00.000Z`, by: 'applicant' },
  );
  for (const step of steps) {
    const checked = validateEvent(step);
    if (!checked.ok) throw new Error(checked.message);
    app = applyEvent(app, stampEvent(checked.event, 'handler1', `${step.on}T02:00:00.000Z`), '2030-12-31');
  }
  return app;
}

const receive = (on: string): Step => ({ type: 'receive', on });

// Each case: events, today, and the expected derived fields (dates counted by hand from the notices).
const cases: { name: string; steps: Step[]; today: string; expect: Partial<ApplicationState> }[] = [
  {
    name: 'not yet received: no clock',
    steps: [],
    today: '2025-10-10',
    expect: { status: 'submitted', receivedOn: null, dueDate: null, supplementNoticeDue: null, paused: false, overdue: false },
  },
  {
    name: 'reference example: received Thu 2025-09-25, due 2025-10-29 across 国庆',
    steps: [receive('2025-09-25')],
    today: '2025-10-29',
    expect: {
      status: 'processing', receivedOn: '2025-09-25', clockStart: '2025-09-25', dueDate: '2025-10-29',
      supplementNoticeDue: '2025-10-11', paused: false, overdue: false, dueDateProvisional: false, extensionDays: 0,
    },
  },
  {
    name: 'overdue the day after the due date',
    steps: [receive('2025-09-25')],
    today: '2025-10-30',
    expect: { dueDate: '2025-10-29', overdue: true },
  },
  {
    name: 'a corrected receipt date moves the clock',
    steps: [receive('2025-09-26'), receive('2025-09-25')],
    today: '2025-10-10',
    expect: { receivedOn: '2025-09-25', dueDate: '2025-10-29' },
  },
  {
    name: 'extension of 20 working days',
    steps: [receive('2025-09-25'), { type: 'extend', on: '2025-10-20', days: 20 }],
    today: '2025-11-01',
    expect: { dueDate: '2025-11-26', extensionDays: 20, overdue: false },
  },
  {
    name: 'open consultation: clock paused, no due date, the pause ends by the 15th working day (第三十二条)',
    steps: [receive('2025-09-25'), { type: 'consult-start', on: '2025-10-09', party: '某建设公司' }],
    today: '2025-10-29',
    expect: { status: 'consulting', dueDate: null, paused: true, overdue: false, clockStart: '2025-09-25', consultationEndsBy: '2025-10-29' },
  },
  {
    // Before 2026-12 an unanswered consultation paused the clock for ever; 第三十二条/第三十四条 give 15 working days.
    name: 'unanswered past its 15 working days: the pause stops at the limit, so the request can be overdue',
    steps: [receive('2025-09-25'), { type: 'consult-start', on: '2025-10-09', party: '某建设公司' }],
    today: '2025-12-31',
    expect: { status: 'consulting', dueDate: '2025-11-19', paused: false, pausedWorkingDays: 15, overdue: true, consultationEndsBy: null },
  },
  {
    name: 'a late answer pauses no more than 15 working days',
    steps: [receive('2025-09-25'), { type: 'consult-start', on: '2025-10-09', party: '市住建局' }, { type: 'consult-end', on: '2025-11-14' }],
    today: '2025-11-14',
    expect: { status: 'processing', dueDate: '2025-11-19', pausedWorkingDays: 15, overdue: false },
  },
  {
    name: 'closed consultation adds its working days (10/10, make-up 10/11, 10/13–10/17, 10/20)',
    steps: [
      receive('2025-09-25'),
      { type: 'consult-start', on: '2025-10-09', party: '某建设公司' },
      { type: 'consult-end', on: '2025-10-20' },
    ],
    today: '2025-11-10',
    expect: { status: 'processing', pausedWorkingDays: 8, dueDate: '2025-11-10', paused: false, overdue: false },
  },
  {
    name: '补正 outstanding: clock waits',
    steps: [receive('2025-03-03'), { type: 'request-supplement', on: '2025-03-05', items: ['请写明所需信息的文号'] }],
    today: '2025-06-30',
    expect: {
      status: 'awaiting-supplement', dueDate: null, clockStart: null, paused: true, overdue: false,
      supplementNoticeDue: '2025-03-12',
    },
  },
  {
    name: '补正 received: the 20 days restart from it (skipping 清明 4/4)',
    steps: [
      receive('2025-03-03'),
      { type: 'request-supplement', on: '2025-03-05', items: ['请写明所需信息的文号'] },
      { type: 'supplement-received', on: '2025-03-12', text: '文号为某人防〔2024〕3号' },
    ],
    today: '2025-04-10',
    expect: { status: 'processing', clockStart: '2025-03-12', dueDate: '2025-04-10', supplementNoticeDue: '2025-03-12', overdue: false },
  },
  {
    name: 'combined: 补正 restart, consultation (5 days) and a 10-day extension (counting make-up 4/27)',
    steps: [
      receive('2025-03-03'),
      { type: 'request-supplement', on: '2025-03-05', items: ['文号'] },
      { type: 'supplement-received', on: '2025-03-12' },
      { type: 'consult-start', on: '2025-03-20', party: '市住建局' },
      { type: 'consult-end', on: '2025-03-27' },
      { type: 'extend', on: '2025-04-01', days: 10 },
    ],
    today: '2025-05-06',
    expect: { clockStart: '2025-03-12', pausedWorkingDays: 5, extensionDays: 10, dueDate: '2025-04-30', overdue: true },
  },
  {
    name: 'a consultation before the clock restarted extends nothing',
    steps: [
      receive('2025-03-03'),
      { type: 'consult-start', on: '2025-03-04', party: '某公司' },
      { type: 'consult-end', on: '2025-03-06' },
      { type: 'request-supplement', on: '2025-03-07', items: ['文号'] },
      { type: 'supplement-received', on: '2025-03-12' },
    ],
    today: '2025-03-20',
    expect: { pausedWorkingDays: 0, dueDate: '2025-04-10' },
  },
  {
    name: 'a fee notice does not pause the clock (DESIGN.md)',
    steps: [receive('2025-09-25'), { type: 'fee-notice', on: '2025-10-10', amount: 300 }],
    today: '2025-10-30',
    expect: { status: 'awaiting-fee', dueDate: '2025-10-29', paused: false, overdue: true },
  },
  {
    name: 'fee paid: back to processing, same due date',
    steps: [receive('2025-09-25'), { type: 'fee-notice', on: '2025-10-10', amount: 300 }, { type: 'fee-paid', on: '2025-10-15' }],
    today: '2025-10-20',
    expect: { status: 'processing', dueDate: '2025-10-29', overdue: false },
  },
  {
    // 元旦 2027-01-01 is off by law before the notice (issue 17, point 8; this used to expect 2027-01-07).
    name: 'uncovered 2027: due date counted Monday–Friday less the law’s holidays, and flagged',
    steps: [receive('2026-12-10')],
    today: '2026-12-11',
    expect: { dueDate: '2027-01-08', supplementNoticeDue: '2026-12-21', dueDateProvisional: true },
  },
  {
    name: 'inside covered 2026: not flagged',
    steps: [receive('2026-12-01')],
    today: '2026-12-02',
    expect: { dueDate: '2026-12-29', dueDateProvisional: false },
  },
  {
    name: 'a consultation pushes the due date into 2027: flagged',
    steps: [
      receive('2026-12-01'),
      { type: 'consult-start', on: '2026-12-10', party: '某公司' },
      { type: 'consult-end', on: '2026-12-31' },
    ],
    today: '2027-01-05',
    expect: { pausedWorkingDays: 15, dueDate: '2027-01-20', dueDateProvisional: true },
  },
  {
    name: 'decided: closed on the decision date, never overdue, due date kept',
    steps: [receive('2025-09-25'), { type: 'decide', on: '2025-11-03', outcome: 'granted' }],
    today: '2025-12-01',
    expect: {
      status: 'decided', outcome: 'granted', decidedOn: '2025-11-03', closedOn: '2025-11-03', dueDate: '2025-10-29', overdue: false,
    },
  },
  {
    name: 'delivered',
    steps: [receive('2025-09-25'), { type: 'decide', on: '2025-10-20', outcome: 'partial' }, { type: 'deliver', on: '2025-10-21', method: 'email' }],
    today: '2025-12-01',
    expect: { status: 'delivered', outcome: 'partial', closedOn: '2025-10-20', deliveredOn: '2025-10-21', overdue: false },
  },
  {
    name: 'withdrawn: closed, outcome other',
    steps: [receive('2025-09-25'), { type: 'withdraw', on: '2025-10-09' }],
    today: '2025-12-01',
    expect: { status: 'closed', outcome: 'other', closedOn: '2025-10-09', overdue: false },
  },
  {
    name: '补正 expired: closed without a reply clock',
    steps: [
      receive('2025-03-03'),
      { type: 'request-supplement', on: '2025-03-05', items: ['文号'] },
      { type: 'supplement-expired', on: '2025-03-31' },
    ],
    today: '2025-06-01',
    expect: { status: 'closed', outcome: 'other-no-supplement', closedOn: '2025-03-31', dueDate: null, paused: false, overdue: false },
  },
  {
    name: 'fee unpaid: closed',
    steps: [receive('2025-09-25'), { type: 'fee-notice', on: '2025-10-10', amount: 300 }, { type: 'fee-expired', on: '2025-11-10' }],
    today: '2025-12-01',
    expect: { status: 'closed', outcome: 'other-fee-unpaid', closedOn: '2025-11-10', overdue: false },
  },
  {
    name: 'withdrawn before receipt: closed, never received',
    steps: [{ type: 'withdraw', on: '2025-09-26' }],
    today: '2025-09-26',
    expect: { status: 'closed', receivedOn: null, outcome: 'other', closedOn: '2025-09-26', dueDate: null },
  },
];

for (const c of cases) {
  test(`deadline: ${c.name}`, (t) => {
    const state = deriveState(build(c.steps), calendar, c.today);
    const actual = Object.fromEntries(Object.keys(c.expect).map((k) => [k, state[k as keyof ApplicationState]]));
    t.deepEqual(actual, c.expect);
  });
}

test('deadline results do not change with the process time zone', (t) => {
  const app = build(stepsOf('combined'));
  const before = deriveState(app, calendar, '2025-05-06');
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'America/Los_Angeles';
    t.not(new Date(Date.UTC(2025, 0, 1)).getTimezoneOffset(), 0);
    t.deepEqual(deriveState(app, calendar, '2025-05-06'), before);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

/** The steps of the case whose name starts with `prefix`. */
function stepsOf(prefix: string): Step[] {
  const found = cases.find((c) => c.name.startsWith(prefix));
  if (!found) throw new Error(`no case ${prefix}`);
  return found.steps;
}

function explain(steps: Step[], today: string): string[] {
  return deriveState(build(steps), calendar, today).explanation;
}
const hasLine = (lines: string[], ...parts: string[]) => lines.some((line) => parts.every((p) => line.includes(p)));

test('explanation: start, 20 days, each holiday and weekend skipped, each make-up day counted', (t) => {
  const lines = explain([receive('2025-09-25')], '2025-10-01');
  t.true(hasLine(lines, '2025年9月25日（周四）收到申请', '第三十一条'));
  t.true(hasLine(lines, '收到申请的次日起算'));
  t.true(hasLine(lines, '20个工作日', '第三十三条'));
  t.true(hasLine(lines, '不计', '2025年9月27日（周六）', '周末'));
  t.true(hasLine(lines, '计入', '2025年9月28日（周日）', '调休上班'));
  t.true(hasLine(lines, '不计', '2025年10月1日至2025年10月8日', '国庆节、中秋节放假'));
  t.true(hasLine(lines, '计入', '2025年10月11日（周六）', '调休上班'));
  t.true(hasLine(lines, '不计', '2025年10月25日至2025年10月26日', '周末'));
  t.true(hasLine(lines, '7个工作日', '不晚于2025年10月11日（周六，调休上班日）', '第三十条'));
  t.is(lines.filter((l) => l.startsWith('不计')).length, 5, '9/27, 10/1–8, 10/12, 10/18–19, 10/25–26 and nothing else');
  t.is(lines.at(-1), '答复期限：2025年10月29日（周三）。');
  t.false(hasLine(lines, '注意'));
});

test('explanation: restart after 补正, the extension, the paused range and the total', (t) => {
  const lines = explain(stepsOf('combined'), '2025-05-06');
  t.true(hasLine(lines, '2025年3月5日要求补正', '文号'));
  t.true(hasLine(lines, '收到补正之日（2025年3月12日（周三））', '重新计算', '第三十条'));
  t.true(hasLine(lines, '延长答复期限10个工作日'));
  t.true(hasLine(lines, '市住建局', '2025年3月20日至2025年3月27日', '5个工作日不计入', '第三十三条第三款'));
  t.true(hasLine(lines, '合计 20 + 10（延期） + 5（征求意见） = 35 个工作日'));
  t.true(hasLine(lines, '不计', '2025年4月4日至2025年4月6日', '清明节放假'));
  t.true(hasLine(lines, '计入', '2025年4月27日（周日）', '劳动节调休上班'));
  t.true(hasLine(lines, '答复期限：2025年4月30日'));
});

test('explanation: waiting states say the clock is stopped', (t) => {
  t.true(hasLine(explain(stepsOf('open consultation'), '2025-10-10'), '某建设公司', '尚未结束', '期限暂停'));
  t.true(hasLine(explain(stepsOf('补正 outstanding'), '2025-03-06'), '等待申请人补正', '重新计算'));
  t.true(hasLine(explain([], '2025-03-06'), '尚未确认收到申请'));
  t.true(hasLine(explain(stepsOf('a fee notice'), '2025-10-10'), '收费通知', '300元', '照常计算'));
});

test('explanation: a late 补正 notice and a late decision are pointed out', (t) => {
  const lines = explain(
    [
      receive('2025-03-03'),
      { type: 'request-supplement', on: '2025-03-13', items: ['文号'] },
      { type: 'supplement-received', on: '2025-03-14' },
      { type: 'decide', on: '2025-04-15', outcome: 'unavailable-unclear' },
    ],
    '2025-05-01',
  );
  t.true(hasLine(lines, '不晚于2025年3月12日', '实际于2025年3月13日告知，晚于该期限'));
  t.true(hasLine(lines, '2025年4月15日作出答复，晚于答复期限'));
});

test('explanation: an uncovered year is named with a warning', (t) => {
  const lines = explain([receive('2026-12-10')], '2026-12-11');
  t.true(hasLine(lines, '注意', '2027年', '周一至周五', '仅供参考'));
  t.is(lines.filter((l) => l.startsWith('注意')).length, 1);
});

test('explanation: closing lines', (t) => {
  t.true(hasLine(explain(stepsOf('withdrawn:'), '2025-12-01'), '撤回申请'));
  t.true(hasLine(explain(stepsOf('补正 expired'), '2025-12-01'), '视为放弃申请', '第三十条'));
  t.true(hasLine(explain(stepsOf('fee unpaid'), '2025-12-01'), '逾期未缴纳信息处理费', '第四十二条'));
  t.true(hasLine(explain(stepsOf('delivered'), '2025-12-01'), '2025年10月21日答复已送达'));
});

test('deriveState refuses a malformed today', (t) => {
  t.throws(() => deriveState(build([]), calendar, '2025/10/01'), { instanceOf: RangeError });
});
