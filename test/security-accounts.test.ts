// Issue 19, findings 5 and 7: the account lifecycle (disable, reset or change a password, change
// roles, unlock, revoke sessions) ends the user's sessions at once and is audited; logging out
// revokes the presented token; the staff API's login takes JSON only and never sets the cookie.
import test from 'ava';
import { startApp, client, staffLogin, ADMIN } from './helpers/app.js';
import { Browserless, csrfOf, loggedIn, PASSWORD, type ConsoleApp } from './helpers/console-app.js';

const CLERK = { username: 'clerk', password: 'Clerk-teapot-88' };

async function withClerk(t: any) {
  const app = await startApp(t);
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  t.is((await call('POST', '/admin/v1/users', { ...CLERK, roles: ['registrar'] }, admin)).status, 201);
  const clerk = await staffLogin(app.url, CLERK.username, CLERK.password);
  const works = async (headers: Record<string, string>) => (await call('GET', '/admin/v1/me', undefined, headers)).status === 200;
  return { app, call, admin, clerk, works };
}

test('disabling a user ends their sessions at once and refuses their login; enabling lets them back', async (t) => {
  const { call, admin, clerk, works } = await withClerk(t);
  t.true(await works(clerk));
  const disabled = await call('PATCH', '/admin/v1/users/clerk', { disabled: true }, admin);
  t.is(disabled.status, 200, JSON.stringify(disabled.body));
  t.true(disabled.body.disabled);
  t.false(await works(clerk));
  t.is((await call('POST', '/admin/v1/session', CLERK)).status, 401);
  t.is((await call('PATCH', '/admin/v1/users/clerk', { disabled: false }, admin)).status, 200);
  t.true(await works(await staffLoginAs(call, CLERK)));
});

test('changing roles ends the sessions; the new roles apply at the next login', async (t) => {
  const { app, call, admin, clerk, works } = await withClerk(t);
  const changed = await call('PATCH', '/admin/v1/users/clerk', { roles: ['handler'] }, admin);
  t.is(changed.status, 200, JSON.stringify(changed.body));
  t.false(await works(clerk));
  const again = await staffLogin(app.url, CLERK.username, CLERK.password);
  t.deepEqual((await call('GET', '/admin/v1/me', undefined, again)).body.roles, ['handler']);
  // Bad input is a 400, an unknown user a 404; only an admin may do it.
  t.is((await call('PATCH', '/admin/v1/users/clerk', { roles: ['king'] }, admin)).status, 400);
  t.is((await call('PATCH', '/admin/v1/users/ghost', { disabled: true }, admin)).status, 404);
  t.is((await call('PATCH', '/admin/v1/users/admin', { disabled: true }, again)).status, 403);
});

test('the last admin cannot be disabled or lose the admin role', async (t) => {
  const { call, admin } = await withClerk(t);
  t.is((await call('PATCH', '/admin/v1/users/admin', { disabled: true }, admin)).status, 409);
  t.is((await call('PATCH', '/admin/v1/users/admin', { roles: ['handler'] }, admin)).status, 409);
});

test('an admin resets a forgotten password: old sessions end, the new password works, the old does not', async (t) => {
  const { app, call, admin, clerk, works } = await withClerk(t);
  const reset = await call('POST', '/admin/v1/users/clerk/password', { password: 'Fresh-lantern-31' }, admin);
  t.is(reset.status, 200, JSON.stringify(reset.body));
  t.false(await works(clerk));
  t.is((await call('POST', '/admin/v1/session', CLERK)).status, 401);
  t.true(await works(await staffLogin(app.url, CLERK.username, 'Fresh-lantern-31')));
});

test('changing one’s own password needs the current one and ends every session of the user', async (t) => {
  const { app, call, clerk, works } = await withClerk(t);
  const other = await staffLogin(app.url, CLERK.username, CLERK.password);
  const wrong = await call('POST', '/admin/v1/me/password', { currentPassword: 'not-it-at-all', password: 'Brand-new-canoe-5' }, clerk);
  t.is(wrong.status, 400);
  const weak = await call('POST', '/admin/v1/me/password', { currentPassword: CLERK.password, password: '1111111111' }, clerk);
  t.is(weak.status, 400);
  const changed = await call('POST', '/admin/v1/me/password', { currentPassword: CLERK.password, password: 'Brand-new-canoe-5' }, clerk);
  t.is(changed.status, 200, JSON.stringify(changed.body));
  t.false(await works(clerk));
  t.false(await works(other));
  t.true(await works(await staffLogin(app.url, CLERK.username, 'Brand-new-canoe-5')));
});

test('DELETE /admin/v1/session revokes the presented token; POST /admin/logout with a bearer token does too', async (t) => {
  const { app, call, clerk, works } = await withClerk(t);
  const out = await call('DELETE', '/admin/v1/session', undefined, clerk);
  t.is(out.status, 204);
  t.false(await works(clerk));
  const second = await staffLogin(app.url, CLERK.username, CLERK.password);
  const consoleLogout = await fetch(`${app.url}/admin/logout`, { method: 'POST', headers: second, redirect: 'manual' });
  t.is(consoleLogout.status, 303);
  t.false(await works(second), 'the bearer token said "已退出登录" and stayed valid for 12 hours');
});

test('an admin can end all sessions of a user; every change is in the audit log, which only admins read', async (t) => {
  const { call, admin, clerk, works } = await withClerk(t);
  const revoked = await call('DELETE', '/admin/v1/users/clerk/sessions', undefined, admin);
  t.is(revoked.status, 200);
  t.is(revoked.body.revoked, 1);
  t.false(await works(clerk));
  await call('PATCH', '/admin/v1/users/clerk', { roles: ['handler', 'registrar'] }, admin);
  await call('POST', '/admin/v1/users/clerk/unlock', undefined, admin);
  const log = await call('GET', '/admin/v1/audit', undefined, admin);
  t.is(log.status, 200);
  t.deepEqual(
    log.body.entries.map((e: any) => [e.action, e.target, e.by]),
    [
      ['user.unlock', 'clerk', ADMIN.username],
      ['user.update', 'clerk', ADMIN.username],
      ['user.sessions-revoke', 'clerk', ADMIN.username],
      ['user.create', 'clerk', ADMIN.username],
      ['user.create', ADMIN.username, 'system'],
    ],
  );
  t.deepEqual(log.body.entries[1].detail.roles, { from: ['registrar'], to: ['handler', 'registrar'] });
  t.is(log.body.entries[0].address, '127.0.0.1');
  t.is((await call('GET', '/admin/v1/audit', undefined, await staffLoginAs(call, CLERK))).status, 403);
});

async function staffLoginAs(call: ReturnType<typeof client>, who: { username: string; password: string }) {
  const { body } = await call('POST', '/admin/v1/session', who);
  return { Authorization: `Bearer ${body.token}` };
}

test('the staff API login takes JSON only and never sets the console cookie (no login CSRF)', async (t) => {
  const { app } = await withClerk(t);
  // A cross-site form post: form-encoded and text/plain bodies are refused.
  for (const [type, body] of [
    ['application/x-www-form-urlencoded', `username=${CLERK.username}&password=${CLERK.password}`],
    ['text/plain', JSON.stringify(CLERK)],
    ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nclerk\r\n--x--\r\n`],
  ] as const) {
    const response = await fetch(`${app.url}/admin/v1/session`, { method: 'POST', headers: { 'Content-Type': type }, body });
    t.is(response.status, 415, type);
    t.deepEqual(response.headers.getSetCookie(), [], type);
    t.is(((await response.json()) as any).error.code, 'unsupported-media-type');
  }
  const json = await fetch(`${app.url}/admin/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(CLERK) });
  t.is(json.status, 200);
  t.deepEqual(json.headers.getSetCookie(), [], 'no console cookie from the API');
  t.truthy(((await json.json()) as any).token);
});

test('console: an admin disables a user, resets a password and reads the audit log; a user changes their own password', async (t) => {
  const app = await startApp(t, { env: { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: PASSWORD } });
  await app.services.accounts.createUser('system', { username: 'reg', password: PASSWORD, roles: ['registrar'] });
  const consoleApp = { url: app.url } as ConsoleApp;
  const admin = await loggedIn(consoleApp, 'admin');
  const reg = await loggedIn(consoleApp, 'reg');
  t.is((await reg.page('/admin/account')).status, 200);

  const disabled = await admin.post('/admin/users/reg/disable', {}, '/admin/users');
  t.is(disabled.status, 303);
  const users = await admin.page('/admin/users');
  t.regex(users.html, /已停用 reg，其登录已全部失效/);
  t.regex(users.html, /账号变更记录[\s\S]*停用/);
  // The registrar's browser is sent to the login page at once.
  const after = await reg.page('/admin/account');
  t.is(after.status, 303);

  await admin.post('/admin/users/reg/enable', {}, '/admin/users');
  const weak = await admin.post('/admin/users/reg/password', { password: 'aaaaaaaaaa' }, '/admin/users');
  t.is(weak.status, 303);
  t.regex((await admin.page('/admin/users')).html, /重复或连续的字符/);
  await admin.post('/admin/users/reg/password', { password: 'Reset-by-admin-26' }, '/admin/users');

  const fresh = new Browserless(app.url);
  t.is((await fresh.login('reg', 'Reset-by-admin-26')).status, 303);
  const account = await fresh.page('/admin/account');
  t.regex(account.html, /修改密码/);
  const changed = await fresh.request('POST', '/admin/account/password', { _csrf: csrfOf(account.html), currentPassword: 'Reset-by-admin-26', password: 'Mine-own-choice-77' });
  t.is(changed.status, 303);
  t.is(changed.headers.get('location'), '/admin/login');
  t.is((await fresh.page('/admin/account')).status, 303, 'logged out everywhere, this browser included');
  const mine = new Browserless(app.url);
  t.is((await mine.login('reg', 'Mine-own-choice-77')).status, 303);
  // A non-admin cannot use the management forms.
  await mine.post('/admin/users/admin/disable', {}, '/admin/account');
  t.regex((await mine.page('/admin/account')).html, /无权/);
  t.false((await app.services.accounts.user('admin'))!.disabled);
});
