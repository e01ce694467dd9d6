import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { WechatApiClient, type WechatApiClientOptions } from '../src/wechat/api-client.js';
import { WechatApiError, WechatNetworkError, WechatUnknownOutcomeError } from '../src/wechat/errors.js';
import type { FakeWechatApiOptions } from '../src/wechat/fake-api.js';
import { CREDENTIALS, serveFakeWechat } from './helpers/fake-wechat-server.js';

const T0 = 1_700_000_000_000;

/** The fake API on a real HTTP server on an ephemeral port, and a client pointed at it. */
async function setup(t: ExecutionContext, fakeOptions: Partial<FakeWechatApiOptions> = {}, clientOptions: Partial<WechatApiClientOptions> = {}) {
  const clock = { now: T0 };
  const { fake, baseUrl } = await serveFakeWechat(t, { clock: () => clock.now, ...fakeOptions });
  const sleeps: number[] = [];
  const client = new WechatApiClient({
    baseUrl,
    ...CREDENTIALS,
    now: () => clock.now,
    sleep: async (ms) => void sleeps.push(ms),
    timeoutMs: 2_000,
    ...clientOptions,
  });
  return { fake, client, clock, sleeps, baseUrl };
}

const template = (clientMsgId?: string) => ({
  touser: 'o_user1',
  template_id: 'TPL_STATUS',
  data: { thing1: { value: '申请已受理' } },
  ...(clientMsgId ? { client_msg_id: clientMsgId } : {}),
});

test('customer-service text reaches the fake outbox', async (t) => {
  const { fake, client, clock } = await setup(t);
  await client.sendCustomText('o_user1', '您的申请已受理。');
  t.deepEqual(fake.outbox.list(), [
    {
      api: 'custom_send',
      touser: 'o_user1',
      payload: { touser: 'o_user1', msgtype: 'text', text: { content: '您的申请已受理。' } },
      at: new Date(clock.now).toISOString(),
    },
  ]);
});

test('token storm: 100 concurrent sends share one token refresh', async (t) => {
  const { fake, client } = await setup(t);
  await Promise.all(Array.from({ length: 100 }, (_, i) => client.sendCustomText(`o_user${i}`, `第${i}条`)));
  t.is(fake.calls('stable_token'), 1);
  t.is(fake.outbox.list().length, 100);
});

test('a 40001 from a send refreshes the token and retries once', async (t) => {
  const { fake, client } = await setup(t);
  await client.sendCustomText('o_user1', '一');
  const before = fake.calls('stable_token');
  fake.inject('custom_send', { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
  await client.sendCustomText('o_user1', '二');
  t.is(fake.calls('custom_send'), 3);
  // Normal mode hands back the same token, so the manager forces a new one.
  t.is(fake.calls('stable_token'), before + 2);
  t.deepEqual(fake.outbox.list().map((r) => (r.payload as { text: { content: string } }).text.content), ['一', '二']);
});

test('a token that expired on WeChat\'s clock (42001) is renewed and the send retried', async (t) => {
  const { fake, client, clock } = await setup(t, {}, { now: () => T0 });
  await client.sendCustomText('o_user1', '一');
  clock.now = T0 + 7201_000; // only the fake's clock moves: the client still believes its token
  await client.sendCustomText('o_user1', '二');
  t.is(fake.outbox.list().length, 2);
  t.is(fake.calls('stable_token'), 2);
});

test('the token retry happens once: a second token error reaches the caller', async (t) => {
  const { fake, client } = await setup(t);
  fake.inject('custom_send', { errcode: 42001, errmsg: 'access_token expired', times: 2 });
  const error = await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatApiError });
  t.true(error?.isTokenError);
  t.is(fake.calls('custom_send'), 2);
});

for (const errcode of [45015, 45047, 43101]) {
  test(`${errcode} means the channel is unavailable, and is not retried`, async (t) => {
    const { fake, client, sleeps } = await setup(t);
    fake.inject('custom_send', { errcode, errmsg: 'injected' });
    const error = await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatApiError });
    t.like(error, { errcode, api: 'custom_send', isChannelUnavailable: true, isTokenError: false, isRetryable: false });
    t.is(fake.calls('custom_send'), 1);
    t.deepEqual(sleeps, []);
    t.deepEqual(fake.outbox.list(), []);
  });
}

test('45009 is a rate limit, not retried by the client', async (t) => {
  const { fake, client } = await setup(t);
  fake.inject('template_send', { errcode: 45009, errmsg: 'reach max api daily quota limit' });
  const error = await t.throwsAsync(client.sendTemplate(template()), { instanceOf: WechatApiError });
  t.like(error, { isRateLimited: true, isChannelUnavailable: false });
  t.is(fake.calls('template_send'), 1);
});

test('-1 (system busy) is retried with exponential backoff', async (t) => {
  const { fake, client, sleeps } = await setup(t);
  fake.inject('custom_send', { errcode: -1, errmsg: 'system error', times: 2 });
  await client.sendCustomText('o_user1', 'x');
  t.deepEqual(sleeps, [200, 400]);
  t.is(fake.outbox.list().length, 1);
});

test('retries are bounded: persistent -1 fails after the configured attempts', async (t) => {
  const { fake, client, sleeps } = await setup(t, {}, { retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 } });
  fake.inject('custom_send', { errcode: -1, times: 10 });
  const error = await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatApiError });
  t.true(error?.isRetryable);
  t.is(fake.calls('custom_send'), 4);
  t.deepEqual(sleeps, [100, 200, 250]);
});

test('a fault for a duration lasts for that long on the fake\'s clock', async (t) => {
  const { fake, client, clock } = await setup(t, {}, { retry: { attempts: 1 } });
  fake.inject('all', { errcode: -1, durationMs: 60_000 });
  await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatApiError });
  await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatApiError });
  clock.now += 60_000;
  await client.sendCustomText('o_user1', 'x');
  t.is(fake.outbox.list().length, 1);
});

test('a stable_token failure is retried like any transient failure', async (t) => {
  const { fake, client, sleeps } = await setup(t);
  fake.inject('stable_token', { errcode: -1 });
  await client.sendCustomText('o_user1', 'x');
  t.is(fake.calls('stable_token'), 2);
  t.deepEqual(sleeps, [200]);
});

/** A client with a short timeout that shares the setup client's token, fetched beforehand. */
async function impatient(setupResult: Awaited<ReturnType<typeof setup>>) {
  await setupResult.client.sendCustomText('o_user1', 'warm-up');
  setupResult.fake.outbox.clear();
  return new WechatApiClient({
    ...CREDENTIALS,
    baseUrl: setupResult.baseUrl,
    oaTokens: setupResult.client.oaTokens,
    sleep: async () => {},
    timeoutMs: 2_000,
  });
}

test('a slow customer-service send is an unknown outcome and is not repeated', async (t) => {
  const context = await setup(t);
  const { fake } = context;
  const client = await impatient(context);
  fake.inject('custom_send', { delayMs: 8_000 });
  const error = await t.throwsAsync(client.sendCustomText('o_user1', '慢'), { instanceOf: WechatUnknownOutcomeError });
  t.is(error?.reason, 'timeout');
  t.is(error?.api, 'custom_send');
  t.is(fake.calls('custom_send'), 2);
  // It did go out: exactly why the caller must not blindly resend.
  t.is(fake.outbox.list().length, 1);
});

test('a slow template send with client_msg_id is retried with the same id and delivered once', async (t) => {
  const context = await setup(t);
  const { fake } = context;
  const client = await impatient(context);
  fake.inject('template_send', { delayMs: 8_000 });
  const { msgid } = await client.sendTemplate(template('outbox-42'));
  t.is(fake.calls('template_send'), 2);
  t.is(fake.outbox.list().length, 1);
  t.regex(msgid, /^\d{19}$/, 'the 64-bit msgid survives as a string');
  // A later retry by the outbox with the same id is still one message.
  const again = await client.sendTemplate(template('outbox-42'));
  t.is(again.msgid, msgid);
  t.is(fake.outbox.list().length, 1);
});

test('without client_msg_id a template send is not repeated after an unknown outcome', async (t) => {
  const { fake, client } = await setup(t);
  fake.inject('template_send', { drop: 'after' });
  const error = await t.throwsAsync(client.sendTemplate(template()), { instanceOf: WechatUnknownOutcomeError });
  t.is(error?.reason, 'connection-lost');
  t.is(fake.calls('template_send'), 1);
  t.is(fake.outbox.list().length, 1);
});

test('a dropped connection before any work is also an unknown outcome to the client', async (t) => {
  const { fake, client } = await setup(t);
  fake.inject('custom_send', { drop: 'before' });
  await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatUnknownOutcomeError });
  t.deepEqual(fake.outbox.list(), []);
});

test('an unreachable server is a network error: nothing was sent, so it is retried, then reported', async (t) => {
  const { baseUrl } = await setup(t);
  const closed = new Koa().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  await once(closed, 'close');
  const sleeps: number[] = [];
  const client = new WechatApiClient({ ...CREDENTIALS, baseUrl: baseUrl.replace(/:\d+/, `:${port}`), sleep: async (ms) => void sleeps.push(ms) });
  const error = await t.throwsAsync(client.sendCustomText('o_user1', 'x'), { instanceOf: WechatNetworkError });
  t.is(error?.code, 'ECONNREFUSED');
  t.deepEqual(sleeps, [200, 400]);
});

test('the fake rate limiter answers 45009 beyond R sends per second', async (t) => {
  const { fake, client, clock } = await setup(t, { sendsPerSecond: 5 });
  await client.sendCustomText('o_user0', 'warm-up');
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.sendCustomText(`o_user${i}`, 'x')));
  const limited = results.filter((r) => r.status === 'rejected' && (r.reason as WechatApiError).isRateLimited);
  t.is(results.filter((r) => r.status === 'fulfilled').length, 4);
  t.is(limited.length, 4);
  clock.now += 1_000;
  await client.sendCustomText('o_user1', 'next second');
  fake.setRateLimit(undefined);
  await Promise.all(Array.from({ length: 20 }, () => client.sendCustomText('o_user1', 'unlimited')));
  t.is(fake.outbox.list().length, 1 + 4 + 1 + 20);
});

test('OA and mini-program subscribe messages', async (t) => {
  const { fake, client } = await setup(t);
  await client.sendBizSubscribe({ touser: 'o_user1', template_id: 'BIZ', data: { thing1: { value: '新公开信息' }, time2: { value: '2024年1月2日' } } });
  await client.sendMiniProgramSubscribe({
    touser: 'o_mp1',
    template_id: 'MP',
    page: 'pages/application/detail?id=1',
    miniprogram_state: 'formal',
    lang: 'zh_CN',
    data: { phrase1: { value: '已受理' }, character_string2: { value: 'GK2024-0001' } },
  });
  t.deepEqual(fake.outbox.list().map((r) => [r.api, r.touser]), [['subscribe_bizsend', 'o_user1'], ['subscribe_send', 'o_mp1']]);
  // Each account has its own token.
  t.is(fake.calls('stable_token'), 2);
  const error = await t.throwsAsync(
    client.sendMiniProgramSubscribe({ touser: 'o_mp1', template_id: 'MP', data: { thing1: { value: '这是一段超过二十个字的事项名称，不能用在thing类型里' } } }),
    { instanceOf: WechatApiError },
  );
  t.is(error?.errcode, 47003);
});

test('jscode2session with the mini-program credentials and a dev code', async (t) => {
  const { client, baseUrl } = await setup(t);
  const session = await client.code2Session('dev:o_citizen42');
  t.is(session.openid, 'o_citizen42');
  t.is(Buffer.from(session.sessionKey, 'base64').length, 16);
  const bad = await t.throwsAsync(client.code2Session('071abc'), { instanceOf: WechatApiError });
  t.is(bad?.errcode, 40029);
  const wrongSecret = new WechatApiClient({ ...CREDENTIALS, mpSecret: 'wrong', baseUrl });
  const denied = await t.throwsAsync(wrongSecret.code2Session('dev:o_x'), { instanceOf: WechatApiError });
  t.is(denied?.errcode, 40125);
});

test('menu create is validated like WeChat does', async (t) => {
  const { fake, client } = await setup(t);
  const menu = {
    button: [
      { type: 'click', name: '办事指南', key: 'GUIDE' },
      { name: '申请', sub_button: [{ type: 'miniprogram', name: '在线申请', url: 'https://example.gov.cn', appid: 'wxminiprogram000', pagepath: 'pages/index/index' }] },
    ],
  };
  await client.createMenu(menu);
  t.deepEqual(fake.menu(), menu);
  const error = await t.throwsAsync(client.createMenu({ button: Array.from({ length: 4 }, (_, i) => ({ type: 'click', name: `b${i}`, key: `K${i}` })) }), {
    instanceOf: WechatApiError,
  });
  t.is(error?.errcode, 40016);
  const longName = await t.throwsAsync(client.createMenu({ button: [{ type: 'click', name: '信息公开指南目录', key: 'K' }] }), { instanceOf: WechatApiError });
  t.is(longName?.errcode, 40018, '8 Chinese characters are 24 bytes, over the 16-byte limit');
});

test('msg_sec_check v2 answers pass or risky', async (t) => {
  const { client } = await setup(t, { riskyWords: ['违禁词'] });
  t.like(await client.msgSecCheck({ openid: 'o_mp1', scene: 1, content: '我想申请公开人防工程信息' }), { suggest: 'pass', label: 100 });
  t.like(await client.msgSecCheck({ openid: 'o_mp1', scene: 1, content: '含有违禁词的内容' }), { suggest: 'risky' });
  const error = await t.throwsAsync(client.msgSecCheck({ openid: 'o_mp1', scene: 1, content: '长'.repeat(2501) }), { instanceOf: WechatApiError });
  t.is(error?.errcode, 40097);
});

test('calls that need the mini-program fail clearly when it is not configured', async (t) => {
  const client = new WechatApiClient({ appid: 'wx', secret: 's', baseUrl: 'http://127.0.0.1:9' });
  await t.throwsAsync(client.code2Session('dev:x'), { message: /mini-program/ });
  await t.throwsAsync(client.msgSecCheck({ openid: 'o', scene: 1, content: 'x' }), { message: /mini-program/ });
});
