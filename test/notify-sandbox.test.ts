import test from 'ava';
import { startApp, client, mpLogin, staffLogin, personApplication, testClock } from './helpers/app.js';
import { push, textXml } from './helpers/wechat-client.js';

// The whole path in sandbox mode: a staff decision reaches the applicant through the outbox and
// the fake WeChat API, where GET /__sandbox/outbox shows it.
test('in sandbox mode, deciding a request puts the decision message in /__sandbox/outbox', async (t) => {
  const clock = testClock('2026-11-30T02:00:00Z');
  const app = await startApp(t, { clock });
  const call = client(app.url);
  const citizen = await mpLogin(app.url, 'o-mp-applicant');
  const { body: created } = await call('POST', '/mp/v1/applications', personApplication(), citizen);
  const staff = await staffLogin(app.url);
  const decided = await call('POST', `/admin/v1/applications/${created.id}/events`, { type: 'decide', on: '2026-11-30', outcome: 'granted' }, staff);
  t.is(decided.status, 200);
  const ran = await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);
  t.is(ran.status, 200);

  const outbox = (await call('GET', '/__sandbox/outbox')).body as Array<{ api: string; touser: string; payload: any }>;
  const mine = outbox.filter((m) => m.touser === 'o-mp-applicant');
  t.true(mine.length >= 2, JSON.stringify(outbox));
  const texts = mine.map((m) => JSON.stringify(m.payload));
  t.true(texts.some((p) => p.includes(created.trackingNo) && /予以公开|公开/.test(p)), texts.join('\n'));
  // Exactly one message per event: running the outbox again sends nothing more.
  await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);
  const again = ((await call('GET', '/__sandbox/outbox')).body as Array<{ touser: string }>).filter((m) => m.touser === 'o-mp-applicant');
  t.is(again.length, mine.length);
});

test('a chat applicant hears about the decision through the official account', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  const openid = 'o-chat-applicant';
  let id = 8_100_000_000_000_000_000n;
  for (const answer of ['我要申请', '个人', '王五', '11010519491231002X', '13800138000', '请公开2025年度人防工程建设审批结果清单', '电子', '微信', '确认']) {
    const { status } = await push(app.url, textXml(openid, answer, String(id++)));
    t.is(status, 200);
  }
  const [application] = await app.services.applications.listMine(openid);
  t.truthy(application);
  const staff = await staffLogin(app.url);
  const today = app.services.applications.today();
  await call('POST', `/admin/v1/applications/${application!.id}/events`, { type: 'decide', on: today, outcome: 'partial', ground: 'withheld-third-party', reason: '部分内容涉及第三方商业秘密' }, staff);
  await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);
  const outbox = (await call('GET', '/__sandbox/outbox')).body as Array<{ api: string; touser: string; payload: any }>;
  const sent = outbox.filter((m) => m.touser === openid).map((m) => JSON.stringify(m.payload));
  t.true(sent.some((p) => p.includes(application!.trackingNo)), sent.join('\n'));
});
