import test from 'ava';
import { startApp, client, mpLogin, staffLogin, personApplication, testClock } from './helpers/app.js';
import { pgReachable, testDatabase } from './helpers/pg.js';

const withPostgres = await pgReachable();

// A 2027 notice as holiday-cn publishes it (these dates are made up for the test: the real 2027
// notice is not out). 元旦 off 2027-01-01; a made-up holiday week 2027-01-04..08.
const NOTICE_2027 = {
  year: 2027,
  papers: ['https://www.gov.cn/test-notice-2027'],
  days: [
    { name: '元旦', date: '2027-01-01', isOffDay: true },
    ...['04', '05', '06', '07', '08'].map((d) => ({ name: '测试假期', date: `2027-01-${d}`, isOffDay: true })),
  ],
};

test('uploading next year\'s calendar recomputes open due dates that reach into it', async (t) => {
  const app = await startApp(t, { clock: testClock('2026-12-14T02:00:00Z') });
  const call = client(app.url);
  const citizen = await mpLogin(app.url, 'o-cal');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  // From Mon 2026-12-14, 20 working days counted Monday–Friday, less 元旦 (fixed by law even before the
  // notice), reach 2027-01-12, provisionally. (Before issue 17 this said 2027-01-11, counting 元旦 as a working day.)
  t.is(created.dueDate, '2027-01-12');
  t.true(created.dueDateProvisional);

  const staff = await staffLogin(app.url);
  const bad = await call('PUT', '/admin/v1/calendar/2027', { year: 2027, days: [{ date: '2027-13-01', isOffDay: 'yes' }] }, staff);
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /放假安排文件/);
  const ok = await call('PUT', '/admin/v1/calendar/2027', NOTICE_2027, staff);
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.true(ok.body.coveredYears.includes(2027));

  const after = await call('GET', `/mp/v1/applications/${created.id}`, undefined, citizen);
  // 2027-01-01 and 01-04..08 are now days off: the due date moves to 2027-01-19 and is final.
  t.is(after.body.dueDate, '2027-01-19');
  t.false(after.body.dueDateProvisional);
});

test('a request received 2026-12-06 is not due on 元旦 2027 though the 2027 notice is not out (放假办法 第二条)', async (t) => {
  const app = await startApp(t, { clock: testClock('2026-12-06T02:00:00Z') });
  const call = client(app.url);
  const citizen = await mpLogin(app.url, 'o-newyear');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  t.is(created.receivedOn, '2026-12-06');
  t.is(created.dueDate, '2027-01-04', 'the 20th working day would be Friday 2027-01-01, which is 元旦');
  t.true(created.dueDateProvisional, 'still provisional: the 调休 swaps wait for the notice');
});

test('only admins upload calendars', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  await call('POST', '/admin/v1/users', { username: 'han', password: 'han-password-123', roles: ['handler'] }, admin);
  const handler = await staffLogin(app.url, 'han', 'han-password-123');
  t.is((await call('PUT', '/admin/v1/calendar/2027', NOTICE_2027, handler)).status, 403);
  t.is((await call('GET', '/admin/v1/calendar', undefined, handler)).status, 200);
});

if (withPostgres) test('on one database, a calendar uploaded at one instance counts at the other once it reads them again', async (t) => {
  const database = await testDatabase(t);
  const clock = testClock('2026-12-07T02:00:00Z');
  const a = await startApp(t, { clock, env: { DATABASE_URL: database } });
  const b = await startApp(t, { clock, env: { DATABASE_URL: database } });
  t.is((await client(a.url)('PUT', '/admin/v1/calendar/2027', NOTICE_2027, await staffLogin(a.url))).status, 200);
  t.true(b.services.calendar.current().isWorkingDay('2027-01-05'), 'not before it reads them again');
  await b.services.calendar.refresh();
  t.false(b.services.calendar.current().isWorkingDay('2027-01-05'));
  t.deepEqual(b.services.calendar.files().find((f) => f.year === 2027)?.days.length, NOTICE_2027.days.length);
});
