// The notification outbox's storage (NotifyRepository), the same tests on every engine: entries
// planned once, deliveries claimed, changed and listed, consents, the customer-service window,
// binding codes, and moving an office between engines. On PostgreSQL, two instances (two Database
// objects on one database) racing for the same thing: one set of deliveries per entry, disjoint
// claims, a dead claimer's deliveries taken again after the lease, no lost change.
import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { NotifyRepo, type NotifyRepository, type OwnEntry } from '../src/store/notify-repo.js';
import type { TransferRecord } from '../src/store/transfer.js';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgNotifyRepo } from '../src/store/pg/notify-repo.js';
import { engines, testDatabase, type EngineName } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';
import { pendingDelivery as delivery, T0 } from './helpers/deliveries.js';
import { outboxServers } from './helpers/outbox-servers.js';

const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

async function embedded(t: ExecutionContext): Promise<NotifyRepo> {
  const store = await Store.open(await tempDir(t));
  t.teardown(() => store.close());
  return NotifyRepo.open(store);
}

/** A Database on a migrated throwaway database (`url`: another instance on the same one). */
async function database(t: ExecutionContext, url?: string): Promise<{ db: Database; url: string }> {
  url ??= await testDatabase(t);
  const db = new Database(url);
  t.teardown(() => db.close());
  await migrate(db);
  return { db, url };
}

async function open(t: ExecutionContext, engine: EngineName): Promise<NotifyRepository> {
  return engine === 'embedded' ? embedded(t) : PgNotifyRepo.open((await database(t)).db);
}

function entry(key: string, fields: Partial<OwnEntry> = {}): OwnEntry {
  return { key, kind: 'staff:due-5', audience: 'staff', applicationId: 'app-1', createdAt: T0, data: { daysLeft: '5' }, ...fields };
}

async function list<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* from(records: TransferRecord[]): AsyncIterable<TransferRecord> {
  yield* records;
}

/** Records in a stable order, to compare what two engines hold. */
function sorted(records: TransferRecord[]): string[] {
  return records.map((r) => JSON.stringify(r, Object.keys(flatKeys(r)).sort())).sort();
}

function flatKeys(value: unknown, keys: Record<string, true> = {}): Record<string, true> {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      keys[k] = true;
      flatKeys(v, keys);
    }
  }
  return keys;
}

for (const engine of await engines()) {
  test(`[${engine}] own entries: added once by key, looked up, the latest of a kind, listed until planned`, async (t) => {
    const repo = await open(t, engine);
    const added = await repo.addEntries([entry('e1', { createdAt: at(2) }), entry('e2', { kind: 'staff:unanswered-digest', createdAt: at(1) }), entry('e1')]);
    t.deepEqual(added.map((e) => e.key), ['e1', 'e2']);
    t.deepEqual(await repo.addEntries([entry('e1'), entry('e3', { kind: 'staff:unanswered-digest', createdAt: at(5) })]), [entry('e3', { kind: 'staff:unanswered-digest', createdAt: at(5) })]);
    t.true(await repo.hasEntry('e1'));
    t.false(await repo.hasEntry('nope'));
    t.deepEqual(await repo.entry('e1'), entry('e1', { createdAt: at(2) }));
    t.is(await repo.entry('nope'), undefined);
    t.is((await repo.latestEntry('staff:unanswered-digest'))?.key, 'e3');
    t.is(await repo.latestEntry('staff:none'), undefined);
    t.deepEqual((await repo.unplannedEntries(10)).map((e) => e.key), ['e2', 'e1', 'e3']);
    t.deepEqual((await repo.unplannedEntries(1)).map((e) => e.key), ['e2']);
    t.deepEqual(await repo.plan([{ entryKey: 'e2', deliveries: [delivery('e2>group', { recipient: { type: 'group' } })] }], at(6)), ['e2']);
    t.deepEqual((await repo.unplannedEntries(10)).map((e) => e.key), ['e1', 'e3']);
    // What a read handed out is a copy.
    const read = (await repo.entry('e1'))!;
    read.data.daysLeft = 'changed';
    t.is((await repo.entry('e1'))!.data.daysLeft, '5');
  });

  test(`[${engine}] an entry is planned once; deliveries are read by key and by application, as copies`, async (t) => {
    const repo = await open(t, engine);
    const first = [delivery('a:1:applicant'), delivery('a:1:staff>group', { entryKey: 'a:1:staff', recipient: { type: 'group' }, createdAt: at(1) })];
    t.deepEqual(await repo.plan([{ entryKey: 'a:1:applicant', deliveries: [first[0]!] }, { entryKey: 'a:1:staff', deliveries: [first[1]!] }], T0), ['a:1:applicant', 'a:1:staff']);
    t.deepEqual([...(await repo.plannedOf(['a:1:staff', 'a:2:applicant', 'a:1:applicant']))].sort(), ['a:1:applicant', 'a:1:staff']);
    t.deepEqual(await repo.plannedOf([]), new Set());
    // Planned again (another pass, another instance): nothing changes, nothing is returned.
    t.deepEqual(await repo.plan([{ entryKey: 'a:1:applicant', deliveries: [delivery('a:1:applicant', { vars: { other: 'x' } })] }], at(3)), []);
    t.deepEqual(await repo.delivery('a:1:applicant'), first[0]);
    t.is(await repo.delivery('nope'), undefined);
    t.deepEqual(await repo.deliveriesOf('app-1'), first);
    t.deepEqual(await repo.deliveriesOf('app-2'), []);
    const read = (await repo.delivery('a:1:applicant'))!;
    read.status = 'dead';
    read.history.push({ at: T0, channel: null, result: 'failed' });
    t.deepEqual(await repo.delivery('a:1:applicant'), first[0]);
  });

  test(`[${engine}] claimDue hands out pending deliveries whose time has come, oldest first, up to the limit`, async (t) => {
    const repo = await open(t, engine);
    await repo.plan(
      [
        { entryKey: 'late', deliveries: [delivery('late', { createdAt: at(0), nextAttemptAt: at(30) })] },
        { entryKey: 'b', deliveries: [delivery('b', { createdAt: at(2) })] },
        { entryKey: 'a', deliveries: [delivery('a', { createdAt: at(1) })] },
        { entryKey: 'c', deliveries: [delivery('c', { createdAt: at(2) })] },
        { entryKey: 'sent', deliveries: [delivery('sent', { status: 'sent' })] },
      ],
      T0,
    );
    t.deepEqual((await repo.claimDue(at(10), 2, 60_000)).map((d) => d.key), ['a', 'b']);
    await repo.releaseClaims(['a', 'b']);
    t.deepEqual((await repo.claimDue(at(10), 10, 60_000)).map((d) => d.key), ['a', 'b', 'c']);
    await repo.releaseClaims(['a', 'b', 'c']);
    t.deepEqual((await repo.claimDue(at(30), 10, 60_000)).map((d) => d.key), ['late', 'a', 'b', 'c']);
  });

  test(`[${engine}] updateDelivery changes one delivery with its effects in one write; a change that throws changes nothing`, async (t) => {
    const repo = await open(t, engine);
    await repo.plan([{ entryKey: 'd', deliveries: [delivery('d', { recipient: { type: 'applicant', openid: 'o_mp', app: 'mp' }, channels: ['mp-subscribe'] })] }], T0);
    await repo.recordConsents('o_mp', [{ templateId: 'TPL', accepted: true, longTerm: false }, { templateId: 'TPL', accepted: true, longTerm: false }], T0);
    await repo.noteInteraction('o_mp', T0);
    const saved = await repo.updateDelivery(
      'd',
      (x) => {
        x.inFlight = { channel: 'mp-subscribe', clientMsgId: null, at: at(1) };
        for (let i = 0; i < 35; i++) x.history.push({ at: at(1), channel: 'mp-subscribe', result: 'retry', detail: String(i) });
      },
      { credit: { openid: 'o_mp', templateId: 'TPL', delta: -1 }, entries: [entry('alert:x')], forgetInteraction: 'o_mp' },
      at(1),
    );
    t.is(saved.history.length, 30, 'the history is kept short');
    t.is(saved.history[0]!.detail, '5');
    t.is(saved.updatedAt, at(1));
    t.deepEqual(await repo.delivery('d'), saved);
    t.like(await repo.consent('o_mp', 'TPL'), { credits: 1, longTerm: false, updatedAt: at(1) });
    t.true(await repo.hasEntry('alert:x'));
    t.is(await repo.lastInteraction('o_mp'), undefined);

    // A credit given back, then one found gone; an effect entry already there is left alone.
    await repo.updateDelivery('d', (x) => (x.inFlight = null), { credit: { openid: 'o_mp', templateId: 'TPL', delta: +1 }, entries: [entry('alert:x', { data: { other: 'y' } })] }, at(2));
    t.is((await repo.consent('o_mp', 'TPL'))!.credits, 2);
    t.deepEqual((await repo.entry('alert:x'))!.data, { daysLeft: '5' });
    await repo.updateDelivery('d', () => {}, { credit: { openid: 'o_mp', templateId: 'TPL', exhaust: true } }, at(3));
    t.deepEqual(await repo.consent('o_mp', 'TPL'), { credits: 0, longTerm: false, updatedAt: at(3) });
    // A credit on a template never consented to starts at none.
    await repo.updateDelivery('d', () => {}, { credit: { openid: 'o_mp', templateId: 'OTHER', delta: -1 } }, at(4));
    t.deepEqual(await repo.consent('o_mp', 'OTHER'), { credits: 0, longTerm: false, updatedAt: at(4) });

    const before = await repo.delivery('d');
    await t.throwsAsync(
      repo.updateDelivery('d', (x) => {
        x.status = 'dead';
        throw new Error('changed my mind');
      }),
      { message: 'changed my mind' },
    );
    t.deepEqual(await repo.delivery('d'), before);
    await t.throwsAsync(repo.updateDelivery('nope', () => {}), { message: /delivery nope vanished/ });
  });

  test(`[${engine}] deliveries awaiting a user are found by openid, and leave that list when woken`, async (t) => {
    const repo = await open(t, engine);
    await repo.plan(
      [
        { entryKey: 'q1', deliveries: [delivery('q1', { status: 'awaiting-user', recipient: { type: 'applicant', openid: 'o_asker', app: 'oa' } })] },
        { entryKey: 'q2', deliveries: [delivery('q2', { status: 'awaiting-user', createdAt: at(1), recipient: { type: 'applicant', openid: 'o_asker', app: 'oa' } })] },
        { entryKey: 'q3', deliveries: [delivery('q3', { status: 'pending', recipient: { type: 'applicant', openid: 'o_asker', app: 'oa' } })] },
        { entryKey: 'q4', deliveries: [delivery('q4', { status: 'awaiting-user', recipient: { type: 'applicant', openid: 'o_other', app: 'oa' } })] },
      ],
      T0,
    );
    t.deepEqual((await repo.awaitingUser('o_asker')).map((d) => d.key), ['q1', 'q2']);
    await repo.updateDelivery('q1', (x) => (x.status = 'pending'), {}, at(2));
    t.deepEqual((await repo.awaitingUser('o_asker')).map((d) => d.key), ['q2']);
    t.deepEqual(await repo.awaitingUser('o_nobody'), []);
  });

  test(`[${engine}] replan replaces a dead delivery by the entry's new deliveries, and only a dead one`, async (t) => {
    const repo = await open(t, engine);
    await repo.plan([{ entryKey: 'a:0:staff', deliveries: [delivery('a:0:staff>nobody', { entryKey: 'a:0:staff', status: 'dead', recipient: { type: 'nobody' } })] }], T0);
    const fresh = delivery('a:0:staff>staff:han', { entryKey: 'a:0:staff', recipient: { type: 'staff', username: 'han', openid: 'o_han' }, createdAt: at(5) });
    t.true(await repo.replan('a:0:staff>nobody', [fresh], at(5)));
    t.is(await repo.delivery('a:0:staff>nobody'), undefined);
    t.deepEqual(await repo.deliveriesOf('app-1'), [fresh]);
    t.false(await repo.replan('a:0:staff>staff:han', [delivery('x')], at(6)));
    t.false(await repo.replan('nope', [delivery('x')], at(6)));
    t.is(await repo.delivery('x'), undefined);
  });

  test(`[${engine}] a page of deliveries by status: newest change first, the total beside it, filtered by arrival and time`, async (t) => {
    const repo = await open(t, engine);
    await repo.plan(
      [
        { entryKey: 'd1', deliveries: [delivery('d1', { status: 'dead', updatedAt: at(1) })] },
        { entryKey: 'd2', deliveries: [delivery('d2', { status: 'dead', updatedAt: at(3) })] },
        { entryKey: 'd3', deliveries: [delivery('d3', { status: 'dead', updatedAt: at(2) })] },
        { entryKey: 'u1', deliveries: [delivery('u1', { status: 'sent', confirmed: false, updatedAt: at(1) })] },
        { entryKey: 'u2', deliveries: [delivery('u2', { status: 'sent', confirmed: false, updatedAt: at(9) })] },
        { entryKey: 's1', deliveries: [delivery('s1', { status: 'sent', confirmed: true, updatedAt: at(9) })] },
        { entryKey: 'n1', deliveries: [delivery('n1', { status: 'needs-contact' })] },
      ],
      T0,
    );
    const page = await repo.deliveryPage({ status: 'dead', limit: 2 });
    t.is(page.total, 3);
    t.deepEqual(page.deliveries.map((d) => d.key), ['d2', 'd3']);
    const unconfirmed = await repo.deliveryPage({ status: 'sent', confirmed: false, updatedSince: at(5), limit: 50 });
    t.deepEqual([unconfirmed.total, unconfirmed.deliveries.map((d) => d.key)], [1, ['u2']]);
    t.deepEqual((await repo.deliveryPage({ status: 'needs-contact', limit: 50 })).deliveries.map((d) => d.key), ['n1']);
    t.deepEqual(await repo.deliveryPage({ status: 'contacted', limit: 50 }), { total: 0, deliveries: [] });
  });

  test(`[${engine}] the metrics' figures: backlog by next channel, dead letters by last channel, failed attempts, applicants to contact`, async (t) => {
    const repo = await open(t, engine);
    t.deepEqual(await repo.deliveryGauges(), { backlog: {}, dead: {}, failedAttempts: {}, needsContact: 0 });
    await repo.plan(
      [
        { entryKey: 'p1', deliveries: [delivery('p1', { history: [{ at: T0, channel: 'oa-template', result: 'retry' }] })] },
        { entryKey: 'p2', deliveries: [delivery('p2', { channelIndex: 1, history: [{ at: T0, channel: 'oa-template', result: 'unavailable', code: 43101 }] })] },
        { entryKey: 'p3', deliveries: [delivery('p3', { channelIndex: 1, inFlight: { channel: 'oa-template', clientMsgId: 'gk-1', at: T0 } })] },
        { entryKey: 'p4', deliveries: [delivery('p4', { channelIndex: 2 })] },
        {
          entryKey: 'x1',
          deliveries: [
            delivery('x1', {
              status: 'dead',
              history: [
                { at: T0, channel: 'customer-service', result: 'failed' },
                { at: T0, channel: 'oa-template', result: 'not-authorised' },
              ],
            }),
          ],
        },
        { entryKey: 'x2', deliveries: [delivery('x2', { status: 'dead', recipient: { type: 'nobody' } })] },
        { entryKey: 'n1', deliveries: [delivery('n1', { status: 'needs-contact' })] },
      ],
      T0,
    );
    t.deepEqual(await repo.deliveryGauges(), {
      backlog: { 'oa-template': 2, 'customer-service': 1, none: 1 },
      dead: { 'oa-template': 1, none: 1 },
      failedAttempts: { 'oa-template': 2, 'customer-service': 1 },
      needsContact: 1,
    });
    await repo.updateDelivery('p1', (x) => x.history.push({ at: T0, channel: 'oa-template', result: 'retry' }));
    t.like(await repo.deliveryGauges(), { failedAttempts: { 'oa-template': 3, 'customer-service': 1 } });
  });

  test(`[${engine}] subscribe consents: one-time acceptances counted up to 50, long-term ones switched, per user`, async (t) => {
    const repo = await open(t, engine);
    t.is(await repo.consent('o_mp', 'ONE'), undefined);
    await repo.recordConsents('o_mp', [{ templateId: 'ONE', accepted: true, longTerm: false }, { templateId: 'LONG', accepted: true, longTerm: true }, { templateId: 'NO', accepted: false, longTerm: false }], T0);
    t.deepEqual(await repo.consent('o_mp', 'ONE'), { credits: 1, longTerm: false, updatedAt: T0 });
    t.deepEqual(await repo.consent('o_mp', 'LONG'), { credits: 0, longTerm: true, updatedAt: T0 });
    t.deepEqual(await repo.consent('o_mp', 'NO'), { credits: 0, longTerm: false, updatedAt: T0 });
    await repo.recordConsents('o_mp', [{ templateId: 'LONG', accepted: false, longTerm: true }], at(1));
    t.deepEqual(await repo.consent('o_mp', 'LONG'), { credits: 0, longTerm: false, updatedAt: at(1) });
    for (let i = 0; i < 60; i++) await repo.recordConsents('o_mp', [{ templateId: 'ONE', accepted: true, longTerm: false }], at(2));
    t.is((await repo.consent('o_mp', 'ONE'))!.credits, 50);
    t.is(await repo.consent('o_other', 'ONE'), undefined);
  });

  test(`[${engine}] the customer-service window: the last interaction per user, forgotten when WeChat says it closed`, async (t) => {
    const repo = await open(t, engine);
    t.is(await repo.lastInteraction('o_a'), undefined);
    await repo.noteInteraction('o_a', T0);
    await repo.noteInteraction('o_a', at(5));
    await repo.noteInteraction('o_b', at(1));
    t.is(await repo.lastInteraction('o_a'), at(5));
    await repo.forgetInteraction('o_a');
    t.is(await repo.lastInteraction('o_a'), undefined);
    t.is(await repo.lastInteraction('o_b'), at(1));
  });

  test(`[${engine}] binding codes: one per staff member, a live code is nobody else's, taken once; wrong codes counted per hour`, async (t) => {
    const repo = await open(t, engine);
    t.true(await repo.putBindingCode({ code: '111111', username: 'han', expiresAt: at(10) }, T0));
    t.true(await repo.putBindingCode({ code: '222222', username: 'han', expiresAt: at(11) }, at(1)));
    t.is(await repo.bindingCode('111111'), undefined, 'a new code replaces the earlier one');
    t.false(await repo.putBindingCode({ code: '222222', username: 'li', expiresAt: at(12) }, at(2)), 'a live code is taken');
    t.deepEqual(await repo.bindingCode('222222'), { code: '222222', username: 'han', expiresAt: at(11) });
    // Expired, everyone's expired codes are dropped and the number may be drawn again.
    t.true(await repo.putBindingCode({ code: '222222', username: 'li', expiresAt: at(30) }, at(20)));
    t.deepEqual(await repo.bindingCode('222222'), { code: '222222', username: 'li', expiresAt: at(30) });
    t.deepEqual(await repo.takeBindingCode('222222'), { code: '222222', username: 'li', expiresAt: at(30) });
    t.is(await repo.takeBindingCode('222222'), undefined);

    t.is(await repo.bindingFailures('o_g'), undefined);
    t.deepEqual(await repo.countBindingFailure('o_g', T0, at(-60)), { count: 1, since: T0 });
    t.deepEqual(await repo.countBindingFailure('o_g', at(1), at(-59)), { count: 2, since: T0 });
    t.deepEqual(await repo.bindingFailures('o_g'), { count: 2, since: T0 });
    // An hour later the count starts again.
    t.deepEqual(await repo.countBindingFailure('o_g', at(61), at(1)), { count: 1, since: at(61) });
    await repo.clearBindingFailures('o_g');
    t.is(await repo.bindingFailures('o_g'), undefined);
  });

  test(`[${engine}] importRecords takes another repository's records only into an empty one`, async (t) => {
    const repo = await open(t, engine);
    await repo.addEntries([entry('e1')]);
    await t.throwsAsync(repo.importRecords(from([])), { message: /not empty/ });
  });
}

/** A repository with one of every kind of record. */
async function populate(repo: NotifyRepository): Promise<void> {
  await repo.addEntries([entry('own-1'), entry('own-2', { kind: 'staff:dead-letter', createdAt: at(3), data: { reason: '原因' } })]);
  await repo.plan(
    [
      { entryKey: 'own-1', deliveries: [delivery('own-1>group', { entryKey: 'own-1', recipient: { type: 'group' }, channels: ['wecom-robot'] })] },
      { entryKey: 'a:1:applicant', deliveries: [delivery('a:1:applicant', { status: 'sent', sentVia: 'oa-template', confirmed: true, history: [{ at: T0, channel: 'oa-template', result: 'sent' }] })] },
      { entryKey: 'q', deliveries: [delivery('q', { status: 'awaiting-user', waitForUser: true, eventIndex: null, applicationId: null })] },
    ],
    at(1),
  );
  await repo.recordConsents('o_mp', [{ templateId: 'ONE', accepted: true, longTerm: false }, { templateId: 'LONG', accepted: true, longTerm: true }], at(2));
  await repo.noteInteraction('o_user', at(2));
  await repo.putBindingCode({ code: '123456', username: 'han', expiresAt: at(10) }, at(2));
  await repo.countBindingFailure('o_g', at(2), at(-58));
}

if ((await engines()).includes('postgres')) {
  test('[transfer] embedded -> postgres -> embedded: the same counts and the same records', async (t) => {
    const source = await embedded(t);
    await populate(source);
    const records = await list(source.exportRecords());
    const counts = await source.counts();
    t.deepEqual(counts, { entry: 2, planned: 3, delivery: 3, consent: 2, interaction: 1, 'binding-code': 1, 'binding-failure': 1 });

    const pg = await PgNotifyRepo.open((await database(t)).db);
    await pg.importRecords(from(records));
    t.deepEqual(await pg.counts(), counts);
    const fromPg = await list(pg.exportRecords());
    t.deepEqual(sorted(fromPg), sorted(records));
    // What the records say works there: own-2 is still to plan, own-1 is not; the user waits.
    t.deepEqual((await pg.unplannedEntries(10)).map((e) => e.key), ['own-2']);
    t.deepEqual((await pg.awaitingUser('o_user')).map((d) => d.key), ['q']);
    t.deepEqual((await pg.claimDue(at(5), 10, 60_000)).map((d) => d.key), ['own-1>group']);

    const back = await embedded(t);
    await back.importRecords(from(fromPg));
    t.deepEqual(await back.counts(), counts);
    t.deepEqual(sorted(await list(back.exportRecords())), sorted(records));
    t.deepEqual((await back.unplannedEntries(10)).map((e) => e.key), ['own-2']);
    t.deepEqual(await back.consent('o_mp', 'ONE'), { credits: 1, longTerm: false, updatedAt: at(2) });
    t.is(await back.lastInteraction('o_user'), at(2));
  });

  test('[postgres] two instances claiming at once get disjoint deliveries; a dead claimer\'s are taken again after the lease', async (t) => {
    const { db, url } = await database(t);
    const other = (await database(t, url)).db;
    const a = await PgNotifyRepo.open(db);
    const b = await PgNotifyRepo.open(other);
    const keys = Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    await a.plan(keys.map((key, i) => ({ entryKey: key, deliveries: [delivery(key, { createdAt: at(i) })] })), T0);
    const now = at(60);
    const claims = await Promise.all([a, b, a, b].map((repo) => repo.claimDue(now, 15, 60_000)));
    const claimed = claims.flat().map((d) => d.key);
    t.is(new Set(claimed).size, claimed.length, 'no delivery was claimed twice');
    t.deepEqual([...claimed].sort(), keys, 'every due delivery was claimed');
    t.deepEqual(await b.claimDue(now, 50, 60_000), [], 'claimed ones are not handed out again while the lease runs');

    // Released ones are taken again at once (here for longer); the others once their lease ran out,
    // as when the instances holding them died.
    await b.releaseClaims(claims[1]!.map((d) => d.key));
    t.deepEqual((await b.claimDue(now, 50, 120_000)).map((d) => d.key).sort(), claims[1]!.map((d) => d.key).sort());
    const later = new Date(Date.parse(now) + 60_000).toISOString();
    const retaken = (await b.claimDue(later, 50, 60_000)).map((d) => d.key).sort();
    t.deepEqual(retaken, [...claims[0]!, ...claims[2]!, ...claims[3]!].map((d) => d.key).sort());
  });

  test('[postgres] two instances planning the same entries at once create one set of deliveries', async (t) => {
    const { db, url } = await database(t);
    const a = await PgNotifyRepo.open(db);
    const b = await PgNotifyRepo.open((await database(t, url)).db);
    const plans = (suffix: string) =>
      Array.from({ length: 30 }, (_, i) => ({
        entryKey: `e${i}`,
        // Each instance would send to other recipients: only one instance's plan may be kept.
        deliveries: [delivery(`e${i}>staff:${suffix}`, { entryKey: `e${i}`, recipient: { type: 'staff', username: suffix, openid: `o_${suffix}` } })],
      }));
    await a.addEntries(Array.from({ length: 30 }, (_, i) => entry(`e${i}`)));
    const [wonA, wonB] = await Promise.all([a.plan(plans('a'), T0), b.plan([...plans('b')].reverse(), T0)]);
    t.deepEqual([...wonA, ...wonB].sort(), Array.from({ length: 30 }, (_, i) => `e${i}`).sort());
    t.is(wonA.filter((k) => wonB.includes(k)).length, 0);
    const { rows } = await db.query<{ entry_key: string; n: number }>('SELECT entry_key, count(*)::int AS n FROM notify_deliveries GROUP BY entry_key');
    t.is(rows.length, 30);
    t.true(rows.every((r) => r.n === 1));
    t.deepEqual(await a.unplannedEntries(50), []);
  });

  test('[postgres] two instances changing one delivery, its consent and a binding code at once lose nothing and never duplicate', async (t) => {
    const { db, url } = await database(t);
    const a = await PgNotifyRepo.open(db);
    const b = await PgNotifyRepo.open((await database(t, url)).db);
    await a.plan([{ entryKey: 'd', deliveries: [delivery('d')] }], T0);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).updateDelivery('d', (x) => {
          x.attempts++;
          x.history.push({ at: T0, channel: 'oa-template', result: 'retry', detail: String(i) });
        }, { credit: { openid: 'o_mp', templateId: 'ONE', delta: +1 } }),
      ),
    );
    t.like(await a.delivery('d'), { attempts: 20 });
    t.is((await b.delivery('d'))!.history.length, 20);
    t.is((await a.consent('o_mp', 'ONE'))!.credits, 20);

    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).recordConsents('o_mp', [{ templateId: 'TWO', accepted: true, longTerm: false }], T0)));
    t.is((await a.consent('o_mp', 'TWO'))!.credits, 10);

    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).countBindingFailure('o_g', T0, at(-60))));
    t.deepEqual(await a.bindingFailures('o_g'), { count: 10, since: T0 });

    await a.putBindingCode({ code: '654321', username: 'han', expiresAt: at(10) }, T0);
    const taken = await Promise.all([a.takeBindingCode('654321'), b.takeBindingCode('654321')]);
    t.is(taken.filter(Boolean).length, 1, 'a code binds once');

    // Two instances issuing one staff member's code at once: one code is left.
    await Promise.all([a.putBindingCode({ code: '100001', username: 'li', expiresAt: at(10) }, T0), b.putBindingCode({ code: '100002', username: 'li', expiresAt: at(10) }, T0)]);
    const { rows } = await db.query(`SELECT code FROM notify_binding_codes WHERE username = 'li'`);
    t.is(rows.length, 1);
  });

  test('[postgres] two servers running outbox passes at once plan each intent once and send each message once', async (t) => {
    const { fake, server, submit } = await outboxServers(t, T0);
    const { db, url } = await database(t);
    const [a, b] = [await server(db), await server((await database(t, url)).db)];
    const openids = Array.from({ length: 12 }, (_, i) => `o_citizen${i}`);
    for (const openid of openids) await submit(openid);
    const summaries = await Promise.all([a.runOutbox(), b.runOutbox(), a.runOutbox(), b.runOutbox()]);
    t.is(fake.calls('template_send'), openids.length, 'one receipt per applicant, whichever server sent it');
    t.deepEqual(fake.outbox.list().map((r) => r.touser).sort(), [...openids].sort());
    // Each request's two intents (receipt, new-request for staff) were planned by one server.
    t.is(summaries[0]!.planned + summaries[1]!.planned, openids.length * 2);
    t.is(summaries.reduce((n, s) => n + s.sent, 0), openids.length);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notify_deliveries');
    t.is(rows[0]!.n, openids.length * 2);
  });
}
