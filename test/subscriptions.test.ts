// Subscriptions by category: in the official account's chat, and through /mp/v1/subscriptions.
import test from 'ava';
import type { SubscriptionsHandler } from '../bot/dialog.js';
import { parseSubscriptionCommand } from '../src/catalog/subscription-chat.js';
import { loadAgency } from '../src/agency.js';
import type { SubscribersRepository } from '../src/store/subscribers-repo.js';
import { catalogApp, CONTENT_DIR } from './fixtures/catalog-app.js';

const categories = (await loadAgency(CONTENT_DIR)).catalogCategories;

/** Every subscriber, in the order they subscribed (one page is all of a test's). */
const everyone = async (catalog: { subscribers: SubscribersRepository }) => (await catalog.subscribers.page({ categories: null, after: null, limit: 1000 })).items;

const COMMANDS: Array<[string, ReturnType<typeof parseSubscriptionCommand>]> = [
  ['订阅', { kind: 'list' }],
  ['订阅栏目', { kind: 'list' }],
  ['我的订阅', { kind: 'mine' }],
  ['取消订阅', { kind: 'unsubscribe-all' }],
  ['退订', { kind: 'unsubscribe-all' }],
  ['取消订阅 全部', { kind: 'unsubscribe-all' }],
  ['订阅 财政预决算', { kind: 'subscribe', ids: ['budgets'], unknown: [] }],
  ['订阅财政预决算', { kind: 'subscribe', ids: ['budgets'], unknown: [] }],
  ['订阅：政府采购。', { kind: 'subscribe', ids: ['procurement'], unknown: [] }],
  ['订阅 行政处罚和行政强制', { kind: 'subscribe', ids: ['enforcement'], unknown: [] }],
  ['订阅 预决算、政府采购', { kind: 'subscribe', ids: ['budgets', 'procurement'], unknown: [] }],
  ['订阅 8', { kind: 'subscribe', ids: ['budgets'], unknown: [] }],
  ['订阅 全部', { kind: 'subscribe', ids: categories.map((c) => c.id), unknown: [] }],
  ['订阅 火星新闻', { kind: 'subscribe', ids: [], unknown: ['火星新闻'] }],
  ['取消订阅 财政预决算', { kind: 'unsubscribe', ids: ['budgets'], unknown: [] }],
  ['退订 政府采购 火星', { kind: 'unsubscribe', ids: ['procurement'], unknown: ['火星'] }],
  ['订阅号怎么关注', null],
  ['申请公开要多久', null],
  ['我想订阅', null],
];

for (const [text, expected] of COMMANDS) {
  test(`chat command: ${text}`, (t) => {
    t.deepEqual(parseSubscriptionCommand(text, categories), expected);
  });
}

test('in the chat: list, subscribe, see, unsubscribe one, unsubscribe all', async (t) => {
  const { catalog } = await catalogApp(t);
  const chat: SubscriptionsHandler = catalog.chat;
  const say = (text: string) => chat.handle('oa-user-1', text);

  const list = (await say('订阅'))!;
  t.regex(list, /财政预决算/);
  t.regex(list, /订阅 财政预决算/);
  t.true([...list].length <= 600);

  t.regex((await say('我的订阅'))!, /没有订阅/);
  const subscribed = (await say('订阅 财政预决算'))!;
  t.regex(subscribed, /已订阅：财政预决算/);
  t.regex((await say('订阅 政府采购 火星'))!, /已订阅：政府采购[\s\S]*没有找到“火星”/);
  t.deepEqual(await catalog.subscriptions.categoriesOf('official-account', 'oa-user-1'), ['budgets', 'procurement']);
  t.regex((await say('我的订阅'))!, /财政预决算、政府采购/);
  t.regex((await say('订阅 火星'))!, /没有找到“火星”栏目/);

  t.regex((await say('取消订阅 财政预决算'))!, /已取消订阅：财政预决算。您目前订阅了：政府采购/);
  t.regex((await say('取消订阅 财政预决算'))!, /您没有订阅财政预决算/);
  t.regex((await say('取消订阅'))!, /已取消全部订阅/);
  t.deepEqual(await catalog.subscriptions.categoriesOf('official-account', 'oa-user-1'), []);
  t.is((await everyone(catalog)).length, 0, 'nothing kept about someone with no subscriptions');
  t.is(await say('申请公开要多久'), null, 'not about subscriptions: left to the guide');
});

test('unfollowing the official account ends every subscription', async (t) => {
  const { catalog } = await catalogApp(t);
  await catalog.chat.handle('oa-user-2', '订阅 全部');
  t.is((await catalog.subscriptions.categoriesOf('official-account', 'oa-user-2')).length, categories.length);
  await catalog.chat.unsubscribeAll('oa-user-2');
  t.is((await everyone(catalog)).length, 0);
  await t.notThrowsAsync(catalog.chat.unsubscribeAll('never-subscribed'));
});

test('GET|PUT /mp/v1/subscriptions: mine only, checked, empty list unsubscribes', async (t) => {
  const { mpUser, anonymous, catalog } = await catalogApp(t);
  t.is((await anonymous('GET', '/mp/v1/subscriptions')).status, 401);
  t.is((await anonymous('PUT', '/mp/v1/subscriptions', { categories: ['budgets'] })).status, 401);

  const alice = await mpUser('mp-alice');
  const bob = await mpUser('mp-bob');
  const empty = await alice('GET', '/mp/v1/subscriptions');
  t.deepEqual(empty.body.categories, []);
  t.deepEqual(empty.body.available, categories.map((c) => ({ id: c.id, name: c.name })));

  const put = await alice('PUT', '/mp/v1/subscriptions', { categories: ['procurement', 'budgets', 'budgets'] });
  t.is(put.status, 200);
  t.deepEqual(put.body.categories, ['budgets', 'procurement'], 'in the office order, once each');
  t.deepEqual((await alice('GET', '/mp/v1/subscriptions')).body.categories, ['budgets', 'procurement']);
  t.deepEqual((await bob('GET', '/mp/v1/subscriptions')).body.categories, [], 'each user sees their own');

  for (const bad of [{ categories: ['budgets', 'mars'] }, { categories: 'budgets' }, {}]) {
    const refused = await alice('PUT', '/mp/v1/subscriptions', bad);
    t.is(refused.status, 400, JSON.stringify(bad));
    t.truthy(refused.body.error.fields.categories);
  }
  t.deepEqual((await alice('GET', '/mp/v1/subscriptions')).body.categories, ['budgets', 'procurement'], 'a refused PUT changes nothing');

  t.deepEqual((await alice('PUT', '/mp/v1/subscriptions', { categories: [] })).body.categories, []);
  t.is((await everyone(catalog)).length, 0);
});

test('the same openid text in the official account and the mini-program is two subscribers, each with its channel', async (t) => {
  const { mpUser, catalog, as } = await catalogApp(t);
  await catalog.chat.handle('same-id', '订阅 财政预决算');
  await (await mpUser('same-id'))('PUT', '/mp/v1/subscriptions', { categories: ['news'] });
  t.deepEqual(
    (await everyone(catalog)).map((s) => [s.channel, s.openid, s.categories]),
    [
      ['official-account', 'same-id', ['budgets']],
      ['miniprogram', 'same-id', ['news']],
    ],
  );
  await catalog.chat.unsubscribeAll('same-id');
  t.deepEqual((await everyone(catalog)).map((s) => s.channel), ['miniprogram'], 'unfollowing the account leaves the mini-program alone');

  const counts = await (await as('clerk'))('GET', '/admin/v1/catalog/subscribers');
  t.like(counts.body, { total: 1, byChannel: { miniprogram: 1, 'official-account': 0 } });
  t.is(counts.body.byCategory.news, 1);
});
