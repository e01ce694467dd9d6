import test from 'ava';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { loadAgency } from '../src/agency.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { HttpError } from '../src/http/errors.js';
import { createLogger } from '../src/log.js';
import { loadGuideService, type GuideService } from '../src/guide/service.js';
import { json, listen } from './helpers/http.js';

const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');
const quiet = createLogger('silent', new Writable({ write: (_chunk, _enc, done) => done() }));

let service: GuideService;
test.before(async () => {
  service = await loadGuideService(dataDir, await loadAgency(dataDir));
});

async function serve(t: { teardown(fn: () => Promise<void>): void }, ...guards: Middleware[]) {
  const router = new Router({ prefix: '/mp/v1' });
  service.mountMiniProgram(router, ...guards);
  const server = await listen(createApp({ config: loadConfig({}), logger: quiet, routers: [router] }));
  t.teardown(server.close);
  return server.url;
}

test('ask adds the answer text and title the chat dialog shows', (t) => {
  const reply = service.ask('申请公开要交钱吗');
  t.is(reply.status, 'answered');
  t.is(reply.answer, reply.entry!.answer);
  t.is(reply.title, reply.entry!.title);
  t.regex(reply.answer!, /第四十二条/);
  const declined = service.ask('公积金怎么提取');
  t.is(declined.status, 'out-of-scope');
  t.is(declined.answer, undefined);
});

test('answerById finds an entry by id and nothing for an unknown id', (t) => {
  const entry = service.answerById('administrative-review');
  t.truthy(entry);
  t.regex(entry!.answer, /60日内申请行政复议/);
  t.is(service.answerById('no-such-entry'), null);
});

test('GET /mp/v1/guide lists the sections and every answer', async (t) => {
  const url = await serve(t);
  const response = await fetch(`${url}/mp/v1/guide`);
  t.is(response.status, 200);
  const body = await json(response);
  t.is(body.entries.length, service.guide.entries().length);
  t.true(body.sections.some((s: { id: string; entries: unknown[] }) => s.id === 'fees' && s.entries.length > 0));
  const fees = body.entries.find((e: { id: string }) => e.id === 'fees-free');
  t.like(fees, { section: 'fees', title: '申请信息公开收费吗' });
  t.false(JSON.stringify(body).includes('{{'), 'placeholders are filled');
});

test('GET /mp/v1/guide/search ranks answers for a question', async (t) => {
  const url = await serve(t);
  const response = await fetch(`${url}/mp/v1/guide/search?q=${encodeURIComponent('行政复议期限')}&limit=3`);
  t.is(response.status, 200);
  const body = await json(response);
  t.is(body.q, '行政复议期限');
  t.true(body.results.length >= 1 && body.results.length <= 3);
  t.is(body.results[0].id, 'administrative-review');
  t.truthy(body.results[0].answer);
  const unrelated = await json(await fetch(`${url}/mp/v1/guide/search?q=${encodeURIComponent('今天天气怎么样')}`));
  t.deepEqual(unrelated.results, []);
});

const badQueries: Array<[string, string, RegExp]> = [
  ['no q', '', /请输入要搜索的问题或关键词/],
  ['a blank q', '?q=%20%20', /请输入要搜索的问题或关键词/],
  ['an overlong q', `?q=${encodeURIComponent('申'.repeat(201))}`, /搜索内容太长/],
  ['a bad limit', '?q=%E6%94%B6%E8%B4%B9&limit=0', /limit 应为 1 到 30 之间的整数/],
  ['a non-numeric limit', '?q=%E6%94%B6%E8%B4%B9&limit=ten', /limit 应为 1 到 30 之间的整数/],
];

for (const [title, query, message] of badQueries) {
  test(`GET /mp/v1/guide/search with ${title} is a 400 in Chinese`, async (t) => {
    const url = await serve(t);
    const response = await fetch(`${url}/mp/v1/guide/search${query}`);
    t.is(response.status, 400);
    const body = await json(response);
    t.is(body.error.code, 'validation');
    t.regex(body.error.message, message);
  });
}

test('guards passed to mountMiniProgram run before both routes', async (t) => {
  const requireLogin: Middleware = async () => {
    throw new HttpError(401, 'unauthorized', '需要登录');
  };
  const url = await serve(t, requireLogin);
  for (const route of ['/mp/v1/guide', '/mp/v1/guide/search?q=%E6%94%B6%E8%B4%B9']) {
    const response = await fetch(`${url}${route}`);
    t.is(response.status, 401, route);
  }
});
