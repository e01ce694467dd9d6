// Several instances on one PostgreSQL share the outbox: what an instance had claimed when it died
// (kill -9: no release, no goodbye) is taken over by another within seconds — once the others see
// that it stopped beating (src/store/pg/instance.ts) — and not minutes later when the claim's lease
// runs out. A live instance's claims are never taken; an instance only taken for dead (stopped for
// a while, then waking) sends nothing that the one that took over sent. Each "instance" is its own
// Database (its own id, pool and connections), as two server processes are.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Delivery, NotifyRepository } from '../src/store/notify-repo.js';
import { Database } from '../src/store/pg/database.js';
import { BEAT_SQL, Heartbeat, newInstance, type InstanceTiming } from '../src/store/pg/instance.js';
import { PgConversationsRepo } from '../src/store/pg/conversations-repo.js';
import { MESSAGE_CLAIM_MS } from '../src/store/conversations-repo.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgNotifyRepo } from '../src/store/pg/notify-repo.js';
import { pgReachable, testDatabase } from './helpers/pg.js';
import { pendingDelivery, T0 } from './helpers/deliveries.js';
import { outboxServers } from './helpers/outbox-servers.js';

// Before any test is declared: ava takes declarations only until the file's first await after one.
const withPostgres = await pgReachable();

/** Short, so the tests need not wait ten seconds; the ratio is the server's (a beat, staleMs after five missed). */
const TIMING: InstanceTiming = { heartbeatMs: 300, staleMs: 1500 };
/** A lease far longer than any test: whatever is taken over here is taken because its instance died. */
const LEASE_MS = 10 * 60_000;

/** `n` instances on one migrated throwaway database. */
async function instances(t: ExecutionContext, n: number): Promise<Database[]> {
  const url = await testDatabase(t);
  const list = Array.from({ length: n }, () => new Database(url, { instance: TIMING }));
  t.teardown(() => Promise.all(list.map((db) => db.close())));
  await migrate(list[0]!);
  return list;
}

/** The outbox's tests' pending receipt, by template message only. */
const delivery = (key: string): Delivery => pendingDelivery(key, { entryKey: key, channels: ['oa-template'] });

const keysOf = (ds: Delivery[]) => ds.map((d) => d.key).sort();

if (withPostgres) {
  test('a dead instance’s claims are taken over once it stopped beating, a live one’s never, and a clean stop frees them at once', async (t) => {
    const [dead, live, taker] = await instances(t, 3);
    const [a, b, c] = await Promise.all([dead!, live!, taker!].map((db) => PgNotifyRepo.open(db)));
    const keys = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];
    await a!.plan(keys.map((key) => ({ entryKey: key, deliveries: [delivery(key)] })), T0);
    const now = new Date(Date.parse(T0) + 60_000).toISOString();

    // `dead` claims two and is killed (it never beats again); `live` claims two and keeps beating.
    t.deepEqual(keysOf(await a!.claimDue(now, 2, LEASE_MS)), ['d0', 'd1']);
    const heartbeat = new Heartbeat(live!);
    await heartbeat.start();
    t.teardown(() => heartbeat.stop());
    t.deepEqual(keysOf(await b!.claimDue(now, 2, LEASE_MS)), ['d2', 'd3']);
    const killed = Date.now();
    t.deepEqual(keysOf(await c!.claimDue(now, 10, LEASE_MS)), ['d4', 'd5'], 'a claim is its instance’s while it may be alive');

    // Taken over as soon as the dead one is not seen for staleMs, long before the lease runs out.
    let retaken: Delivery[] = [];
    while (retaken.length === 0 && Date.now() - killed < 3 * TIMING.staleMs) {
      await sleep(100);
      retaken = await c!.claimDue(now, 10, LEASE_MS);
    }
    const delay = Date.now() - killed;
    t.deepEqual(keysOf(retaken), ['d0', 'd1'], 'the dead instance’s claims, not the live one’s');
    t.true(delay >= TIMING.staleMs - 200 && delay < TIMING.staleMs + 1000, `taken over after ${delay} ms`);

    // The instance taken for dead wakes and lets go of what it had: the new holder keeps it.
    await a!.releaseClaims(['d0', 'd1']);
    t.deepEqual(await a!.claimDue(now, 10, LEASE_MS), [], 'released only its own claims, and it has none now');

    // The live instance stops cleanly: its row goes, and what it still held is free at once.
    await heartbeat.stop();
    t.deepEqual(keysOf(await c!.claimDue(now, 10, LEASE_MS)), ['d2', 'd3']);
  });

  test('an outbox taking over from an instance killed mid-send repeats a template message with its client_msg_id: one message', async (t) => {
    const h = await servers(t);
    const app = await h.submit('o_killed');
    // The first instance's request reaches WeChat, then the process dies: the answer never comes.
    const dying = await h.server(
      h.dbs[0]!,
      async (input, init) => {
        const answer = await fetch(input, init);
        return String(input).includes('/message/template/send') ? new Promise<Response>(() => {}) : answer;
      },
    );
    void dying.runOutbox();
    await until(() => h.fake.outbox.list().length === 1);
    const sent = h.fake.outbox.list()[0]!;

    const survivor = await h.server(h.dbs[1]!);
    t.like(await survivor.runOutbox(), { sent: 0, unconfirmed: 0 }, 'not while the other may still be alive');
    await sleep(TIMING.staleMs + 200);
    t.like(await survivor.runOutbox(), { sent: 1 });
    t.is(h.fake.calls('template_send'), 2, 'sent again, with the same client_msg_id');
    t.is(h.fake.outbox.list().length, 1, 'WeChat dropped the repeat: the applicant has one message');
    t.is(sent.touser, 'o_killed');
    t.like(await h.repo.delivery(`${app.id}:1:applicant`), { status: 'sent', confirmed: true, inFlight: null });
  });

  test('an instance only taken for dead, waking after the one that took over sent the message, does not send it again', async (t) => {
    const h = await servers(t);
    const app = await h.submit('o_sleepy');
    const key = `${app.id}:1:applicant`;
    // The first instance stops (the machine paused it) right before it records its send.
    let reached!: () => void;
    const atRecord = new Promise<void>((resolve) => (reached = resolve));
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const base = await PgNotifyRepo.open(h.dbs[0]!);
    const paused = new Proxy(base, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (name !== 'updateDelivery') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<NotifyRepository['updateDelivery']>) => {
          if (args[0] === key) {
            reached();
            await woken;
          }
          return target.updateDelivery(...args);
        };
      },
    });
    const sleepy = await h.server(h.dbs[0]!, fetch, paused);
    const first = sleepy.runOutbox();
    await atRecord;

    // Meanwhile the other instance sees it dead, takes the delivery over and sends it.
    await sleep(TIMING.staleMs + 200);
    const other = await h.server(h.dbs[1]!);
    t.like(await other.runOutbox(), { sent: 1 });
    t.is(h.fake.calls('template_send'), 1);

    wake();
    t.like(await first, { sent: 0, unconfirmed: 0 });
    t.is(h.fake.calls('template_send'), 1, 'the instance that woke did not send it');
    t.like(await h.repo.delivery(key), { status: 'sent', confirmed: true, inFlight: null });
  });

  test('a chat message an instance was answering when it died is answered by another once it is seen dead, long before MESSAGE_CLAIM_MS', async (t) => {
    const [dead, live, taker] = await instances(t, 3);
    const [a, b, c] = await Promise.all([dead!, live!, taker!].map((db) => PgConversationsRepo.open(db)));
    const beating = new Heartbeat(live!);
    await beating.start();
    t.teardown(() => beating.stop());
    // `dead` beat once, claimed a message and was killed; `live` claimed one and goes on beating.
    await dead!.query(BEAT_SQL, [dead!.office, dead!.instance.id]);
    const now = new Date();
    t.is(await a!.claimMessage('o1', 'm1', now), 'claimed');
    t.is(await b!.claimMessage('o2', 'm2', now), 'claimed');
    const killed = Date.now();
    t.is(await c!.claimMessage('o1', 'm1', now), 'in-progress', 'a claim is its instance’s while it may be alive');

    let taken: unknown = 'in-progress';
    while (taken === 'in-progress' && Date.now() - killed < 3 * TIMING.staleMs) {
      await sleep(100);
      taken = await c!.claimMessage('o1', 'm1', new Date(now.getTime() + (Date.now() - killed)));
    }
    const delay = Date.now() - killed;
    t.is(taken, 'claimed', 'the retry reaching another instance is answered there');
    t.true(delay < MESSAGE_CLAIM_MS / 2, `taken over after ${delay} ms`);
    t.is(await c!.claimMessage('o2', 'm2', new Date(now.getTime() + delay)), 'in-progress', 'the live instance’s message stays its own');
  });

  test('a server started again on the same machine takes over at once what its killed predecessor held', async (t) => {
    // A pid that was a process here and is not one now: a server killed with kill -9.
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid!;
    await once(gone, 'exit');
    const predecessor = newInstance(TIMING);
    const url = await testDatabase(t);
    const killed = new Database(url, { instance: { ...predecessor, id: predecessor.id.replace(`:${process.pid}:`, `:${pid}:`) } });
    const restarted = new Database(url, { instance: TIMING });
    t.teardown(() => Promise.all([killed.close(), restarted.close()]));
    await migrate(killed);
    t.not(killed.instance.id, predecessor.id, 'the killed instance’s id names its pid');

    const [before, after] = await Promise.all([PgNotifyRepo.open(killed), PgNotifyRepo.open(restarted)]);
    await before.plan([{ entryKey: 'd0', deliveries: [delivery('d0')] }], T0);
    const now = new Date(Date.parse(T0) + 60_000).toISOString();
    t.deepEqual(keysOf(await before.claimDue(now, 10, LEASE_MS)), ['d0']);
    t.deepEqual(await after.claimDue(now, 10, LEASE_MS), [], 'its predecessor beat a moment ago');

    const heartbeat = new Heartbeat(restarted);
    await heartbeat.start();
    t.teardown(() => heartbeat.stop());
    t.deepEqual(keysOf(await after.claimDue(now, 10, LEASE_MS)), ['d0'], 'no wait for staleMs: its process is gone');
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await sleep(25);
  if (!condition()) throw new Error('timed out waiting');
}

/** Two server instances' notifications on one database (test/helpers/outbox-servers.ts). */
async function servers(t: ExecutionContext) {
  const dbs = await instances(t, 2);
  const { fake, server, submit } = await outboxServers(t, T0);
  return { fake, dbs, server, submit, repo: await PgNotifyRepo.open(dbs[1]!) };
}
