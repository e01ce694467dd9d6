// One way to mount a module (issue 16, point 4): every concern joins the server as a Module
// (src/module.ts) built from its dependencies, and late binding goes through one helper (src/late.ts).
// These tests check the helper, the gathering of the modules' parts, and on a whole server that
// each module's routes, console pages and jobs reached their hosts.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { Late } from '../src/late.js';
import { gatherModules, type Module } from '../src/module.js';
import { client, mpLogin, staffLogin, startApp } from './helpers/app.js';

test('a late value read before it is bound throws, naming it; bound once, it is what was bound', (t) => {
  const wechat = new Late<{ id: number }>('the WeChat client');
  t.is(wechat.peek(), undefined, 'an early call that may be dropped sees nothing');
  t.throws(() => wechat.get(), { message: 'the WeChat client is used before it exists (src/main.ts binds it later)' });
  const client = { id: 1 };
  t.is(wechat.bind(client), client);
  t.is(wechat.get(), client);
  t.is(wechat.peek(), client);
  t.throws(() => wechat.bind({ id: 2 }), { message: 'the WeChat client is bound twice' });
  t.is(wechat.get(), client, 'a second bind changes nothing');
});

test("the modules' parts go to their hosts in the order the modules are listed", (t) => {
  const guard: Middleware = (_ctx, next) => next();
  const route = (path: string) => (router: Router) => void router.get(path, (ctx) => void (ctx.body = path));
  const modules: Module[] = [
    { name: 'a', adminRoutes: route('/a'), jobs: [{ name: 'a-job', cron: '0 1 * * *', run: async () => 'a' }], routers: [new Router({ prefix: '/own-a' })] },
    { name: 'b', miniProgramRoutes: (router, user) => void router.get('/b', user, (ctx) => void (ctx.body = 'b')), consolePages: { push: { run: async () => null, runs: () => [] } as never } },
    { name: 'c', adminRoutes: route('/c'), miniProgramRoutes: (router) => route('/c')(router), jobs: [{ name: 'c-job', cron: '0 2 * * *', run: async () => 'c' }] },
  ];
  const parts = gatherModules(modules);
  const admin = new Router();
  for (const mount of parts.adminRoutes) mount(admin);
  t.deepEqual(admin.stack.map((layer) => layer.path), ['/a', '/c']);
  const mp = new Router();
  for (const mount of parts.miniProgramRoutes) mount(mp, guard);
  t.deepEqual(mp.stack.map((layer) => layer.path), ['/b', '/c']);
  t.true(mp.stack[0]!.stack.includes(guard), 'the login guard reaches the module');
  t.deepEqual(parts.jobs.map((job) => job.name), ['a-job', 'c-job']);
  t.deepEqual(parts.routers, modules[0]!.routers);
  t.deepEqual(Object.keys(parts.consolePages), ['push']);
});

test("on a whole server, every module's routes answer under their host, its console pages are offered and its jobs are scheduled", async (t) => {
  const app = await startApp(t);
  const api = client(app.url);

  // The jobs, from the notify, store and catalog modules, in that order, with their schedules (the
  // store's backup on the embedded engine: PostgreSQL is backed up by pg_dump).
  t.deepEqual(
    app.services.jobs.jobs.map((job) => [job.name, job.cron.length > 0]),
    [
      ['outbox', true],
      ['deadline-reminders', true],
      ['unanswered-digest', true],
      ...(app.repos.engine === 'embedded' ? [['backup', true]] : []),
      ['push-new-items', true],
      ['feed-import', true],
    ],
  );
  t.truthy(app.services.jobs.find('outbox')!.nextRun(), 'scheduled: the jobs were started');

  const staff = await staffLogin(app.url);
  for (const route of ['/admin/v1/notify/dead-letters', '/admin/v1/catalog/items', '/admin/v1/calendar', '/admin/v1/reports/annual?year=2025']) {
    t.is((await api('GET', route, undefined, staff)).status, 200, route);
  }
  t.is((await api('GET', '/admin/v1/calendar')).status, 401, "a module's staff routes are behind the staff API's session guard");

  const mp = await mpLogin(app.url, 'o-modules');
  for (const route of ['/mp/v1/guide', '/mp/v1/notify/templates', '/mp/v1/subscriptions', '/mp/v1/identity', '/mp/v1/catalog']) {
    t.is((await api('GET', route, undefined, mp)).status, 200, route);
  }
  t.is((await api('GET', '/mp/v1/identity')).status, 401, "a module's mini-program routes get the login guard");

  // Routers of their own: the chat's webhook (signature checked), the documents' letters, the metrics.
  t.is((await api('GET', '/wechat?signature=x&timestamp=1&nonce=1&echostr=e')).status, 401);
  const letter = await fetch(`${app.url}/letters/not-a-token`);
  t.is(letter.status, 404);
  t.regex(await letter.text(), /链接无效/);
  t.is((await fetch(`${app.url}/metrics`)).status, 200);

  // The console's optional pages, brought by the report, catalog, notify and chat modules.
  const login = await fetch(`${app.url}/admin/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const session = await fetch(`${app.url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies },
    body: new URLSearchParams({ _csrf: csrf, username: 'admin', password: 'admin-password-1', next: '/admin' }),
  });
  t.is(session.status, 303);
  const staffCookie = session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const inbox = await (await fetch(`${app.url}/admin`, { headers: { Cookie: staffCookie } })).text();
  for (const entry of ['年度报告', '发布审核', '消息异常', '未答问题']) t.true(inbox.includes(entry), entry);
});

test('no object gets a hook assigned from outside: callbacks are passed when an object is built', async (t) => {
  const offenders: string[] = [];
  for (const root of ['src', 'bot', 'miniprogram-api']) {
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        // `other.onChange = () => …`: a function set on an object by someone else (plain data is fine).
        if (/^\s*(?!this\.)[A-Za-z_$][\w$.]*\.[A-Za-z_$][\w$]*\s*=\s*(\(|async\b|function\b|[A-Za-z_$][\w$]*\s*=>)/.test(line)) {
          offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        }
      });
    }
  }
  t.deepEqual(offenders, []);
});
