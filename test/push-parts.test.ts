// The push job's pure parts: pacing, digest contents and message fields, and its settings file.
import test from 'ava';
import { SendWindow } from '../src/catalog/send-window.js';
import { LedgerBatch } from '../src/catalog/ledger-batch.js';
import type { Delivery, PushLedgerRepository } from '../src/store/subscribers-repo.js';
import { clientMsgId, digestItems, digestMessage, digestValues, fitField } from '../src/catalog/digest.js';
import { checkPushConfig, DEFAULT_PUSH_CONFIG, loadPushConfig, pushCronExpressions, PushConfigError } from '../src/catalog/push-config.js';
import { CONTENT_DIR } from './fixtures/catalog-app.js';

/** A SendWindow on a clock that only moves when it sleeps. */
function pacedWindow(perSecond: number, start: number) {
  const clock = { now: start };
  const window = new SendWindow(perSecond, () => clock.now, async (ms) => void (clock.now += ms));
  return { window, clock };
}

test('at most perSecond sends begin within one clock second; the next waits for the next second', async (t) => {
  const { window } = pacedWindow(3, 10_000);
  const granted: number[] = [];
  for (let i = 0; i < 7; i++) granted.push(await window.take());
  t.deepEqual(granted.map((ms) => Math.floor(ms / 1000)), [10, 10, 10, 11, 11, 11, 12]);
});

test('no send begins in the last moments of a second, where it could arrive in the next one', async (t) => {
  const { window } = pacedWindow(10, 10_950);
  t.is(Math.floor((await window.take()) / 1000), 11);
});

test('after pauseFor, nothing is granted until the pause is over', async (t) => {
  const { window, clock } = pacedWindow(100, 20_000);
  await window.take();
  window.pauseFor(1_500);
  t.true((await window.take()) >= 21_500);
  t.true(clock.now >= 21_500);
});

const FIELDS: Array<[string, string, string]> = [
  ['thing1', '财政预决算、政府采购、应急预案和预警信息、新闻动态', '财政预决算、政府采购、应急预案和预警信…'],
  ['thing2', '短标题', '短标题'],
  ['phrase3', '已发布新信息', '已发布新…'],
  ['number4', '12', '12'],
  ['time5', '2026年5月12日', '2026年5月12日'],
  ['first', '不限长度的字段保持原样，不限长度的字段保持原样', '不限长度的字段保持原样，不限长度的字段保持原样'],
];

for (const [key, value, expected] of FIELDS) {
  test(`a ${key} value fits WeChat's rule for its type`, (t) => {
    const fitted = fitField(key, value);
    t.is(fitted, expected);
  });
}

test('a digest holds the run\'s items in the subscriber\'s categories, and says so in its fields and link', (t) => {
  const items = [
    { id: 'i1', title: '2026年部门预算公开', category: 'budgets' },
    { id: 'i2', title: '采购意向', category: 'procurement' },
    { id: 'i3', title: '2025年部门决算公开', category: 'budgets' },
  ];
  const mine = digestItems(items, ['budgets', 'news']);
  t.deepEqual(mine.map((i) => i.id), ['i1', 'i3']);
  const names: Record<string, string> = { budgets: '财政预决算', procurement: '政府采购' };
  const values = digestValues(mine, (id) => names[id]!, '2026年5月12日', '市人防办');
  t.deepEqual(values, { count: '2', categories: '财政预决算', firstTitle: '2026年部门预算公开等', date: '2026年5月12日', agency: '市人防办' });

  const base = { runId: 'run-1', items: mine, values, templates: DEFAULT_PUSH_CONFIG.templates };
  const oa = digestMessage({ ...base, channel: 'official-account', openid: 'o1', clientMsgId: clientMsgId('run-1', 'official-account:o1'), mpAppid: 'wxmp' });
  t.is(oa.officialAccount!.client_msg_id, clientMsgId('run-1', 'official-account:o1'));
  t.is(oa.officialAccount!.miniprogram!.pagepath, 'pages/catalog/index?digest=run-1&categories=budgets');
  t.deepEqual(oa.officialAccount!.data, {
    thing1: { value: '财政预决算' },
    thing2: { value: '2026年部门预算公开等' },
    number3: { value: '2' },
    time4: { value: '2026年5月12日' },
  });
  const mp = digestMessage({ ...base, channel: 'miniprogram', openid: 'm1', clientMsgId: 'x', mpAppid: null });
  t.like(mp.miniProgram, { touser: 'm1', page: 'pages/catalog/index?digest=run-1&categories=budgets', miniprogram_state: 'formal' });
  t.not(clientMsgId('run-1', 'official-account:o1'), clientMsgId('run-2', 'official-account:o1'));
  t.true(clientMsgId('run-1', 'official-account:o1').length <= 32);
});

test('data/catalog/push.json is valid and gives the push times as cron expressions', async (t) => {
  const config = await loadPushConfig(CONTENT_DIR);
  t.true(config.sendsPerSecond > 0);
  t.deepEqual(pushCronExpressions(['09:30', '17:05', '00:00']), ['30 9 * * *', '5 17 * * *', '0 0 * * *']);
  t.is(pushCronExpressions(config.times).length, config.times.length);
});

test('a bad settings file is refused with every problem named', (t) => {
  const error = t.throws(
    () =>
      checkPushConfig({
        times: ['9:30', '25:00'],
        sendsPerSecond: 0,
        feedSchedule: 'every hour',
        dailyQuota: { 'official-account': -1 },
        templates: {
          officialAccount: { templateId: '', data: { thing1: '{{nosuch}}' } },
          miniProgram: { templateId: 'T', state: 'beta', data: {} },
        },
      }),
    { instanceOf: PushConfigError },
  );
  for (const field of ['times', 'sendsPerSecond', 'feedSchedule', 'dailyQuota.official-account', 'officialAccount.templateId', 'officialAccount.data.thing1', 'miniProgram.state', 'miniProgram.data']) {
    t.true(error!.message.includes(field), field);
  }
});

test('ledger entries are written together; each put resolves once its own entry is written', async (t) => {
  const writes: Array<Array<[string, string | null]>> = [];
  const ledger = {
    async writeEntries(_runId: string, entries: ReadonlyMap<string, Delivery | null>, _sent: unknown, claims: ReadonlySet<string>) {
      writes.push([...entries].map(([key, entry]) => [key, entry?.state ?? null]));
      return claims;
    },
  } as unknown as PushLedgerRepository;
  const entry = (state: Delivery['state']): Delivery => ({ state, clientMsgId: 'x', items: ['i1'], at: '2026-05-12T01:00:00Z' });
  // Three senders waiting is enough to write at once, whatever the interval.
  const batch = new LedgerBatch(ledger, 'run-1', 60_000, 3);

  const first = [batch.put('a', entry('sending'), { blocking: true }), batch.put('b', entry('sending'), { blocking: true })];
  await new Promise((resolve) => setImmediate(resolve));
  t.is(writes.length, 0, 'two waiting senders wait for more');
  first.push(batch.put('c', entry('sending'), { blocking: true }));
  await Promise.all(first);
  t.deepEqual(writes, [[['a', 'sending'], ['b', 'sending'], ['c', 'sending']]]);

  const later = [batch.put('a', entry('sent')), batch.put('b', null), batch.put('d', entry('sending'), { blocking: true }), batch.put('e', entry('sending'), { blocking: true }), batch.put('f', entry('sending'), { blocking: true })];
  await Promise.all(later);
  t.deepEqual(writes[1], [['a', 'sent'], ['b', null], ['d', 'sending'], ['e', 'sending'], ['f', 'sending']]);
});
