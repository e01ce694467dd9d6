// Issue 19, finding 4: 600 concurrent logins filled libuv's thread pool with scrypt, and a WeChat
// push then took 1.8 s (WeChat gives up at 5 s), a mini-program submit 10.9 s. Password hashing is
// now capped (a few at a time, a short queue, the rest refused at once), and logins are limited
// per address. The flood runs in another process; this one measures.
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startApp, client, mpLogin, personApplication } from './helpers/app.js';
import { push, textXml } from './helpers/wechat-client.js';

let nextMsgId = 7_600_000_000_000_000_000n;
const msgId = () => String(nextMsgId++);

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

test('a WeChat push and a mini-program submit are answered promptly while 200 logins at a time flood in', async (t) => {
  t.timeout(120_000);
  const app = await startApp(t, { env: { TRUST_PROXY: 'on' } });
  const call = client(app.url);
  const citizen = await mpLogin(app.url, 'o-during-flood');
  // What a push takes on this machine right now, without a flood (the first guide question also
  // loads the word lists, so it is asked twice).
  await push(app.url, textXml('o-calm', '申请公开要多久', msgId()));
  const calm = await timed(() => push(app.url, textXml('o-calm', '申请公开要多久', msgId())));
  t.is(calm.value.status, 200);

  // 200 logins in flight for 8 s: with every one hashed (4 threads, ~40 ms or more each), file
  // writes and pushes queued behind them for many seconds.
  const flood = spawn(process.execPath, ['--import=tsx', 'test/helpers/login-flood.ts', app.url, '200', '8000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => flood.kill('SIGKILL'));
  let output = '';
  flood.stdout!.on('data', (chunk) => (output += chunk));
  while (!output.includes('flooding')) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1000));

  // The first request opens a connection, which waits in the accept queue behind the flood's 200 —
  // a cost of a busy event loop on a shared machine, not of hashing; logged, not asserted.
  const health = await timed(() => fetch(`${app.url}/healthz`).then((r) => r.text()));
  const pushed = await timed(() => push(app.url, textXml('o-during-flood', '申请公开要多久', msgId())));
  const submitted = await timed(() => call('POST', '/mp/v1/applications', personApplication(), citizen));
  t.is(pushed.value.status, 200);
  t.truthy(pushed.value.reply);
  t.is(submitted.value.status, 201);
  await once(flood, 'exit');
  const summary = JSON.parse(output.trim().split('\n').pop()!);
  t.log(`calm push ${Math.round(calm.ms)} ms; during the flood: healthz ${Math.round(health.ms)} ms, push ${Math.round(pushed.ms)} ms, submit ${Math.round(submitted.ms)} ms; flood ${JSON.stringify(summary)}`);
  // The flood was real and was turned away early rather than hashed.
  t.true(summary.sent >= 200, `only ${summary.sent} logins sent`);
  t.true((summary.statuses['429'] ?? 0) > summary.sent / 2);
  t.is(summary.statuses['500'] ?? 0, 0);
  // 1 s is the goal; the bound is generous for a loaded shared machine (plus what a push takes here
  // without any flood). The old code, every login hashed, took 42 s for this push on the same
  // machine (57 s with 400 at a time): file writes waited behind hundreds of scrypt runs in the thread pool.
  const bound = 3000 + 3 * calm.ms;
  t.true(pushed.ms < bound, `push took ${Math.round(pushed.ms)} ms during the flood (bound ${Math.round(bound)} ms)`);
  t.true(submitted.ms < bound, `submit took ${Math.round(submitted.ms)} ms during the flood (bound ${Math.round(bound)} ms)`);
});

test('one address is limited to 60 login attempts a minute, right or wrong', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  const { ADMIN } = await import('./helpers/app.js');
  for (let i = 0; i < 60; i++) t.is((await call('POST', '/admin/v1/session', ADMIN)).status, 200);
  const refused = await call('POST', '/admin/v1/session', ADMIN);
  t.is(refused.status, 429);
  t.regex(refused.body.error.message, /过于频繁/);
});
