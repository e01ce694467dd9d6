// What the applicant is told in each state (src/applications/applicant-text.ts): one line per state,
// built from real histories on the real calendar, as 查询进度, /mp/v1 and the notifications say it.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createCalendar, type Calendar } from '../src/domain/calendar.js';
import { readHolidayFiles } from '../src/store/holiday-files.js';
import { APPLICATION_STATUSES, applyEvent, createApplication, stampEvent, type ApplicationStatus, type EventInput } from '../src/domain/applications/index.js';
import { OUTCOME_IDS, getOutcome } from '../src/domain/outcomes.js';
import { toView } from '../src/applications/view.js';
import { APPLICANT_STATUS, groundLine, isRefusal, tellApplicant } from '../src/applications/applicant-text.js';
import type { StoredApplication } from '../src/store/applications-repo.js';

let calendar: Calendar;
test.before(async () => {
  calendar = createCalendar(await readHolidayFiles(fileURLToPath(new URL('../data/holidays', import.meta.url))));
});

function history(events: Array<Partial<EventInput> & { type: EventInput['type']; on: string }>, submittedOn = '2026-03-02'): StoredApplication {
  let app = createApplication(
    {
      id: 'app-1',
      trackingNo: '2026-000001',
      createdAt: `${submittedOn}T01:00:00.000Z`,
      applicant: { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' },
      request: { description: '2025年度人防工程建设审批结果清单' },
      delivery: { form: 'electronic', method: 'wechat' },
    },
    { at: `${submittedOn}T01:00:00.000Z`, by: 'applicant', on: submittedOn },
  ) as StoredApplication;
  app = { ...app, channel: 'wechat', openid: 'o1', possibleDuplicateOf: [] };
  for (const event of events) app = applyEvent(app, stampEvent(event as EventInput, 'clerk', `${event.on}T02:00:00.000Z`), '2027-12-31') as StoredApplication;
  return app;
}

const received = { type: 'receive', on: '2026-03-02' } as const;
const HISTORIES: Record<ApplicationStatus, Array<Partial<EventInput> & { type: EventInput['type']; on: string }>> = {
  submitted: [],
  processing: [received],
  'awaiting-supplement': [received, { type: 'request-supplement', on: '2026-03-03', items: ['申请的具体年份', '工程名称'], days: 10 }],
  consulting: [received, { type: 'consult-start', on: '2026-03-04', party: '某建设单位' }],
  'awaiting-fee': [received, { type: 'fee-notice', on: '2026-03-05', amount: 100 }],
  decided: [received, { type: 'decide', on: '2026-03-10', outcome: 'withheld-state-secret' }],
  delivered: [received, { type: 'decide', on: '2026-03-10', outcome: 'granted' }, { type: 'deliver', on: '2026-03-11', method: 'wechat' }],
  closed: [received, { type: 'withdraw', on: '2026-03-06' }],
};

const EXPECTED: Record<ApplicationStatus, RegExp> = {
  submitted: /^已提交，等待工作人员确认收到；自收到之日起20个工作日内答复/,
  processing: /^办理中，答复期限 2026年3月30日$/,
  'awaiting-supplement': /^等待您补正，答复期限暂停计算。需要补正：申请的具体年份；工程名称。请最迟于2026年3月17日（含当日）在公众号回复“补正：补充的内容”提交/,
  consulting: /^正在征求第三方或其他机关的意见，征求意见期间答复期限暂停计算，最迟于2026年3月25日后恢复计算$/,
  'awaiting-fee': /^等待您缴纳信息处理费（见收费通知书），答复期限 2026年3月30日$/,
  decided: /^已作出答复：不予公开。理由：属于国家秘密（《政府信息公开条例》第三十六条第（三）项和第十四条）。答复书将通过微信送达$/,
  delivered: /^答复书已于2026年3月11日送达：予以公开$/,
  closed: /^已按您的要求撤回，办理终止$/,
};

for (const status of APPLICATION_STATUSES) {
  test(`status "${status}": its own line, from the one table`, (t) => {
    const view = toView(history(HISTORIES[status]), calendar, '2026-03-06', 'applicant');
    t.is(view.status, status);
    const told = tellApplicant(view);
    t.regex(told.line, EXPECTED[status]);
    t.is(told.summary, `申请 2026-000001：${told.line}。`);
    t.true([...APPLICANT_STATUS[status].phrase].length <= 5, 'fits a template phrase field');
    t.false(/undefined|null|NaN|\{/.test(told.line));
    // Only a consultation may talk about one: the bug of issue 18 said so while waiting for a 补正.
    if (status !== 'consulting') t.false(told.line.includes('征求'), told.line);
  });
}

test('the office default 补正 period is used when the clerk set none; without either, the notice is named', (t) => {
  const events = [received, { type: 'request-supplement' as const, on: '2026-03-03', items: ['工程名称'] }];
  const withDefault = toView(history(events), calendar, '2026-03-06', 'applicant', { supplementPeriodWorkingDays: 15 });
  t.deepEqual(withDefault.pendingSupplement, { items: ['工程名称'], requestedOn: '2026-03-03', dueBy: '2026-03-24', eventIndex: 2 });
  const without = toView(history(events), calendar, '2026-03-06', 'applicant');
  t.is(without.pendingSupplement!.dueBy, null);
  t.regex(tellApplicant(without).line, /请在补正告知书写明的期限内在公众号回复/);
});

test('a due date in a year whose holidays are not announced is said to be provisional', (t) => {
  // Received 2026-12-10: 20 working days reach into 2027, whose holiday file is still empty.
  const view = toView(history([{ type: 'receive', on: '2026-12-10' }], '2026-12-10'), calendar, '2026-12-10', 'applicant');
  t.true(view.dueDateProvisional);
  const line = tellApplicant(view).line;
  t.regex(line, /答复期限 2027年1月\d+日（暂定）/);
  t.regex(line, /2027年的放假调休安排尚未公布，这个日期按周一至周五推算，已除去法律规定的节日假期，调休安排公布后可能变动/);
  // A covered year says nothing of the kind.
  t.notRegex(tellApplicant(toView(history([received]), calendar, '2026-03-06', 'applicant')).line, /暂定|尚未公布/);
});

test('a consultation past its 15 working days says the clock runs again, with the due date', (t) => {
  const view = toView(history([received, { type: 'consult-start', on: '2026-03-04', party: '某建设单位' }]), calendar, '2026-04-10', 'applicant');
  t.is(view.status, 'consulting');
  t.false(view.paused);
  t.regex(tellApplicant(view).line, /^征求意见的期限已满，答复期限已恢复计算，答复期限 2026年\d+月\d+日$/);
});

test('closings other than a withdrawal say why, in the outcome table\'s words', (t) => {
  const expired = toView(
    history([received, { type: 'request-supplement', on: '2026-03-03', items: ['工程名称'] }, { type: 'supplement-expired', on: '2026-03-20' }]),
    calendar,
    '2026-03-20',
    'applicant',
  );
  t.is(tellApplicant(expired).line, `办理终止：${getOutcome('other-no-supplement').citizenText.replace(/。$/, '')}`);
});

test('every refusal has a one-line ground naming the 条例; the grants have none', (t) => {
  for (const outcome of OUTCOME_IDS) {
    const line = groundLine(outcome);
    if (!isRefusal(outcome)) {
      t.is(line, null, outcome);
      continue;
    }
    t.truthy(line, outcome);
    t.false(line!.includes('\n'), `${outcome}: one line`);
    t.regex(line!, /^理由：/);
    if (getOutcome(outcome).article) t.regex(line!, /《政府信息公开条例》第/, outcome);
  }
  t.is(groundLine('partial', 'withheld-third-party'), '理由：不能公开的部分保护第三方合法权益（《政府信息公开条例》第三十七条、第三十六条第（三）项和第十五条）');
});
