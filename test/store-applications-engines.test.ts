// The applications repository, the same tests on each engine (ARCHITECTURE §7): reads, numbering,
// idempotent submits, appends with their expected version, pending intents, the console's queries,
// the transfer between engines, and on PostgreSQL two instances racing on one database.
import test, { type ExecutionContext } from 'ava';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo, type ApplicationDraft, type ApplicationsRepository, type StoredApplication } from '../src/store/applications-repo.js';
import { PgApplicationsRepo } from '../src/store/pg/applications-repo.js';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { isConflictError } from '../src/store/conflict.js';
import type { TransferRecord } from '../src/store/transfer.js';
import { ApplicationsService } from '../src/applications/service.js';
import { intentsFor } from '../src/applications/intents.js';
import { createCalendar, type Calendar } from '../src/domain/calendar.js';
import { readHolidayFiles } from '../src/store/holiday-files.js';
import { DomainError, type ApplicationEvent } from '../src/domain/applications/index.js';
import { formatTrackingNo } from '../src/domain/tracking-number.js';
import { engines, testDatabase, type EngineName } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';

// Asked before any test is declared: ava wants every declaration in the same turn.
const ENGINES = await engines();

let calendar: Calendar;
test.before(async () => {
  calendar = createCalendar(await readHolidayFiles(fileURLToPath(new URL('../data/holidays', import.meta.url))));
});

async function openRepo(t: ExecutionContext, engine: EngineName, url?: string): Promise<ApplicationsRepository> {
  if (engine === 'embedded') {
    const store = await Store.open(await tempDir(t));
    t.teardown(() => store.close());
    return ApplicationsRepo.open(store);
  }
  const db = new Database(url ?? (await testDatabase(t)));
  t.teardown(() => db.close());
  if (!url) await migrate(db);
  return PgApplicationsRepo.open(db);
}

/** Two instances on one database: each its own pool, as two servers behind a balancer. */
async function twoInstances(t: ExecutionContext): Promise<[ApplicationsRepository, ApplicationsRepository]> {
  const url = await testDatabase(t);
  const first = new Database(url);
  t.teardown(() => first.close());
  await migrate(first);
  return [await PgApplicationsRepo.open(first), await openRepo(t, 'postgres', url)];
}

let ids = 0;
const AT = '2025-03-03T02:00:00.000Z';

function draft(
  year: number,
  options: { openid?: string | null; idNumber?: string; description?: string; events?: ApplicationEvent[]; idempotencyKey?: string; at?: string } = {},
): ApplicationDraft {
  const id = `app-${++ids}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    year,
    idempotencyKey: options.idempotencyKey,
    build: (seq) => ({
      id,
      trackingNo: formatTrackingNo(year, seq),
      createdAt: options.at ?? AT,
      applicant: { type: 'person', name: '张三', idNumber: options.idNumber ?? '11010519491231002X', phone: '13800138000' },
      request: { description: options.description ?? '2024年度人防工程建设审批结果清单' },
      delivery: { form: 'electronic', method: 'wechat' },
      channel: 'miniprogram',
      openid: options.openid === undefined ? 'o-a' : options.openid,
      possibleDuplicateOf: [],
      events: options.events ?? [
        { type: 'submit', on: '2025-03-03', at: AT, by: 'applicant' },
        { type: 'receive', on: '2025-03-03', at: AT, by: 'system' },
      ],
    }) as StoredApplication,
    intents: (app) => intentsFor(app, 0, AT),
  };
}

async function insertOne(repo: ApplicationsRepository, d: ApplicationDraft): Promise<StoredApplication> {
  const [result] = await repo.insert([d], AT);
  return result!.application;
}

const decide = (on = '2025-03-10'): ApplicationEvent => ({ type: 'decide', on, at: `${on}T02:00:00.000Z`, by: 'handler', outcome: 'granted' }) as ApplicationEvent;
const deliver = (on = '2025-03-11'): ApplicationEvent => ({ type: 'deliver', on, at: `${on}T02:00:00.000Z`, by: 'handler', method: 'email' }) as ApplicationEvent;

async function collect(records: AsyncIterable<TransferRecord>): Promise<TransferRecord[]> {
  const list: TransferRecord[] = [];
  for await (const record of records) list.push(record);
  return list;
}

async function* replay(records: TransferRecord[]): AsyncIterable<TransferRecord> {
  yield* records;
}

for (const engine of ENGINES) {
  test(`[${engine}] insert numbers per year in order; reads by id, tracking number, openid and identity`, async (t) => {
    const repo = await openRepo(t, engine);
    const results = await repo.insert([draft(2025), draft(2025, { openid: 'o-b', idNumber: '110105195001010031' }), draft(2024, { openid: null })], AT);
    t.deepEqual(
      results.map((r) => [r.application.trackingNo, r.created]),
      [
        [formatTrackingNo(2025, 1), true],
        [formatTrackingNo(2025, 2), true],
        [formatTrackingNo(2024, 1), true],
      ],
    );
    const third = await insertOne(repo, draft(2025, { openid: 'o-a', idNumber: '110105195001010031' }));
    t.is(third.trackingNo, formatTrackingNo(2025, 3));

    const [a, b, c] = results.map((r) => r.application) as [StoredApplication, StoredApplication, StoredApplication];
    t.deepEqual(await repo.get(a.id), a);
    t.is(await repo.get('nope'), undefined);
    t.deepEqual(await repo.byTrackingNo(c.trackingNo), c);
    t.is(await repo.byTrackingNo('2099-000001'), undefined);
    t.deepEqual((await repo.byOpenid('o-a')).map((x) => x.id), [a.id, third.id]);
    t.deepEqual((await repo.byOpenid('o-none')).length, 0);
    // Same ID number (b, third) or same WeChat user (a, third), in stored order, each once.
    t.deepEqual((await repo.sameApplicant('110105195001010031', 'o-a')).map((x) => x.id), [a.id, b.id, third.id]);
    t.deepEqual((await repo.sameApplicant('110105195001010031', null)).map((x) => x.id), [b.id, third.id]);
    t.deepEqual(await repo.sameApplicant(null, null), []);
    t.is(await repo.count(), 4);
  });

  test(`[${engine}] reads hand out copies`, async (t) => {
    const repo = await openRepo(t, engine);
    const app = await insertOne(repo, draft(2025));
    const read = (await repo.get(app.id))!;
    read.events.push(decide());
    read.applicant.name = '李四';
    (await repo.open())[0]!.events.length = 0;
    (await repo.byOpenid('o-a'))[0]!.trackingNo = 'changed';
    const again = (await repo.get(app.id))!;
    t.is(again.events.length, 2);
    t.is(again.applicant.name, '张三');
    t.is(again.trackingNo, app.trackingNo);
  });

  test(`[${engine}] a retried submit with the same idempotency key stores nothing and answers the first`, async (t) => {
    const repo = await openRepo(t, engine);
    const first = await insertOne(repo, draft(2025, { idempotencyKey: 'o-a:k1' }));
    const [again] = await repo.insert([draft(2025, { idempotencyKey: 'o-a:k1' })], AT);
    t.false(again!.created);
    t.deepEqual(again!.application, first);
    t.deepEqual(await repo.idempotent('o-a:k1'), first);
    t.is(await repo.idempotent('o-a:k2'), undefined);
    t.is(await repo.count(), 1);
    // The refused insert took no number.
    t.is((await insertOne(repo, draft(2025))).trackingNo, formatTrackingNo(2025, 2));
    t.deepEqual(await repo.counts(), { application: 2, sequence: 1, 'idempotency-key': 1, intent: 4 });
  });

  test(`[${engine}] appendEvent takes the expected number of events; a stale one is a conflict and writes nothing`, async (t) => {
    const repo = await openRepo(t, engine);
    const app = await insertOne(repo, draft(2025));
    const intents = intentsFor({ ...app, events: [...app.events, decide()] }, 2, AT);
    const saved = await repo.appendEvent(app.id, 2, decide(), intents);
    t.is(saved.events.length, 3);
    t.like(saved.events[2], { type: 'decide' });
    const error = await t.throwsAsync(repo.appendEvent(app.id, 2, deliver(), []));
    t.true(isConflictError(error));
    t.is((error as { status?: number }).status, 409);
    t.is((await repo.get(app.id))!.events.length, 3);
    await t.throwsAsync(repo.appendEvent('missing', 0, deliver(), []), { message: /vanished/ });
  });

  test(`[${engine}] open() and page(): the closed flag follows the events; filters and pages`, async (t) => {
    const repo = await openRepo(t, engine);
    const a = await insertOne(repo, draft(2025, { description: '第一件：人防工程' }));
    const b = await insertOne(repo, draft(2025, { description: '第二件：警报试鸣' }));
    const c = await insertOne(repo, draft(2024, { description: '第三件：防空洞', openid: null }));
    t.deepEqual((await repo.open()).map((x) => x.id), [a.id, b.id, c.id]);

    await repo.appendEvent(b.id, 2, decide(), []);
    // Decided is not finished: the reply is still to be delivered.
    t.deepEqual((await repo.open()).map((x) => x.id), [a.id, b.id, c.id]);
    await repo.appendEvent(b.id, 3, deliver(), []);
    await repo.appendEvent(c.id, 2, { type: 'withdraw', on: '2025-03-05', at: AT, by: 'applicant' } as ApplicationEvent, []);
    t.deepEqual((await repo.open()).map((x) => x.id), [a.id]);

    const closed = await repo.page({ closed: true, order: 'newest', limit: 10, offset: 0 });
    t.is(closed.total, 2);
    t.deepEqual(closed.applications.map((x) => x.id), [c.id, b.id]);
    const second = await repo.page({ closed: true, order: 'newest', limit: 1, offset: 1 });
    t.deepEqual([second.total, second.applications.map((x) => x.id)], [2, [b.id]]);
    t.deepEqual((await repo.page({ status: 'delivered', order: 'stored', limit: 10, offset: 0 })).applications.map((x) => x.id), [b.id]);
    t.deepEqual((await repo.page({ status: 'closed', closed: true, order: 'stored', limit: 10, offset: 0 })).applications.map((x) => x.id), [c.id]);
    t.deepEqual((await repo.page({ text: '警报', order: 'stored', limit: 10, offset: 0 })).applications.map((x) => x.id), [b.id]);
    t.deepEqual((await repo.page({ text: c.trackingNo, order: 'stored', limit: 10, offset: 0 })).applications.map((x) => x.id), [c.id]);
    t.is((await repo.page({ text: '张三', order: 'stored', limit: 10, offset: 0 })).total, 0, 'names only with matchName');
    t.is((await repo.page({ text: '张三', matchName: true, order: 'stored', limit: 10, offset: 0 })).total, 3);
    t.deepEqual((await repo.page({ handledBy: 'handler', order: 'stored', limit: 10, offset: 0 })).applications.map((x) => x.id), [b.id]);
    // Received (all three, 2025-03-03) or closed in the year.
    t.is((await repo.page({ year: 2025, order: 'stored', limit: 10, offset: 0 })).total, 3);
    t.is((await repo.page({ year: 2024, order: 'stored', limit: 10, offset: 0 })).total, 0);
    const all = await repo.page({ order: 'stored', limit: 2, offset: 0 });
    t.deepEqual([all.total, all.applications.map((x) => x.id)], [3, [a.id, b.id]]);
  });

  test(`[${engine}] pending intents, oldest first, until marked planned`, async (t) => {
    const repo = await openRepo(t, engine);
    const a = await insertOne(repo, draft(2025));
    const b = await insertOne(repo, draft(2025));
    const keys = (await repo.pendingIntents(100)).map((i) => i.key);
    t.deepEqual(keys, [`${a.id}:0:staff`, `${a.id}:1:applicant`, `${b.id}:0:staff`, `${b.id}:1:applicant`]);
    t.deepEqual(await repo.pendingIntents(1), [{ key: `${a.id}:0:staff`, applicationId: a.id, eventIndex: 0, kind: 'staff:new-request', audience: 'staff', createdAt: AT }]);
    await repo.markIntentsPlanned([`${a.id}:0:staff`, `${a.id}:1:applicant`, 'unknown']);
    await repo.markIntentsPlanned([`${a.id}:0:staff`]);
    t.deepEqual((await repo.pendingIntents(100)).map((i) => i.key), [`${b.id}:0:staff`, `${b.id}:1:applicant`]);
    await repo.appendEvent(a.id, 2, decide(), intentsFor({ ...a, events: [...a.events, decide()] }, 2, AT));
    t.deepEqual((await repo.pendingIntents(100)).map((i) => i.key), [`${b.id}:0:staff`, `${b.id}:1:applicant`, `${a.id}:2:applicant`]);
    t.is((await repo.counts()).intent, 5);
  });

  test(`[${engine}] transfer: embedded → ${engine} → embedded keeps every record`, async (t) => {
    const source = await openRepo(t, 'embedded');
    const a = await insertOne(source, draft(2025, { idempotencyKey: 'o-a:k1' }));
    await insertOne(source, draft(2024, { openid: null }));
    await source.appendEvent(a.id, 2, decide(), intentsFor({ ...a, events: [...a.events, decide()] }, 2, AT));
    await source.markIntentsPlanned([`${a.id}:0:staff`]);
    const exported = await collect(source.exportRecords());

    const middle = await openRepo(t, engine);
    await middle.importRecords(replay(exported));
    t.deepEqual(await middle.counts(), await source.counts());
    t.deepEqual(await collect(middle.exportRecords()), exported);
    t.deepEqual(await middle.get(a.id), await source.get(a.id));
    t.deepEqual(await middle.pendingIntents(100), await source.pendingIntents(100));
    // Numbering goes on where the source left off, and the key still answers.
    t.is((await insertOne(middle, draft(2025))).trackingNo, formatTrackingNo(2025, 2));
    t.false((await middle.insert([draft(2025, { idempotencyKey: 'o-a:k1' })], AT))[0]!.created);

    const back = await openRepo(t, 'embedded');
    const again = await collect(middle.exportRecords());
    await back.importRecords(replay(again));
    t.deepEqual(await back.counts(), await middle.counts());
    t.deepEqual(await collect(back.exportRecords()), again);
    await t.throwsAsync(back.importRecords(replay(again)), { message: /empty/ });
  });
}

if (ENGINES.includes('postgres')) {
  test('[postgres] two instances numbering at once never hand out a number twice', async (t) => {
    const [one, two] = await twoInstances(t);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).insert([draft(2025)], AT)));
    const numbers = results.map((r) => r[0]!.application.trackingNo).sort();
    t.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => formatTrackingNo(2025, i + 1)));
    t.is(await one.count(), 20);
  });

  test('[postgres] a retried submit on two instances at once creates one request and both get it', async (t) => {
    const [one, two] = await twoInstances(t);
    const [a, b] = await Promise.all([one.insert([draft(2025, { idempotencyKey: 'o-a:same' })], AT), two.insert([draft(2025, { idempotencyKey: 'o-a:same' })], AT)]);
    t.is(a[0]!.application.id, b[0]!.application.id);
    t.deepEqual([a[0]!.created, b[0]!.created].sort(), [false, true]);
    t.is(await one.count(), 1);
    t.is((await two.pendingIntents(10)).length, 2, 'the loser wrote no intents');
    t.is((await insertOne(one, draft(2025))).trackingNo, formatTrackingNo(2025, 2), 'the loser took no number');
  });

  test('[postgres] two instances deciding the same request at once: one event stored, the other refused', async (t) => {
    const [one, two] = await twoInstances(t);
    const clock = () => new Date('2025-03-10T02:00:00Z');
    const first = new ApplicationsService(one, () => calendar, clock);
    const second = new ApplicationsService(two, () => calendar, clock);
    const app = await insertOne(one, draft(2025));
    const decision = { type: 'decide', on: '2025-03-10', outcome: 'granted' };
    const outcomes = await Promise.allSettled([first.record(app.id, decision, 'handler1'), second.record(app.id, decision, 'handler2')]);
    t.is(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const refused = outcomes.find((o) => o.status === 'rejected')!.reason;
    // After re-reading, the request is decided: a second decision is not allowed (or the race was lost twice).
    t.true(isConflictError(refused) || (refused instanceof DomainError && refused.code === 'invalid-transition'), String(refused));
    const stored = (await two.get(app.id))!;
    t.is(stored.events.filter((e) => e.type === 'decide').length, 1);
    t.is(stored.events.length, 3);
    t.is((await one.pendingIntents(10)).filter((i) => i.eventIndex === 2).length, 1, 'one decision, one notification');
  });

  test('[postgres] two instances appending different events at once: both kept, in order, after a re-read', async (t) => {
    const [one, two] = await twoInstances(t);
    const clock = () => new Date('2025-03-10T02:00:00Z');
    const first = new ApplicationsService(one, () => calendar, clock);
    const second = new ApplicationsService(two, () => calendar, clock);
    const app = await insertOne(one, draft(2025));
    await Promise.all([
      first.record(app.id, { type: 'extend', on: '2025-03-10', days: 10, reason: '需要调取档案' }, 'h1'),
      second.record(app.id, { type: 'fee-notice', on: '2025-03-10', amount: 100, reason: '超出合理范围' }, 'h2'),
    ]).catch((error: unknown) => t.fail(String(error)));
    const stored = (await one.get(app.id))!;
    t.deepEqual(stored.events.slice(2).map((e) => e.type).sort(), ['extend', 'fee-notice']);
  });
}
