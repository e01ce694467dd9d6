// The demo data of sandbox mode: the same requests, numbers and states on every fresh start, never
// seeded twice, staff accounts only in sandbox mode, and a catalog across categories and review stages.
import test from 'ava';
import { Writable } from 'node:stream';
import { Store } from '../src/store/store.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { CatalogRepo } from '../src/store/catalog-repo.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { CatalogService } from '../src/catalog/service.js';
import { loadAgency } from '../src/agency.js';
import { createLogger } from '../src/log.js';
import { seedDemo, loadDemoStaff } from '../src/sandbox/demo.js';
import { workingDaysBefore } from '../src/sandbox/relative-dates.js';
import { startApp, testClock, type TestClock } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';

const NOW = '2026-03-18T02:00:00Z'; // a Wednesday, 10:00 in China

/** What a request looks like to staff, without the random id and the recording time. */
async function snapshot(applications: ApplicationsService) {
  return (await applications.all())
    .map((app) => {
      const v = applications.view(app, 'staff');
      return {
        trackingNo: v.trackingNo,
        status: v.status,
        receivedOn: v.receivedOn,
        dueDate: v.dueDate,
        paused: v.paused,
        overdue: v.overdue,
        extensionDays: v.extensionDays,
        outcome: v.outcome,
        description: v.request.description,
        timeline: v.timeline.map((e) => `${e.on} ${e.type}`),
      };
    })
    .sort((a, b) => a.trackingNo.localeCompare(b.trackingNo));
}

test('two fresh starts seed the same requests, tracking numbers and states', async (t) => {
  const first = await startApp(t, { env: { DEMO_DATA: 'on' }, clock: testClock(NOW) });
  const second = await startApp(t, { env: { DEMO_DATA: 'on' }, clock: testClock(NOW) });
  const a = await snapshot(first.services.applications);
  t.deepEqual(await snapshot(second.services.applications), a);

  t.true(a.length >= 6 && a.length <= 8, `${a.length} demo requests`);
  t.deepEqual(a.map((r) => r.trackingNo), a.map((_, i) => `2026-${String(i + 1).padStart(6, '0')}`));
  const today = first.services.applications.today();
  const kinds = {
    'just received': a.some((r) => r.status === 'processing' && r.receivedOn === today),
    'awaiting 补正': a.some((r) => r.status === 'awaiting-supplement'),
    'consulting a third party': a.some((r) => r.status === 'consulting' && r.paused && r.dueDate === null),
    extended: a.some((r) => r.extensionDays > 0 && !r.overdue && r.dueDate! > today),
    overdue: a.some((r) => r.overdue),
    'decided and delivered': a.some((r) => r.status === 'delivered' && r.outcome !== null),
    withdrawn: a.some((r) => r.status === 'closed' && r.outcome === 'other'),
  };
  t.deepEqual(Object.entries(kinds).filter(([, found]) => !found).map(([kind]) => kind), [], 'every state is shown');
  t.true(a.every((r) => !r.description.includes('{')), 'year placeholders are filled');
});

test('dates move with today while the states stay the same', async (t) => {
  const march = await startApp(t, { env: { DEMO_DATA: 'on' }, clock: testClock(NOW) });
  const july = await startApp(t, { env: { DEMO_DATA: 'on' }, clock: testClock('2026-07-08T02:00:00Z') });
  const states = (s: Awaited<ReturnType<typeof snapshot>>) => s.map((r) => [r.trackingNo, r.status, r.overdue, r.outcome]);
  t.deepEqual(states(await snapshot(july.services.applications)), states(await snapshot(march.services.applications)));
  t.notDeepEqual(
    (await snapshot(july.services.applications)).map((r) => r.receivedOn),
    (await snapshot(march.services.applications)).map((r) => r.receivedOn),
  );
});

test('a second start on the same folder does not seed again; DEMO_DATA=off seeds nothing', async (t) => {
  const dataDir = await tempDir(t);
  const clock: TestClock = testClock(NOW);
  const first = await startApp(t, { env: { DEMO_DATA: 'on' }, clock, dataDir });
  const count = (await first.services.applications.all()).length;
  t.true(count > 0);
  await first.stop();

  clock.advance(3 * 24 * 3600_000);
  const again = await startApp(t, { env: { DEMO_DATA: 'on' }, clock, dataDir });
  t.is((await again.services.applications.all()).length, count);
  t.false(again.logs.some((line) => line.includes('demo data seeded')));

  const off = await startApp(t, { env: { DEMO_DATA: 'off' }, clock: testClock(NOW) });
  t.is((await off.services.applications.all()).length, 0);
});

/** The services seedDemo works on, over a fresh store, as main.ts builds them. */
async function services(t: import('ava').ExecutionContext) {
  const dir = await tempDir(t);
  const clock = testClock(NOW);
  const store = await Store.open(dir, clock);
  t.teardown(() => store.close());
  const agency = await loadAgency('data');
  const calendar = await CalendarSource.open('data', dir);
  const accounts = new StaffAccounts(await AccountsRepo.open(store), clock);
  const applications = new ApplicationsService(await ApplicationsRepo.open(store), () => calendar.current(), clock);
  const catalog = new CatalogService(await CatalogRepo.open(store), { categories: agency.catalogCategories, indexPrefix: 'HSRF', clock });
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  return { accounts, applications, catalog, clock, logger, lines, agency };
}

test('in sandbox mode the demo staff accounts are created, printed, and log in with the printed passwords', async (t) => {
  const s = await services(t);
  t.true(await seedDemo({ ...s, sandbox: true }));
  const line = s.lines.find((l) => l.includes('demo staff accounts'));
  t.truthy(line, 'the accounts are printed');
  const printed = [...line!.matchAll(/(\w+) \/ ([\w-]+)/g)].map((m) => ({ username: m[1]!, password: m[2]! }));
  const roles = new Map((await s.accounts.users()).map((u) => [u.username, u.roles]));
  t.true(printed.some((p) => roles.get(p.username)?.includes('handler')), 'a handler');
  t.true(printed.some((p) => roles.get(p.username)?.includes('registrar')), 'a registrar');
  for (const { username, password } of printed) {
    const { principal } = await s.accounts.login(username, password);
    t.is(principal.username, username);
  }
  t.false(await seedDemo({ ...s, sandbox: true }), 'not seeded twice');
});

test('outside sandbox mode no account with a public password is created', async (t) => {
  const s = await services(t);
  t.true(await seedDemo({ applications: s.applications, accounts: s.accounts, clock: s.clock, catalog: s.catalog, logger: s.logger }));
  const demoNames = new Set((await loadDemoStaff()).map((d) => d.username));
  t.deepEqual((await s.accounts.users()).filter((u) => demoNames.has(u.username)), []);
  t.true((await s.applications.all()).length > 0);
});

test('with the catalog: published items across categories, oldest first, and items at every review stage', async (t) => {
  const s = await services(t);
  await seedDemo({ ...s, sandbox: true });
  const page = await s.catalog.list({ pageSize: '50' });
  t.is(page.items.length, page.total, 'one page holds them all');
  const all = page.items.map((item) => s.catalog.staffView(item));
  const published = all.filter((item) => item.state === 'published');
  t.true(new Set(published.map((item) => item.category)).size >= 10, 'many categories');
  t.true(all.every((item) => !item.title.includes('{')));
  const states = new Set(all.map((item) => item.state));
  for (const state of ['draft', 'confidentiality-review', 'leader-review', 'published'] as const) t.true(states.has(state), state);
  // Publication order follows the publication dates, so the push job's cursor reads them in order.
  const order = (await s.catalog.publishedAfter(0)).map((p) => p.publication.on);
  t.deepEqual(order, [...order].sort());
  t.true(s.lines.some((l) => /\d+ catalog items/.test(l)));
});

test('the catalog seeds the same way every time', async (t) => {
  const titles = async () => {
    const s = await services(t);
    await seedDemo({ ...s, sandbox: true });
    return (await s.catalog.list({ pageSize: '50' })).items
      .map((item) => s.catalog.staffView(item))
      .map((item) => `${item.indexNo} ${item.state} ${item.publishedOn} ${item.title}`)
      .sort();
  };
  t.deepEqual(await titles(), await titles());
});

test('working days before today follow the official calendar, make-up Sundays included', async (t) => {
  const calendar = (await CalendarSource.open('data', await tempDir(t))).current();
  const isWorkingDay = (d: string) => calendar.isWorkingDay(d);
  const cases: Array<[today: string, n: number, expected: string]> = [
    ['2026-03-18', 0, '2026-03-18'],
    ['2026-03-18', 1, '2026-03-17'],
    ['2026-03-18', 3, '2026-03-13'], // over a weekend
    ['2026-03-21', 0, '2026-03-21'], // a Saturday stays itself
    ['2026-03-21', 1, '2026-03-20'],
    ['2025-10-09', 1, '2025-09-30'], // over the National Day holiday, 1–8 October 2025
    ['2025-10-09', 3, '2025-09-28'], // 28 September 2025 was a make-up working Sunday
  ];
  for (const [today, n, expected] of cases) t.is(workingDaysBefore(today, n, isWorkingDay), expected, `${n} before ${today}`);
  t.throws(() => workingDaysBefore('2026-03-18', -1, isWorkingDay), { instanceOf: RangeError });
});
