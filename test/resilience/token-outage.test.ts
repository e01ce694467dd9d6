// Found by the WeChat-outage suite (outage.suite.ts): when fetching the access token loses its
// connection, the send never left, yet the outbox takes it for a send of unknown outcome and, on the
// at-most-once channels (subscribe messages), marks the message sent and never sends it.
import test from 'ava';
import { ADMIN, client, personApplication, startApp, testClock } from '../helpers/app.js';
import { wechatEnv, fakeWechatServer, sentMessages, TEMPLATES } from './support.js';

test('a receipt whose token fetch lost its connection is sent later, once', async (t) => {
  const clock = testClock(new Date().toISOString());
  const wechat = await fakeWechatServer({ clock: () => clock.now.getTime() });
  t.teardown(() => wechat.close());
  const app = await startApp(t, {
    clock,
    env: wechatEnv(wechat.url),
  });
  const call = client(app.url);
  const session = await call('POST', '/mp/v1/session', { code: 'dev:o-token-lost' });
  const auth = { Authorization: `Bearer ${session.body.token}` };
  t.is((await call('POST', '/mp/v1/notify/consents', { accepted: [TEMPLATES.mpReceipt] }, auth)).status, 200);
  const staff = { Authorization: `Bearer ${(await call('POST', '/admin/v1/session', ADMIN)).body.token}` };

  // Every try of the token fetch in the first pass: WeChat issues a token, the answer is lost.
  wechat.fake.inject('stable_token', { drop: 'after', times: 3 });
  t.is((await call('POST', '/mp/v1/applications', personApplication(), auth)).status, 201);
  await call('POST', '/admin/v1/jobs/outbox/run', {}, staff);
  clock.advance(5 * 60_000);
  await call('POST', '/admin/v1/jobs/outbox/run', {}, staff);

  const receipts = sentMessages(wechat.fake.outbox.list()).filter((m) => m.templateId === TEMPLATES.mpReceipt && m.touser === 'o-token-lost');
  t.is(receipts.length, 1);
});
