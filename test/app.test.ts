import test from 'ava';
import { Writable } from 'node:stream';
import { Router } from '@koa/router';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { DomainError } from '../src/domain/errors.js';
import { parseBody, bodyObject } from '../src/http/body.js';
import { listen, json } from './helpers/http.js';

function capture() {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

async function serve(t: any) {
  const { lines, logger } = capture();
  const router = new Router();
  router.get('/boom', () => {
    throw new Error('secret internal detail at /srv/app.ts:12 for 420106199001011234');
  });
  router.get('/domain', () => {
    throw new DomainError('validation', '请填写申请人姓名', { 'applicant.name': '请填写申请人姓名' });
  });
  router.get('/transition', () => {
    throw new DomainError('invalid-transition', '已延期过一次，不能再次延期（第三十三条）');
  });
  router.post('/echo', parseBody(), (ctx) => {
    ctx.body = { got: bodyObject(ctx.request.body) };
  });
  const app = createApp({ config: loadConfig({}), logger, routers: [router] });
  const server = await listen(app);
  t.teardown(server.close);
  return { ...server, lines };
}

test('GET /healthz answers ok', async (t) => {
  const { url } = await serve(t);
  const response = await fetch(`${url}/healthz`);
  t.is(response.status, 200);
  t.deepEqual(await json(response), { status: 'ok' });
  t.regex(response.headers.get('x-request-id') ?? '', /^[\w-]{8,}$/);
  t.is(response.headers.get('x-content-type-options'), 'nosniff');
});

test('an unknown route is a JSON 404', async (t) => {
  const { url } = await serve(t);
  const response = await fetch(`${url}/nowhere`);
  t.is(response.status, 404);
  t.is((await json(response)).error.code, 'not-found');
});

test('a domain error becomes a 4xx with code, Chinese message and fields', async (t) => {
  const { url } = await serve(t);
  const bad = await fetch(`${url}/domain`);
  t.is(bad.status, 400);
  t.deepEqual(await json(bad), {
    error: { code: 'validation', message: '请填写申请人姓名', fields: { 'applicant.name': '请填写申请人姓名' } },
  });
  const conflict = await fetch(`${url}/transition`);
  t.is(conflict.status, 409);
  t.is((await json(conflict)).error.code, 'invalid-transition');
});

test('an unexpected error is a 500 without stack or detail; the log has it, masked', async (t) => {
  const { url, lines } = await serve(t);
  const response = await fetch(`${url}/boom`, { headers: { 'X-Request-Id': 'req-12345678' } });
  t.is(response.status, 500);
  const body = await json(response);
  t.is(body.error.code, 'internal');
  t.true(body.error.message.includes('req-12345678'));
  t.false(JSON.stringify(body).includes('secret internal detail'));
  const logged = lines.find((l) => l.msg === 'unhandled error');
  t.truthy(logged);
  t.is(logged.requestId, 'req-12345678');
  const text = JSON.stringify(logged);
  t.true(text.includes('secret internal detail'));
  t.false(text.includes('420106199001011234'), 'ID number masked in the log');
});

test('body errors: malformed JSON 400, wrong type 415, a JSON array 400, too large 413', async (t) => {
  const { url } = await serve(t);
  const post = (body: string, type = 'application/json') =>
    fetch(`${url}/echo`, { method: 'POST', headers: { 'Content-Type': type }, body });
  const malformed = await post('{"a":');
  t.is(malformed.status, 400);
  t.is((await json(malformed)).error.code, 'bad-request');
  t.is((await post('<xml/>', 'text/xml')).status, 415);
  t.is((await post('[1,2]')).status, 400);
  const huge = await post(JSON.stringify({ text: 'x'.repeat(400_000) }));
  t.is(huge.status, 413);
  t.is((await json(huge)).error.code, 'too-large');
  const ok = await post(JSON.stringify({ name: '张三' }));
  t.deepEqual(await json(ok), { got: { name: '张三' } });
});

test('a method no route knows is a 4xx, never a 5xx', async (t) => {
  const { url } = await serve(t);
  const response = await fetch(`${url}/healthz`, { method: 'DELETE' });
  t.is(response.status, 405);
  const odd = await fetch(`${url}/healthz`, { method: 'PROPFIND' });
  t.true(odd.status >= 400 && odd.status < 500);
});
