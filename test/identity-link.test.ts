// One citizen, two identities (issue 18, point 5), through the public interfaces of the whole
// server: the chat (webhook) and the mini-program (/mp/v1) of the same person are linked, by the
// UnionID WeChat gives both (the fake WeChat API configured to return one) or by a link code the
// mini-program shows and the chat takes. Linked, both show the same requests and subscriptions, and
// a push reaches the person once. Link codes are short-lived, single-use, rate-limited and never
// written to the logs or the data folder.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { client, mpLogin, personApplication, staffLogin, startApp, testClock } from './helpers/app.js';
import { push, textXml } from './helpers/wechat-client.js';
import { normalizeLinkCode, formatLinkCode, countOne, isSpent } from '../src/domain/link-code.js';
import { fakeWechat } from './fixtures/fake-wechat.js';

const msgId = () => String(BigInt('0x' + randomBytes(7).toString('hex')));
const PASSWORD = 'identity-password-1';

async function server(t: ExecutionContext) {
  const clock = testClock(new Date().toISOString());
  const app = await startApp(t, { clock });
  const api = client(app.url);
  const stamp = () => Math.floor(clock().getTime() / 1000);
  const say = async (openid: string, text: string) => {
    const { status, reply } = await push(app.url, textXml(openid, text, msgId(), stamp()), { timestamp: stamp() });
    t.is(status, 200, text);
    return reply ?? '';
  };
  const apply = async (headers: Record<string, string>, description: string) => {
    const created = await api('POST', '/mp/v1/applications', personApplication({ request: { description } }), headers);
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    return created.body.trackingNo as string;
  };
  return { app, api, clock, say, apply };
}

test('link codes: 8 digits however typed, shown in two groups; failures counted per window', (t) => {
  t.is(normalizeLinkCode('1234 5678'), '12345678');
  t.is(normalizeLinkCode('1234-5678'), '12345678');
  t.is(normalizeLinkCode('１２３４５６７８'), '12345678', 'full-width digits from a Chinese keyboard');
  t.is(normalizeLinkCode('1234567'), null);
  t.is(normalizeLinkCode('12345678x'), null);
  t.is(formatLinkCode('12345678'), '1234 5678');
  let window = countOne(undefined, '2026-03-16T02:00:00.000Z', 3_600_000);
  for (let i = 0; i < 4; i++) window = countOne(window, '2026-03-16T02:10:00.000Z', 3_600_000);
  t.true(isSpent(window, '2026-03-16T02:30:00.000Z', 5, 3_600_000));
  t.false(isSpent(window, '2026-03-16T03:00:00.000Z', 5, 3_600_000), 'a new hour, a new window');
});

test('the fake WeChat API returns a UnionID from jscode2session and user info only when configured', async (t) => {
  const { fake, client: wechat } = await fakeWechat(t, { unionids: { 'o-mp-1': 'u-1' } });
  fake.setUnionId('o-oa-1', 'u-1');
  t.is((await wechat.code2Session('dev:o-mp-1')).unionid, 'u-1');
  t.is((await wechat.code2Session('dev:o-mp-2')).unionid, undefined, 'not bound to an Open Platform account');
  t.is(await wechat.userUnionId('o-oa-1'), 'u-1');
  t.is(await wechat.userUnionId('o-oa-2'), undefined);
  t.is(fake.calls('user_info'), 2);
});

test('with a UnionID the chat and the mini-program link by themselves: same requests, one merged subscription, one digest', async (t) => {
  const { app, api, say, apply } = await server(t);
  app.fakeWechat!.setUnionId('o-chat-wang', 'u-wang');
  app.fakeWechat!.setUnionId('o-mp-wang', 'u-wang');

  // In the mini-program first: a request and a subscription (jscode2session gives the UnionID).
  const mp = await mpLogin(app.url, 'o-mp-wang');
  t.like((await api('GET', '/mp/v1/identity', undefined, mp)).body, { linked: false });
  t.is((await api('PUT', '/mp/v1/subscriptions', { categories: ['procurement'] }, mp)).status, 200);
  const trackingNo = await apply(mp, '请公开2025年度人防工程建设审批事项的办理结果清单');

  // The first chat message lets the server ask WeChat for the chat user's UnionID, beside the
  // reply (never holding it up); once it is known the two are linked, and the chat adds to the
  // subscription the mini-program began.
  await say('o-chat-wang', '你好');
  let identity = (await api('GET', '/mp/v1/identity', undefined, mp)).body;
  for (let i = 0; i < 50 && !identity.linked; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    identity = (await api('GET', '/mp/v1/identity', undefined, mp)).body;
  }
  t.like(identity, { linked: true, via: 'unionid', channels: ['miniprogram', 'official-account'] });
  t.regex(await say('o-chat-wang', '订阅 财政预决算'), /已订阅：财政预决算。您目前订阅了：财政预决算、政府采购。/);
  const progress = await say('o-chat-wang', '查询进度');
  t.regex(progress, new RegExp(`申请 ${trackingNo}`), 'the chat shows the request made in the mini-program');

  // One subscription, seen and changed from either side.
  t.deepEqual((await api('GET', '/mp/v1/subscriptions', undefined, mp)).body.categories, ['budgets', 'procurement']);
  t.regex(await say('o-chat-wang', '我的订阅'), /您目前订阅了：财政预决算、政府采购/);
  t.regex(await say('o-chat-wang', '取消订阅 政府采购'), /已取消订阅：政府采购/);
  t.deepEqual((await api('GET', '/mp/v1/subscriptions', undefined, mp)).body.categories, ['budgets']);

  // A budget item is published: the person gets one digest, not one per channel.
  const admin = await staffLogin(app.url);
  for (const [username, roles] of [['clerk', ['submitter']], ['secrecy', ['reviewer']], ['chief', ['leader']]] as const) {
    await api('POST', '/admin/v1/users', { username, password: PASSWORD, roles }, admin);
  }
  const staff = async (u: string) => staffLogin(app.url, u, PASSWORD);
  const draft = await api('POST', '/admin/v1/catalog/items', { title: '2026年部门预算公开', category: 'budgets' }, await staff('clerk'));
  for (const [who, type] of [['clerk', 'submit'], ['secrecy', 'approve'], ['chief', 'approve']] as const) {
    t.is((await api('POST', `/admin/v1/catalog/items/${draft.body.id}/events`, { type }, await staff(who))).status, 200);
  }
  t.is((await api('POST', '/admin/v1/jobs/push-new-items/run', undefined, admin)).status, 200);
  const outbox = (await api('GET', '/__sandbox/outbox')).body as Array<{ api: string; touser: string; payload: { template_id?: string } }>;
  // The catalog digests (data/catalog/push.json's templates), not the request's own notifications.
  const digests = outbox.filter((r) => /^CATALOG_DIGEST/.test(r.payload.template_id ?? '') && ['o-chat-wang', 'o-mp-wang'].includes(r.touser));
  t.is(digests.length, 1, 'one digest for one person');
  t.is(digests[0]!.touser, 'o-mp-wang', 'on the channel where the subscription began');

  // Someone else still sees nothing of theirs.
  const stranger = await mpLogin(app.url, 'o-mp-stranger');
  t.deepEqual((await api('GET', '/mp/v1/applications', undefined, stranger)).body.applications, []);
});

test('without a UnionID a link code from the mini-program, sent in the chat, links them; it is single-use, expires, and is never logged or stored', async (t) => {
  const { app, api, clock, say, apply } = await server(t);
  const mp = await mpLogin(app.url, 'o-mp-li');
  const mine = await apply(mp, '请公开本市2025年人防易地建设费的收缴和使用情况');
  t.is((await api('PUT', '/mp/v1/subscriptions', { categories: ['budgets'] }, mp)).status, 200);
  t.regex(await say('o-chat-li', '订阅 政策文件及解读'), /已订阅/);
  t.regex(await say('o-chat-li', '查询进度'), /您还没有/, 'not linked: the chat does not know the mini-program request');
  t.like((await api('GET', '/mp/v1/identity', undefined, mp)).body, { linked: false });

  // The chat explains how; the mini-program gives a code.
  t.regex(await say('o-chat-li', '关联'), /在小程序中打开“我的”→“关联公众号”，获取 8 位关联码后，在这里回复“关联 关联码”/);
  const issued = await api('POST', '/mp/v1/identity/link-code', {}, mp);
  t.is(issued.status, 201);
  t.regex(issued.body.code, /^\d{8}$/);
  t.is(issued.body.expiresInSeconds, 600);
  t.regex(issued.body.instructions, new RegExp(`回复“关联 ${issued.body.display}”`));
  const code = issued.body.code as string;

  // A wrong code is refused; the right one links.
  const wrong = code === '00000000' ? '11111111' : '00000000';
  t.regex(await say('o-chat-li', `关联 ${wrong}`), /关联码不正确或已过期/);
  t.regex(await say('o-chat-li', `关联 ${issued.body.display}`), /关联成功/);
  t.like((await api('GET', '/mp/v1/identity', undefined, mp)).body, { linked: true, via: 'code', channels: ['miniprogram', 'official-account'] });

  // Both show the same requests and subscriptions.
  t.regex(await say('o-chat-li', '查询进度'), new RegExp(`申请 ${mine}`));
  // The two subscriptions became one, with both categories (in the office's order).
  t.deepEqual((await api('GET', '/mp/v1/subscriptions', undefined, mp)).body.categories, ['policies', 'budgets']);
  t.regex(await say('o-chat-li', '我的订阅'), /您目前订阅了：政策文件及解读、财政预决算/);
  const listed = (await api('GET', '/mp/v1/applications', undefined, mp)).body.applications.map((a: { trackingNo: string }) => a.trackingNo);
  t.deepEqual(listed, [mine]);

  // Used once: another chat user cannot take it over.
  t.regex(await say('o-chat-other', `关联 ${code}`), /关联码不正确或已过期/);
  t.regex(await say('o-chat-other', '查询进度'), /您还没有/);

  // A code lives ten minutes.
  const mp2 = await mpLogin(app.url, 'o-mp-zhao');
  const late = (await api('POST', '/mp/v1/identity/link-code', {}, mp2)).body.code as string;
  clock.advance(11 * 60_000);
  t.regex(await say('o-chat-zhao', `关联 ${late}`), /关联码不正确或已过期/);

  // Guessing is cut short: five wrong codes in an hour, and even the right one waits.
  const fresh = (await api('POST', '/mp/v1/identity/link-code', {}, mp2)).body.code as string;
  for (let i = 0; i < 4; i++) t.regex(await say('o-chat-zhao', `关联 ${String(10_000_000 + i)}`), /关联码不正确或已过期/);
  t.regex(await say('o-chat-zhao', `关联 ${fresh}`), /输错次数过多，请 1 小时后再试/);
  // And asking for codes is limited too.
  for (let i = 0; i < 3; i++) t.is((await api('POST', '/mp/v1/identity/link-code', {}, mp2)).status, 201);
  const tooMany = await api('POST', '/mp/v1/identity/link-code', {}, mp2);
  t.is(tooMany.status, 429);
  t.regex(tooMany.body.error.message, /获取关联码过于频繁/);

  // No code appears in the logs or the data folder (only hashes are stored).
  const logs = app.logs.join('');
  const files = await readdir(app.config.dataDir);
  const stored = (await Promise.all(files.filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).map((f) => readFile(path.join(app.config.dataDir, f), 'utf8')))).join('');
  for (const secret of [code, late, fresh]) {
    t.false(logs.includes(secret), 'not in the logs');
    t.false(stored.includes(secret), 'not in the data folder');
  }
});
