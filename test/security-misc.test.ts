// Issue 19, finding 10, the smaller ones: a bounded staff-binding pattern, no-store and a CSP on
// answers with personal data, reviewers and leaders see applicants masked, /sandbox/__proto__ is a
// 404. (The final report export as a POST is in report-api.test.ts; the TRUST_PROXY warning in
// security-webhook.test.ts.)
import test from 'ava';
import { startApp, client, mpLogin, staffLogin, personApplication } from './helpers/app.js';
import { push, textXml } from './helpers/wechat-client.js';

test('"绑定" followed by 60,000 spaces does not hold the server: the push is answered and healthz stays quick', async (t) => {
  const app = await startApp(t);
  const started = performance.now();
  const slow = push(app.url, textXml('o-binder', `绑定${' '.repeat(60_000)}x`, '7700000000000000001'));
  const health = await fetch(`${app.url}/healthz`);
  const healthMs = performance.now() - started;
  t.is(health.status, 200);
  const { status } = await slow;
  t.true(status === 200 || status === 413, String(status));
  // The old pattern backtracked quadratically and blocked the event loop 1.6 s on a quiet machine.
  t.true(healthMs < 1500, `healthz took ${Math.round(healthMs)} ms`);
  const binding = app.services.notify.binding;
  const direct = performance.now();
  t.is(await binding.handleBindingMessage('o-binder', `绑定${' '.repeat(60_000)}x`), null);
  t.true(performance.now() - direct < 200);
  // A real binding message still works as before.
  t.regex((await binding.handleBindingMessage('o-binder', '绑定 12345'))!, /6 位数字/);
});

test('staff answers with personal data are not cached; document HTML carries a CSP that allows no script', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  const created = await call('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, 'o-cache'));
  const detail = await call('GET', `/admin/v1/applications/${created.body.id}`, undefined, admin);
  t.is(detail.headers.get('cache-control'), 'no-store');
  t.is((await call('GET', '/admin/v1/applications', undefined, admin)).headers.get('cache-control'), 'no-store');
  const login = await call('POST', '/admin/v1/session', { username: 'admin', password: 'admin-password-1' });
  t.is(login.headers.get('cache-control'), 'no-store');
  const docs = await call('GET', `/admin/v1/applications/${created.body.id}/documents`, undefined, admin);
  t.is(docs.status, 200, JSON.stringify(docs.body));
  const kind = docs.body.documents[0]?.kind;
  t.truthy(kind);
  const html = await fetch(`${app.url}/admin/v1/applications/${created.body.id}/documents/${kind}?format=html`, { headers: admin });
  t.is(html.status, 200);
  t.is(html.headers.get('cache-control'), 'no-store');
  t.regex(html.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  t.notRegex(html.headers.get('content-security-policy') ?? '', /script-src/);
  const docx = await fetch(`${app.url}/admin/v1/applications/${created.body.id}/documents/${kind}?format=docx`, { headers: admin });
  t.is(docx.headers.get('cache-control'), 'no-store');
});

test('reviewers and leaders see the applicant masked, name included; the handler sees it in full', async (t) => {
  const app = await startApp(t);
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  for (const [username, roles] of [['rev', ['reviewer']], ['chief', ['leader']], ['han', ['handler']]] as const) {
    t.is((await call('POST', '/admin/v1/users', { username, password: `${username}-Pass-word-7`, roles }, admin)).status, 201);
  }
  const created = await call('POST', '/mp/v1/applications', personApplication({ applicant: { name: '欧阳明华' } }), await mpLogin(app.url, 'o-mask'));
  for (const username of ['rev', 'chief']) {
    const who = await staffLogin(app.url, username, `${username}-Pass-word-7`);
    const detail = (await call('GET', `/admin/v1/applications/${created.body.id}`, undefined, who)).body;
    t.is(detail.applicant.name, '欧阳**', username);
    t.notRegex(JSON.stringify(detail), /13800138000|11010519491231002X|zhangsan@/);
    const listed = (await call('GET', '/admin/v1/applications?filter=all', undefined, who)).body.applications[0];
    t.is(listed.applicant.name, '欧阳**');
    // Searching by the real name finds nothing: the name cannot be probed either.
    t.is((await call('GET', `/admin/v1/applications?filter=all&q=${encodeURIComponent('欧阳明华')}`, undefined, who)).body.total, 0);
  }
  const han = await staffLogin(app.url, 'han', 'han-Pass-word-7');
  t.is((await call('GET', `/admin/v1/applications/${created.body.id}`, undefined, han)).body.applicant.name, '欧阳明华');
});

test('/sandbox/__proto__ and /sandbox/constructor answer 404, not 500', async (t) => {
  const app = await startApp(t);
  for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
    const response = await fetch(`${app.url}/sandbox/${name}`);
    t.is(response.status, 404, name);
  }
});
