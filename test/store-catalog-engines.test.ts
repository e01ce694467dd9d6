// The catalog, subscribers and push-ledger repositories, the same tests on every engine: the
// queries lists use, the read-modify-write steps, moving an office between engines, and on
// PostgreSQL two instances doing the same thing at once (a run planned twice, a digest claimed
// twice, two subscription changes, two review decisions).
import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { CatalogRepo, type CatalogRepository, type NewItem } from '../src/store/catalog-repo.js';
import {
  PushLedgerRepo,
  SubscribersRepo,
  type Delivery,
  type PushLedgerRepository,
  type SubscribersRepository,
} from '../src/store/subscribers-repo.js';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgCatalogRepo } from '../src/store/pg/catalog-repo.js';
import { PgPushLedgerRepo, PgSubscribersRepo } from '../src/store/pg/subscribers-repo.js';
import { isConflictError } from '../src/store/conflict.js';
import type { Transferable, TransferRecord } from '../src/store/transfer.js';
import type { CatalogItem, Category } from '../src/catalog/types.js';
import type { CatalogQuery } from '../src/catalog/search.js';
import { CatalogService } from '../src/catalog/service.js';
import { PushJob, DEFAULT_PUSH_CONFIG } from '../src/catalog/index.js';
import { engines, testDatabase, type EngineName } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';

interface Repos {
  catalog: CatalogRepository;
  subscribers: SubscribersRepository;
  ledger: PushLedgerRepository;
}

async function embedded(t: ExecutionContext): Promise<Repos> {
  const store = await Store.open(await tempDir(t));
  t.teardown(() => store.close());
  const [catalog, subscribers, ledger] = await Promise.all([CatalogRepo.open(store), SubscribersRepo.open(store), PushLedgerRepo.open(store)]);
  return { catalog, subscribers, ledger };
}

/** One instance on a PostgreSQL database: its own pool, as a second server would have. */
async function instance(t: ExecutionContext, url: string): Promise<Repos> {
  const db = new Database(url);
  t.teardown(() => db.close());
  const [catalog, subscribers, ledger] = await Promise.all([PgCatalogRepo.open(db), PgSubscribersRepo.open(db), PgPushLedgerRepo.open(db)]);
  return { catalog, subscribers, ledger };
}

async function postgresUrl(t: ExecutionContext): Promise<string> {
  const url = await testDatabase(t);
  const db = new Database(url);
  await migrate(db);
  await db.close();
  return url;
}

async function open(t: ExecutionContext, engine: EngineName): Promise<Repos> {
  return engine === 'embedded' ? embedded(t) : instance(t, await postgresUrl(t));
}

const AT = '2026-05-12T01:00:00.000Z';
let counter = 0;

function newItem(fields: Partial<CatalogItem> & { title: string; category: string }, options: { publishOn?: string; uniqueUrl?: boolean; indexNo?: string } = {}): NewItem {
  const id = `item-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    indexYear: 2026,
    needsIndexSeq: !options.indexNo,
    uniqueUrl: options.uniqueUrl,
    publish: options.publishOn ? { at: AT, by: 'feed', on: options.publishOn, basis: 'reviewed-at-source' } : null,
    build: (seq) => ({
      id,
      indexNo: options.indexNo ?? `HSRF-2026-${String(seq).padStart(5, '0')}`,
      documentNumber: null,
      summary: null,
      url: null,
      documentKind: null,
      source: 'staff',
      createdAt: AT,
      events: [{ type: 'create', at: AT, by: 'clerk', source: 'staff' }],
      ...fields,
    }),
  };
}

const query = (q: Partial<CatalogQuery> = {}): CatalogQuery => ({ categories: [], words: [], page: 1, pageSize: 20, ...q });
const titles = (items: readonly CatalogItem[]) => items.map((i) => i.title);
const entry = (state: Delivery['state'], at = AT): Delivery => ({ state, clientMsgId: 'm', items: ['i1'], at });

async function all(records: AsyncIterable<TransferRecord>): Promise<TransferRecord[]> {
  const out: TransferRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** JSON with its keys in order: jsonb keeps an object's keys in its own order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}

/** Records compared whatever their order within a kind (an engine may list a run's entries in another order). */
const sorted = (records: TransferRecord[]) => records.map((r) => JSON.stringify(canonical(r))).sort();

async function fill(repos: Repos): Promise<void> {
  await repos.catalog.insert(
    [
      newItem({ title: '2026年部门预算公开', category: 'budgets', url: 'https://portal.example/a' }, { publishOn: '2026-05-10' }),
      newItem({ title: '人防工程维护采购意向', category: 'procurement' }),
    ],
    { at: AT, url: 'https://portal.example/feed', found: 2, imported: 2, duplicates: 0, invalid: 0, error: null },
  );
  await repos.subscribers.set('official-account', 'oa-1', ['budgets'], AT);
  await repos.subscribers.set('miniprogram', 'mp-1', ['budgets', 'procurement'], AT);
  await repos.subscribers.set('miniprogram', 'mp-1', ['procurement', 'news'], '2026-05-12T02:00:00.000Z');
  const first = (await repos.ledger.planRun(0, (seq) => ({ id: `run-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['x'], toSeq: 1 })))!;
  await repos.ledger.setDelivery(first.id, 'official-account:oa-1', entry('sent'), { day: '2026-05-12', channel: 'official-account' });
  await repos.ledger.finishRun(first.id, AT);
  const second = (await repos.ledger.planRun(1, (seq) => ({ id: `run-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['y'], toSeq: 2 })))!;
  await repos.ledger.setDelivery(second.id, 'miniprogram:mp-1', entry('sending'));
  await repos.ledger.notePause(second.id, { at: AT, reason: '45009', ms: 20 });
  await repos.ledger.pauseRun(second.id, '暂停');
}

for (const engine of await engines()) {
  test(`[${engine}] catalog: items numbered and published in one write, read back as copies`, async (t) => {
    const { catalog } = await open(t, engine);
    const [draft, published] = await catalog.insert([
      newItem({ title: '草稿', category: 'news', url: 'https://Portal.example/page/' }),
      newItem({ title: '已发布', category: 'budgets' }, { publishOn: '2026-05-11' }),
    ]);
    t.is(draft!.indexNo, 'HSRF-2026-00001');
    t.is(published!.indexNo, 'HSRF-2026-00002');
    t.like(published!.events.at(-1), { type: 'publish', seq: 1, on: '2026-05-11' });
    t.is((await catalog.get(draft!.id))!.title, '草稿');
    t.is((await catalog.byIndexNo('HSRF-2026-00002'))!.id, published!.id);
    t.is((await catalog.byUrl('https://portal.example/page'))!.id, draft!.id, 'the same page whatever the case of the host or a trailing slash');
    t.is(await catalog.get('nope'), undefined);
    const copy = (await catalog.get(draft!.id))!;
    copy.title = 'changed by the caller';
    copy.events.push({ type: 'edit', at: AT, by: 'x', fields: [] });
    t.is((await catalog.get(draft!.id))!.title, '草稿', 'changing what a read returned changes nothing stored');
    t.is((await catalog.get(draft!.id))!.events.length, 1);

    t.is(await catalog.lastFeedImport(), null);
    const record = { at: AT, url: 'https://portal.example/feed', found: 1, imported: 0, duplicates: 1, invalid: 0, error: null };
    await catalog.recordFeedImport(record);
    t.deepEqual(await catalog.lastFeedImport(), record);
  });

  test(`[${engine}] catalog: a 索引号 or a feed link already stored refuses the whole insert`, async (t) => {
    const { catalog } = await open(t, engine);
    await catalog.insert([newItem({ title: 'a', category: 'news', url: 'https://portal.example/x' }, { indexNo: 'FIXED-1' })]);
    const taken = await t.throwsAsync(catalog.insert([newItem({ title: 'b', category: 'news' }, { indexNo: 'FIXED-1' })]));
    t.true(isConflictError(taken));
    const known = await t.throwsAsync(catalog.insert([newItem({ title: 'c', category: 'news' }), newItem({ title: 'd', category: 'news', url: 'https://PORTAL.example/x/' }, { uniqueUrl: true })]));
    t.true(isConflictError(known));
    t.is((await catalog.list(query(), null, false)).total, 1, 'nothing of a refused insert was kept');
    // Staff may enter a link that is already there; only feed entries are refused for it.
    await catalog.insert([newItem({ title: 'e', category: 'news', url: 'https://portal.example/x' })]);
    t.is((await catalog.list(query(), null, false)).total, 2);
  });

  test(`[${engine}] catalog: append takes the events the caller read; a stale count is a conflict and changes nothing`, async (t) => {
    const { catalog } = await open(t, engine);
    const [item] = await catalog.insert([newItem({ title: '草稿', category: 'news', url: 'https://portal.example/old' })]);
    const edited = await catalog.append(item!.id, {
      expectedEvents: 1,
      events: [{ type: 'edit', at: AT, by: 'clerk', fields: ['title', 'url'] }],
      fields: { title: '改后', url: 'https://portal.example/new' },
    });
    t.is(edited.title, '改后');
    t.is((await catalog.byUrl('https://portal.example/new'))!.id, item!.id);
    t.is(await catalog.byUrl('https://portal.example/old'), undefined);
    const stale = await t.throwsAsync(catalog.append(item!.id, { expectedEvents: 1, events: [{ type: 'submit', at: AT, by: 'clerk', role: 'submitter' }] }));
    t.true(isConflictError(stale));
    t.is((await catalog.get(item!.id))!.events.length, 2);
    const events = [
      { type: 'submit' as const, at: AT, by: 'clerk', role: 'submitter' },
      { type: 'approve' as const, at: AT, by: 'sec', role: 'reviewer', stage: 'confidentiality' as const },
      { type: 'approve' as const, at: AT, by: 'chief', role: 'leader', stage: 'leader' as const },
    ];
    const published = await catalog.append(item!.id, { expectedEvents: 2, events, publish: { at: AT, by: 'chief', on: '2026-05-12', basis: 'review' } });
    t.like(published.events.at(-1), { type: 'publish', seq: 1 });
    t.deepEqual(titles(await catalog.publishedAfter(0)), ['改后']);
  });

  test(`[${engine}] catalog: lists are queries — a review state, published items by category and words, related items, a page`, async (t) => {
    const { catalog } = await open(t, engine);
    const later = (title: string, category: string, on: string, extra: Partial<CatalogItem> = {}) =>
      newItem({ title, category, ...extra, createdAt: `2026-05-${on.slice(-2)}T00:00:00.000Z` }, { publishOn: on });
    await catalog.insert([
      later('2025年部门决算公开', 'budgets', '2026-05-01', { summary: '决算说明' }),
      later('警报试鸣公告', 'emergency', '2026-05-03', { summary: '防空警报 试鸣' }),
      later('警报器维护', 'emergency', '2026-05-02'),
      later('2026年部门预算公开', 'budgets', '2026-05-04', { documentNumber: '财预〔2026〕1号' }),
      newItem({ title: '待审的预算说明', category: 'budgets', createdAt: '2026-05-05T00:00:00.000Z' }),
      newItem({ title: '更早的草稿', category: 'news', createdAt: '2026-04-01T00:00:00.000Z' }),
    ]);
    t.deepEqual(titles((await catalog.searchPublished(query())).items), ['2026年部门预算公开', '警报试鸣公告', '警报器维护', '2025年部门决算公开']);
    t.deepEqual(titles((await catalog.searchPublished(query({ categories: ['budgets'] }))).items), ['2026年部门预算公开', '2025年部门决算公开']);
    t.deepEqual(titles((await catalog.searchPublished(query({ words: ['预算', '财预'] }))).items), ['2026年部门预算公开'], 'every word, in the title or the 文号');
    t.deepEqual(titles((await catalog.searchPublished(query({ words: ['hsrf-2026-00002'] }))).items), ['警报试鸣公告'], 'the 索引号, whatever the case');
    const second = await catalog.searchPublished(query({ page: 2, pageSize: 3 }));
    t.deepEqual({ ...second, items: titles(second.items) }, { items: ['2025年部门决算公开'], total: 4, page: 2, pageSize: 3 });
    const beyond = await catalog.searchPublished(query({ page: 9, pageSize: 3 }));
    t.deepEqual([beyond.items.length, beyond.total], [0, 4]);

    t.deepEqual(titles((await catalog.list(query(), 'draft', true)).items), ['更早的草稿', '待审的预算说明'], 'the queue: oldest first');
    t.deepEqual(titles((await catalog.list(query({ categories: ['budgets'] }), 'draft', false)).items), ['待审的预算说明']);
    t.is((await catalog.list(query({ pageSize: 1 }), 'published', false)).total, 4);
    t.is((await catalog.list(query(), null, false)).total, 6);

    t.deepEqual(titles(await catalog.relatedPublished(['警报', '试鸣'], 3)), ['警报试鸣公告'], 'only those naming the most of the words');
    t.deepEqual(titles(await catalog.relatedPublished(['警报'], 3)), ['警报试鸣公告', '警报器维护']);
    t.deepEqual(await catalog.relatedPublished(['火星'], 3), []);
    t.deepEqual(await catalog.relatedPublished([], 3), []);
    t.deepEqual(titles(await catalog.publishedAfter(2)), ['警报器维护', '2026年部门预算公开']);
    t.deepEqual(titles(await catalog.published()).sort(), ['2025年部门决算公开', '2026年部门预算公开', '警报器维护', '警报试鸣公告']);
  });

  test(`[${engine}] subscribers: set, change, remove; per-category since; pages in the order they subscribed; counts`, async (t) => {
    const { subscribers } = await open(t, engine);
    const a = await subscribers.set('official-account', 'oa-a', ['budgets'], '2026-05-01T00:00:00.000Z');
    t.like(a, { key: 'official-account:oa-a', channel: 'official-account', openid: 'oa-a', categories: ['budgets'], since: '2026-05-01T00:00:00.000Z' });
    const b = await subscribers.update('official-account', 'oa-a', (c) => [...c, 'news'], '2026-05-02T00:00:00.000Z');
    t.deepEqual(b!.categorySince, { news: '2026-05-02T00:00:00.000Z' });
    const same = await subscribers.set('official-account', 'oa-a', ['budgets', 'news'], '2026-05-03T00:00:00.000Z');
    t.is(same!.updatedAt, '2026-05-02T00:00:00.000Z', 'the same list writes nothing');
    t.is(await subscribers.set('miniprogram', 'nobody', [], AT), null);
    await subscribers.set('miniprogram', 'mp-b', ['procurement'], AT);
    await subscribers.set('official-account', 'oa-c', ['news', 'procurement'], AT);
    await subscribers.set('miniprogram', 'mp-d', ['emergency'], AT);
    const copy = (await subscribers.get('miniprogram', 'mp-b'))!;
    copy.categories.push('changed');
    t.deepEqual((await subscribers.byKey('miniprogram:mp-b'))!.categories, ['procurement']);

    const first = await subscribers.page({ categories: ['news', 'procurement'], after: null, limit: 2 });
    t.deepEqual(first.items.map((s) => s.openid), ['oa-a', 'mp-b']);
    t.not(first.next, null);
    const rest = await subscribers.page({ categories: ['news', 'procurement'], after: first.next, limit: 2 });
    t.deepEqual([rest.items.map((s) => s.openid), rest.next], [['oa-c'], null]);
    t.is(await subscribers.count(['news', 'procurement']), 3);
    t.is(await subscribers.count(null), 4);
    t.deepEqual(await subscribers.stats(), {
      total: 4,
      byChannel: { 'official-account': 2, miniprogram: 2 },
      byCategory: { budgets: 1, news: 2, procurement: 2, emergency: 1 },
    });
    t.is(await subscribers.set('miniprogram', 'mp-b', [], AT), null);
    t.is(await subscribers.get('miniprogram', 'mp-b'), undefined, 'nothing kept about someone with no subscriptions');
    t.deepEqual((await subscribers.page({ categories: null, after: null, limit: 10 })).items.map((s) => s.openid), ['oa-a', 'oa-c', 'mp-d']);
  });

  test(`[${engine}] subscribers: merging one person's records, and moving one to their other channel, keep its place`, async (t) => {
    const { subscribers } = await open(t, engine);
    await subscribers.set('miniprogram', 'mp-wang', ['procurement'], '2026-05-01T00:00:00.000Z');
    await subscribers.set('miniprogram', 'mp-li', ['news'], '2026-05-01T12:00:00.000Z');
    await subscribers.set('official-account', 'oa-wang', ['budgets', 'procurement'], '2026-05-02T00:00:00.000Z');
    const order = (ids: readonly string[]) => ['budgets', 'procurement', 'news'].filter((id) => ids.includes(id));
    const merged = await subscribers.mergeInto('miniprogram:mp-wang', ['official-account:oa-wang', 'official-account:nobody'], AT, order);
    t.like(merged, { key: 'miniprogram:mp-wang', categories: ['budgets', 'procurement'], since: '2026-05-01T00:00:00.000Z', updatedAt: AT });
    t.deepEqual(merged!.categorySince, { budgets: '2026-05-02T00:00:00.000Z' });
    t.is(await subscribers.get('official-account', 'oa-wang'), undefined);
    t.like(await subscribers.mergeInto('miniprogram:mp-wang', [], AT), { key: 'miniprogram:mp-wang' });
    t.is(await subscribers.mergeInto('miniprogram:gone', ['miniprogram:mp-wang'], AT), null);

    await subscribers.move('miniprogram:mp-wang', 'official-account', 'oa-wang', AT);
    t.is(await subscribers.get('miniprogram', 'mp-wang'), undefined);
    t.like(await subscribers.get('official-account', 'oa-wang'), { key: 'official-account:oa-wang', channel: 'official-account', categories: ['budgets', 'procurement'] });
    t.deepEqual((await subscribers.page({ categories: null, after: null, limit: 10 })).items.map((s) => s.key), ['official-account:oa-wang', 'miniprogram:mp-li'], 'moved, it keeps its place');
    // A channel that has its own record: nothing moves.
    await subscribers.set('miniprogram', 'mp-li2', ['news'], AT);
    await subscribers.move('miniprogram:mp-li', 'miniprogram', 'mp-li2', AT);
    t.truthy(await subscribers.get('miniprogram', 'mp-li'));
  });

  test(`[${engine}] ledger: a run is planned only from the cursor the caller read; resumed by one attempt at a time`, async (t) => {
    const { ledger } = await open(t, engine);
    t.is(await ledger.cursor(), 0);
    const plan = (id: string, toSeq: number) => (seq: number) => ({ id: `${id}-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['i1', 'i2'], toSeq });
    const run = (await ledger.planRun(0, plan('r', 2)))!;
    t.like(run, { id: 'r-1', state: 'running', attempts: 1, toSeq: 2, totals: null, pauses: [] });
    t.is(await ledger.cursor(), 2);
    t.is(await ledger.planRun(0, plan('again', 2)), null, 'the cursor moved: someone planned this slot');
    t.is(await ledger.cursor(), 2);
    t.deepEqual((await ledger.unfinished()).map((r) => r.id), ['r-1']);
    await ledger.heartbeat('r-1');
    await ledger.notePause('r-1', { at: AT, reason: '45009', ms: 250 });
    await ledger.pauseRun('r-1', '限额');
    t.like(await ledger.run('r-1'), { state: 'paused', note: '限额', pauses: [{ at: AT, reason: '45009', ms: 250 }] });
    t.false(await ledger.resumeRun('r-1', 2, AT), 'not the attempt count the caller read');
    t.true(await ledger.resumeRun('r-1', 1, '2026-05-12T02:00:00.000Z'));
    t.like(await ledger.run('r-1'), { attempts: 2, attemptedAt: '2026-05-12T02:00:00.000Z', state: 'running', note: null });
    t.is(await ledger.run('nope'), undefined);
    const copy = (await ledger.run('r-1'))!;
    copy.pauses.push({ at: AT, reason: 'x', ms: 1 });
    t.is((await ledger.run('r-1'))!.pauses.length, 1);
  });

  test(`[${engine}] ledger: a claim is written only where the subscriber has no entry; outcomes, give-backs and day counts`, async (t) => {
    const { ledger } = await open(t, engine);
    const run = (await ledger.planRun(0, (seq) => ({ id: `r-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['i1'], toSeq: 1 })))!;
    const claims = (keys: string[]) => ledger.writeEntries(run.id, new Map(keys.map((k) => [k, entry('sending')])), [], new Set(keys));
    t.deepEqual([...(await claims(['a', 'b']))].sort(), ['a', 'b']);
    t.deepEqual([...(await claims(['b', 'c']))], ['c'], "b is someone else's");
    const day = { day: '2026-05-12', channel: 'official-account' as const };
    await ledger.writeEntries(run.id, new Map<string, Delivery | null>([['a', entry('sent')], ['c', null], ['b', entry('failed')]]), [day, day]);
    t.deepEqual(await ledger.deliveries(run.id), { a: entry('sent'), b: entry('failed') });
    await ledger.writeEntries(run.id, new Map([['a', null]]), []);
    t.is((await ledger.deliveries(run.id)).a!.state, 'sent', 'a give-back removes only an entry still sending');
    t.is(await ledger.sentOn('2026-05-12', 'official-account'), 2);
    t.is(await ledger.sentOn('2026-05-12', 'miniprogram'), 0);
    await ledger.setDelivery(run.id, 'd', entry('sending'));
    await ledger.setDelivery(run.id, 'e', entry('sent'), { day: '2026-05-12', channel: 'miniprogram' });
    t.is(await ledger.sentOn('2026-05-12', 'miniprogram'), 1);
    t.deepEqual(await ledger.entriesFor(run.id, ['a', 'd', 'zz']), { a: entry('sent'), d: entry('sending') });
    t.deepEqual(await ledger.inState(run.id, 'sending'), { d: entry('sending') });
    t.deepEqual(await ledger.totals(run.id), { sent: 2, failed: 1, unknown: 0, sending: 1 });
  });

  test(`[${engine}] ledger: finishing a run freezes its counts and drops older runs' entries, old runs and old day counts`, async (t) => {
    const { ledger } = await open(t, engine);
    const plan = async (n: number) => (await ledger.planRun(n - 1, (seq) => ({ id: `r-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: [], toSeq: n })))!;
    const first = await plan(1);
    await ledger.setDelivery(first.id, 'a', entry('sent'));
    for (let i = 1; i <= 9; i++) await ledger.setDelivery(first.id, 'a', entry('sent'), { day: `2026-05-0${i}`, channel: 'miniprogram' });
    await ledger.finishRun(first.id, AT);
    t.like(await ledger.run(first.id), { state: 'finished', finishedAt: AT, totals: { sent: 1, failed: 0, unknown: 0, sending: 0 } });
    t.is(await ledger.sentOn('2026-05-02', 'miniprogram'), 0, 'the oldest days are dropped');
    t.is(await ledger.sentOn('2026-05-03', 'miniprogram'), 1, 'seven days are kept');
    const second = await plan(2);
    await ledger.setDelivery(second.id, 'b', entry('failed'));
    await ledger.finishRun(second.id, AT);
    t.deepEqual(await ledger.deliveries(first.id), {}, "an older finished run's entries are dropped");
    t.deepEqual(await ledger.totals(first.id), { sent: 1, failed: 0, unknown: 0, sending: 0 }, 'its counts were frozen');
    t.deepEqual(Object.keys(await ledger.deliveries(second.id)), ['b']);
    t.deepEqual((await ledger.recentRuns(1)).map((r) => r.id), [second.id]);
    t.deepEqual((await ledger.recentRuns(5)).map((r) => r.id), [second.id, first.id]);
    t.deepEqual(await ledger.recentRuns(0), []);
    t.deepEqual(await ledger.unfinished(), []);
  });

  test(`[${engine}] transfer: counts, and an empty repository takes what another lists`, async (t) => {
    const from = await open(t, engine);
    const to = await open(t, engine);
    for (const name of ['catalog', 'subscribers', 'ledger'] as const) t.true(Object.values(await from[name].counts()).every((n) => n === 0), name);
    await fill(from);
    t.deepEqual(await from.catalog.counts(), { 'catalog-item': 2, 'catalog-state': 1 });
    t.deepEqual(await from.subscribers.counts(), { subscriber: 2 });
    t.deepEqual(await from.ledger.counts(), { 'push-state': 1, 'push-run': 2, 'push-delivery': 2, 'push-sent-day': 1 });
    for (const name of ['catalog', 'subscribers', 'ledger'] as const) {
      const repo: Transferable = from[name];
      await to[name].importRecords(repo.exportRecords());
      t.deepEqual(await to[name].counts(), await repo.counts(), name);
      t.deepEqual(sorted(await all(to[name].exportRecords())), sorted(await all(repo.exportRecords())), name);
      await t.throwsAsync(to[name].importRecords(repo.exportRecords()), undefined, `${name}: only into an empty repository`);
    }
  });
}

if ((await engines()).includes('postgres')) {
  test('[postgres] transfer round trip: embedded → postgres → embedded, counts and records equal', async (t) => {
    const first = await embedded(t);
    await fill(first);
    const pg = await instance(t, await postgresUrl(t));
    const last = await embedded(t);
    for (const name of ['catalog', 'subscribers', 'ledger'] as const) {
      await pg[name].importRecords(first[name].exportRecords());
      await last[name].importRecords(pg[name].exportRecords());
      const counts = await first[name].counts();
      t.deepEqual(await pg[name].counts(), counts, name);
      t.deepEqual(await last[name].counts(), counts, name);
      const records = sorted(await all(first[name].exportRecords()));
      t.deepEqual(sorted(await all(pg[name].exportRecords())), records, name);
      t.deepEqual(sorted(await all(last[name].exportRecords())), records, name);
    }
    // What moved works: the next run continues the sequence and the cursor.
    const next = await pg.ledger.planRun(2, (seq) => ({ id: `run-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: [], toSeq: 3 }));
    t.is(next!.id, 'run-3');
    const [item] = await pg.catalog.insert([newItem({ title: 'next', category: 'news' }, { publishOn: '2026-05-12' })]);
    t.is(item!.indexNo, 'HSRF-2026-00003');
    t.like(item!.events.at(-1), { seq: 2 });
    t.deepEqual((await pg.subscribers.page({ categories: null, after: null, limit: 10 })).items.map((s) => s.openid), ['oa-1', 'mp-1']);
  });

  test('[postgres] two instances plan the same slot at once: one run, the cursor moved once', async (t) => {
    const url = await postgresUrl(t);
    const [a, b] = await Promise.all([instance(t, url), instance(t, url)]);
    for (let round = 0; round < 5; round++) {
      const cursor = await a.ledger.cursor();
      const plan = (who: string) => (seq: number) => ({ id: `${who}-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['i'], toSeq: cursor + 1 });
      const [ra, rb] = await Promise.all([a.ledger.planRun(cursor, plan('a')), b.ledger.planRun(cursor, plan('b'))]);
      t.is([ra, rb].filter(Boolean).length, 1, `round ${round}`);
      t.is(await b.ledger.cursor(), cursor + 1);
    }
    t.is((await a.ledger.recentRuns(50)).length, 5);
  });

  test('[postgres] a running run whose instance is alive is left to it; one that stopped beating is resumed', async (t) => {
    const url = await postgresUrl(t);
    const [a, b] = await Promise.all([instance(t, url), instance(t, url)]);
    const run = (await a.ledger.planRun(0, (seq) => ({ id: `r-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['i'], toSeq: 1 })))!;
    await a.ledger.heartbeat(run.id);
    t.false(await b.ledger.resumeRun(run.id, 1, AT), 'instance a is working on it');
    const db = new Database(url);
    t.teardown(() => db.close());
    await db.query(`UPDATE push_runs SET alive_at = now() - interval '2 minutes' WHERE id = $1`, [run.id]);
    const [x, y] = await Promise.all([b.ledger.resumeRun(run.id, 1, AT), a.ledger.resumeRun(run.id, 1, AT)]);
    t.is([x, y].filter(Boolean).length, 1, 'crashed: one instance takes it over');
    t.is((await a.ledger.run(run.id))!.attempts, 2);
  });

  test('[postgres] two instances claim the same subscribers at once: each claim is written once', async (t) => {
    const url = await postgresUrl(t);
    const [a, b] = await Promise.all([instance(t, url), instance(t, url)]);
    const run = (await a.ledger.planRun(0, (seq) => ({ id: `r-${seq}`, createdAt: AT, attemptedAt: AT, itemIds: ['i'], toSeq: 1 })))!;
    const keys = Array.from({ length: 200 }, (_, i) => `official-account:o-${i}`);
    const claim = (repos: Repos, part: string[]) => repos.ledger.writeEntries(run.id, new Map(part.map((k) => [k, entry('sending')])), [], new Set(part));
    // In overlapping batches, as two push jobs' group commits would be.
    const won = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => claim(a, keys.slice(i * 20, i * 20 + 40))),
      ...Array.from({ length: 10 }, (_, i) => claim(b, keys.slice(i * 20, i * 20 + 40).reverse())),
    ]);
    const all = won.flatMap((set) => [...set]);
    t.is(all.length, keys.length, 'no key claimed twice');
    t.deepEqual([...new Set(all)].sort(), [...keys].sort(), 'every key claimed');
  });

  test('[postgres] two push jobs on two instances run at once: one run, one digest per subscriber', async (t) => {
    const url = await postgresUrl(t);
    const categories: Category[] = [
      { id: 'budgets', name: '财政预决算', basis: null },
      { id: 'news', name: '新闻动态', basis: null },
    ];
    const sent: string[] = [];
    const now = new Date();
    const job = async (repos: Repos) => {
      const catalog = new CatalogService(repos.catalog, { categories, indexPrefix: 'HSRF' });
      const sender = {
        sendTemplate: async (m: { touser: string }) => void sent.push(m.touser),
        sendMiniProgramSubscribe: async (m: { touser: string }) => void sent.push(m.touser),
      };
      const settings = { ...DEFAULT_PUSH_CONFIG, sendsPerSecond: 1000, concurrency: 8, ledgerFlushMs: 5 };
      return { catalog, push: new PushJob({ catalog, subscribers: repos.subscribers, ledger: repos.ledger, sender: () => sender, settings, agencyName: '市人防办' }) };
    };
    const [a, b] = await Promise.all([instance(t, url), instance(t, url)]);
    const [ja, jb] = await Promise.all([job(a), job(b)]);
    const yesterday = new Date(now.getTime() - 86_400_000).toISOString();
    for (let i = 0; i < 120; i++) await a.subscribers.set(i % 3 ? 'official-account' : 'miniprogram', `u-${i}`, [i % 2 ? 'budgets' : 'news'], yesterday);
    const record = { at: now.toISOString(), url: 'https://portal.example/feed', found: 2, imported: 2, duplicates: 0, invalid: 0, error: null };
    const fields = (title: string, category: string) => ({ fields: { title, category, documentNumber: null, summary: null, url: null, documentKind: null }, indexNo: null, publishedOn: null });
    await ja.catalog.importFromFeed([fields('预算', 'budgets'), fields('新闻', 'news')], true, record);

    const [ra, rb] = await Promise.all([ja.push.run(), jb.push.run()]);
    const runs = [...ra.runs, ...rb.runs];
    t.is(runs.length, 1, 'the second instance found the slot planned');
    t.like(runs[0], { state: 'finished', totals: { sent: 120, failed: 0, unknown: 0, sending: 0 } });
    t.is(sent.length, 120);
    t.is(new Set(sent).size, 120, 'nobody got two digests');
    t.deepEqual((await Promise.all([ja.push.run(), jb.push.run()])).flatMap((r) => r.runs), [], 'nothing new: no run');
  });

  test('[postgres] two instances change one subscription at once: both changes count', async (t) => {
    const url = await postgresUrl(t);
    const [a, b] = await Promise.all([instance(t, url), instance(t, url)]);
    const add = (repos: Repos, id: string) => repos.subscribers.update('official-account', 'oa-1', (c) => [...c, id], AT);
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id, i) => add(i % 2 ? a : b, id)));
    t.deepEqual([...(await a.subscribers.get('official-account', 'oa-1'))!.categories].sort(), [...ids].sort(), 'new subscriber created once, no change lost');
    t.is(await a.subscribers.count(null), 1);
    // Merging and moving while another instance changes the same records: nothing duplicated.
    await a.subscribers.set('miniprogram', 'mp-1', ['x'], '2026-01-01T00:00:00.000Z');
    await Promise.all([
      a.subscribers.mergeInto('miniprogram:mp-1', ['official-account:oa-1'], AT),
      b.subscribers.update('official-account', 'oa-1', (c) => [...c, 'late'], AT),
    ]);
    const left = (await a.subscribers.page({ categories: null, after: null, limit: 10 })).items;
    t.true(left.length >= 1 && left.length <= 2);
    t.is(new Set(left.map((s) => s.key)).size, left.length);
  });

  test('[postgres] two review decisions on one item at once: one is appended, the other is a conflict', async (t) => {
    const url = await postgresUrl(t);
    const [a, b] = await Promise.all([instance(t, url), instance(t, url)]);
    const [item] = await a.catalog.insert([newItem({ title: '草稿', category: 'news' })]);
    const submit = (repos: Repos, by: string) => repos.catalog.append(item!.id, { expectedEvents: 1, events: [{ type: 'submit', at: AT, by, role: 'submitter' }] });
    const results = await Promise.allSettled([submit(a, 'one'), submit(b, 'two')]);
    t.is(results.filter((r) => r.status === 'fulfilled').length, 1);
    t.true(results.some((r) => r.status === 'rejected' && isConflictError(r.reason)));
    t.is((await b.catalog.get(item!.id))!.events.length, 2);
    // Two publications at once are numbered one after the other.
    const [x, y] = await a.catalog.insert([newItem({ title: 'x', category: 'news' }), newItem({ title: 'y', category: 'news' })]);
    const publish = (repos: Repos, id: string) =>
      repos.catalog.append(id, { expectedEvents: 1, events: [], publish: { at: AT, by: 'chief', on: '2026-05-12', basis: 'review' } });
    await Promise.all([publish(a, x!.id), publish(b, y!.id)]);
    const seqs = (await a.catalog.publishedAfter(0)).map((i) => i.events.flatMap((e) => (e.type === 'publish' ? [e.seq] : [])));
    t.deepEqual(seqs, [[1], [2]]);
  });
}
