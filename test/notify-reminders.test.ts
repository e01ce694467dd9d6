import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { ConversationsRepo } from '../src/store/conversations-repo.js';
import { NotifyRepo } from '../src/store/notify-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { WechatApiClient } from '../src/wechat/api-client.js';
import { createFakeWechatApi } from '../src/wechat/fake-api.js';
import { createNotify, loadNotifyTemplates } from '../src/notify/index.js';
import { reminderFor } from '../src/notify/reminders.js';
import { tempDir } from './helpers/temp.js';
import { idNumber } from './helpers/id-number.js';
import { CREDENTIALS } from './helpers/fake-wechat-server.js';

const CONTENT = path.resolve(import.meta.dirname, '..', 'data');

/** 08:00 in China on a date. */
const morning = (date: string) => Date.parse(`${date}T00:00:00Z`);
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const BODY = {
  applicant: { type: 'person', name: '李四', idNumber: idNumber('42020319850505123'), phone: '13912345678', address: '湖北省黄石市黄石港区某路1号', postcode: '435000' },
  request: { description: '请公开人防工程竣工验收备案信息' },
  delivery: { form: 'paper', method: 'post' },
};

async function setup(t: ExecutionContext, start: string) {
  const dir = await tempDir(t);
  const clock = { now: morning(start) };
  const now = () => new Date(clock.now);
  const fake = createFakeWechatApi({ ...CREDENTIALS, clock: () => clock.now });
  const koa = new Koa();
  koa.use(fake.router.routes());
  const server = koa.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const store = await Store.open(dir, now);
  t.teardown(() => store.close());
  const [appsRepo, accountsRepo, notifyRepo, conversations] = await Promise.all([
    ApplicationsRepo.open(store),
    AccountsRepo.open(store),
    NotifyRepo.open(store),
    ConversationsRepo.open(store),
  ]);
  const calendar = await CalendarSource.open(CONTENT, dir);
  const applications = new ApplicationsService(appsRepo, () => calendar.current(), now);
  const accounts = new StaffAccounts(accountsRepo, now);
  await accounts.createUser('system', { username: 'handler1', password: 'a-long-password', roles: ['handler'] });
  await accounts.bindWechat('handler1', 'o_staff');
  const client = new WechatApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...CREDENTIALS, now: () => clock.now, sleep: async () => {} });
  const notify = createNotify({
    repo: notifyRepo,
    applications,
    intents: { pending: (limit) => appsRepo.pendingIntents(limit), markPlanned: (keys) => appsRepo.markIntentsPlanned(keys) },
    accounts,
    unanswered: async (after) => (await conversations.listUnanswered({ status: 'open', ...(after === null ? {} : { after }) }, { order: 'oldest' })).questions,
    wechat: client,
    templates: await loadNotifyTemplates(CONTENT),
    office: { name: '某办', contact: '电话 1', supplementPeriodWorkingDays: null },
    calendar: () => calendar.current(),
    clock: now,
  });
  // Reminders nudge a pass; let it finish before the store closes.
  t.teardown(() => notify.idle());
  const staffNotes = () =>
    fake.outbox
      .list()
      .filter((r) => r.touser === 'o_staff')
      .map((r) => (r.payload as { data: Record<string, { value: string }> }).data.thing2!.value);
  return { clock, calendar, applications, notify, notifyRepo, conversations, staffNotes };
}

test('which reminder applies, by working days left (2025: Sunday 28 September is a working day)', async (t) => {
  const calendar = (await CalendarSource.open(CONTENT, await tempDir(t))).current();
  const due = '2025-09-30';
  const cases: Array<[string, string, string | null, number | null]> = [
    ['processing', '2025-09-23', null, null], // 24 25 26 28 29 30: six left
    ['processing', '2025-09-24', 'due-5', 5],
    ['processing', '2025-09-26', 'due-5', 3], // 28 29 30
    ['processing', '2025-09-27', 'due-5', 3], // a Saturday: the job does not run, the rule still answers
    ['processing', '2025-09-29', 'due-1', 1],
    ['awaiting-fee', '2025-09-30', 'due-1', 0],
    ['processing', '2025-10-09', 'overdue', 0],
    // A consultation has a due date only after its 15 working days ran out unanswered: the clock runs again.
    ['consulting', '2025-09-29', 'due-1', 1],
    ['decided', '2025-10-09', null, null],
    ['awaiting-supplement', '2025-10-09', null, null],
  ];
  for (const [status, today, threshold, daysLeft] of cases) {
    // A view with a due date is not paused; it says overdue once the date passed (for a closed request
    // too, so the status check is what keeps it quiet).
    const reminder = reminderFor({ status: status as never, dueDate: due, paused: false, overdue: today > due }, today, calendar);
    t.deepEqual(reminder, threshold ? { threshold, daysLeft } : null, `${status} on ${today}`);
  }
  t.is(reminderFor({ status: 'processing', dueDate: null, paused: false, overdue: false }, '2025-09-29', calendar), null);
});

test('reminders run on working days only and each threshold fires once per due date', async (t) => {
  const h = await setup(t, '2025-09-01');
  const app = (await h.applications.submit(BODY, { channel: 'wechat', openid: 'o_citizen', by: 'applicant' })).application;
  t.is(h.applications.view(app, 'staff').dueDate, '2025-09-28');
  const ranOn: string[] = [];
  const createdOn: Record<string, string> = {};
  for (let date = '2025-09-01'; date <= '2025-10-13'; date = dayAfter(date)) {
    h.clock.now = morning(date);
    const result = await h.notify.runDeadlineReminders();
    if (result.workingDay) ranOn.push(date);
    for (const key of result.created) createdOn[key.split(':')[2]!] = date;
    // Run twice on the same morning, as a staff member pressing "run now" would: nothing new.
    t.deepEqual((await h.notify.runDeadlineReminders()).created, []);
    await h.notify.runOutbox();
  }
  t.deepEqual(createdOn, { 'due-5': '2025-09-22', 'due-1': '2025-09-26', overdue: '2025-09-29' });
  t.true(ranOn.includes('2025-09-28'), 'the make-up Sunday is a working day');
  t.true(ranOn.includes('2025-10-11'), 'so is the make-up Saturday');
  for (const off of ['2025-09-27', '2025-10-01', '2025-10-06', '2025-10-08', '2025-10-12']) t.false(ranOn.includes(off), off);
  // One message per reminder reached the handler (after the new-request notice).
  t.deepEqual(h.staffNotes(), ['新申请待办理', '5个工作日后到期', '答复期限2025年9月28日', '已超过答复期限']);
});

test('a consultation: the applicant is told when it ends at the latest, staff are alerted the working day before, the pause ends at the limit', async (t) => {
  const h = await setup(t, '2025-09-25');
  const app = (await h.applications.submit(BODY, { channel: 'wechat', openid: 'o_citizen', by: 'applicant' })).application;
  h.clock.now = morning('2025-10-09');
  await h.applications.record(app.id, { type: 'consult-start', on: '2025-10-09', party: '某建设公司' }, 'handler1');
  await h.notify.runOutbox();
  const view = h.applications.view((await h.applications.get(app.id)), 'applicant');
  t.like(view, { status: 'consulting', paused: true, dueDate: null, consultationEndsBy: '2025-10-29' });

  const created: Record<string, string[]> = {};
  for (let date = '2025-10-09'; date <= '2025-10-31'; date = dayAfter(date)) {
    h.clock.now = morning(date);
    const result = await h.notify.runDeadlineReminders();
    if (result.created.length) created[date] = result.created;
  }
  // 第三十二条: 15 working days from 10-09 end on Wednesday 10-29; the alert comes on Tuesday 10-28, once.
  t.deepEqual(created['2025-10-28'], [`${app.id}:reminder:consultation-limit:2025-10-29`]);
  t.deepEqual(Object.keys(created), ['2025-10-28']);
  await h.notify.runOutbox();
  t.true(h.staffNotes().includes('征求意见2025年10月29日到期'));

  // No answer by the limit: the pause ends there, and the due date is 20 + 15 working days.
  h.clock.now = morning('2025-10-30');
  t.like(h.applications.view((await h.applications.get(app.id)), 'staff'), { status: 'consulting', paused: false, dueDate: '2025-11-19', consultationEndsBy: null });
});

test('an extension moves the due date, and the reminders start again for the new date', async (t) => {
  const h = await setup(t, '2025-09-01');
  const app = (await h.applications.submit(BODY, { channel: 'wechat', openid: 'o_citizen', by: 'applicant' })).application;
  h.clock.now = morning('2025-09-22');
  t.deepEqual((await h.notify.runDeadlineReminders()).created, [`${app.id}:reminder:due-5:2025-09-28`]);
  await h.applications.record(app.id, { type: 'extend', on: '2025-09-22', days: 10 }, 'leader1');
  const due = h.applications.view((await h.applications.get(app.id)), 'staff').dueDate!;
  t.is(due, '2025-10-17');
  t.deepEqual((await h.notify.runDeadlineReminders()).created, []);
  h.clock.now = morning('2025-10-10'); // 11 (make-up Saturday), 13–17: six working days left
  t.deepEqual((await h.notify.runDeadlineReminders()).created, []);
  h.clock.now = morning('2025-10-11');
  t.deepEqual((await h.notify.runDeadlineReminders()).created, [`${app.id}:reminder:due-5:${due}`]);
});

test('the unanswered-questions digest: working days only, once a day, only questions since the last one', async (t) => {
  const h = await setup(t, '2025-09-05');
  const ask = (id: string, text: string) =>
    h.conversations.recordUnanswered({ id, text, at: new Date(h.clock.now).toISOString(), suggestions: [], status: 'open' });
  await ask('q1', '人防车位能不能买？我的电话13912345678');
  await ask('q2', '防空警报试鸣是哪天');
  await h.conversations.recordUnanswered({ id: 'q0', text: '已处理的问题', at: new Date(h.clock.now).toISOString(), suggestions: [], status: 'dismissed' });

  const first = await h.notify.runUnansweredDigest(); // Friday
  t.like(first, { workingDay: true, count: 2, created: 'digest:unanswered:2025-09-05' });
  t.like(await h.notify.runUnansweredDigest(), { count: 0, created: null });
  const entry = (await h.notifyRepo.entry(first.created!))!;
  t.deepEqual(entry.data, { count: '2', samples: '1. 人防车位能不能买？我的电话139****5678\n2. 防空警报试鸣是哪天', since: '2025年9月5日' });
  await h.notify.runOutbox();
  t.true(h.staffNotes().includes('2个问题未能回答'));

  h.clock.now = morning('2025-09-06'); // Saturday
  await ask('q3', '周末的问题');
  t.like(await h.notify.runUnansweredDigest(), { workingDay: false, created: null });
  h.clock.now = morning('2025-09-08'); // Monday
  const monday = await h.notify.runUnansweredDigest();
  t.like(monday, { count: 1, created: 'digest:unanswered:2025-09-08' });
  h.clock.now = morning('2025-09-09');
  t.like(await h.notify.runUnansweredDigest(), { workingDay: true, count: 0, created: null });
});
