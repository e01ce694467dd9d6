import test from 'ava';
import { buildAnnualReport } from '../src/report/build.js';
import { fillPlaceholders } from '../src/report/figures.js';
import { requestRowKeys } from '../src/report/labels.js';
import { buildProactiveTable } from '../src/report/proactive.js';
import { buildReviewsTable, countReviewCases } from '../src/report/reviews.js';
import type { ReportCatalogItem, AnnualReportInput, ReviewCase } from '../src/report/types.js';

const documents: ReportCatalogItem[] = [
  { category: '规范性文件', publishedOn: '2018-06-01' },
  { category: '规范性文件', publishedOn: '2020-03-01', repealedOn: '2021-05-01' },
  { category: '规范性文件', publishedOn: '2021-02-01' },
  { category: '规范性文件', publishedOn: '2021-12-31' },
  { category: '规范性文件', publishedOn: '2022-01-01' },
  { category: '规范性文件', publishedOn: null },
  { category: '工作动态', publishedOn: '2021-04-01' },
  { category: '工作动态', publishedOn: '2021-04-02', article20Item: 'regulations' },
];

test('2021 table 二: the catalog counts 制发/废止/现行有效 for the rows tied to a category', (t) => {
  const { table, sources } = buildProactiveTable('2021', 2021, { items: documents, article20Map: { 规范性文件: 'normativeDocuments' } });
  t.deepEqual(table.normativeDocuments, { issued: 2, repealed: 1, inForce: 3 });
  // An item can name its row itself, which ties that row to the catalog too.
  t.deepEqual(table.regulations, { issued: 1, repealed: 0, inForce: 1 });
  t.is(sources['normativeDocuments.inForce'], 'catalog');
  t.deepEqual(table.licensing, { decisions: null });
  t.is(sources['licensing.decisions'], 'missing');
});

test('2019 table 二: the catalog counts 本年新公开 and 对外公开总数量, but 本年新制作 is for staff', (t) => {
  const { table, sources } = buildProactiveTable('2019', 2021, { items: documents, article20Map: { 规范性文件: 'normativeDocuments' } });
  t.deepEqual(table.normativeDocuments, { made: null, published: 2, totalPublished: 4 });
  t.is(sources['normativeDocuments.made'], 'missing');
  t.deepEqual(Object.keys(table), ['regulations', 'normativeDocuments', 'licensing', 'otherServices', 'penalties', 'enforcement', 'fees', 'procurement']);
});

test('table 二: a row not tied to the catalog is not reported as zero but left for staff', (t) => {
  const { table, sources } = buildProactiveTable('2021', 2021, { items: [] });
  t.deepEqual(table.normativeDocuments, { issued: null, repealed: null, inForce: null });
  t.is(sources['normativeDocuments.issued'], 'missing');
});

test('table 二: a staff-entered figure wins over the catalog count', (t) => {
  const { table, sources } = buildProactiveTable('2021', 2021, {
    items: documents,
    article20Map: { 规范性文件: 'normativeDocuments' },
    entered: { normativeDocuments: { inForce: 12 }, licensing: { decisions: 0 } },
  });
  t.deepEqual(table.normativeDocuments, { issued: 2, repealed: 1, inForce: 12 });
  t.is(sources['normativeDocuments.inForce'], 'entered');
  t.is(table.licensing!.decisions, 0);
});

const reviewCases: ReviewCase[] = [
  { id: 'closed-last-year', kind: 'reconsideration', result: 'upheld', filedOn: '2020-02-01', closedOn: '2020-05-01' },
  { id: 'filed-last-year-closed-now', kind: 'reconsideration', result: 'corrected', filedOn: '2020-11-01', closedOn: '2021-01-20' },
  { id: 'open-at-year-end', kind: 'litigation-direct', result: 'other', filedOn: '2021-10-01', closedOn: '2022-02-01' },
  { id: 'pending', kind: 'litigation-direct', result: 'pending', filedOn: '2021-11-01' },
  { id: 'after', kind: 'litigation-after-reconsideration', result: 'other', filedOn: '2021-03-01', closedOn: '2021-09-01' },
  { id: 'next-year', kind: 'litigation-after-reconsideration', result: 'upheld', filedOn: '2022-01-05', closedOn: '2022-03-01' },
];

test('table 四 from cases: closed in Y by result, still open at the end of Y as 尚未审结', (t) => {
  const { table, source, problems } = countReviewCases(reviewCases, 2021);
  t.is(source, 'cases');
  t.deepEqual(problems, []);
  t.deepEqual(table, {
    reconsideration: { upheld: 0, corrected: 1, other: 0, pending: 0, total: 1 },
    litigationDirect: { upheld: 0, corrected: 0, other: 0, pending: 2, total: 2 },
    litigationAfterReconsideration: { upheld: 0, corrected: 0, other: 1, pending: 0, total: 1 },
  });
});

test('table 四 from cases: self-contradicting records are counted as pending and reported', (t) => {
  const { table, problems } = countReviewCases(
    [
      { id: 'C1', kind: 'reconsideration', result: 'upheld', filedOn: '2021-03-01' },
      { id: 'C2', kind: 'reconsideration', result: 'pending', filedOn: '2021-03-01', closedOn: '2021-04-01' },
    ],
    2021,
  );
  t.is(table.reconsideration.pending, 2);
  t.deepEqual(problems, [
    { id: 'C1', reason: 'result-without-closing-date' },
    { id: 'C2', reason: 'closed-without-result' },
  ]);
});

test('table 四 typed by staff overrides the cases; a blank 总计 is summed', (t) => {
  const { table, source } = buildReviewsTable(reviewCases, 2021, {
    reconsideration: { upheld: 1, corrected: 0, other: 0, pending: 0 },
    litigationDirect: { upheld: 0, corrected: 0, other: 2, pending: 1, total: 3 },
    litigationAfterReconsideration: { upheld: 0, corrected: 0, other: 1 },
  });
  t.is(source, 'entered');
  t.deepEqual(table.reconsideration, { upheld: 1, corrected: 0, other: 0, pending: 0, total: 1 });
  t.deepEqual(table.litigationAfterReconsideration, { upheld: 0, corrected: 0, other: 1, pending: null, total: null });
});

test('placeholders are filled from figures; unknown names are kept and listed', (t) => {
  const filled = fillPlaceholders('共 {{ published.total }} 条，{{fees.total}} 元，{{published.byChannel.weibo}}，{{nope}}', {
    'published.total': 3,
    'fees.total': 400.5,
  });
  t.is(filled.text, '共 3 条，400.50 元，0，{{nope}}');
  t.deepEqual(filled.unknown, ['nope']);
});

function reportInput(): AnnualReportInput {
  return {
    year: 2021,
    format: '2021',
    agency: { name: '测试市人民防空办公室' },
    requests: [
      { receivedOn: '2021-02-01', closedOn: '2021-02-20', outcome: 'granted', applicant: { type: 'person' }, feePaid: { on: '2021-02-18', amount: 100 } },
      { receivedOn: '2020-12-01', closedOn: '2020-12-20', outcome: 'granted', applicant: { type: 'person' }, feePaid: { on: '2020-12-18', amount: 300 } },
      { receivedOn: '2021-05-01', closedOn: '2021-05-20', outcome: 'granted', applicant: { type: 'person' }, feePaid: { on: '2021-05-18', amount: 300 } },
    ],
    catalogItems: [
      { category: '通知公告', publishedOn: '2021-01-05', channels: ['portal', 'wechat'] },
      { category: '通知公告', publishedOn: '2021-03-05', channels: ['portal'] },
      { category: '工作动态', publishedOn: '2020-03-05', channels: ['wechat'] },
    ],
    entered: {},
    reviewCases: [],
    texts: {
      overview: '本年度主动公开 {{published.total}} 条，其中微信 {{published.byChannel.wechat}} 条、通知公告 {{published.byCategory.通知公告}} 条。\n新收申请 {{requests.newReceived.total}} 件。',
      problems: '一是……',
      otherMatters: '收取信息处理费 {{fees.total}} 元，共 {{fees.count}} 笔。',
      issuedOn: '2022-01-20',
    },
  };
}

test('the written sections get their figures; table sections have headings only', (t) => {
  const report = buildAnnualReport(reportInput());
  t.is(report.sections.overview.text, '本年度主动公开 2 条，其中微信 1 条、通知公告 2 条。\n新收申请 2 件。');
  t.is(report.sections.otherMatters.text, '收取信息处理费 400 元，共 2 笔。');
  t.deepEqual(report.sections.requests, { heading: '三、收到和处理政府信息公开申请情况', text: null });
  t.is(report.issuedOn, '2022-01-20');
});

test('fees typed by staff replace the sum of the recorded payments', (t) => {
  const report = buildAnnualReport({ ...reportInput(), entered: { feesCollected: 1234.5 } });
  t.is(report.sections.otherMatters.text, '收取信息处理费 1234.50 元，共 2 笔。');
});

test('the report JSON carries the contract keys', (t) => {
  const report = JSON.parse(JSON.stringify(buildAnnualReport(reportInput())));
  t.is(report.year, 2021);
  t.is(report.format, '2021');
  t.deepEqual(Object.keys(report.tables), ['requests', 'proactive', 'reviews']);
  t.deepEqual(Object.keys(report.tables.requests), requestRowKeys('2021'));
  t.deepEqual(Object.keys(report.tables.requests.granted), ['person', 'commercial', 'research', 'publicWelfare', 'legalService', 'otherOrg', 'total']);
  t.deepEqual(Object.keys(report.checks[0]), ['name', 'ok', 'detail']);
  t.is(typeof report.final, 'boolean');
});
