// The push job against the fake WeChat API over real HTTP: one digest per subscriber with exactly
// their categories, the ledger written before and after each send, pauses on 45009, and what a
// run left half-done is resumed into.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../src/log.js';
import { PushLedgerRepo } from '../src/store/subscribers-repo.js';
import { clientMsgId } from '../src/catalog/digest.js';
import type { DigestSender, PushConfig } from '../src/catalog/index.js';
import { catalogApp } from './fixtures/catalog-app.js';
import { CREDENTIALS, digests, fakeWechat } from './fixtures/fake-wechat.js';

async function setup(t: ExecutionContext, push: Partial<PushConfig> = {}, wrap?: (sender: DigestSender, dir: string) => DigestSender) {
  const wechat = await fakeWechat(t);
  const lines: any[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  let dir = '';
  // A digest tells only of items published after the subscription (issue 18): the subscribers of
  // these tests joined a day before the items they are told of, so subscribing is backdated.
  let offsetMs = 0;
  const app = await catalogApp(t, {
    clock: () => new Date(Date.now() + offsetMs),
    wechat: () => (wrap ? wrap(wechat.client, dir) : wechat.client),
    mpAppid: CREDENTIALS.mpAppid,
    logger,
    push: { sendsPerSecond: 500, concurrency: 4, firstPauseMs: 20, maxPauseMs: 200, pauseBudgetMs: 5_000, ...push },
  });
  dir = app.dir;
  const subscribe = async (channel: 'official-account' | 'miniprogram', openid: string, categories: string[]) => {
    offsetMs = -24 * 3_600_000;
    try {
      if (channel === 'official-account') await app.catalog.chat.handle(openid, `订阅 ${categories.join(' ')}`);
      else await app.catalog.subscriptions.replace('miniprogram', openid, categories);
    } finally {
      offsetMs = 0;
    }
  };
  const ledger = await PushLedgerRepo.open(app.store);
  return { ...app, ...wechat, lines, subscribe, ledger };
}

/** touser → [categories, count] of every digest, failing if anyone got two in one run. */
function byUser(list: ReturnType<typeof digests>): Record<string, [string[], number, string]> {
  const out: Record<string, [string[], number, string]> = {};
  for (const d of list) {
    const key = `${d.touser}@${d.runId}`;
    if (out[key]) throw new Error(`${d.touser} got two digests in run ${d.runId}`);
    out[key] = [d.categories, d.count, d.api];
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k.split('@')[0]!, v]));
}

test('one digest per subscriber with exactly their categories, on their channel; nothing twice; new items in a new run', async (t) => {
  const { catalog, publish, subscribe, fake, lines, as } = await setup(t);
  await publish({ title: '2025年部门决算公开', category: 'budgets' });
  await publish({ title: '2026年部门预算公开', category: 'budgets' });
  await publish({ title: '人防工程维护采购意向', category: 'procurement' });
  await publish({ title: '开展人防宣传进社区', category: 'news' });
  await subscribe('official-account', 'oa-a', ['财政预决算']);
  await subscribe('official-account', 'oa-b', ['财政预决算', '政府采购']);
  await subscribe('miniprogram', 'mp-c', ['procurement']);
  await subscribe('miniprogram', 'mp-d', ['emergency']);
  await subscribe('official-account', 'oa-e', ['新闻动态', '财政预决算']);

  const result = await catalog.push.run();
  t.is(result.runs.length, 1);
  t.like(result.runs[0], { state: 'finished', items: 4, totals: { sent: 4, failed: 0, unknown: 0, sending: 0 } });
  t.deepEqual(byUser(digests(fake.outbox.list())), {
    'oa-a': [['budgets'], 2, 'template_send'],
    'oa-b': [['budgets', 'procurement'], 3, 'template_send'],
    'mp-c': [['procurement'], 1, 'subscribe_send'],
    'oa-e': [['budgets', 'news'], 3, 'template_send'],
  });
  const forB = fake.outbox.list().find((r) => r.touser === 'oa-b')!.payload as any;
  t.is(forB.data.thing1.value, '财政预决算、政府采购');
  t.is(forB.data.thing2.value, '2025年部门决算公开等');
  t.is(forB.miniprogram.appid, CREDENTIALS.mpAppid);
  t.is(forB.client_msg_id, clientMsgId(result.runs[0]!.runId, 'official-account:oa-b'));
  const forC = fake.outbox.list().find((r) => r.touser === 'mp-c')!.payload as any;
  t.true([...forC.data.thing2.value].length <= 20, 'subscribe-message fields fit their type');

  t.deepEqual((await catalog.push.run()).runs, [], 'nothing new: no run, no message');
  t.is(digests(fake.outbox.list()).length, 4);

  await publish({ title: '办公设备采购结果公告', category: 'procurement' });
  const second = await catalog.push.run();
  const newDigests = digests(fake.outbox.list()).filter((d) => d.runId === second.runs[0]!.runId);
  t.deepEqual(byUser(newDigests), { 'oa-b': [['procurement'], 1, 'template_send'], 'mp-c': [['procurement'], 1, 'subscribe_send'] });

  const runs = await (await as('clerk'))('GET', '/admin/v1/catalog/push-runs');
  t.is(runs.status, 200);
  t.deepEqual(runs.body.runs.map((r: any) => [r.state, r.items, r.totals.sent]), [['finished', 1, 2], ['finished', 4, 4]]);
  t.true(lines.some((l) => l.msg === 'push run started' && l.recipients === 4));
  t.true(lines.some((l) => l.msg === 'push run ended' && l.totals?.sent === 4));
  t.deepEqual(
    catalog.jobs().map((j) => [j.name, j.schedules]),
    [['push-new-items', ['30 9 * * *', '30 17 * * *']], ['feed-import', ['*/30 * * * *']]],
  );
});

test('the ledger says "sending" on disk before each send and "sent" after', async (t) => {
  const seen: string[] = [];
  const onDisk = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'push-ledger.json'), 'utf8')).data;
  const { catalog, publish, subscribe, dir } = await setup(t, {}, (sender, folder) => ({
    async sendTemplate(message) {
      const entries = Object.values(onDisk(folder).deliveries).map((run: any) => run[`official-account:${message.touser}`]);
      const entry = entries.find(Boolean);
      seen.push(`${message.touser}:${entry?.state}:${entry?.clientMsgId === message.client_msg_id}`);
      return sender.sendTemplate(message);
    },
    async sendMiniProgramSubscribe(message) {
      const entry = Object.values(onDisk(folder).deliveries).map((run: any) => run[`miniprogram:${message.touser}`]).find(Boolean);
      seen.push(`${message.touser}:${entry?.state}`);
      return sender.sendMiniProgramSubscribe(message);
    },
  }));
  await publish({ title: '人防警报试鸣公告', category: 'emergency' });
  await subscribe('official-account', 'oa-1', ['emergency']);
  await subscribe('official-account', 'oa-2', ['emergency']);
  await subscribe('miniprogram', 'mp-3', ['emergency']);
  const { runs } = await catalog.push.run();

  t.deepEqual(seen.sort(), ['mp-3:sending', 'oa-1:sending:true', 'oa-2:sending:true']);
  const after = onDisk(dir).deliveries[runs[0]!.runId];
  t.deepEqual(Object.values(after).map((e: any) => e.state), ['sent', 'sent', 'sent']);
});

test('45009 pauses the run and it resumes by itself: everyone still gets exactly one digest', async (t) => {
  const { catalog, publish, subscribe, fake, ledger } = await setup(t, { sendsPerSecond: 100, concurrency: 3 });
  await publish({ title: '政府采购意向', category: 'procurement' });
  const openids = Array.from({ length: 12 }, (_, i) => `oa-${i}`);
  for (const openid of openids) await subscribe('official-account', openid, ['procurement']);
  await subscribe('miniprogram', 'mp-x', ['procurement']);
  fake.inject('template_send', { errcode: 45009, errmsg: 'reach max api daily quota limit', times: 3 });
  fake.inject('subscribe_send', { errcode: 45009, times: 1 });

  const { runs } = await catalog.push.run();
  t.like(runs[0], { state: 'finished', totals: { sent: 13 } });
  t.true(runs[0]!.pauses >= 1);
  t.true((await ledger.run(runs[0]!.runId))!.pauses.every((p) => p.reason === '45009'));
  const got = digests(fake.outbox.list()).map((d) => d.touser).sort();
  t.deepEqual(got, [...openids, 'mp-x'].sort());
});

test('the fake\'s own rate limit below ours: 45009s, pauses, and still exactly one each', async (t) => {
  const { catalog, publish, subscribe, fake } = await setup(t, { sendsPerSecond: 50, concurrency: 4, firstPauseMs: 100, pauseBudgetMs: 60_000 });
  fake.setRateLimit(4);
  await publish({ title: '统计数据', category: 'statistics' });
  const openids = Array.from({ length: 10 }, (_, i) => `oa-${i}`);
  for (const openid of openids) await subscribe('official-account', openid, ['statistics']);
  const { runs } = await catalog.push.run();
  t.like(runs[0], { state: 'finished', totals: { sent: 10 } });
  t.deepEqual(digests(fake.outbox.list()).map((d) => d.touser).sort(), openids.sort());
});

test('a limit that does not lift within the pause budget leaves the run for later; it is resumed before new items go out', async (t) => {
  const { catalog, publish, subscribe, fake, as } = await setup(t, { firstPauseMs: 20, maxPauseMs: 40, pauseBudgetMs: 100 });
  await publish({ title: '2026年部门预算公开', category: 'budgets' });
  await subscribe('official-account', 'oa-1', ['budgets']);
  await subscribe('official-account', 'oa-2', ['budgets']);
  await subscribe('miniprogram', 'mp-1', ['budgets']);
  fake.inject('template_send', { errcode: 45009, durationMs: 600_000 });

  const first = await catalog.push.run();
  t.is(first.runs[0]!.state, 'paused');
  t.regex(first.runs[0]!.note!, /限额|频率/);
  const staffView = await (await as('clerk'))('GET', '/admin/v1/catalog/push-runs');
  t.is(staffView.body.runs[0].state, 'paused');
  t.regex(staffView.body.runs[0].note, /下次推送时继续/);

  // The limit lifts (the fake forgets its faults, its outbox and its tokens).
  const earlier = fake.outbox.list();
  fake.reset();
  await publish({ title: '2025年部门决算公开', category: 'budgets' });
  const second = await catalog.push.run();
  t.deepEqual(second.runs.map((r) => [r.runId === first.runs[0]!.runId, r.state, r.items]), [[true, 'finished', 1], [false, 'finished', 1]]);

  const all = digests([...earlier, ...fake.outbox.list()]);
  for (const runId of [first.runs[0]!.runId, second.runs[1]!.runId]) {
    t.deepEqual(all.filter((d) => d.runId === runId).map((d) => d.touser).sort(), ['mp-1', 'oa-1', 'oa-2'], runId);
  }
});

test('a subscriber WeChat refuses (43101) is marked failed and not retried; the others are sent', async (t) => {
  const { catalog, publish, subscribe, fake, ledger } = await setup(t, { concurrency: 1 });
  await publish({ title: '行政许可事项清单', category: 'licensing' });
  await subscribe('miniprogram', 'mp-refuses', ['licensing']);
  await subscribe('miniprogram', 'mp-ok', ['licensing']);
  fake.inject('subscribe_send', { errcode: 43101, errmsg: 'user refuse to accept the msg', times: 1 });
  const { runs } = await catalog.push.run();
  t.like(runs[0], { state: 'finished', totals: { sent: 1, failed: 1 } });
  t.like((await ledger.deliveries(runs[0]!.runId))['miniprogram:mp-refuses'], { state: 'failed', errcode: 43101 });
  t.deepEqual(digests(fake.outbox.list()).map((d) => d.touser), ['mp-ok']);
  t.deepEqual((await catalog.push.run()).runs, []);
});

test('a template WeChat refuses for everyone (40037) stops the run without burning through the list; fixed, it resumes', async (t) => {
  const { catalog, publish, subscribe, fake, ledger } = await setup(t, { concurrency: 1 });
  await publish({ title: '机构职能', category: 'organization' });
  for (const openid of ['oa-1', 'oa-2', 'oa-3']) await subscribe('official-account', openid, ['organization']);
  fake.inject('template_send', { errcode: 40037, errmsg: 'invalid template_id', times: 1 });

  const first = await catalog.push.run();
  t.is(first.runs[0]!.state, 'paused');
  t.regex(first.runs[0]!.note!, /40037/);
  t.deepEqual(await ledger.deliveries(first.runs[0]!.runId), {}, 'the refused send left no entry behind');
  t.is(fake.calls('template_send'), 1);

  const second = await catalog.push.run();
  t.like(second.runs[0], { state: 'finished', totals: { sent: 3 } });
  t.deepEqual(digests(fake.outbox.list()).map((d) => d.touser).sort(), ['oa-1', 'oa-2', 'oa-3']);
});

test('entries a crashed attempt left "sending": template digests are resent with the same client_msg_id (WeChat drops the repeat); others become "unknown"', async (t) => {
  const { catalog, publish, subscribe, fake, ledger, client } = await setup(t);
  const item = await publish({ title: '人防工程审批结果', category: 'licensing' });
  for (const openid of ['oa-sent-before-crash', 'oa-not-yet-sent', 'oa-stale']) await subscribe('official-account', openid, ['licensing']);
  await subscribe('miniprogram', 'mp-maybe', ['licensing']);
  await subscribe('official-account', 'oa-untouched', ['licensing']);

  // What a process killed mid-run leaves behind: a planned run and four entries written as 'sending'.
  const now = new Date();
  const run = (await ledger.planRun(await ledger.cursor(), (seq) => ({ id: `crashed-${seq}`, createdAt: now.toISOString(), attemptedAt: now.toISOString(), itemIds: [item.id], toSeq: 1 })))!;
  const sending = (key: string, at = now) => ledger.setDelivery(run.id, key, { state: 'sending', clientMsgId: clientMsgId(run.id, key), items: [item.id], at: at.toISOString() });
  await sending('official-account:oa-sent-before-crash');
  await sending('official-account:oa-not-yet-sent');
  await sending('official-account:oa-stale', new Date(now.getTime() - 3_600_000));
  await sending('miniprogram:mp-maybe');
  // The first of them reached WeChat before the crash.
  await client.sendTemplate({
    touser: 'oa-sent-before-crash',
    template_id: 'CATALOG_DIGEST_TEMPLATE_ID',
    client_msg_id: clientMsgId(run.id, 'official-account:oa-sent-before-crash'),
    miniprogram: { appid: CREDENTIALS.mpAppid, pagepath: `pages/catalog/index?digest=${run.id}&categories=licensing` },
    data: { number3: { value: '1' } },
  });

  const { runs } = await catalog.push.run();
  t.like(runs[0], { runId: run.id, state: 'finished', totals: { sent: 3, unknown: 2, failed: 0, sending: 0 } });
  t.is(fake.calls('template_send'), 4, 'sent again: the one before the crash, the one not yet sent, the untouched one');
  t.deepEqual(
    digests(fake.outbox.list()).map((d) => d.touser).sort(),
    ['oa-not-yet-sent', 'oa-sent-before-crash', 'oa-untouched'],
    'WeChat delivered the repeat only once; stale and mini-program entries are not risked twice',
  );
  t.is((await ledger.deliveries(run.id))['official-account:oa-stale']!.state, 'unknown');
  t.is((await ledger.deliveries(run.id))['miniprogram:mp-maybe']!.state, 'unknown');
});

test('a digest whose answer is lost is not sent blindly again: the template retry reuses its client_msg_id, the rest is "unknown"', async (t) => {
  const { catalog, publish, subscribe, fake, ledger } = await setup(t, { concurrency: 1 });
  await publish({ title: '工作简报第3期', category: 'work-briefs' });
  await subscribe('official-account', 'oa-lost', ['work-briefs']);
  await subscribe('miniprogram', 'mp-lost', ['work-briefs']);
  await subscribe('official-account', 'oa-fine', ['work-briefs']);
  // WeChat does the work, then the connection drops before the answer, for every attempt.
  fake.inject('template_send', { drop: 'after', times: 3 });
  fake.inject('subscribe_send', { drop: 'after', times: 1 });

  const { runs } = await catalog.push.run();
  t.like(runs[0], { state: 'finished', totals: { sent: 1, unknown: 2 } });
  t.is((await ledger.deliveries(runs[0]!.runId))['official-account:oa-lost']!.state, 'unknown');
  t.is((await ledger.deliveries(runs[0]!.runId))['miniprogram:mp-lost']!.state, 'unknown');
  t.deepEqual(digests(fake.outbox.list()).map((d) => d.touser).sort(), ['mp-lost', 'oa-fine', 'oa-lost'], 'each arrived once');
});
