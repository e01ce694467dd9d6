// Issue 19, finding 6: in plain mode WeChat signs the URL, not the body. Whoever saw one valid URL
// (a proxy's access log) could post any body as any openid for the whole replay window. A signed
// URL is now accepted once; a production start without safe mode warns.
import test from 'ava';
import { createHash } from 'node:crypto';
import { startApp, client, mpLogin, personApplication } from './helpers/app.js';
import { push, textXml, eventXml, TOKEN } from './helpers/wechat-client.js';
import { loadConfig, securityWarnings } from '../src/config.js';

let nextMsgId = 7_400_000_000_000_000_000n;
const msgId = () => String(nextMsgId++);

test('a seen signed URL cannot carry another body: someone else’s progress and subscriptions stay theirs', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  // The victim has a request in progress.
  const victim = 'o-victim-replay';
  t.is((await call('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, victim))).status, 201);

  // One real push (any user's) whose URL the attacker copied from an access log.
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = 'seen-in-a-log';
  const real = await push(app.url, textXml('o-someone', '帮助', msgId()), { timestamp, nonce });
  t.is(real.status, 200);

  // The same URL with the attacker's body, as the victim: asking for progress, unsubscribing.
  for (const body of [textXml(victim, '查询', msgId()), eventXml(victim, 'unsubscribe'), textXml(victim, '绑定 123456', msgId())]) {
    const replayed = await push(app.url, body, { timestamp, nonce });
    t.is(replayed.status, 401, body);
    t.is(replayed.reply, null);
    t.notRegex(replayed.body, /申请|编号/);
  }
  // A fresh URL for the same body is WeChat's own: accepted.
  t.is((await push(app.url, textXml(victim, '帮助', msgId()))).status, 200);
});

test('the very same push again on the same URL is answered "success" and not processed twice', async (t) => {
  const app = await startApp(t);
  const timestamp = Math.floor(Date.now() / 1000);
  const xml = textXml('o-retry-url', '我要申请', msgId());
  const first = await push(app.url, xml, { timestamp, nonce: 'same-url' });
  t.truthy(first.reply);
  const again = await push(app.url, xml, { timestamp, nonce: 'same-url' });
  t.is(again.status, 200);
  t.is(again.body, 'success');
});

test('the URL check (GET) is accepted once too', async (t) => {
  const app = await startApp(t);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'verify-once';
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  const url = `${app.url}/wechat?${new URLSearchParams({ signature, timestamp, nonce, echostr: 'e1' })}`;
  t.is((await fetch(url)).status, 200);
  t.is((await fetch(url)).status, 401);
});

test('a production start warns when safe mode is off and when TRUST_PROXY is off', async (t) => {
  const production = { WECHAT_SECRET: 'a-real-secret', WECHAT_APPID: 'wx0123456789abcdef', WECHAT_TOKEN: 'productiontoken' };
  const app = await startApp(t, { env: production });
  const logs = app.logs.join('');
  t.regex(logs, /SECURITY: WECHAT_AES_KEY is not set/);
  t.regex(logs, /SECURITY: TRUST_PROXY is off/);
  const safe = loadConfig({ ...production, WECHAT_AES_KEY: 'a'.repeat(43), TRUST_PROXY: 'on' });
  t.deepEqual(securityWarnings(safe), []);
  t.deepEqual(securityWarnings(loadConfig({})), [], 'sandbox mode is not for real requests; no warnings');
});
