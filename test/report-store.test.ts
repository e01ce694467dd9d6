// The report's records in the store, and the report inputs gathered from the store.
import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { ReportRepo } from '../src/store/report-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { feePaidOf, loadReportInputs } from '../src/report/store-inputs.js';
import type { ApplicationEvent } from '../src/domain/applications/index.js';
import type { ReportCatalogItem } from '../src/report/types.js';
import { tempDir } from './helpers/temp.js';

const clock = () => new Date('2026-02-10T02:00:00Z');
const AGENCY = { name: '测试市人民防空办公室' };
const ZEROS = { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 0 };

const applicant = { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' };
const organization = { type: 'organization', orgKind: 'public-welfare', name: '某某公益基金会', creditCode: '91350100M000100Y43', phone: '13800138000', contactName: '李四' };
const record = (events: object[], who: object = applicant) => ({
  applicant: who,
  request: { description: '请公开本单位人防工程建设审批事项的办理结果' },
  delivery: { form: 'paper', method: 'pickup' },
  events,
});

async function open(t: ExecutionContext, dir?: string) {
  const folder = dir ?? (await tempDir(t));
  const store = await Store.open(folder, clock);
  const [applicationsRepo, reportRepo] = await Promise.all([ApplicationsRepo.open(store), ReportRepo.open(store, clock)]);
  const calendar = await CalendarSource.open('data', folder);
  const applications = new ApplicationsService(applicationsRepo, () => calendar.current(), clock);
  const deps = { applications, calendar: () => calendar.current(), reportRepo, agency: AGENCY, clock };
  return { folder, store, applications, reportRepo, deps };
}

test('the report records survive closing and reopening the store', async (t) => {
  const first = await open(t);
  const repo = first.reportRepo;
  await repo.setEntered(2025, { proactive: { licensing: { decisions: 3 } }, feesCollected: 12.5 }, 'admin');
  await repo.setTexts(2025, { overview: '总体情况。', problems: '问题。', otherMatters: '无。', issuedOn: '2026-01-20' }, 'admin');
  await repo.setCarryForward(2025, { ...ZEROS, person: 1, total: 1 }, 'admin');
  const kept = await repo.addReviewCase(2025, { kind: 'reconsideration', result: 'pending', filedOn: '2025-03-01', closedOn: null }, 'admin');
  const dropped = await repo.addReviewCase(2025, { kind: 'litigation-direct', result: 'other', filedOn: '2025-04-01', closedOn: '2025-05-01', note: '录错了' }, 'admin');
  t.truthy(await repo.updateReviewCase(2025, kept.id, { kind: 'reconsideration', result: 'upheld', filedOn: '2025-03-01', closedOn: '2025-06-01' }, 'leader'));
  t.true(await repo.removeReviewCase(2025, dropped.id, 'admin'));
  t.false(await repo.removeReviewCase(2025, dropped.id, 'admin'));
  t.is(await repo.updateReviewCase(2025, 'rc_missing', { kind: 'reconsideration', result: 'pending', filedOn: '2025-03-01' }, 'admin'), undefined);
  await repo.recordFinalExport({ year: 2025, format: '2021', output: 'docx', by: 'admin', at: clock().toISOString(), tablesHash: 'a'.repeat(64), carryForward: ZEROS });
  await first.store.close();

  const again = await open(t, first.folder);
  t.teardown(() => again.store.close());
  const year = await again.reportRepo.year(2025);
  t.deepEqual(year.entered, { proactive: { licensing: { decisions: 3 } }, feesCollected: 12.5 });
  t.is(year.texts?.issuedOn, '2026-01-20');
  t.deepEqual(year.carryForward, { ...ZEROS, person: 1, total: 1 });
  t.deepEqual(
    (await again.reportRepo.reviewCases()).map((c) => [c.id, c.result, c.closedOn, c.createdBy, c.updatedBy]),
    [[kept.id, 'upheld', '2025-06-01', 'admin', 'leader']],
  );
  t.is((await again.reportRepo.finalExports(2025)).length, 1);
  t.deepEqual(
    year.changes.map((c) => c.what),
    ['entered', 'texts', 'carryForward', 'reviewCase.add', 'reviewCase.add', 'reviewCase.update', 'reviewCase.remove'],
  );
  t.deepEqual(await again.reportRepo.year(2024), { entered: {}, texts: null, carryForward: null, finalExports: [], changes: [] });
});

const fee = (type: string, on: string, amount?: number) => ({ type, on, at: `${on}T01:00:00Z`, by: 'staff', ...(amount ? { amount } : {}) }) as ApplicationEvent;
const feeCases: [string, ApplicationEvent[], { on: string; amount: number } | null][] = [
  ['no fee', [fee('receive', '2025-03-01')], null],
  ['noticed and paid', [fee('fee-notice', '2025-03-05', 40), fee('fee-paid', '2025-03-10')], { on: '2025-03-10', amount: 40 }],
  ['noticed, never paid', [fee('fee-notice', '2025-03-05', 40), fee('fee-expired', '2025-03-25')], null],
  ['two fee cycles', [fee('fee-notice', '2025-03-05', 40), fee('fee-paid', '2025-03-10'), fee('fee-notice', '2025-04-01', 10), fee('fee-paid', '2025-04-03')], { on: '2025-04-03', amount: 50 }],
];
for (const [title, events, expected] of feeCases) {
  test(`fee paid: ${title}`, (t) => {
    t.deepEqual(feePaidOf(events), expected);
  });
}

test('requests are read from the applications as the state machine derives them', async (t) => {
  const { store, applications, deps } = await open(t);
  t.teardown(() => store.close());
  const [decided, withdrawn, stillOpen, org] = await applications.import(
    [
      record([{ type: 'receive', on: '2025-03-03' }, { type: 'fee-notice', on: '2025-03-05', amount: 20 }, { type: 'fee-paid', on: '2025-03-07' }, { type: 'decide', on: '2025-03-20', outcome: 'partial' }]),
      record([{ type: 'withdraw', on: '2025-04-01' }]),
      record([{ type: 'receive', on: '2025-12-29' }]),
      // a corrected receipt date: the later receive event wins
      record([{ type: 'receive', on: '2025-06-10' }, { type: 'receive', on: '2025-06-09' }], organization),
    ],
    'admin',
  );
  const inputs = await loadReportInputs(2025, deps);
  const byId = new Map(inputs.requests.map((r) => [r.id, r]));
  t.deepEqual(byId.get(decided!.trackingNo), {
    id: decided!.trackingNo,
    receivedOn: '2025-03-03',
    closedOn: '2025-03-20',
    outcome: 'partial',
    applicant: { type: 'person' },
    feePaid: { on: '2025-03-07', amount: 20 },
  });
  t.like(byId.get(withdrawn!.trackingNo), { receivedOn: null, closedOn: '2025-04-01', outcome: 'other' });
  t.like(byId.get(stillOpen!.trackingNo), { receivedOn: '2025-12-29', closedOn: null, outcome: null, feePaid: null });
  t.deepEqual(byId.get(org!.trackingNo)?.applicant, { type: 'organization', orgKind: 'public-welfare' });
  t.is(byId.get(org!.trackingNo)?.receivedOn, '2025-06-09');
  t.deepEqual(inputs.agency, AGENCY);
  t.deepEqual(inputs.texts, { overview: '', problems: '', otherMatters: '' });
  t.deepEqual(inputs.catalogItems, []);
});

test('last year: typed in, else the last final export, else counted from the system, else none', async (t) => {
  const { store, applications, reportRepo, deps } = await open(t);
  t.teardown(() => store.close());
  t.is((await loadReportInputs(2025, deps)).previousSource, 'none');
  t.false('previous' in (await loadReportInputs(2025, deps)));

  await applications.import([record([{ type: 'receive', on: '2024-12-30' }])], 'admin');
  const computed = await loadReportInputs(2025, deps);
  t.is(computed.previousSource, 'computed');
  t.like(computed.previous, { tables: { requests: { carryForward: { person: 1, total: 1 } } } });

  await reportRepo.recordFinalExport({ year: 2024, format: '2021', output: 'docx', by: 'admin', at: '2025-01-20T01:00:00Z', tablesHash: '0'.repeat(64), carryForward: { ...ZEROS, person: 3, total: 3 } });
  await reportRepo.recordFinalExport({ year: 2024, format: '2021', output: 'docx', by: 'admin', at: '2025-01-21T01:00:00Z', tablesHash: '1'.repeat(64), carryForward: { ...ZEROS, person: 2, total: 2 } });
  const published = await loadReportInputs(2025, deps);
  t.is(published.previousSource, 'final-export');
  t.deepEqual(published.previous, { carryForward: { ...ZEROS, person: 2, total: 2 } });

  await reportRepo.setCarryForward(2025, { ...ZEROS, person: 1, total: 1 }, 'admin');
  const typed = await loadReportInputs(2025, deps);
  t.is(typed.previousSource, 'entered');
  t.deepEqual(typed.previous, { carryForward: { ...ZEROS, person: 1, total: 1 } });
});

test('catalog items come from the catalog, given as a service or as a function', async (t) => {
  const { store, deps } = await open(t);
  t.teardown(() => store.close());
  const items: ReportCatalogItem[] = [
    { category: 'policies', publishedOn: '2025-05-01', channels: ['portal', 'wechat'] },
    { category: 'news', publishedOn: '2025-06-01', channels: ['wechat'] },
  ];
  const viaService = await loadReportInputs(2025, { ...deps, catalog: { publishedItems: async () => items }, article20Map: { policies: 'normativeDocuments' } });
  t.deepEqual(viaService.catalogItems, items);
  t.deepEqual(viaService.article20Map, { policies: 'normativeDocuments' });
  const viaFunction = await loadReportInputs(2025, { ...deps, catalog: () => items });
  t.deepEqual(viaFunction.catalogItems, items);
});
