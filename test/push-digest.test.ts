// Pushes as the subscriber lives them (issue 18, point 6), through the public interfaces of the whole
// server: a citizen subscribes in the chat (webhook) and in the mini-program (/mp/v1), staff publish
// through the staff API and run the push job; the digest WeChat receives (the sandbox outbox) tells
// only of items published after the subscription, its link names the digest, and
// GET /mp/v1/catalog?digest= opens exactly those items. "最新公开的信息" in the chat lists the newest
// items rather than going to staff as an unanswered question.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { client, mpLogin, staffLogin, startApp, testClock, type TestClock } from './helpers/app.js';
import { push, textXml, eventXml } from './helpers/wechat-client.js';
import { digestItems, parseCutoffs, publishedSince, subscriberSince } from '../src/catalog/digest.js';

const msgId = () => String(BigInt('0x' + randomBytes(7).toString('hex')));
const PASSWORD = 'digest-password-1';

async function server(t: ExecutionContext) {
  const clock: TestClock = testClock(new Date().toISOString());
  const app = await startApp(t, { clock });
  const api = client(app.url);
  const admin = await staffLogin(app.url);
  for (const [username, roles] of [['clerk', ['submitter']], ['secrecy', ['reviewer']], ['chief', ['leader']]] as const) {
    const created = await api('POST', '/admin/v1/users', { username, password: PASSWORD, roles }, admin);
    if (created.status !== 201) throw new Error(`user ${username}: ${JSON.stringify(created.body)}`);
  }
  const staff = Object.fromEntries(await Promise.all(['clerk', 'secrecy', 'chief'].map(async (u) => [u, await staffLogin(app.url, u, PASSWORD)] as const)));
  /** Drafts an item and takes it through the three levels with the staff API. */
  const publish = async (title: string, category: string, url?: string) => {
    const draft = await api('POST', '/admin/v1/catalog/items', { title, category, ...(url ? { url } : {}) }, staff.clerk);
    if (draft.status !== 201) throw new Error(JSON.stringify(draft.body));
    for (const [who, type] of [['clerk', 'submit'], ['secrecy', 'approve'], ['chief', 'approve']] as const) {
      const step = await api('POST', `/admin/v1/catalog/items/${draft.body.id}/events`, { type }, staff[who]);
      if (step.status !== 200) throw new Error(JSON.stringify(step.body));
    }
    return draft.body.id as string;
  };
  const say = async (openid: string, text: string) => {
    const { status, reply } = await push(app.url, textXml(openid, text, msgId(), Math.floor(clock().getTime() / 1000)), { timestamp: Math.floor(clock().getTime() / 1000) });
    t.is(status, 200, text);
    return reply ?? '';
  };
  const click = async (openid: string, key: string) => {
    const stamp = Math.floor(clock().getTime() / 1000);
    return (await push(app.url, eventXml(openid, 'CLICK', key, stamp), { timestamp: stamp })).reply ?? '';
  };
  const runPush = async () => {
    const run = await api('POST', '/admin/v1/jobs/push-new-items/run', undefined, admin);
    if (run.status !== 200) throw new Error(JSON.stringify(run.body));
  };
  const outbox = async () => (await api('GET', '/__sandbox/outbox')).body as Array<{ api: string; touser: string; payload: any }>;
  return { app, api, clock, admin, publish, say, click, runPush, outbox };
}

test('the since-subscription rule: later than the subscription and dated no earlier than its day', (t) => {
  const since = '2026-03-16T02:00:00.000Z'; // 10:00 China time
  t.true(publishedSince({ publishedAt: '2026-03-16T03:00:00.000Z', publishedOn: '2026-03-16' }, since));
  t.false(publishedSince({ publishedAt: '2026-03-16T01:00:00.000Z', publishedOn: '2026-03-16' }, since), 'published before they subscribed');
  t.false(publishedSince({ publishedAt: '2026-03-16T03:00:00.000Z', publishedOn: '2025-09-01' }, since), 'an old portal item imported now is not news');
  const subscriber = { categories: ['policies', 'news'], since: '2026-01-01T00:00:00.000Z', categorySince: { news: since } };
  const items = [
    { id: 'a', title: 'A', category: 'policies', publishedAt: '2026-03-16T01:00:00.000Z', publishedOn: '2026-03-16' },
    { id: 'b', title: 'B', category: 'news', publishedAt: '2026-03-16T01:00:00.000Z', publishedOn: '2026-03-16' },
    { id: 'c', title: 'C', category: 'news', publishedAt: '2026-03-16T04:00:00.000Z', publishedOn: '2026-03-16' },
    { id: 'd', title: 'D', category: 'budgets', publishedAt: '2026-03-16T04:00:00.000Z', publishedOn: '2026-03-16' },
  ];
  t.deepEqual(digestItems(items, subscriber.categories, subscriberSince(subscriber)).map((i) => i.id), ['a', 'c'], 'a category added later counts from when it was added');
  t.deepEqual(parseCutoffs('news~1773626400'), { news: '2026-03-16T02:00:00.000Z' });
  t.is(parseCutoffs('news~x'), null);
});

test('a new subscriber is told only of what was published after they subscribed; the digest links to exactly those items', async (t) => {
  const { clock, publish, say, runPush, outbox } = await server(t);

  // An early subscriber follows 政策文件及解读 in the chat before anything is published.
  t.regex(await say('o-early', '订阅 政策文件及解读'), /已订阅：政策文件及解读/);
  clock.advance(60_000);
  await publish('关于加强结合民用建筑修建防空地下室管理的通知', 'policies', 'https://rfb.huangshi.gov.cn/tzgg/3.html');
  clock.advance(60_000);

  // A new subscriber in the chat, after that item was published.
  t.regex(await say('o-newcomer', '订阅 政策文件及解读'), /已订阅/);
  clock.advance(60_000);
  await publish('《关于加强结合民用建筑修建防空地下室管理的通知》政策解读', 'policies');
  await runPush();

  const digests = (await outbox()).filter((r) => r.api === 'template_send');
  const to = (openid: string) => digests.filter((d) => d.touser === openid);
  t.is(to('o-early').length, 1);
  t.is(to('o-newcomer').length, 1);
  t.is(to('o-early')[0]!.payload.data.number3.value, '2', 'the early subscriber hears of both');
  const newcomer = to('o-newcomer')[0]!.payload;
  t.is(newcomer.data.number3.value, '1', 'the newcomer hears only of what came after they subscribed');
  t.regex(newcomer.data.thing2.value, /^《关于加强结合民用建筑修建防空地下室/, 'the 政策解读 published after they subscribed');
  // No mini-program is linked in this sandbox: the template leads to the portal.
  t.is(newcomer.url, 'http://rfb.huangshi.gov.cn/');
});

test('the mini-program digest link names the digest, and GET /mp/v1/catalog?digest= resolves it to the same items', async (t) => {
  const { app, api, clock, publish, runPush, outbox } = await server(t);
  const old = await publish('2025年全市人防工程建设情况统计', 'statistics');
  clock.advance(60_000);
  const citizen = await mpLogin(app.url, 'o-mp-citizen');
  t.is((await api('PUT', '/mp/v1/subscriptions', { categories: ['statistics', 'policies'] }, citizen)).status, 200);
  clock.advance(60_000);
  const fresh = await publish('2026年第一季度人防工程建设情况统计', 'statistics');
  const other = await publish('人防工程平时使用管理办法', 'policies');
  await runPush();

  const [digest] = (await outbox()).filter((r) => r.api === 'subscribe_send' && r.touser === 'o-mp-citizen');
  t.truthy(digest, 'the mini-program subscriber got a subscribe message');
  t.is(digest!.payload.data.number3.value, '2');
  const page = digest!.payload.page as string;
  t.regex(page, /^pages\/catalog\/index\?digest=[\w-]+&categories=/);
  const query = new URLSearchParams(page.slice(page.indexOf('?') + 1));

  // What the mini-program page asks for: exactly the digest's items, oldest publication first.
  const opened = await api('GET', `/mp/v1/catalog?${query}`);
  t.is(opened.status, 200);
  t.deepEqual(opened.body.items.map((i: { id: string }) => i.id), [fresh, other]);
  t.false(opened.body.items.some((i: { id: string }) => i.id === old), 'the item from before the subscription is not in it');
  t.is(opened.body.digest.id, query.get('digest'));

  // A digest id that names no run, and a malformed one, are told apart.
  const unknown = await api('GET', '/mp/v1/catalog?digest=20260101-9-abcdef');
  t.is(unknown.status, 404);
  t.regex(unknown.body.error.message, /找不到这次推送/);
  const bad = await api('GET', '/mp/v1/catalog?digest=../../etc');
  t.is(bad.status, 400);
  const badSince = await api('GET', `/mp/v1/catalog?digest=${query.get('digest')}&since=yesterday`);
  t.is(badSince.status, 400);
});

test('"最新公开的信息" in the chat lists the newest items instead of going to staff; the menu has a button for it', async (t) => {
  const { app, clock, publish, say, click } = await server(t);
  t.regex(await say('o-reader', '最新公开的信息'), /目前还没有公开的信息/);
  for (const [i, title] of ['人防工程竣工验收备案办事指南', '防空地下室易地建设费收费标准及依据', '关于2026年防空警报试鸣的公告'].entries()) {
    await publish(title, i === 2 ? 'emergency' : 'service-guides', i === 2 ? 'https://rfb.huangshi.gov.cn/yjya/2026.html' : undefined);
    clock.advance(60_000);
  }
  const reply = await say('o-reader', '最新公开的信息');
  const lines = reply.split('\n');
  t.is(lines[0], '最新公开的信息：');
  t.regex(lines[1]!, /^· 关于2026年防空警报试鸣的公告（\d{4}年\d{1,2}月\d{1,2}日）$/, 'newest first');
  t.is(lines[2], 'https://rfb.huangshi.gov.cn/yjya/2026.html');
  t.regex(reply, /防空地下室易地建设费收费标准及依据[\s\S]*人防工程竣工验收备案办事指南/);
  t.regex(reply, /回复“订阅”/);
  t.regex(await say('o-reader', '最近公开了什么？'), /^最新公开的信息：/);
  t.regex(await click('o-reader', 'LATEST'), /^最新公开的信息：/);
  t.deepEqual((await app.repos.conversations.listUnanswered({}, { order: 'oldest' })).questions.filter((q) => q.openid === 'o-reader'), [], 'nothing was forwarded to staff');
});
