// `npm run store:migrate`: an office's data folder moved into PostgreSQL and back, as a server then
// serves it: the same requests with the same timelines, the same staff accounts and passwords, the
// same letter links; a target that already holds data is refused before anything is written.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runMigrateCli } from '../src/store/migrate-cli.js';
import { client, mpLogin, personApplication, staffLogin, startApp, testClock } from './helpers/app.js';
import { pgReachable, testDatabase } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';

const withPostgres = await pgReachable();

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runMigrateCli(argv, {}, (text) => (out += text), (text) => (err += text));
  return { code, out, err };
}

/** What staff and the applicant see of every request: the views both APIs return. */
async function snapshot(url: string) {
  const call = client(url);
  const admin = await staffLogin(url);
  const list = await call('GET', '/admin/v1/applications?status=all', undefined, admin);
  const ids: string[] = list.body.applications.map((a: { id: string }) => a.id).sort();
  const views = [];
  for (const id of ids) views.push((await call('GET', `/admin/v1/applications/${id}`, undefined, admin)).body);
  const mine = await call('GET', '/mp/v1/applications', undefined, await mpLogin(url, 'citizen-1'));
  return { views, mine: mine.body };
}

test('the arguments are checked before anything is opened', async (t) => {
  t.is((await cli()).code, 2);
  t.is((await cli('--to')).code, 2);
  const same = await cli('--from', '/tmp/a', '--to', '/tmp/b');
  t.is(same.code, 2);
  t.regex(same.err, /one of --from and --to must be a postgres:\/\/ address/);
});

if (withPostgres) {
  test('a data folder moved into PostgreSQL and back is served the same, and a full target is refused', async (t) => {
    t.timeout(120_000);
    const clock = testClock('2026-11-30T02:00:00Z');
    const dir = await tempDir(t);
    const first = await startApp(t, { clock, dataDir: dir, env: { DATABASE_URL: undefined } });
    const call = client(first.url);
    const citizen = await mpLogin(first.url, 'citizen-1');
    const submitted = await call('POST', '/mp/v1/applications', personApplication(), { ...citizen, 'Idempotency-Key': 'submit-key-1' });
    t.is(submitted.status, 201, JSON.stringify(submitted.body));
    const admin = await staffLogin(first.url);
    const id = submitted.body.id;
    t.is((await call('POST', `/admin/v1/applications/${id}/events`, { type: 'request-supplement', on: '2026-11-30', items: ['请写明文件名称'] }, admin)).status, 200);
    t.is((await call('POST', '/admin/v1/users', { username: 'han', password: 'han-password-123', roles: ['handler'] }, admin)).status, 201);
    const notice = { year: 2027, papers: ['https://www.gov.cn/test-notice-2027'], days: [{ name: '元旦', date: '2027-01-01', isOffDay: true }] };
    t.is((await call('PUT', '/admin/v1/calendar/2027', notice, admin)).status, 200);
    await first.services.notify.runOutbox();
    const before = await snapshot(first.url);
    await first.stop();

    const url = await testDatabase(t);
    const moved = await cli('--from', dir, '--to', url);
    t.is(moved.code, 0, moved.err);
    t.regex(moved.out, /applications\s+application 1/);
    t.regex(moved.out, /Counts equal on both sides/);

    // Served from PostgreSQL: the same views, the accounts with their passwords, the retried submit.
    const onPg = await startApp(t, { clock, dataDir: await tempDir(t), env: { DATABASE_URL: url } });
    t.is(onPg.repos.engine, 'postgres');
    t.truthy(onPg.services.calendar.files().find((f) => f.year === 2027), 'the uploaded calendar moved too');
    t.deepEqual(await snapshot(onPg.url), before);
    await staffLogin(onPg.url, 'han', 'han-password-123');
    const retried = await client(onPg.url)('POST', '/mp/v1/applications', personApplication(), { ...(await mpLogin(onPg.url, 'citizen-1')), 'Idempotency-Key': 'submit-key-1' });
    t.is(retried.body.id, id, 'the idempotency key moved with the request');
    // The letter links already sent keep opening: the key moved too.
    const key = (await readFile(path.join(dir, 'document-link.key'), 'utf8')).trim();
    const { rows } = await onPg.repos.database!.query(`SELECT encode(value, 'hex') AS hex FROM shared_secrets WHERE name = 'document-link'`);
    t.is(rows[0].hex, key);
    await onPg.stop();

    // A second move into the same database is refused, and the database is left as it was.
    const again = await cli('--from', dir, '--to', url);
    t.is(again.code, 1);
    t.regex(again.err, /the target is not empty: accounts holds/);

    // And back into a new folder.
    const back = await tempDir(t);
    const returned = await cli('--from', url, '--to', back);
    t.is(returned.code, 0, returned.err);
    t.is((await readFile(path.join(back, 'document-link.key'), 'utf8')).trim(), key);
    const home = await startApp(t, { clock, dataDir: back, env: { DATABASE_URL: undefined } });
    t.is(home.repos.engine, 'embedded');
    t.deepEqual(await snapshot(home.url), before);
  });
}
