// The sandbox's own routes over HTTP: the simulator page and its assets, the settings it plays
// WeChat with, the outbox filtered by user, and none of it in production mode.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { client, startApp } from './helpers/app.js';

test('the simulator page: the sandbox banner, our own script and style only, and a strict CSP', async (t) => {
  const running = await startApp(t);
  const page = await fetch(`${running.url}/sandbox`);
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /text\/html/);
  const body = await page.text();
  t.true(body.includes('沙盒模式 · 模拟微信，不会发送真实消息'));
  t.regex(body, /<script src="\/sandbox\/app\.js" defer><\/script>/);
  t.notRegex(body, /<script(?![^>]*\bsrc=)/, 'no inline script');
  t.notRegex(body, /\sstyle=|<style/, 'no inline style');
  t.notRegex(body, /(src|href)="(https?:)?\/\//, 'nothing loaded from elsewhere');
  for (const name of ['公开指南', '对话申请', '进度查询', '联系我们']) t.true(body.includes(name), `menu button ${name}`);

  const csp = page.headers.get('content-security-policy') ?? '';
  t.regex(csp, /script-src 'self'(;|$)/);
  t.notRegex(csp, /unsafe-inline|unsafe-eval/);

  for (const [asset, type] of [['app.js', /javascript/], ['app.css', /text\/css/]] as const) {
    const response = await fetch(`${running.url}/sandbox/${asset}`);
    t.is(response.status, 200, asset);
    t.regex(response.headers.get('content-type') ?? '', type);
  }
  t.is((await fetch(`${running.url}/sandbox/secrets.json`)).status, 404);
});

test("the settings route hands the page the token, appid and, in safe mode, the AES key", async (t) => {
  const plain = await startApp(t);
  const { body } = await client(plain.url)('GET', '/__sandbox/config');
  t.like(body, { token: 'sandbox-token', appid: 'wxsandbox0000000', safeMode: false, encodingAESKey: null });
  t.deepEqual(body.users.map((u: { openid: string }) => u.openid), ['o-sandbox-user-a', 'o-sandbox-user-b']);
  t.is(typeof body.now, 'number');

  const key = randomBytes(32).toString('base64').slice(0, 43);
  const safe = await startApp(t, { env: { WECHAT_AES_KEY: key } });
  t.like((await client(safe.url)('GET', '/__sandbox/config')).body, { safeMode: true, encodingAESKey: key });
});

test('the outbox lists what the fake WeChat API received, all of it or one user\'s', async (t) => {
  const running = await startApp(t);
  await running.wechat.sendCustomText('o-sandbox-user-a', '给 A 的第一条');
  await running.wechat.sendCustomText('o-sandbox-user-b', '给 B 的');
  await running.wechat.sendCustomText('o-sandbox-user-a', '给 A 的第二条');
  const call = client(running.url);
  const contents = (records: Array<{ payload: { text: { content: string } } }>) => records.map((r) => r.payload.text.content);
  const all = (await call('GET', '/__sandbox/outbox')).body;
  t.deepEqual(contents(all.filter((r: { api: string }) => r.api === 'custom_send')), ['给 A 的第一条', '给 B 的', '给 A 的第二条']);
  t.deepEqual(contents((await call('GET', '/__sandbox/outbox?touser=o-sandbox-user-a')).body), ['给 A 的第一条', '给 A 的第二条']);
  t.deepEqual((await call('GET', '/__sandbox/outbox?touser=nobody')).body, []);
});

test('no sandbox route exists in production mode', async (t) => {
  const running = await startApp(t, { env: { WECHAT_SECRET: 'a-real-secret', WECHAT_APPID: 'wx0123456789abcdef', WECHAT_TOKEN: 'productiontoken' } });
  t.is(running.config.mode, 'production');
  for (const route of ['/sandbox', '/sandbox/app.js', '/sandbox/app.css', '/__sandbox/outbox', '/__sandbox/config', '/__sandbox/wechat-api/cgi-bin/token']) {
    t.is((await fetch(`${running.url}${route}`)).status, 404, route);
  }
  t.is((await fetch(`${running.url}/healthz`)).status, 200);
});
