// PostgreSQL goes away under a running server and comes back: changes are refused with a clear 503
// (nothing half-saved), WeChat still gets an answer within its 5 s, and once the database is back the
// server takes changes again by itself with everything acknowledged before still there. The outage
// is a TCP proxy between the server and PostgreSQL that the test cuts and restores (the shared
// cluster itself keeps running for the other tests).
import test from 'ava';
import net from 'node:net';
import { client, mpLogin, personApplication, staffLogin, startApp } from './helpers/app.js';
import { pgReachable, testDatabase } from './helpers/pg.js';
import { push, textXml } from './helpers/wechat-client.js';

const withPostgres = await pgReachable();

/** A proxy to PostgreSQL on a port of its own, which `cut()` drops (connections and listener). */
async function outageProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((inbound) => {
        const outbound = net.connect(Number(target.port || 5432), target.hostname);
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    url(database: URL): string {
      const via = new URL(database);
      via.host = `127.0.0.1:${port}`;
      return via.toString();
    },
    async cut(): Promise<void> {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: listen,
  };
}

if (withPostgres) {
  test('PostgreSQL stopped under a running server: 503s, WeChat answered in time, nothing acknowledged lost', async (t) => {
    t.timeout(120_000);
    const database = new URL(await testDatabase(t));
    const proxy = await outageProxy(database);
    t.teardown(() => proxy.cut().catch(() => {}));
    const app = await startApp(t, { env: { DATABASE_URL: proxy.url(database) } });
    const call = client(app.url);
    const citizen = await mpLogin(app.url, 'o-outage');
    const admin = await staffLogin(app.url);
    const acknowledged = await call('POST', '/mp/v1/applications', personApplication(), { ...citizen, 'Idempotency-Key': 'outage-before-1' });
    t.is(acknowledged.status, 201);

    await proxy.cut();
    const started = Date.now();
    const refused = await call('POST', '/mp/v1/applications', personApplication({ request: { description: '停库期间提交的申请内容' } }), { ...citizen, 'Idempotency-Key': 'outage-during-1' });
    t.is(refused.status, 503);
    t.is(refused.body.error.code, 'storage-unavailable');
    t.regex(refused.body.error.message, /请稍后再试/);
    t.true(Date.now() - started < 5000, `refused in ${Date.now() - started} ms`);

    const pushed = Date.now();
    const answer = await push(app.url, textXml('o-chat-outage', '申请公开要多久', String(Date.now())));
    t.is(answer.status, 200, answer.body);
    // The chat cannot tell where the citizen is without its store: it says so, and asks for a resend.
    t.regex(answer.reply ?? '', /暂时无法保存.*再发一次/);
    t.true(Date.now() - pushed < 5000, `WeChat answered in ${Date.now() - pushed} ms`);
    t.true(app.logs.some((line) => /the database cannot be written/.test(line)), 'the outage is logged once');

    await proxy.restore();
    // The pool finds the database again by itself; the first tries may still meet a dropped connection.
    let after = { status: 0, body: null as any };
    for (let i = 0; i < 20 && after.status !== 201; i++) {
      after = await call('POST', '/mp/v1/applications', personApplication({ request: { description: '恢复之后提交的申请内容' } }), { ...citizen, 'Idempotency-Key': 'outage-after-1' });
      if (after.status !== 201) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    t.is(after.status, 201, JSON.stringify(after.body));
    const list = await call('GET', '/admin/v1/applications?status=all', undefined, admin);
    const ids = list.body.applications.map((a: { id: string }) => a.id).sort();
    t.deepEqual(ids, [acknowledged.body.id, after.body.id].sort(), 'the acknowledged request is there, the refused one was not half-saved');
  });
}
