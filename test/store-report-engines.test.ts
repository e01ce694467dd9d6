// The annual report's records, the same tests on every engine; on PostgreSQL also two instances
// changing one year's records at once, and the move between engines.
import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { ReportRepo, type FinalExportRecord, type ReportRepository } from '../src/store/report-repo.js';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgReportRepo } from '../src/store/pg/report-repo.js';
import type { TransferRecord } from '../src/store/transfer.js';
import type { ColumnCounts } from '../src/report/types.js';
import { engines, testDatabase, type EngineName } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';

const NOW = new Date('2026-01-10T02:00:00.000Z');
const clock = () => NOW;

async function openEmbedded(t: ExecutionContext): Promise<ReportRepository> {
  const store = await Store.open(await tempDir(t));
  t.teardown(() => store.close());
  return ReportRepo.open(store, clock);
}

async function pgInstances(t: ExecutionContext, instances = 1): Promise<Database[]> {
  const url = await testDatabase(t);
  const dbs = Array.from({ length: instances }, () => new Database(url));
  t.teardown(() => Promise.all(dbs.map((db) => db.close())));
  await migrate(dbs[0]!);
  return dbs;
}

async function open(t: ExecutionContext, engine: EngineName): Promise<ReportRepository> {
  return engine === 'embedded' ? openEmbedded(t) : PgReportRepo.open((await pgInstances(t))[0]!, clock);
}

const carry = (total: number) => ({ person: total, total }) as Partial<ColumnCounts>;

function finalExport(year: number, hash: string): FinalExportRecord {
  return { year, format: '2021', output: 'docx', by: 'admin', at: NOW.toISOString(), tablesHash: hash, carryForward: carry(2) as ColumnCounts };
}

async function all(records: AsyncIterable<TransferRecord>): Promise<TransferRecord[]> {
  const out: TransferRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

async function* replay(records: TransferRecord[]): AsyncIterable<TransferRecord> {
  yield* records;
}

for (const engine of await engines()) {
  test(`[${engine}] a year's records: figures, texts, carry-forward, each change filed with who made it`, async (t) => {
    const repo = await open(t, engine);
    t.deepEqual(await repo.year(2025), { entered: {}, texts: null, carryForward: null, finalExports: [], changes: [] });
    const entered = await repo.setEntered(2025, { feesCollected: 12.5 }, 'admin');
    t.deepEqual(entered.entered, { feesCollected: 12.5 });
    // Given a function, the change is made to the figures as stored.
    await repo.setEntered(2025, (before) => ({ ...before, proactive: { licensing: { decisions: 3 } } }), 'clerk');
    await repo.setTexts(2025, { overview: '概述', problems: '', otherMatters: '' }, 'admin');
    await repo.setCarryForward(2025, carry(1), 'admin');
    await repo.setCarryForward(2024, null, 'admin');
    const year = await repo.year(2025);
    t.deepEqual(year.entered, { feesCollected: 12.5, proactive: { licensing: { decisions: 3 } } });
    t.is(year.texts?.overview, '概述');
    t.deepEqual(year.carryForward, carry(1));
    t.deepEqual(
      year.changes.map((c) => [c.what, c.by]),
      [['entered', 'admin'], ['entered', 'clerk'], ['texts', 'admin'], ['carryForward', 'admin']],
    );
    t.is((await repo.year(2024)).changes.length, 1);
    year.entered.feesCollected = 0;
    t.is((await repo.year(2025)).entered.feesCollected, 12.5, 'reads hand out copies');
  });

  test(`[${engine}] review cases: added, updated, removed, filed in the year they were entered from`, async (t) => {
    const repo = await open(t, engine);
    const a = await repo.addReviewCase(2025, { kind: 'reconsideration', result: 'pending', filedOn: '2025-03-01', closedOn: null }, 'admin');
    const b = await repo.addReviewCase(2025, { kind: 'litigation-direct', result: 'pending', filedOn: '2025-02-01', closedOn: null, note: '（2025）鄂01行初1号' }, 'admin');
    t.regex(a.id, /^rc_/);
    t.deepEqual((await repo.reviewCases()).map((c) => c.id), [a.id, b.id]);
    const updated = await repo.updateReviewCase(2026, a.id, { kind: 'reconsideration', result: 'upheld', filedOn: '2025-03-01', closedOn: '2026-01-05' }, 'leader');
    t.like(updated, { id: a.id, result: 'upheld', closedOn: '2026-01-05', createdBy: 'admin', updatedBy: 'leader', note: null });
    t.deepEqual(await repo.reviewCase(a.id), updated);
    t.is(await repo.updateReviewCase(2026, 'rc_none', { kind: 'litigation-direct', result: 'pending', filedOn: '2025-01-01' }, 'x'), undefined);
    t.true(await repo.removeReviewCase(2025, b.id, 'admin'));
    t.false(await repo.removeReviewCase(2025, b.id, 'admin'));
    t.deepEqual((await repo.reviewCases()).map((c) => c.id), [a.id]);
    t.is(await repo.reviewCase(b.id), undefined);
    t.deepEqual((await repo.year(2025)).changes.map((c) => [c.what, c.id]), [['reviewCase.add', a.id], ['reviewCase.add', b.id], ['reviewCase.remove', b.id]]);
    t.deepEqual((await repo.year(2026)).changes.map((c) => [c.what, c.id]), [['reviewCase.update', a.id]]);
  });

  test(`[${engine}] final exports: kept per year, oldest first`, async (t) => {
    const repo = await open(t, engine);
    await repo.recordFinalExport(finalExport(2025, 'h1'));
    await repo.recordFinalExport(finalExport(2025, 'h2'));
    await repo.recordFinalExport(finalExport(2024, 'h0'));
    t.deepEqual((await repo.finalExports(2025)).map((e) => e.tablesHash), ['h1', 'h2']);
    t.deepEqual(await repo.finalExports(2024), [finalExport(2024, 'h0')]);
    t.deepEqual(await repo.finalExports(2023), []);
    t.deepEqual(await repo.counts(), { 'report-year': 2, 'review-case': 0 });
  });
}

if ((await engines()).includes('postgres')) {
  test('[postgres] two instances changing one year at once lose no change', async (t) => {
    const [a, b] = await pgInstances(t, 2);
    const repos = [await PgReportRepo.open(a!, clock), await PgReportRepo.open(b!, clock)];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const repo = repos[i % 2]!;
        return i % 4 === 0
          ? repo.recordFinalExport(finalExport(2025, `h${i}`))
          : i % 4 === 1
            ? repo.addReviewCase(2025, { kind: 'litigation-direct', result: 'pending', filedOn: '2025-01-01', closedOn: null }, `u${i}`)
            : repo.setEntered(2025, (before) => ({ ...before, feesCollected: (before.feesCollected ?? 0) + 1 }), `u${i}`);
      }),
    );
    const year = await repos[0]!.year(2025);
    t.is(year.finalExports.length, 5);
    t.is((await repos[1]!.reviewCases()).length, 5);
    t.is(year.entered.feesCollected, 10, 'every increment read the figure the one before wrote');
    t.is(year.changes.length, 15);
  });

  test('[postgres] transfer: embedded → postgres → embedded keeps every record and count', async (t) => {
    const source = await openEmbedded(t);
    await source.setEntered(2025, { feesCollected: 3 }, 'admin');
    await source.setTexts(2025, { overview: '概述', problems: '问题', otherMatters: '' }, 'admin');
    await source.recordFinalExport(finalExport(2025, 'h1'));
    await source.setCarryForward(2026, carry(2), 'admin');
    const kept = await source.addReviewCase(2025, { kind: 'reconsideration', result: 'pending', filedOn: '2025-03-01', closedOn: null }, 'admin');
    await source.addReviewCase(2025, { kind: 'litigation-direct', result: 'upheld', filedOn: '2025-01-01', closedOn: '2025-06-01', note: '备注' }, 'admin');

    const pg = await PgReportRepo.open((await pgInstances(t))[0]!, clock);
    const back = await openEmbedded(t);
    const records = await all(source.exportRecords());
    await pg.importRecords(replay(records));
    t.deepEqual(await pg.counts(), await source.counts());
    t.deepEqual(await all(pg.exportRecords()), records);
    await back.importRecords(pg.exportRecords());
    t.deepEqual(await back.counts(), await source.counts());
    t.deepEqual(await all(back.exportRecords()), records);
    t.deepEqual(await back.reviewCase(kept.id), kept);
    await t.throwsAsync(pg.importRecords(replay(records)), { message: /empty/ });
  });
}
