// Issue 19, finding 1: a bulk import is no way around the role table. Each imported event is checked
// as if it were posted on its own; importing closed (decided) records needs an admin; imported
// records are marked as such in the timeline and in the console.
import test from 'ava';
import { startApp, client, staffLogin, personApplication } from './helpers/app.js';
import { loggedIn, PASSWORD, type ConsoleApp } from './helpers/console-app.js';

async function withStaff(t: any) {
  const app = await startApp(t);
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  for (const [username, roles] of [
    ['reg', ['registrar']],
    ['han', ['handler']],
    ['both', ['registrar', 'handler']],
  ] as const) {
    const created = await call('POST', '/admin/v1/users', { username, password: `${username}-Pass-word-7`, roles }, admin);
    t.is(created.status, 201, JSON.stringify(created.body));
  }
  return {
    app,
    call,
    admin,
    registrar: await staffLogin(app.url, 'reg', 'reg-Pass-word-7'),
    handler: await staffLogin(app.url, 'han', 'han-Pass-word-7'),
    both: await staffLogin(app.url, 'both', 'both-Pass-word-7'),
  };
}

const record = (events: object[]) => ({ ...personApplication(), events });

test('a registrar cannot import extensions, fees, consultations or decisions; nothing is saved', async (t) => {
  const { call, registrar, admin } = await withStaff(t);
  for (const events of [
    [{ type: 'receive', on: '2025-03-03' }, { type: 'extend', on: '2025-03-20', days: 20 }],
    [{ type: 'receive', on: '2025-03-03' }, { type: 'fee-notice', on: '2025-03-10', amount: 100 }],
    [{ type: 'receive', on: '2025-03-03' }, { type: 'consult-start', on: '2025-03-05', party: '某公司' }],
    [{ type: 'receive', on: '2025-03-03' }, { type: 'decide', on: '2025-03-10', outcome: 'withheld-state-secret', reason: 'x' }],
  ]) {
    const refused = await call('POST', '/admin/v1/applications/import', { records: [record([{ type: 'receive', on: '2025-03-02' }]), record(events)] }, registrar);
    t.is(refused.status, 403, JSON.stringify(refused.body));
    t.regex(refused.body.error.message, /第 2 条记录的第 2 个事件/);
  }
  t.is((await call('GET', '/admin/v1/applications?filter=all', undefined, admin)).body.total, 0);
});

test('importing decided records is an admin permission: a handler may decide one by one but not import decisions', async (t) => {
  const { call, handler, both, admin } = await withStaff(t);
  const decided = record([{ type: 'receive', on: '2025-03-03' }, { type: 'decide', on: '2025-03-10', outcome: 'granted' }]);
  t.is((await call('POST', '/admin/v1/applications/import', { records: [decided] }, handler)).status, 403);
  // Registrar and handler together may import and may decide, but not bring in decided history.
  const byBoth = await call('POST', '/admin/v1/applications/import', { records: [decided] }, both);
  t.is(byBoth.status, 403, JSON.stringify(byBoth.body));
  t.regex(byBoth.body.error.message, /系统管理员/);
  const byAdmin = await call('POST', '/admin/v1/applications/import', { records: [decided] }, admin);
  t.is(byAdmin.status, 200, JSON.stringify(byAdmin.body));
});

test('a registrar may import what a registrar may record, and the timeline marks it imported', async (t) => {
  const { call, registrar, admin } = await withStaff(t);
  const ok = await call(
    'POST',
    '/admin/v1/applications/import',
    { records: [record([{ type: 'receive', on: '2025-03-03' }, { type: 'request-supplement', on: '2025-03-05', items: ['请写明年份'] }])] },
    registrar,
  );
  t.is(ok.status, 200, JSON.stringify(ok.body));
  // Withdrawal closes a request with an outcome the report counts: an admin's import, not a registrar's.
  const withdrawn = await call('POST', '/admin/v1/applications/import', { records: [record([{ type: 'receive', on: '2025-03-03' }, { type: 'withdraw', on: '2025-03-04' }])] }, registrar);
  t.is(withdrawn.status, 403);
  const detail = await call('GET', `/admin/v1/applications/${ok.body.ids[0]}`, undefined, admin);
  t.is(detail.body.channel, 'import');
  t.deepEqual(
    detail.body.timeline.map((e: any) => [e.type, e.imported ?? false]),
    [
      ['submit', false],
      ['receive', true],
      ['request-supplement', true],
    ],
  );
});

test('the console shows imported records as imported, in the inbox and on the request page', async (t) => {
  const app = await startApp(t, { env: { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: PASSWORD } });
  const [imported] = await app.services.applications.import([record([{ type: 'receive', on: '2026-03-02' }])], 'admin');
  const browser = await loggedIn({ url: app.url } as ConsoleApp, 'admin');
  const inbox = await browser.page('/admin?filter=all');
  t.regex(inbox.html, /badge imported[^>]*>历史导入/);
  const page = await browser.page(`/admin/applications/${imported!.id}`);
  t.regex(page.html, /确认收到[^<]*<span class="badge imported"|badge imported/);
});
