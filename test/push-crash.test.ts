// The push job killed (SIGKILL) in the middle of a run and started again: every subscriber still
// gets exactly one digest with exactly their categories. The fake WeChat API lives in this test's
// process, so its outbox outlives the job's process; it kills the job right after it has accepted
// a send and before the job hears the answer, the worst moment to die.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { loadAgency } from '../src/agency.js';
import { Store } from '../src/store/store.js';
import { PushLedgerRepo } from '../src/store/subscribers-repo.js';
import { openCatalog } from '../src/catalog/index.js';
import type { Actor } from '../src/catalog/review.js';
import { digests } from './fixtures/fake-wechat.js';
import { tempDir } from './helpers/temp.js';
import { serveFakeWechat } from './helpers/fake-wechat-server.js';

const CONTENT_DIR = path.resolve('data');
const ITEMS: Array<[string, string]> = [
  ['2026年部门预算公开', 'budgets'],
  ['2025年部门决算公开', 'budgets'],
  ['人防工程维护采购意向', 'procurement'],
  ['人防警报试鸣公告', 'emergency'],
  ['开展人防宣传进社区', 'news'],
];
const CATEGORY_SETS = [['budgets'], ['procurement', 'emergency'], ['news', 'budgets', 'procurement'], ['statistics'], ['emergency']];

// With the subscribers interleaved below, the 16th digest goes to the mini-program and the 17th
// to the official account.
const KILL_ON_TEMPLATE = 17;
const KILL_ON_SUBSCRIBE = 16;

interface Seeded {
  dir: string;
  /** openid → the categories of their digest (sorted), or null when they should get none. */
  expected: Map<string, { categories: string[]; count: number } | null>;
}

/** A data folder with published items and subscribers on both channels, as the server leaves it. */
async function seed(t: ExecutionContext, oa: number, mp: number): Promise<Seeded> {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  const catalog = await openCatalog({
    store,
    agency: await loadAgency(CONTENT_DIR),
    contentDir: CONTENT_DIR,
    wechat: () => {
      throw new Error('the seed does not send');
    },
  });
  const staff = (username: string, role: Actor['roles'][number]): Actor => ({ username, roles: [role] });
  const expected: Seeded['expected'] = new Map();
  const subscribe = async (channel: 'official-account' | 'miniprogram', openid: string, i: number) => {
    const categories = CATEGORY_SETS[i % CATEGORY_SETS.length]!;
    await catalog.subscriptions.replace(channel, openid, categories);
    const matching = ITEMS.filter(([, c]) => categories.includes(c));
    expected.set(openid, matching.length ? { categories: [...new Set(matching.map(([, c]) => c))].sort(), count: matching.length } : null);
  };
  // Interleaved, so that the job alternates between the channels.
  for (let i = 0; i < Math.max(oa, mp); i++) {
    if (i < oa) await subscribe('official-account', `oa-${String(i).padStart(3, '0')}`, i);
    if (i < mp) await subscribe('miniprogram', `mp-${String(i).padStart(3, '0')}`, i + 2);
  }
  // Published after everyone subscribed: a digest tells only of items published after the subscription.
  for (const [title, category] of ITEMS) {
    const item = await catalog.service.draft({ title, category }, 'clerk');
    await catalog.service.review(item.id, { type: 'submit' }, staff('clerk', 'submitter'));
    await catalog.service.review(item.id, { type: 'approve' }, staff('secrecy', 'reviewer'));
    await catalog.service.review(item.id, { type: 'approve' }, staff('chief', 'leader'));
  }
  await store.close();
  return { dir, expected };
}

/** The fake WeChat API over HTTP, able to kill the job process once it has accepted `killAfter` digests. */
async function fakeThatKills(t: ExecutionContext) {
  const state: { child: ChildProcess | null; killAfter: number; killed: Promise<unknown> | null } = { child: null, killAfter: Infinity, killed: null };
  const { fake, baseUrl } = await serveFakeWechat(t, { prefix: '/wx' }, (fake) => async (_ctx, next) => {
    await next();
    if (!state.killed && state.child && digests(fake.outbox.list()).length >= state.killAfter) {
      const child = state.child;
      state.killed = once(child, 'exit');
      child.kill('SIGKILL');
    }
    // The answer to the send that triggered the kill, and to any send still in flight, is never heard.
    if (state.killed) await state.killed;
  });
  return { fake, state, baseUrl };
}

async function runJob(dir: string, baseUrl: string, concurrency: number, onSpawn: (child: ChildProcess) => void) {
  const child = spawn(process.execPath, ['--import=tsx', 'test/fixtures/push-runner.ts'], {
    env: { PATH: process.env.PATH, DATA_DIR: dir, WECHAT_API_BASE: baseUrl, PUSH_CONCURRENCY: String(concurrency), PUSH_RATE: '200' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, output };
}

interface Case {
  oa: number;
  mp: number;
  concurrency: number;
  killAfter: number;
  /** With one send at a time, the channel of the digest whose answer the job never heard. */
  inFlight?: 'template_send' | 'subscribe_send';
}

const CASES: Array<[string, Case]> = [
  ['killed at the first send', { oa: 20, mp: 10, concurrency: 1, killAfter: 1, inFlight: 'template_send' }],
  ['killed mid-run during a template message', { oa: 30, mp: 15, concurrency: 1, killAfter: KILL_ON_TEMPLATE, inFlight: 'template_send' }],
  ['killed mid-run during a mini-program message', { oa: 30, mp: 15, concurrency: 1, killAfter: KILL_ON_SUBSCRIBE, inFlight: 'subscribe_send' }],
  ['killed mid-run with eight sends in flight', { oa: 60, mp: 20, concurrency: 8, killAfter: 30 }],
];

for (const [title, c] of CASES) {
  test(`push crash: ${title} → a restart completes the run, exactly one digest each`, async (t) => {
    const { dir, expected } = await seed(t, c.oa, c.mp);
    const { fake, state, baseUrl } = await fakeThatKills(t);
    const recipients = [...expected.values()].filter(Boolean).length;

    state.killAfter = c.killAfter;
    const first = await runJob(dir, baseUrl, c.concurrency, (child) => (state.child = child));
    t.is(first.signal, 'SIGKILL', first.output);
    const beforeRestart = digests(fake.outbox.list()).length;
    if (c.inFlight) t.is(digests(fake.outbox.list()).at(-1)!.api, c.inFlight);
    t.true(beforeRestart >= c.killAfter && beforeRestart < recipients, `killed mid-run (${beforeRestart} of ${recipients} sent)`);

    state.killAfter = Infinity;
    const second = await runJob(dir, baseUrl, c.concurrency, (child) => (state.child = child));
    t.is(second.code, 0, second.output);
    const result = JSON.parse(second.output.trim().split('\n').at(-1)!);
    t.is(result.runs.length, 1, 'the interrupted run was resumed, not a new one planned');
    t.is(result.runs[0].state, 'finished');

    const store = await Store.open(dir);
    t.teardown(() => store.close());
    const ledger = await PushLedgerRepo.open(store);
    const runId = result.runs[0].runId;
    const totals = await ledger.totals(runId);
    t.is(totals.sending, 0);
    // A mini-program digest in flight at the kill cannot be told apart from one never sent (WeChat's
    // subscribe messages have no client_msg_id): it is recorded as 'unknown' rather than risked
    // twice, so its subscriber gets at most one. Everyone else gets exactly one.
    t.is(totals.sent + totals.unknown, recipients);
    t.true(totals.unknown <= (c.inFlight === 'subscribe_send' || (c.mp > 0 && c.concurrency > 1) ? c.concurrency : 0));
    const unknown = new Set(
      Object.entries(await ledger.deliveries(runId))
        .filter(([, d]) => d.state === 'unknown')
        .map(([key]) => key),
    );
    const isUnknown = (openid: string) => [...unknown].some((key) => key.endsWith(openid));

    const got = digests(fake.outbox.list());
    for (const [openid, wants] of expected) {
      const mine = got.filter((d) => d.touser === openid);
      if (!wants) {
        t.is(mine.length, 0, `${openid} subscribed to nothing new`);
        continue;
      }
      if (isUnknown(openid)) {
        t.true(openid.startsWith('mp-'), `only mini-program digests may end unknown (${openid})`);
        t.true(mine.length <= 1, `${openid} got ${mine.length} digests`);
        if (mine.length === 0) continue;
      } else {
        t.is(mine.length, 1, `${openid} got ${mine.length} digests`);
      }
      t.deepEqual([...mine[0]!.categories].sort(), wants.categories, openid);
      t.is(mine[0]!.count, wants.count, openid);
      t.is(mine[0]!.api, openid.startsWith('mp-') ? 'subscribe_send' : 'template_send');
    }
    t.true(got.length <= recipients && got.length >= recipients - unknown.size);
    t.is(new Set(got.map((d) => d.runId)).size, 1);
  });
}
