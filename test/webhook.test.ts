import test from 'ava';
import { startApp, client, testClock } from './helpers/app.js';
import { push, textXml, eventXml, verifyUrl, safeModeKey } from './helpers/wechat-client.js';

let nextMsgId = 7_300_000_000_000_000_000n;
const msgId = () => String(nextMsgId++);

test('URL verification echoes echostr only for a correct signature', async (t) => {
  const app = await startApp(t);
  const ok = await verifyUrl(app.url, 'echo-123');
  t.is(ok.status, 200);
  t.is(await ok.text(), 'echo-123');
  t.is((await verifyUrl(app.url, 'echo-123', { forge: true })).status, 401);
  t.is((await verifyUrl(app.url, 'echo-123', { token: 'other-token' })).status, 401);
});

test('a guide question through the signed webhook gets the guide answer as a passive reply', async (t) => {
  const app = await startApp(t);
  const { status, reply } = await push(app.url, textXml('o-asker', '申请公开要多久', msgId()));
  t.is(status, 200);
  t.truthy(reply);
  t.regex(reply!, /20\s*个工作日/);
});

test('forged or stale signatures are refused with 401 and nothing is processed', async (t) => {
  const app = await startApp(t);
  const forged = await push(app.url, textXml('o-x', '我要申请', msgId()), { forgeSignature: true });
  t.is(forged.status, 401);
  const stale = await push(app.url, textXml('o-x', '我要申请', msgId()), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
  t.is(stale.status, 401);
  const wrongToken = await push(app.url, textXml('o-x', '我要申请', msgId()), { token: 'not-our-token' });
  t.is(wrongToken.status, 401);
  // None of them started a form: the next real message is answered as a fresh conversation.
  const fresh = await push(app.url, textXml('o-x', '帮助', msgId()));
  t.regex(fresh.reply!, /可以这样用/);
});

test('malformed, empty, DOCTYPE and oversized bodies are 4xx, never a crash', async (t) => {
  const app = await startApp(t);
  for (const body of ['<xml><ToUserName>', '', 'not xml at all', '<!DOCTYPE x [<!ENTITY a "b">]><xml><ToUserName>&a;</ToUserName></xml>', '<xml></xml>']) {
    const { status } = await push(app.url, body);
    t.is(status, 400, `body ${JSON.stringify(body)}`);
  }
  const huge = await push(app.url, textXml('o-big', 'x'.repeat(200_000), msgId()));
  t.is(huge.status, 413);
  t.is((await fetch(`${app.url}/healthz`)).status, 200);
});

test("WeChat's retries get the same reply and are processed once: a retried confirm makes one request", async (t) => {
  const app = await startApp(t, { clock: testClock(new Date().toISOString()) });
  const openid = 'o-retry-chat';
  const say = async (text: string, id = msgId(), createTime = Math.floor(Date.now() / 1000)) => {
    const first = await push(app.url, textXml(openid, text, id, createTime));
    return { ...first, id, createTime };
  };
  for (const answer of ['我要申请', '个人', '张三', '11010519491231002X', '13800138000', '请公开2025年度人防工程建设审批结果清单', '电子', '电子邮件', 'zhangsan@example.com']) {
    const { status, reply } = await say(answer);
    t.is(status, 200);
    t.truthy(reply, `no reply to ${answer}`);
  }
  const confirm = await say('确认');
  t.regex(confirm.reply!, /申请编号 \d{4}-\d{6}/);
  // The same push again, as WeChat retries it after a lost answer.
  const retried = await push(app.url, textXml(openid, '确认', confirm.id, confirm.createTime));
  t.is(retried.status, 200);
  t.is(retried.reply, confirm.reply);
  t.is((await app.services.applications.listMine(openid)).length, 1);
});

test('safe mode: encrypted pushes are decrypted and replies encrypted, checked with openssl', async (t) => {
  const mode = safeModeKey();
  const app = await startApp(t, { env: { WECHAT_AES_KEY: mode.encodingAESKey } });
  const { status, reply } = await push(app.url, textXml('o-safe', '要收费吗', msgId()), { safeMode: mode });
  t.is(status, 200);
  t.regex(reply!, /费/);
  // A plaintext push is refused in safe mode; a wrong key cannot be decrypted.
  t.is((await push(app.url, textXml('o-safe', '要收费吗', msgId()))).status, 400);
  t.true((await push(app.url, textXml('o-safe', '要收费吗', msgId()), { safeMode: safeModeKey() })).status >= 400);
});

test('subscribe is greeted; unsubscribe and template receipts are answered "success" at once', async (t) => {
  const app = await startApp(t);
  const greeted = await push(app.url, eventXml('o-new', 'subscribe'));
  t.regex(greeted.reply!, /欢迎关注/);
  const started = Date.now();
  const gone = await push(app.url, eventXml('o-new', 'unsubscribe'));
  t.is(gone.body, 'success');
  t.true(Date.now() - started < 3000, 'silent events do not wait for the passive window');
  const click = await push(app.url, eventXml('o-new', 'CLICK', 'APPLY'));
  t.regex(click.reply!, /一步一步填写/);
});

test('a reply longer than one WeChat message is split: the rest goes through the customer-service API', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  // The summary before confirming an application with a very long description exceeds 2048 bytes.
  const openid = 'o-long';
  const long = '请公开以下人防工程的竣工验收备案材料：' + '某某小区地下车库人防工程，'.repeat(60) + '谢谢。';
  for (const answer of ['我要申请', '个人', '李四', '11010519491231002X', '13800138000']) await push(app.url, textXml(openid, answer, msgId()));
  await push(app.url, textXml(openid, long, msgId()));
  await push(app.url, textXml(openid, '电子', msgId()));
  const summary = await push(app.url, textXml(openid, '微信', msgId()));
  t.true(Buffer.byteLength(summary.reply!) <= 2048);
  // The rest arrives through the fake WeChat API's customer-service endpoint.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const outbox = (await call('GET', '/__sandbox/outbox')).body as Array<{ api: string; touser: string }>;
  t.true(outbox.some((m) => m.api === 'custom_send' && m.touser === openid));
});

test('a half-filled chat form survives a server restart', async (t) => {
  const { tempDir } = await import('./helpers/temp.js');
  const dataDir = await tempDir(t);
  const first = await startApp(t, { dataDir });
  for (const answer of ['我要申请', '个人', '赵六']) await push(first.url, textXml('o-restart', answer, msgId()));
  await first.stop();
  const second = await startApp(t, { dataDir });
  const next = await push(second.url, textXml('o-restart', '11010519491231002X', msgId()));
  t.regex(next.reply!, /电话/);
});

test('a resend after a restart is answered from the saved turn: a question, and a command that acted', async (t) => {
  const { tempDir } = await import('./helpers/temp.js');
  const dataDir = await tempDir(t);
  const openid = 'o-resend';
  const first = await startApp(t, { dataDir });
  const subscribed = await push(first.url, textXml(openid, '订阅 全部', msgId()));
  t.regex(subscribed.reply!, /^已订阅/);
  const dropId = msgId();
  const dropTime = Math.floor(Date.now() / 1000);
  const dropped = await push(first.url, textXml(openid, '取消订阅', dropId, dropTime));
  t.regex(dropped.reply!, /^已取消全部订阅/);
  await push(first.url, textXml(openid, '申请公开要多久', msgId()));
  const moreId = msgId();
  const moreTime = Math.floor(Date.now() / 1000);
  const more = await push(first.url, textXml(openid, '还有呢', moreId, moreTime));
  t.regex(more.reply!, /^【/);
  await first.stop();

  const second = await startApp(t, { dataDir });
  // Applied again, "取消订阅" would now say there is nothing to cancel, and "还有呢" would have no
  // topics left (they are not kept across a restart).
  t.is((await push(second.url, textXml(openid, '取消订阅', dropId, dropTime))).reply, dropped.reply);
  t.is((await push(second.url, textXml(openid, '还有呢', moreId, moreTime))).reply, more.reply);
});

test('a resent "还有呢" gets the same topic again, not the next one', async (t) => {
  const app = await startApp(t);
  const openid = 'o-more';
  await push(app.url, textXml(openid, '申请公开要多久', msgId()));
  const id = msgId();
  const createTime = Math.floor(Date.now() / 1000);
  const first = await push(app.url, textXml(openid, '还有呢', id, createTime));
  t.regex(first.reply!, /^【/);
  t.is((await push(app.url, textXml(openid, '还有呢', id, createTime))).reply, first.reply);
  const next = await push(app.url, textXml(openid, '还有呢', msgId()));
  t.not(next.reply, first.reply, 'a new "还有呢" moves on to the next topic');
});
