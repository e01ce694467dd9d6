// Several instances on one PostgreSQL: each scheduled fire runs once, a run whose instance died is
// taken over, the WeChat access token is refreshed once for all, and shared secrets agree. Each
// "instance" is its own Database (its own pool and connections), as two server processes are.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgCoordination } from '../src/store/pg/coordination.js';
import { Heartbeat } from '../src/store/pg/instance.js';
import { LocalCoordination } from '../src/store/coordination.js';
import { createJobs, runKey } from '../src/jobs/jobs.js';
import { AccessTokenManager } from '../src/wechat/access-token.js';
import { pgReachable, testDatabase } from './helpers/pg.js';

// Before any test is declared: ava takes declarations only until the file's first await after one.
const withPostgres = await pgReachable();

async function instances(t: import('ava').ExecutionContext, n: number): Promise<Array<{ db: Database; coordination: PgCoordination }>> {
  const url = await testDatabase(t);
  const list = Array.from({ length: n }, () => new Database(url));
  t.teardown(() => Promise.all(list.map((db) => db.close())));
  await migrate(list[0]!);
  return list.map((db) => ({ db, coordination: new PgCoordination(db) }));
}

test('a fire is keyed by its job and minute, so instances whose clocks differ a little agree', (t) => {
  t.is(runKey('deadline-reminders', new Date('2026-12-07T00:00:00.004Z')), 'deadline-reminders@2026-12-07T00:00Z');
  t.is(runKey('deadline-reminders', new Date('2026-12-06T23:59:59.980Z')), 'deadline-reminders@2026-12-07T00:00Z');
  t.not(runKey('outbox', new Date('2026-12-07T00:01:00Z')), runKey('outbox', new Date('2026-12-07T00:00:00Z')));
});

test('one process (the embedded engine) runs every fire itself', async (t) => {
  const local = new LocalCoordination();
  t.true(await local.claimRun());
  t.deepEqual(await local.takeOverStaleRuns(), []);
});

if (withPostgres) {
  test('of two instances claiming the same fires at once, exactly one wins each', async (t) => {
    const [a, b] = await instances(t, 2);
    const keys = Array.from({ length: 20 }, (_, i) => `outbox@2026-12-07T00:${String(i).padStart(2, '0')}Z`);
    const results = await Promise.all(keys.flatMap((key) => [a!.coordination.claimRun(key, 60_000), b!.coordination.claimRun(key, 60_000)]));
    for (let i = 0; i < keys.length; i++) t.is([results[2 * i], results[2 * i + 1]].filter(Boolean).length, 1, keys[i]);
  });

  test('a run whose instance stopped renewing is taken over by one other instance, and the first learns it lost it', async (t) => {
    const [a, b, c] = await instances(t, 3);
    t.true(await a!.coordination.claimRun('deadline-reminders@2026-12-07T00:00Z', 2500));
    t.deepEqual(await b!.coordination.takeOverStaleRuns(60_000), [], 'not before the lease ran out');
    await sleep(2700);
    const [fromB, fromC] = await Promise.all([b!.coordination.takeOverStaleRuns(60_000), c!.coordination.takeOverStaleRuns(60_000)]);
    t.deepEqual([...fromB, ...fromC], ['deadline-reminders@2026-12-07T00:00Z']);
    t.false(await a!.coordination.renewRun('deadline-reminders@2026-12-07T00:00Z', 60_000));
    const taker = fromB.length ? b! : c!;
    await taker.coordination.finishRun('deadline-reminders@2026-12-07T00:00Z', true);
    t.deepEqual(await a!.coordination.takeOverStaleRuns(1), [], 'a finished run is never taken over');
  });

  test('a run whose instance is known dead is taken over before its lease runs out', async (t) => {
    const [a, b] = await instances(t, 2);
    const beating = new Heartbeat(a!.db);
    await beating.start();
    t.true(await a!.coordination.claimRun('catalog-digest@2026-12-07T00:00Z', 10 * 60_000));
    t.deepEqual(await b!.coordination.takeOverStaleRuns(60_000), [], 'its instance beats');
    // It stops (or its restart on this machine finds its process gone): it is marked dead at once.
    await beating.stop();
    t.deepEqual(await b!.coordination.takeOverStaleRuns(60_000), ['catalog-digest@2026-12-07T00:00Z']);
    t.false(await a!.coordination.renewRun('catalog-digest@2026-12-07T00:00Z', 60_000), 'the first learns it lost it');
  });

  test('two instances scheduling the same job every second run each minute’s fire once', async (t) => {
    const [a, b] = await instances(t, 2);
    const runs: string[] = [];
    const make = (name: string, coordination: PgCoordination) =>
      createJobs({
        extra: [{ name: 'tick', cron: '* * * * * *', run: async () => void runs.push(`${name}:${runKey('tick', new Date())}`) }],
        coordination,
      });
    const jobsA = make('a', a!.coordination);
    const jobsB = make('b', b!.coordination);
    jobsA.start();
    jobsB.start();
    await sleep(2600);
    await Promise.all([jobsA.stop(), jobsB.stop()]);
    t.true(runs.length >= 1);
    const minutes = runs.map((r) => r.split(':').slice(1).join(':'));
    t.is(new Set(minutes).size, minutes.length, `each minute ran once: ${runs.join(', ')}`);
    const { rows } = await a!.db.query('SELECT count(*)::int AS n FROM job_runs WHERE finished_at IS NOT NULL AND ok');
    t.is(rows[0].n, runs.length);
  });

  test('a job run taken over is run again by the instance that took it', async (t) => {
    const [a, b] = await instances(t, 2);
    // Instance a claimed the fire and died: its lease is left to run out.
    t.true(await a!.coordination.claimRun('tick@2026-12-07T00:00Z', 100));
    let ran = 0;
    const jobs = createJobs({ extra: [{ name: 'tick', cron: '0 0 1 1 *', run: async () => void ran++ }], coordination: b!.coordination, leaseMs: 300 });
    jobs.start();
    await sleep(900);
    await jobs.stop();
    t.is(ran, 1);
    const { rows } = await b!.db.query('SELECT holder, ok, takeovers FROM job_runs');
    t.deepEqual(rows, [{ holder: b!.coordination.holder, ok: true, takeovers: 1 }]);
  });

  test('the access token is fetched once for all instances, and after a 40001 once more', async (t) => {
    const list = await instances(t, 3);
    const calls: boolean[] = [];
    let issued = 0;
    let current = '';
    const fetch = async (_url: string | URL, init?: RequestInit): Promise<Response> => {
      const body = JSON.parse(String(init?.body)) as { force_refresh: boolean };
      calls.push(body.force_refresh);
      await sleep(50); // a slow WeChat: everyone asks while the first fetch is on its way
      // stable_token in normal mode hands back the token still valid; force_refresh makes a new one.
      if (!current || body.force_refresh) current = `T${++issued}`;
      return new Response(JSON.stringify({ access_token: current, expires_in: 7200 }), { headers: { 'content-type': 'application/json' } });
    };
    const managers = list.map(
      ({ coordination }) => new AccessTokenManager({ appid: 'wxoa', secret: 's', baseUrl: 'http://wechat.test', fetch, persistence: coordination.accessToken('wxoa') }),
    );
    const first = await Promise.all(managers.flatMap((m) => [m.get(), m.get()]));
    t.deepEqual(new Set(first), new Set(['T1']));
    t.deepEqual(calls, [false]);
    // WeChat answers 40001 to T1 everywhere: each instance drops it; one fetch in normal mode hands
    // T1 back, so one forced refresh follows, and the others find T2 under the lock.
    for (const m of managers) m.invalidate('T1');
    const second = await Promise.all(managers.map((m) => m.get()));
    t.deepEqual(second, ['T2', 'T2', 'T2']);
    t.deepEqual(calls, [false, false, true]);
  });

  test('a shared secret is made by the first instance and read by the others', async (t) => {
    const [a, b] = await instances(t, 2);
    const made = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const [sa, sb] = await Promise.all([
      a!.coordination.sharedSecret('document-link', () => made[0]!, async () => Buffer.alloc(0)),
      b!.coordination.sharedSecret('document-link', () => made[1]!, async () => Buffer.alloc(0)),
    ]);
    t.true(sa.equals(sb));
    t.true(sa.equals(made[0]!) || sa.equals(made[1]!));
  });
}
