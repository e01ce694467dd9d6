import test from 'ava';
import { startApp, client, mpLogin, personApplication, testClock } from './helpers/app.js';

// 2026-11-30 is a Monday; 20 working days after it (no holidays until 元旦) is 2026-12-28.
const MONDAY_MORNING = '2026-11-30T02:00:00Z';

test('a citizen logs in, applies, sees the receipt date, due date and timeline', async (t) => {
  const app = await startApp(t, { clock: testClock(MONDAY_MORNING) });
  const call = client(app.url);
  const auth = await mpLogin(app.url, 'o-citizen-1');

  const created = await call('POST', '/mp/v1/applications', personApplication(), auth);
  t.is(created.status, 201, JSON.stringify(created.body));
  t.regex(created.body.trackingNo, /^2026-\d{6}$/);
  t.is(created.body.status, 'processing');
  t.is(created.body.receivedOn, '2026-11-30');
  t.is(created.body.dueDate, '2026-12-28');
  t.is(created.body.paused, false);
  t.is(created.body.overdue, false);
  t.is(created.body.supplementNoticeDue, '2026-12-09');
  t.deepEqual(created.body.timeline.map((e: any) => e.type), ['submit', 'receive']);
  t.is(created.body.applicant.idNumber, '110***********002X', 'the ID number is masked even for its owner');
  t.is(created.body.explanation, undefined, 'staff-only fields are not shown to applicants');

  const detail = await call('GET', `/mp/v1/applications/${created.body.id}`, undefined, auth);
  t.is(detail.status, 200);
  t.is(detail.body.dueDate, '2026-12-28');

  const list = await call('GET', '/mp/v1/applications', undefined, auth);
  t.deepEqual(list.body.applications.map((a: any) => a.id), [created.body.id]);
});

test('a user sees only their own requests: anyone else gets 404', async (t) => {
  const app = await startApp(t, { clock: testClock(MONDAY_MORNING) });
  const call = client(app.url);
  const alice = await mpLogin(app.url, 'o-alice');
  const mallory = await mpLogin(app.url, 'o-mallory');
  const { body } = await call('POST', '/mp/v1/applications', personApplication(), alice);

  t.is((await call('GET', `/mp/v1/applications/${body.id}`, undefined, mallory)).status, 404);
  t.is((await call('POST', `/mp/v1/applications/${body.id}/withdraw`, undefined, mallory)).status, 404);
  t.is((await call('POST', `/mp/v1/applications/${body.id}/supplement`, { text: '补充材料' }, mallory)).status, 404);
  t.deepEqual((await call('GET', '/mp/v1/applications', undefined, mallory)).body.applications, []);
  t.is((await call('GET', `/mp/v1/applications/${body.id}`, undefined, alice)).body.status, 'processing', 'untouched');
});

test('without a valid token the API answers 401', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  t.is((await call('GET', '/mp/v1/applications')).status, 401);
  t.is((await call('GET', '/mp/v1/applications', undefined, { Authorization: 'Bearer not-a-real-token-at-all-1234' })).status, 401);
  t.is((await call('POST', '/mp/v1/session', {})).status, 400);
});

test('a retried submit with the same Idempotency-Key returns the first result', async (t) => {
  const app = await startApp(t, { clock: testClock(MONDAY_MORNING) });
  const call = client(app.url);
  const auth = { ...(await mpLogin(app.url, 'o-retry')), 'Idempotency-Key': 'submit-2f9c1e7a' };
  const [first, second] = await Promise.all([
    call('POST', '/mp/v1/applications', personApplication(), auth),
    call('POST', '/mp/v1/applications', personApplication(), auth),
  ]);
  const third = await call('POST', '/mp/v1/applications', personApplication(), auth);
  const statuses = [first.status, second.status].sort();
  t.is(third.status, 200);
  t.is(third.body.id, first.status === 201 ? first.body.id : second.body.id);
  t.true(statuses.includes(201));
  const list = await call('GET', '/mp/v1/applications', undefined, auth);
  t.is(list.body.applications.length, 1, `statuses ${statuses}`);
});

test('invalid input is a 400 naming each field in Chinese; nothing is saved', async (t) => {
  const app = await startApp(t, { clock: testClock(MONDAY_MORNING) });
  const call = client(app.url);
  const auth = await mpLogin(app.url, 'o-typo');
  const bad = await call('POST', '/mp/v1/applications', personApplication({ applicant: { idNumber: '110105194912310021', phone: '123' } }), auth);
  t.is(bad.status, 400);
  t.is(bad.body.error.code, 'validation');
  t.truthy(bad.body.error.fields['applicant.idNumber']);
  t.truthy(bad.body.error.fields['applicant.phone']);
  t.regex(bad.body.error.fields['applicant.idNumber'], /[\u4e00-\u9fff]/);
  t.deepEqual((await call('GET', '/mp/v1/applications', undefined, auth)).body.applications, []);
});

test('submissions are rate limited per user', async (t) => {
  const app = await startApp(t, { clock: testClock(MONDAY_MORNING) });
  const call = client(app.url);
  const auth = await mpLogin(app.url, 'o-busy');
  for (let i = 0; i < 5; i++) {
    const ok = await call('POST', '/mp/v1/applications', personApplication({ request: { description: `请公开第${i}号人防工程竣工验收备案材料目录` } }), auth);
    t.is(ok.status, 201);
  }
  const refused = await call('POST', '/mp/v1/applications', personApplication(), auth);
  t.is(refused.status, 429);
  t.is(refused.body.error.code, 'rate-limited');
  const other = await call('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, 'o-calm'));
  t.is(other.status, 201, 'another user is not affected');
});

test('the applicant supplements when asked and may withdraw; other moments answer 409', async (t) => {
  const clock = testClock(MONDAY_MORNING);
  const app = await startApp(t, { clock });
  const call = client(app.url);
  const auth = await mpLogin(app.url, 'o-supp');
  const { body } = await call('POST', '/mp/v1/applications', personApplication(), auth);

  const early = await call('POST', `/mp/v1/applications/${body.id}/supplement`, { text: '补充：2025年度' }, auth);
  t.is(early.status, 409);

  await app.services.applications.record(body.id, { type: 'request-supplement', on: '2026-11-30', items: ['请说明所需信息的时间范围'], days: 10 }, 'admin');
  clock.set('2026-12-02T03:00:00Z');
  const waiting = await call('GET', `/mp/v1/applications/${body.id}`, undefined, auth);
  t.is(waiting.body.status, 'awaiting-supplement');
  t.is(waiting.body.dueDate, null);
  t.true(waiting.body.paused);

  const supplied = await call('POST', `/mp/v1/applications/${body.id}/supplement`, { text: '时间范围：2025年1月至12月' }, auth);
  t.is(supplied.status, 200);
  t.is(supplied.body.status, 'processing');
  // The clock restarts from the supplement (Wed 2026-12-02): 20 working days → 2026-12-30.
  t.is(supplied.body.dueDate, '2026-12-30');

  const withdrawn = await call('POST', `/mp/v1/applications/${body.id}/withdraw`, undefined, auth);
  t.is(withdrawn.body.status, 'closed');
  t.is(withdrawn.body.outcome, 'other');
  t.is((await call('POST', `/mp/v1/applications/${body.id}/withdraw`, undefined, auth)).status, 409);
});

test('the applicant sees the remedy they have: 复议 first when overdue or refused, none while the request runs', async (t) => {
  const clock = testClock(MONDAY_MORNING);
  const app = await startApp(t, { clock });
  const call = client(app.url);
  const auth = await mpLogin(app.url, 'o-remedy');
  const { body: late } = await call('POST', '/mp/v1/applications', personApplication(), auth);
  const { body: refused } = await call('POST', '/mp/v1/applications', personApplication({ request: { description: '请公开某人防工程的结构图纸' } }), auth);
  t.is((await call('GET', `/mp/v1/applications/${late.id}`, undefined, auth)).body.remedy, null);

  await app.services.applications.record(refused.id, { type: 'decide', on: '2026-11-30', outcome: 'withheld-state-secret', reason: '属于国家秘密' }, 'admin');
  const decided = (await call('GET', `/mp/v1/applications/${refused.id}`, undefined, auth)).body;
  t.is(decided.remedy.kind, 'reviewFirst');
  t.regex(decided.remedy.clause, /应当先向黄石市人民政府申请行政复议/);

  clock.set('2026-12-29T02:00:00Z'); // the day after the due date 2026-12-28
  const overdue = (await call('GET', `/mp/v1/applications/${late.id}`, undefined, await mpLogin(app.url, 'o-remedy'))).body;
  t.true(overdue.overdue);
  t.is(overdue.remedy.kind, 'reviewFirstOverdue');
  t.regex(overdue.remedy.text, /本机关未在答复期限内答复的，您应当先向黄石市人民政府申请行政复议，申请期限为自答复期限届满之日起六十日内/);
  t.true(overdue.remedy.citations.includes('《中华人民共和国行政复议法》第二十三条第一款第（三）项'));
});
