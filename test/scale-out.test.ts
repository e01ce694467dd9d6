// Two real server processes (npm start's build) behind no balancer at all, on one PostgreSQL: every
// request below picks its instance on purpose, as a load balancer might by chance. They must behave
// as one server: a WeChat push and its retry answered once with one reply, a retried submit stored
// once, staff sessions and login limits shared.
import test from 'ava';
import { client, mpLogin, personApplication, staffLogin, ADMIN } from './helpers/app.js';
import { startServer, type ServerProcess } from './helpers/server-process.js';
import { pgReachable, testDatabase } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';
import { push, textXml } from './helpers/wechat-client.js';

const withPostgres = await pgReachable();

async function twoInstances(t: import('ava').ExecutionContext): Promise<[ServerProcess, ServerProcess]> {
  const url = await testDatabase(t);
  const env = async () => ({
    DATABASE_URL: url,
    DATA_DIR: await tempDir(t),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    DEMO_DATA: 'off',
  });
  // Started together: the schema is made once, under the migration lock.
  const servers = await Promise.all([startServer(await env(), 120_000), startServer(await env(), 120_000)]);
  t.teardown(async () => {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
  });
  // Pushes are answered passively once the bot is up (before, within 4 s or by customer service).
  await Promise.all(servers.map((s) => until(() => s.output().includes('guide and bot ready'), 90_000)));
  return servers as [ServerProcess, ServerProcess];
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (withPostgres) {
  test('two instances on one database behave as one server', async (t) => {
    t.timeout(240_000);
    const [a, b] = await twoInstances(t);

    // A push and WeChat's retry of it, reaching both instances at once: one answer, the same text.
    const msgId = String(Date.now());
    const [first, retry] = await Promise.all([push(a.url, textXml('o-citizen', '申请公开要多久', msgId)), push(b.url, textXml('o-citizen', '申请公开要多久', msgId))]);
    t.is(first.status, 200);
    t.is(retry.status, 200);
    t.truthy(first.reply);
    t.is(retry.reply, first.reply);
    // A later resend of the same message, on either instance, gets the stored answer.
    t.is((await push(b.url, textXml('o-citizen', '申请公开要多久', msgId))).reply, first.reply);

    // A signed URL seen at one instance cannot carry another body at the other (plain mode signs
    // only the URL); the very same push again is answered "success" and not processed twice.
    const signed = { timestamp: Math.floor(Date.now() / 1000), nonce: 'captured-nonce-1' };
    const original = textXml('o-victim', '查询进度', String(Date.now() + 1));
    t.is((await push(a.url, original, signed)).status, 200);
    t.is((await push(b.url, textXml('o-victim', '取消订阅', String(Date.now() + 2)), signed)).status, 401);
    t.is((await push(b.url, original, signed)).body, 'success');

    // A submit retried with the same key on both instances at once is stored once.
    const headers = async (url: string) => ({ ...(await mpLogin(url, 'o-mp-citizen')), 'Idempotency-Key': 'scale-out-submit-1' });
    const [x, y] = await Promise.all([
      client(a.url)('POST', '/mp/v1/applications', personApplication(), await headers(a.url)),
      client(b.url)('POST', '/mp/v1/applications', personApplication(), await headers(b.url)),
    ]);
    t.true([200, 201].includes(x.status) && [200, 201].includes(y.status), JSON.stringify([x.body, y.body]));
    t.is(x.body.id, y.body.id);
    const admin = await staffLogin(a.url);
    const list = await client(b.url)('GET', '/admin/v1/applications?status=all', undefined, admin);
    t.is(list.status, 200, 'a session made on one instance opens the other');
    t.is(list.body.applications.length, 1);

    // A staff step on one instance is seen by the other at once.
    const id = x.body.id;
    t.is((await client(b.url)('POST', `/admin/v1/applications/${id}/events`, { type: 'extend', on: x.body.receivedOn, days: 20 }, admin)).status, 200);
    const seen = await client(a.url)('GET', `/admin/v1/applications/${id}`, undefined, admin);
    t.is(seen.body.timeline.at(-1).type, 'extend');

    // A logout on one instance ends the session on both.
    t.is((await client(b.url)('DELETE', '/admin/v1/session', undefined, admin)).status, 204);
    t.is((await client(a.url)('GET', '/admin/v1/applications', undefined, admin)).status, 401);

    // Guesses spread over the two instances meet one limit.
    for (let i = 0; i < 5; i++) {
      const target = i % 2 ? b : a;
      t.is((await client(target.url)('POST', '/admin/v1/session', { username: ADMIN.username, password: `wrong-${i}` })).status, 401);
    }
    t.is((await client(b.url)('POST', '/admin/v1/session', ADMIN)).status, 429);
    t.is((await client(a.url)('POST', '/admin/v1/session', ADMIN)).status, 429);
  });
}
