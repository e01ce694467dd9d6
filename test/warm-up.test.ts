// A restart answers /healthz before the guide's index and the bot (Wechaty) have loaded: they load
// behind the listening server (src/main.ts, returnWhenListening as `npm start` runs it). What needs
// them waits for them and then answers as a warm server would; nothing answers 5xx or wrongly.
// The warm-up is held back here (holdWarmUp) so that the requests are sure to come while it has not
// even begun, whatever the machine's speed.
import test from 'ava';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { start, type Running } from '../src/main.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { tempDir } from './helpers/temp.js';
import { client, mpLogin } from './helpers/app.js';
import { Browserless } from './helpers/console-app.js';
import { push, textXml } from './helpers/wechat-client.js';
import { npmStart } from './helpers/npm-start.js';

const ADMIN = { username: 'admin', password: 'warm-up-password-1' };
const QUESTION = '申请公开要多久';

async function config(t: Parameters<typeof tempDir>[0], env: Record<string, string> = {}) {
  return loadConfig({ PORT: '0', DATA_DIR: await tempDir(t), ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, DEMO_DATA: 'off', ...env });
}

function quietLogger(lines: string[] = []) {
  return createLogger('info', new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
}

/** A promise with a flag that says whether it has settled yet. */
function watched<T>(promise: Promise<T>) {
  const w = { settled: false, promise };
  promise.then(() => (w.settled = true), () => (w.settled = true));
  return w;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The customer-service texts the fake WeChat API took for one user, once there are any (5 s at most). */
async function customerServiceTexts(running: Running, openid: string): Promise<string[]> {
  const texts = () =>
    running.fakeWechat!.outbox.list()
      .filter((r) => r.touser === openid && r.api === 'custom_send')
      .map((r) => (r.payload as { text: { content: string } }).text.content);
  for (let i = 0; i < 100 && texts().length === 0; i++) await sleep(50);
  return texts();
}

test.serial('while the guide and the bot load, /healthz answers and what needs them waits, then answers as a warm server', async (t) => {
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const lines: string[] = [];
  const running: Running = await start(await config(t), { logger: quietLogger(lines), returnWhenListening: true, holdWarmUp: hold });
  t.teardown(async () => {
    release();
    await running.stop();
  });
  const ready = watched(running.ready);

  // Listening, ready to serve what needs neither: health, logins, the staff console.
  const health = await fetch(`${running.url}/healthz`);
  t.is(health.status, 200);
  t.deepEqual(await health.json(), { status: 'ok' });
  const mp = await mpLogin(running.url, 'o-early-reader');
  const staff = new Browserless(running.url);
  t.is((await staff.login(ADMIN.username, ADMIN.password)).status, 303);
  t.is((await staff.page('/admin')).status, 200);
  t.throws(() => running.services.guide.ask(QUESTION), { message: /still being built/ });

  // What needs the guide or the bot, asked before either has begun to load.
  const search = watched(client(running.url)('GET', `/mp/v1/guide/search?q=${encodeURIComponent(QUESTION)}`, undefined, mp));
  const guidePage = watched(client(running.url)('GET', '/mp/v1/guide', undefined, mp));
  const pushed = watched(push(running.url, textXml('o-early-asker', QUESTION, '7400000000000000001')));
  const questions = watched(staff.page('/admin/questions'));
  await sleep(300);
  t.false(ready.settled);
  for (const [name, w] of Object.entries({ search, guidePage, pushed, questions })) t.false(w.settled, `${name} was answered before the guide existed`);

  release();
  const [searched, listed, reply, page] = await Promise.all([search.promise, guidePage.promise, pushed.promise, questions.promise]);
  await running.ready;

  // The answers a warm server gives.
  const guide = running.services.guide.guide;
  t.is(searched.status, 200);
  t.deepEqual(searched.body.results, JSON.parse(JSON.stringify(guide.search(QUESTION, 10))));
  t.true(searched.body.results.length > 0);
  t.is(listed.status, 200);
  t.is(listed.body.entries.length, guide.entries().length);
  t.is(page.status, 200);
  t.regex(page.html, /未答问题/);

  t.is(reply.status, 200);
  const warm = await push(running.url, textXml('o-warm-asker', QUESTION, '7400000000000000002'));
  t.regex(warm.reply!, /20\s*个工作日/);
  if (reply.reply !== null) {
    t.is(reply.reply, warm.reply!);
  } else {
    // Loading took the whole passive window (a very slow machine): the answer went out as a
    // customer-service message instead, as for any late answer.
    t.log('the early push was answered "success"; its answer went through customer service');
    t.deepEqual(await customerServiceTexts(running, 'o-early-asker'), [warm.reply!]);
  }
  t.true(lines.some((line) => /"msg":"guide and bot ready"/.test(line)));
  t.false(lines.some((line) => /"level":50/.test(line)), 'no error was logged');
});

test.serial('a push that comes while the bot loads is answered "success" within WeChat\'s 5 s, and its answer follows as a customer-service message', async (t) => {
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const running = await start(await config(t), { logger: quietLogger(), returnWhenListening: true, holdWarmUp: hold });
  t.teardown(async () => {
    release();
    await running.stop();
  });
  const ready = watched(running.ready);
  const began = performance.now();
  // The warm-up has not even begun, and never will until this push is answered: it is answered
  // by the passive window's timer (4 s), not by the bot.
  const early = await push(running.url, textXml('o-patient-asker', QUESTION, '7400000000000000003'));
  t.log(`answered "${early.body}" after ${Math.round(performance.now() - began)} ms`);
  t.is(early.status, 200);
  t.is(early.body, 'success');
  t.false(ready.settled);

  release();
  await running.ready;
  const warm = await push(running.url, textXml('o-warm-asker', QUESTION, '7400000000000000004'));
  t.regex(warm.reply!, /20\s*个工作日/);
  t.deepEqual(await customerServiceTexts(running, 'o-patient-asker'), [warm.reply!]);
});

test.serial('a stop before the bot loads does not load it: a push waiting for it is refused for WeChat to resend, and the store closes', async (t) => {
  const cfg = await config(t);
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const lines: string[] = [];
  const running = await start(cfg, { logger: quietLogger(lines), returnWhenListening: true, holdWarmUp: hold });
  const ready = watched(running.ready);
  const msgId = '7400000000000000005';
  const waiting = watched(push(running.url, textXml('o-unlucky-asker', QUESTION, msgId)));
  await sleep(200);
  t.false(waiting.settled);
  const stopped = running.stop();
  release();
  const refused = await waiting.promise;
  t.is(refused.status, 503);
  t.is(JSON.parse(refused.body).error.code, 'shutting-down');
  await stopped;
  t.true(ready.settled);
  t.false(lines.some((line) => /"msg":"guide and bot ready"/.test(line)), 'the bot was not loaded just to be stopped');
  await t.throwsAsync(stat(path.join(cfg.dataDir, '.lock')), { code: 'ENOENT' });

  // WeChat sends the push again, to the next start, which answers it.
  const again = await start(cfg, { logger: quietLogger() });
  t.teardown(() => again.stop());
  const resent = await push(again.url, textXml('o-unlucky-asker', QUESTION, msgId));
  t.regex(resent.reply!, /20\s*个工作日/);
  t.is(again.services.guide.ask(QUESTION).status, 'answered');
});

test.serial('a stop while the bot loads lets it finish, then closes the store', async (t) => {
  const cfg = await config(t);
  const lines: string[] = [];
  const running = await start(cfg, { logger: quietLogger(lines), returnWhenListening: true });
  await running.services.guide.ready;
  const ready = watched(running.ready);
  await running.stop();
  t.true(ready.settled);
  t.true(lines.some((line) => /"msg":"guide and bot ready"/.test(line)));
  t.true(lines.some((line) => /"msg":"stopped"/.test(line)));
  await t.throwsAsync(stat(path.join(cfg.dataDir, '.lock')), { code: 'ENOENT' });
});

test.serial('a guide that cannot be built is a failed start, also when it is built behind the listening server', async (t) => {
  const content = await tempDir(t);
  await cp('data', content, { recursive: true });
  const entries = path.join(content, 'guide', 'entries.json');
  await writeFile(entries, (await readFile(entries, 'utf8')).slice(0, 200));

  const waited = await config(t, { CONTENT_DIR: content });
  const error = await t.throwsAsync(start(waited, { logger: quietLogger() }));
  t.regex(error!.message, /entries\.json is not valid JSON/);
  await t.throwsAsync(stat(path.join(waited.dataDir, '.lock')), { code: 'ENOENT' });

  const early = await start(await config(t, { CONTENT_DIR: content }), { logger: quietLogger(), returnWhenListening: true });
  await t.throwsAsync(early.ready, { message: /entries\.json is not valid JSON/ });
  await early.stop();
});

test.serial('a scope pattern that is no regular expression fails the start, naming the file and the pattern', async (t) => {
  const content = await tempDir(t);
  await cp('data', content, { recursive: true });
  const scopeFile = path.join(content, 'guide', 'scope.json');
  const scope = JSON.parse(await readFile(scopeFile, 'utf8'));
  scope.anchorPatterns.push('(帮|替)申请(');
  await writeFile(scopeFile, JSON.stringify(scope));
  const error = await t.throwsAsync(start(await config(t, { CONTENT_DIR: content }), { logger: quietLogger() }));
  t.regex(error!.message, /scope\.json: anchorPatterns\[\d+\] "\(帮\|替\)申请\(" is not a valid regular expression/);
});

test.serial('npm start listens before it loads Wechaty and the guide\'s libraries, and loads them right after', async (t) => {
  t.timeout(120_000);
  const late = ['wechaty', 'wechaty-puppet', '@node-rs/jieba', 'pinyin-pro', 'opencc-js/t2cn'];
  const start = npmStart();
  const child = spawn(process.execPath, ['--import', './test/fixtures/import-times.mjs', ...start.args], {
    env: { PATH: process.env.PATH, ...start.env, DATA_DIR: await tempDir(t), PORT: '0', LOG_LEVEL: 'info', IMPORT_TIMES: ['koa', ...late].join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 100 s:\n${output}`)), 100_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/"msg":"guide and bot ready"/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  child.kill('SIGTERM');
  t.is(await exited, 0);

  const listenedAt = Date.parse(/"time":"([^"]+)"[^\n]*"msg":"server started"/.exec(output)![1]!);
  const importedAt = (name: string) => {
    const match = new RegExp(`^IMPORT ${name.replace(/[/.]/g, '\\$&')} (\\d+)$`, 'm').exec(output);
    t.truthy(match, `${name} was never imported:\n${output}`);
    return Number(match![1]);
  };
  // Koa is what listens: the watch sees imports at all.
  t.true(importedAt('koa') < listenedAt);
  for (const name of late) t.true(importedAt(name) >= listenedAt, `${name} was imported ${listenedAt - importedAt(name)} ms before the server listened`);
});
