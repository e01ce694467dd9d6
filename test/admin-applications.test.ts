import test from 'ava';
import { startApp, client, mpLogin, staffLogin, personApplication, testClock, ADMIN } from './helpers/app.js';
import { idNumber } from './helpers/id-number.js';

const MONDAY = '2026-11-30T02:00:00Z';

async function withUsers(t: any, clock = testClock(MONDAY)) {
  const app = await startApp(t, { clock });
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  for (const [username, roles] of [
    ['reg', ['registrar']],
    ['han', ['handler']],
    ['sub', ['submitter']],
  ] as const) {
    const created = await call('POST', '/admin/v1/users', { username, password: `${username}-password-123`, roles }, admin);
    t.is(created.status, 201, JSON.stringify(created.body));
  }
  return {
    app,
    call,
    clock,
    admin,
    registrar: await staffLogin(app.url, 'reg', 'reg-password-123'),
    handler: await staffLogin(app.url, 'han', 'han-password-123'),
    submitter: await staffLogin(app.url, 'sub', 'sub-password-123'),
  };
}

test('staff login: wrong password 401, lockout after five failures, no token no access', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  t.is((await call('POST', '/admin/v1/session', { username: ADMIN.username, password: 'wrong-password' })).status, 401);
  t.is((await call('POST', '/admin/v1/session', { username: 'nobody', password: 'whatever-1234' })).status, 401);
  t.is((await call('GET', '/admin/v1/applications')).status, 401);
  for (let i = 0; i < 4; i++) await call('POST', '/admin/v1/session', { username: ADMIN.username, password: `wrong-${i}` });
  const locked = await call('POST', '/admin/v1/session', ADMIN);
  t.is(locked.status, 429, 'locked even with the right password');
  t.regex(locked.body.error.message, /锁定/);
});

test('the whole staff path: receive, 补正, supplement, extend, decide, deliver — with the due date right at each step', async (t) => {
  const { app, call, clock } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-flow');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  // Staff sessions last 12 hours: log in again on each (simulated) working day.
  const events = async (body: object) =>
    call('POST', `/admin/v1/applications/${created.id}/events`, body, await staffLogin(app.url, 'han', 'han-password-123'));

  clock.set('2026-12-01T02:00:00Z');
  const asked = await events({ type: 'request-supplement', on: '2026-12-01', items: ['请写明信息的年份'], days: 10 });
  t.is(asked.status, 200, JSON.stringify(asked.body));
  t.is(asked.body.status, 'awaiting-supplement');
  t.is(asked.body.dueDate, null);

  clock.set('2026-12-03T02:00:00Z');
  const supplied = await events({ type: 'supplement-received', on: '2026-12-03' });
  // Restart from Thu 2026-12-03: 20 working days later, skipping 2027-01-01 (元旦) — 2027 is not
  // covered by the calendar, so the result is computed Monday–Friday and flagged provisional.
  t.is(supplied.body.status, 'processing');
  t.is(supplied.body.dueDate, '2026-12-31');
  t.false(supplied.body.dueDateProvisional);

  const extended = await events({ type: 'extend', on: '2026-12-03', days: 10 });
  t.is(extended.body.extensionDays, 10);
  t.true(extended.body.dueDateProvisional, 'the extended due date reaches into 2027, which the calendar does not cover');
  t.true(extended.body.explanation.some((line: string) => /延长|延期/.test(line)));

  const twice = await events({ type: 'extend', on: '2026-12-03', days: 5 });
  t.is(twice.status, 409);
  t.regex(twice.body.error.message, /延期/);

  const decided = await events({ type: 'decide', on: '2026-12-03', outcome: 'granted' });
  t.is(decided.body.status, 'decided');
  t.is(decided.body.outcome, 'granted');
  const delivered = await events({ type: 'deliver', on: '2026-12-03', method: 'email' });
  t.is(delivered.body.status, 'delivered');
  t.is((await events({ type: 'decide', on: '2026-12-03', outcome: 'partial', ground: 'withheld-third-party' })).status, 409);

  const mine = await call('GET', `/mp/v1/applications/${created.id}`, undefined, await mpLogin(app.url, 'o-flow'));
  t.deepEqual(
    mine.body.timeline.map((e: any) => e.type),
    ['submit', 'receive', 'request-supplement', 'supplement-received', 'extend', 'decide', 'deliver'],
  );
  t.true(mine.body.timeline.every((e: any) => e.by !== 'han'), 'applicants do not see clerk usernames');
});

test('补正 is asked once, with its period: a second request 409, the notice prints the period (条例 第三十条)', async (t) => {
  const { app, call, clock, handler } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-once');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  // Staff sessions last 12 hours: log in again after the clock moves.
  const events = async (body: object) =>
    call('POST', `/admin/v1/applications/${created.id}/events`, body, await staffLogin(app.url, 'han', 'han-password-123'));

  // The shipped agency sets no supplementPeriodWorkingDays: the clerk gives the period (the console requires it).
  const tooLong = await events({ type: 'request-supplement', on: '2026-11-30', items: ['请写明信息的年份'], days: 365 });
  t.is(tooLong.status, 400);
  t.regex(tooLong.body.error.fields.days, /1 到 60/);

  t.is((await events({ type: 'request-supplement', on: '2026-11-30', items: ['请写明信息的年份', '请提供身份证明'], days: 10 })).status, 200);
  const notice = await call('GET', `/admin/v1/applications/${created.id}/documents/supplement-notice`, undefined, handler);
  t.is(notice.status, 200);
  t.regex(notice.body.raw, /自收到本告知书之日起10个工作日内/);
  t.false(notice.body.raw.includes('＿＿＿＿个工作日'), 'the period is printed, not a blank');

  clock.set('2026-12-02T02:00:00Z');
  t.is((await events({ type: 'supplement-received', on: '2026-12-02' })).status, 200);
  const again = await events({ type: 'request-supplement', on: '2026-12-02', items: ['请再写明文号'], days: 10 });
  t.is(again.status, 409);
  t.regex(again.body.error.message, /已经要求过一次补正[\s\S]*一次性告知[\s\S]*第三十条/);
  const detail = await call('GET', `/admin/v1/applications/${created.id}`, undefined, await staffLogin(app.url, 'han', 'han-password-123'));
  t.false(detail.body.allowedEvents.includes('request-supplement'), 'the console no longer offers it');
  t.is(detail.body.status, 'processing');
});

test('a receipt date may be neither more than a year before submission nor later than today (the API, as the console)', async (t) => {
  const { app, call, handler } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-receive');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  t.is(created.submittedOn ?? '2026-11-30', '2026-11-30');
  const receive = (on: string) => call('POST', `/admin/v1/applications/${created.id}/events`, { type: 'receive', on }, handler);

  const wrongYear = await receive('2025-11-29');
  t.is(wrongYear.status, 400);
  t.regex(wrongYear.body.error.message, /收到日期 2025-11-29 早于提交申请的日期（2026-11-30）一年以上，请核对年份/);
  const future = await receive('2026-12-01');
  t.is(future.status, 400);
  t.regex(future.body.error.message, /晚于今天/);

  const yearBefore = await receive('2025-11-30');
  t.is(yearBefore.status, 200, 'a letter signed for a year ago is still accepted');
  t.is(yearBefore.body.receivedOn, '2025-11-30');
});

test('a 部分公开 must name the ground of its withheld part, which the reply letter cites; receipts say 最迟于…（含当日）', async (t) => {
  const { app, call, handler } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-partial');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  const decide = (body: object) =>
    call('POST', `/admin/v1/applications/${created.id}/events`, { type: 'decide', on: '2026-11-30', outcome: 'partial', reason: '第三页含个人住址', ...body }, handler);

  // The staff API keeps decide {on, outcome, reason?} valid (DESIGN.md); the console form requires the ground.
  const wrong = await decide({ ground: 'granted' });
  t.is(wrong.status, 400);
  t.regex(wrong.body.error.fields.ground, /withheld-third-party/);
  t.is((await decide({ ground: 'withheld-third-party' })).status, 200);

  const letter = await call('GET', `/admin/v1/applications/${created.id}/documents/reply`, undefined, handler);
  t.regex(letter.body.raw, /对不予公开的内容，根据《中华人民共和国政府信息公开条例》第三十六条第（三）项和第十五条的规定不予公开，理由如下：第三页含个人住址。/);
  t.regex(letter.body.raw, /应当先向黄石市人民政府申请行政复议/);
  const receipt = await call('GET', `/admin/v1/applications/${created.id}/documents/receipt`, undefined, handler);
  t.regex(receipt.body.raw, /即最迟于二〇二六年十二月二十八日（含当日）作出答复/);
  t.notRegex(receipt.body.raw, /前作出答复|行政复议/);
});

test('a fee notice has a sane upper bound: an extra digit is refused with a Chinese message', async (t) => {
  const { app, call, handler } = await withUsers(t);
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, 'o-fee'));
  const notice = (amount: number) => call('POST', `/admin/v1/applications/${created.id}/events`, { type: 'fee-notice', on: '2026-11-30', amount }, handler);
  const typo = await notice(8_346_000);
  t.is(typo.status, 400);
  t.regex(typo.body.error.fields.amount, /收费金额不能超过 1000000 元/);
  // 2,219 pages by volume (第五条): 70×10 + 100×20 + 2019×40 = 83,460 yuan, a real notice.
  t.is((await notice(83_460)).status, 200);
});

test('roles decide who may act: a registrar cannot decide, a submitter cannot see requests', async (t) => {
  const { app, call, registrar, submitter } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-roles');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  const decide = await call('POST', `/admin/v1/applications/${created.id}/events`, { type: 'decide', on: '2026-11-30', outcome: 'granted' }, registrar);
  t.is(decide.status, 403);
  t.is((await call('GET', '/admin/v1/applications', undefined, submitter)).status, 403);
  t.is((await call('POST', '/admin/v1/users', { username: 'x1', password: 'long-enough-pw', roles: ['admin'] }, registrar)).status, 403);
  const unknown = await call('POST', `/admin/v1/applications/${created.id}/events`, { type: 'teleport', on: '2026-11-30' }, registrar);
  t.is(unknown.status, 400);
});

test('staff lists mask personal data; the detail shows it to roles that need it', async (t) => {
  const { app, call, handler } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-mask');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  const list = await call('GET', '/admin/v1/applications', undefined, handler);
  t.is(list.status, 200);
  const row = list.body.applications.find((a: any) => a.id === created.id);
  t.is(row.applicant.idNumber, '110***********002X');
  t.is(row.applicant.phone, '138****8000');
  t.is(list.body.counts.open, 1);
  const detail = await call('GET', `/admin/v1/applications/${created.id}`, undefined, handler);
  t.is(detail.body.applicant.idNumber, '11010519491231002X');
  t.truthy(detail.body.explanation.length);
  t.true(detail.body.allowedEvents.includes('decide'));
});

test('the inbox puts overdue requests first and counts them', async (t) => {
  const clock = testClock('2026-11-02T02:00:00Z');
  const { app, call } = await withUsers(t, clock);
  const citizen = await mpLogin(app.url, 'o-late');
  const { body: late } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  clock.set('2026-11-30T02:00:00Z');
  const { body: fresh } = await call(
    'POST',
    '/mp/v1/applications',
    personApplication({ request: { description: '请公开2026年人防警报试鸣的工作方案全文' } }),
    await mpLogin(app.url, 'o-late'),
  );
  clock.set('2026-12-02T02:00:00Z');
  const handler = await staffLogin(app.url, 'han', 'han-password-123');
  const list = await call('GET', '/admin/v1/applications', undefined, handler);
  t.is(list.status, 200, JSON.stringify(list.body));
  t.deepEqual(list.body.applications.map((a: any) => a.id), [late.id, fresh.id]);
  t.true(list.body.applications[0].overdue);
  t.is(list.body.counts.overdue, 1);
  const overdueOnly = await call('GET', '/admin/v1/applications?filter=overdue', undefined, handler);
  t.deepEqual(overdueOnly.body.applications.map((a: any) => a.id), [late.id]);
});

test('historical import replays events through the state machine; a bad record saves nothing', async (t) => {
  const { call, admin } = await withUsers(t);
  const record = (events: object[]) => ({ ...personApplication(), events });
  const bad = await call(
    'POST',
    '/admin/v1/applications/import',
    { records: [record([{ type: 'receive', on: '2025-03-03' }]), record([{ type: 'decide', on: '2025-03-04', outcome: 'granted' }])] },
    admin,
  );
  t.is(bad.status, 409, JSON.stringify(bad.body));
  t.is((await call('GET', '/admin/v1/applications?filter=all', undefined, admin)).body.total, 0);

  const good = await call(
    'POST',
    '/admin/v1/applications/import',
    {
      records: [
        record([{ type: 'receive', on: '2025-12-29' }, { type: 'decide', on: '2026-01-12', outcome: 'partial' }]),
        record([{ type: 'receive', on: '2025-03-03' }, { type: 'withdraw', on: '2025-03-05' }]),
      ],
    },
    admin,
  );
  t.is(good.status, 200, JSON.stringify(good.body));
  t.is(good.body.imported, 2);
  const first = await call('GET', `/admin/v1/applications/${good.body.ids[0]}`, undefined, admin);
  t.is(first.body.trackingNo, '2025-000001');
  t.is(first.body.outcome, 'partial');
  t.is(first.body.closedOn, '2026-01-12');
});

test('a paper ledger imports 逾期不补正 and 逾期未缴费 as decisions, counted in table 三 （六）1 and 2; the staff API takes them too', async (t) => {
  // DESIGN.md: decide accepts every outcome; the expiry events set the same two. A ledger has no notices to replay.
  const { app, call, admin } = await withUsers(t);
  const record = (events: object[]) => ({ ...personApplication(), events });
  const imported = await call(
    'POST',
    '/admin/v1/applications/import',
    {
      records: [
        record([{ type: 'receive', on: '2025-03-03' }, { type: 'decide', on: '2025-04-01', outcome: 'other-no-supplement' }]),
        record([{ type: 'receive', on: '2025-05-06' }, { type: 'decide', on: '2025-06-03', outcome: 'other-fee-unpaid' }]),
        record([
          { type: 'receive', on: '2025-07-01' },
          { type: 'request-supplement', on: '2025-07-02', items: ['文号'] },
          { type: 'supplement-expired', on: '2025-08-01' },
        ]),
      ],
    },
    admin,
  );
  t.is(imported.status, 200, JSON.stringify(imported.body));
  const report = await call('GET', '/admin/v1/reports/annual?year=2025&format=2021', undefined, admin);
  t.is(report.status, 200, JSON.stringify(report.body));
  t.is(report.body.tables.requests['other.noSupplement'].total, 2, 'the decision and the expiry event count in the same row');
  t.is(report.body.tables.requests['other.feeUnpaid'].total, 1);

  const citizen = await mpLogin(app.url, 'o-ledger');
  const { body: live } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  const decided = await call('POST', `/admin/v1/applications/${live.id}/events`, { type: 'decide', on: '2026-11-30', outcome: 'other-fee-unpaid' }, admin);
  t.is(decided.status, 200, JSON.stringify(decided.body));
  t.is(decided.body.outcome, 'other-fee-unpaid');
});

test('the same applicant asking for the same information again is flagged to staff', async (t) => {
  const { app, call, admin } = await withUsers(t);
  const citizen = await mpLogin(app.url, 'o-again');
  const first = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  const other = await call('POST', '/mp/v1/applications', personApplication({ request: { description: '请公开本办2026年度部门预算及三公经费说明' } }), citizen);
  // Same person (same ID number), slightly reworded, from another WeChat account.
  const again = await call(
    'POST',
    '/mp/v1/applications',
    personApplication({ request: { description: '请公开2025年度本市人防工程建设审批事项办理结果清单。' } }),
    await mpLogin(app.url, 'o-again-2'),
  );
  const detail = await call('GET', `/admin/v1/applications/${again.body.id}`, undefined, admin);
  t.deepEqual(detail.body.possibleDuplicateOf, [first.body.trackingNo]);
  const otherDetail = await call('GET', `/admin/v1/applications/${other.body.id}`, undefined, admin);
  t.deepEqual(otherDetail.body.possibleDuplicateOf, []);
});

test('possible duplicates are found by ID number (an x is an X) and by WeChat user, in the order stored, also after a restart', async (t) => {
  const { tempDir } = await import('./helpers/temp.js');
  const dataDir = await tempDir(t);
  const submit = (app: Awaited<ReturnType<typeof startApp>>, body: unknown, openid: string | null) =>
    app.services.applications.submit(body, { channel: openid ? 'miniprogram' : 'staff', openid, by: openid ? 'applicant' : 'reg' });
  const first = await startApp(t, { dataDir, clock: testClock(MONDAY) });
  const byLetter = await submit(first, personApplication({ applicant: { idNumber: '11010519491231002x' } }), null);
  const unrelated = await submit(first, personApplication({ applicant: { name: '李四', idNumber: idNumber('11010519500101003') } }), 'o-other');
  const byWechat = await submit(first, personApplication({ applicant: { name: '王五', idNumber: idNumber('11010519600101004') } }), 'o-same');
  t.deepEqual(unrelated.application.possibleDuplicateOf, []);
  await first.stop();

  const second = await startApp(t, { dataDir, clock: testClock(MONDAY) });
  // The ID number of the letter's applicant (typed with a capital X), from the WeChat user of the third request.
  const again = await submit(second, personApplication({ request: { description: '请公开2025年度本市人防工程建设审批事项办理结果的清单' } }), 'o-same');
  t.deepEqual(again.application.possibleDuplicateOf, [byLetter.application.trackingNo, byWechat.application.trackingNo]);
});
