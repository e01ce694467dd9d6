import test, { type ExecutionContext } from 'ava';
import type { FakeWechatApiOptions } from '../src/wechat/fake-api.js';
import { CREDENTIALS, serveFakeWechat } from './helpers/fake-wechat-server.js';

// These tests speak raw HTTP to the fake, as WeChat's own docs describe the endpoints, without our client.
const T0 = 1_700_000_000_000;

async function setup(t: ExecutionContext, options: Partial<FakeWechatApiOptions> = {}) {
  const clock = { now: T0 };
  const { fake, baseUrl: base } = await serveFakeWechat(t, { clock: () => clock.now, prefix: '', ...options });
  const post = async (path: string, body: unknown, raw = false) => {
    const response = await fetch(base + path, { method: 'POST', body: raw ? String(body) : JSON.stringify(body) });
    t.is(response.status, 200, 'WeChat answers 200 even for errors');
    return (await response.json()) as Record<string, any>;
  };
  const token = async (appid = CREDENTIALS.appid, secret = CREDENTIALS.secret, force = false) =>
    post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid, secret, force_refresh: force });
  const send = async (accessToken: string, body: unknown) => post(`/cgi-bin/message/custom/send?access_token=${accessToken}`, body);
  const text = (content: string, touser = 'o_user1') => ({ touser, msgtype: 'text', text: { content } });
  return { fake, clock, base, post, token, send, text };
}

test('stable_token: normal mode returns the same token with the remaining lifetime', async (t) => {
  const { token, clock } = await setup(t);
  const first = await token();
  t.like(first, { expires_in: 7200 });
  t.true(first.access_token.length > 32);
  clock.now += 1_000_000;
  const second = await token();
  t.is(second.access_token, first.access_token);
  t.is(second.expires_in, 6200);
});

test('stable_token: within the last 5 minutes a new token is issued and the old one still works', async (t) => {
  const { token, clock, send, text } = await setup(t);
  const first = (await token()).access_token;
  clock.now = T0 + (7200 - 299) * 1000;
  const second = (await token()).access_token;
  t.not(second, first);
  t.like(await send(first, text('old token')), { errcode: 0 });
  clock.now = T0 + 7200 * 1000;
  t.like(await send(first, text('old token expired')), { errcode: 42001 });
  t.like(await send(second, text('new token')), { errcode: 0 });
});

test('stable_token: force_refresh invalidates the old token, but not twice within 30 s', async (t) => {
  const { token, clock, send, text } = await setup(t);
  const first = (await token()).access_token;
  const forced = (await token(undefined, undefined, true)).access_token;
  t.not(forced, first);
  t.like(await send(first, text('x')), { errcode: 40001 });
  clock.now += 10_000;
  t.is((await token(undefined, undefined, true)).access_token, forced, 'ignored within 30 s');
  clock.now += 30_000;
  t.not((await token(undefined, undefined, true)).access_token, forced);
});

test('stable_token: at most 20 forced refreshes a day', async (t) => {
  const { token, clock } = await setup(t);
  for (let i = 0; i < 20; i++) {
    t.truthy((await token(undefined, undefined, true)).access_token);
    clock.now += 31_000;
  }
  t.like(await token(undefined, undefined, true), { errcode: 45009 });
});

test('stable_token: wrong credentials', async (t) => {
  const { token, post } = await setup(t);
  t.like(await token('wxunknown'), { errcode: 40013 });
  t.like(await token(CREDENTIALS.appid, 'nope'), { errcode: 40125 });
  t.like(await post('/cgi-bin/stable_token', { grant_type: 'password', appid: CREDENTIALS.appid, secret: CREDENTIALS.secret }), { errcode: 40002 });
});

test('sends check the access token', async (t) => {
  const { token, send, post, text } = await setup(t);
  t.like(await post('/cgi-bin/message/custom/send', text('x')), { errcode: 41001 });
  t.like(await send('not-a-token', text('x')), { errcode: 40001 });
  const mpToken = (await token(CREDENTIALS.mpAppid, CREDENTIALS.mpSecret)).access_token;
  t.like(await send(mpToken, text('x')), { errcode: 48001 }, "the mini-program's token is not the account's");
});

test('customer-service validation follows WeChat', async (t) => {
  const { token, send, post, fake } = await setup(t);
  const tk = (await token()).access_token;
  const cases: [string, unknown, number][] = [
    ['ok', { touser: 'o1', msgtype: 'text', text: { content: '您好' } }, 0],
    ['longest text', { touser: 'o1', msgtype: 'text', text: { content: '公'.repeat(682) + 'xx' } }, 0],
    ['text over 2048 bytes', { touser: 'o1', msgtype: 'text', text: { content: '公'.repeat(683) } }, 45002],
    ['empty text', { touser: 'o1', msgtype: 'text', text: { content: '' } }, 44004],
    ['no touser', { msgtype: 'text', text: { content: 'x' } }, 40003],
    ['blank touser', { touser: ' ', msgtype: 'text', text: { content: 'x' } }, 40003],
    ['unknown msgtype', { touser: 'o1', msgtype: 'sticker', sticker: {} }, 40008],
    ['image without media', { touser: 'o1', msgtype: 'image', image: {} }, 40007],
    ['two news articles', { touser: 'o1', msgtype: 'news', news: { articles: [{}, {}] } }, 45008],
  ];
  for (const [name, body, errcode] of cases) t.is((await send(tk, body)).errcode ?? 0, errcode, name);
  t.like(await post(`/cgi-bin/message/custom/send?access_token=${tk}`, '{not json', true), { errcode: 47001 });
  t.is(fake.outbox.list().length, 2, 'only accepted sends are recorded');
});

test('template and subscribe validation', async (t) => {
  const { token, post } = await setup(t);
  const oa = (await token()).access_token;
  const mp = (await token(CREDENTIALS.mpAppid, CREDENTIALS.mpSecret)).access_token;
  const templateCases: [unknown, number][] = [
    [{ touser: 'o1', template_id: 'T', data: { first: { value: 'x' } } }, 0],
    [{ touser: 'o1', data: { first: { value: 'x' } } }, 40037],
    [{ template_id: 'T', data: { first: { value: 'x' } } }, 40003],
    [{ touser: 'o1', template_id: 'T', data: { first: 'x' } }, 47001],
  ];
  for (const [body, errcode] of templateCases) t.is((await post(`/cgi-bin/message/template/send?access_token=${oa}`, body)).errcode, errcode);
  const value = (key: string, v: string) => ({ touser: 'o1', template_id: 'T', data: { [key]: { value: v } } });
  const subscribeCases: [unknown, number][] = [
    [value('thing1', '二十个字以内的事项名称'), 0],
    [value('thing1', '这'.repeat(21)), 47003],
    [value('phrase2', '已受理'), 0],
    [value('phrase2', '已经受理完毕了'), 47003],
    [value('phrase2', 'done'), 47003],
    [value('number3', '12.5'), 0],
    [value('number3', '十二'), 47003],
    [value('character_string4', 'GK-2024-0001'), 0],
    [value('name5', '张三'), 0],
    [value('name5', '欧阳'.repeat(6)), 47003],
    [value('time6', '2024年1月2日 15:01'), 0],
    [value('thing7', ''), 47003],
    [{ ...value('thing1', 'x'), miniprogram_state: 'beta' }, 47003],
  ];
  for (const [body, errcode] of subscribeCases) {
    t.is((await post(`/cgi-bin/message/subscribe/send?access_token=${mp}`, body)).errcode, errcode, JSON.stringify(body));
  }
  t.is((await post(`/cgi-bin/message/subscribe/bizsend?access_token=${oa}`, value('thing1', '这'.repeat(21)))).errcode, 47003);
  t.is((await post(`/cgi-bin/message/subscribe/bizsend?access_token=${oa}`, value('thing1', '新公开'))).errcode, 0);
});

test('template msgid is a bare 64-bit JSON number; client_msg_id dedupes for 10 minutes per user', async (t) => {
  const { token, base, clock, fake } = await setup(t);
  const tk = (await token()).access_token;
  const sendRaw = async (touser: string, clientMsgId: string) => {
    const response = await fetch(`${base}/cgi-bin/message/template/send?access_token=${tk}`, {
      method: 'POST',
      body: JSON.stringify({ touser, template_id: 'T', client_msg_id: clientMsgId, data: { first: { value: 'x' } } }),
    });
    const raw = await response.text();
    return /"msgid":(\d+)/.exec(raw)?.[1];
  };
  const a = await sendRaw('o1', 'k1');
  t.regex(a ?? '', /^\d{19}$/);
  t.true(BigInt(a!) > BigInt(Number.MAX_SAFE_INTEGER));
  t.is(await sendRaw('o1', 'k1'), a);
  t.not(await sendRaw('o2', 'k1'), a, 'the key is per openid');
  clock.now += 10 * 60_000;
  t.not(await sendRaw('o1', 'k1'), a, 'after 10 minutes it is a new message');
  t.is(fake.outbox.list().length, 3);
});

test('customer-service window, when enforced: 45015 outside, 45047 after the quota', async (t) => {
  const { token, send, text, fake, clock } = await setup(t, { enforceCustomWindow: true });
  let tk = (await token()).access_token;
  t.like(await send(tk, text('x')), { errcode: 45015 });
  fake.noteInteraction('o_user1', 'message');
  for (let i = 0; i < 5; i++) t.like(await send(tk, text(`${i}`)), { errcode: 0 });
  t.like(await send(tk, text('sixth')), { errcode: 45047 });
  fake.noteInteraction('o_user1', 'message');
  t.like(await send(tk, text('after a new message')), { errcode: 0 });
  clock.now += 48 * 3_600_000;
  tk = (await token()).access_token;
  t.like(await send(tk, text('two days later')), { errcode: 45015 });
  fake.noteInteraction('o_user1', 'click');
  t.like(await send(tk, text('after a menu click')), { errcode: 0 });
  clock.now += 60_000;
  t.like(await send(tk, text('a minute later')), { errcode: 45015 });
});

test('jscode2session over raw HTTP', async (t) => {
  const { base } = await setup(t);
  const get = async (query: Record<string, string>) => (await fetch(`${base}/sns/jscode2session?${new URLSearchParams(query)}`)).json();
  const ok = { appid: CREDENTIALS.mpAppid, secret: CREDENTIALS.mpSecret, js_code: 'dev:o_abc', grant_type: 'authorization_code' };
  t.like(await get(ok), { openid: 'o_abc' });
  t.like(await get({ ...ok, appid: CREDENTIALS.appid, secret: CREDENTIALS.secret }), { errcode: 40013 }, 'the official account cannot log in mini-program users');
  t.like(await get({ ...ok, js_code: 'dev:' }), { errcode: 40029 });
  t.like(await get({ ...ok, js_code: '' }), { errcode: 41008 });
});

test('inject counts down, reset forgets everything', async (t) => {
  const { token, send, text, fake } = await setup(t);
  const tk = (await token()).access_token;
  fake.inject('custom_send', { errcode: 45015, times: 2 });
  t.like(await send(tk, text('1')), { errcode: 45015 });
  t.like(await send(tk, text('2')), { errcode: 45015 });
  t.like(await send(tk, text('3')), { errcode: 0 });
  fake.inject('custom_send', { errcode: 45047, times: 5 });
  fake.reset();
  t.like(await send(tk, text('x')), { errcode: 40001 }, 'tokens are gone');
  const fresh = (await token()).access_token;
  t.like(await send(fresh, text('x')), { errcode: 0 }, 'faults are gone');
  t.is(fake.outbox.list().length, 1);
  t.is(fake.calls('stable_token'), 1);
  fake.outbox.clear();
  t.deepEqual(fake.outbox.list(), []);
});
