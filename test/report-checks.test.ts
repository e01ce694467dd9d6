import test from 'ava';
import { buildAnnualReport } from '../src/report/build.js';
import {
  checkCarriedOver,
  checkEnteredComplete,
  checkNonNegative,
  checkRequestRecords,
  checkRequestsBalance,
  checkRequestsGrandTotal,
  checkRequestsRowTotals,
  checkReviewRecords,
  checkReviewTotals,
  checkTexts,
  CHECK_NAMES,
} from '../src/report/checks.js';
import type { AnnualReport, AnnualReportInput, RequestsTable } from '../src/report/types.js';

const person = { type: 'person' } as const;
const zeros = { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 0 };

/** A small 2021-format report for 2021 whose checks all pass. */
function validInput(): AnnualReportInput {
  return {
    year: 2021,
    format: '2021',
    agency: { name: '测试市人民防空办公室' },
    requests: [
      { id: 'G1', receivedOn: '2020-12-28', closedOn: '2021-01-15', outcome: 'granted', applicant: person },
      { id: 'G2', receivedOn: '2021-03-01', closedOn: '2021-03-20', outcome: 'partial', applicant: { type: 'organization', orgKind: 'commercial' } },
      { id: 'G3', receivedOn: '2021-12-30', closedOn: null, outcome: null, applicant: person },
    ],
    catalogItems: [],
    entered: {
      proactive: {
        regulations: { issued: 0, repealed: 0, inForce: 0 },
        normativeDocuments: { issued: 2, repealed: 1, inForce: 9 },
        licensing: { decisions: 40 },
        penalties: { decisions: 0 },
        enforcement: { decisions: 0 },
        fees: { amount: 1.25 },
      },
    },
    reviewCases: [{ kind: 'reconsideration', result: 'upheld', filedOn: '2021-04-01', closedOn: '2021-06-01' }],
    previous: { carryForward: { ...zeros, person: 1, total: 1 } },
    texts: { overview: '本年新收申请 {{requests.newReceived.total}} 件。', problems: '无。', otherMatters: '无。' },
  };
}

const valid = (): AnnualReport => buildAnnualReport(validInput());
const copy = (table: RequestsTable): RequestsTable => structuredClone(table);

test('the baseline report passes every check, and there is one of each', (t) => {
  const report = valid();
  t.deepEqual(report.checks.map((c) => c.name), [...CHECK_NAMES]);
  t.deepEqual(report.checks.filter((c) => !c.ok), []);
  t.true(report.final);
});

test('一+二 = （七）总计+四: fails for the column that does not balance', (t) => {
  const table = copy(valid().tables.requests);
  table.newReceived!.research += 1;
  table.newReceived!.total += 1;
  const check = checkRequestsBalance(table);
  t.false(check.ok);
  t.regex(check.detail, /科研机构列：一\+二=1，（七）总计\+四=0/);
  t.regex(check.detail, /总计列/);
  t.true(checkRequestsBalance(valid().tables.requests).ok);
});

test('总计 column = sum of its parts: fails naming the row', (t) => {
  const table = copy(valid().tables.requests);
  table['withheld.stateSecret']!.total = 2;
  const check = checkRequestsRowTotals('2021', table);
  t.false(check.ok);
  t.regex(check.detail, /“（三）不予公开 1\.属于国家秘密”行：各类申请人合计 0，总计列 2/);
  t.true(checkRequestsRowTotals('2021', valid().tables.requests).ok);
});

test('（七）总计 = sum of （一）…（六）: fails naming the column', (t) => {
  const table = copy(valid().tables.requests);
  table.total!.person += 1;
  const check = checkRequestsGrandTotal('2021', table);
  t.false(check.ok);
  t.regex(check.detail, /自然人列：（一）至（六）合计 1，（七）总计 2/);
  t.true(checkRequestsGrandTotal('2021', valid().tables.requests).ok);
});

test('（七）总计 of the 2019 format includes the folded （六）其他处理 row', (t) => {
  const report = buildAnnualReport({
    ...validInput(),
    format: '2019',
    requests: [{ receivedOn: '2021-02-01', closedOn: '2021-02-02', outcome: 'other-fee-unpaid', applicant: person }],
  });
  t.is(report.tables.requests.other!.person, 1);
  t.true(checkRequestsGrandTotal('2019', report.tables.requests).ok);
  const table = copy(report.tables.requests);
  table.other!.person = 0;
  table.other!.total = 0;
  t.false(checkRequestsGrandTotal('2019', table).ok);
});

test('table 四 总计 = sum of its parts in each block, and missing figures cannot be verified', (t) => {
  const reviews = structuredClone(valid().tables.reviews);
  t.true(checkReviewTotals(reviews).ok);
  reviews.litigationDirect.total = 4;
  const wrong = checkReviewTotals(reviews);
  t.false(wrong.ok);
  t.regex(wrong.detail, /未经复议直接起诉：各项合计 0，总计 4/);
  reviews.litigationDirect = { upheld: null, corrected: 0, other: 0, pending: 0, total: null };
  t.regex(checkReviewTotals(reviews).detail, /未经复议直接起诉：数据不全，无法核对/);
});

test('this year’s 二 must equal last year’s 四', (t) => {
  const { requests } = valid().tables;
  t.true(checkCarriedOver(2021, requests, { carryForward: { ...zeros, person: 1, total: 1 } }).ok);
  const mismatch = checkCarriedOver(2021, requests, { carryForward: { ...zeros, person: 2, total: 2 } });
  t.false(mismatch.ok);
  t.regex(mismatch.detail, /自然人列：本年上年结转 1，2020 年结转下年度 2/);
  const previousReport = { tables: { requests: { carryForward: { ...zeros, person: 1, total: 1 } } } };
  t.true(checkCarriedOver(2021, requests, previousReport).ok);
});

test('without last year’s figures the carry-over check fails and says why', (t) => {
  const check = checkCarriedOver(2021, valid().tables.requests, undefined);
  t.false(check.ok);
  t.regex(check.detail, /未提供 2020 年度报告/);
  const report = buildAnnualReport({ ...validInput(), previous: undefined });
  t.false(report.final);
  t.false(report.checks.find((c) => c.name === 'requests.carriedOver')!.ok);
});

test('no negative numbers, except the 本年增/减 column', (t) => {
  const report = valid();
  t.true(checkNonNegative('2021', report.tables).ok);
  const tables = structuredClone(report.tables);
  tables.proactive.licensing!.decisions = -3;
  tables.reviews.reconsideration.corrected = -1;
  tables.requests.granted!.research = -1;
  const check = checkNonNegative('2021', tables);
  t.false(check.ok);
  t.regex(check.detail, /表二 第二十条第（五）项 行政许可 本年处理决定数量 为 -3/);
  t.regex(check.detail, /表四 行政复议 结果纠正 为 -1/);
  t.regex(check.detail, /表三“（一）予以公开”科研机构列为 -1/);
  const change = buildAnnualReport({
    ...validInput(),
    format: '2019',
    entered: { proactive: { licensing: { previousCount: 13, change: -1, decisions: 59 } } },
  });
  t.true(checkNonNegative('2019', change.tables).ok);
});

test('every staff-entered figure present: names each missing one', (t) => {
  const report = buildAnnualReport({ ...validInput(), entered: { proactive: { ...validInput().entered.proactive, fees: {} } } });
  const check = checkEnteredComplete('2021', report.tables, report.sources);
  t.false(check.ok);
  t.is(check.detail, '以下数据尚未填写：表二 第二十条第（八）项 行政事业性收费 本年收费金额（单位：万元）');
  const typedReviews = buildAnnualReport({ ...validInput(), entered: { ...validInput().entered, reviews: { reconsideration: { upheld: 1 } } } });
  const reviewCheck = checkEnteredComplete('2021', typedReviews.tables, typedReviews.sources);
  t.false(reviewCheck.ok);
  t.regex(reviewCheck.detail, /表四 行政复议 结果纠正/);
  t.true(checkEnteredComplete('2021', valid().tables, valid().sources).ok);
});

test('request records that cannot be counted fail their check and are named', (t) => {
  const check = checkRequestRecords([
    { id: 'X1', reason: 'unknown-outcome', outcome: 'approved' },
    { id: 'X2', reason: 'closed-before-received', outcome: 'granted' },
  ]);
  t.false(check.ok);
  t.regex(check.detail, /申请 X1已办结但办理结果“approved”无法归入表三/);
  t.regex(check.detail, /申请 X2的办结日期早于收到日期/);
  const report = buildAnnualReport({
    ...validInput(),
    requests: [...validInput().requests, { id: 'X3', receivedOn: '2021-05-01', closedOn: '2021-05-09', outcome: 'maybe', applicant: person }],
  });
  t.false(report.checks.find((c) => c.name === 'requests.records')!.ok);
  // The unplaced request also unbalances the table.
  t.false(report.checks.find((c) => c.name === 'requests.balance')!.ok);
});

test('review case records that contradict themselves fail their check', (t) => {
  t.true(checkReviewRecords([]).ok);
  const check = checkReviewRecords([
    { id: 'F1', reason: 'result-without-closing-date' },
    { id: 'F2', reason: 'closed-without-result' },
  ]);
  t.false(check.ok);
  t.regex(check.detail, /案件 F1有审理结果但没有结案日期/);
  t.regex(check.detail, /案件 F2有结案日期但结果为尚未审结/);
});

test('texts: an empty section or an unknown placeholder fails', (t) => {
  t.true(checkTexts([{ heading: '一、总体情况', text: '有内容', unknownPlaceholders: [] }]).ok);
  const check = checkTexts([
    { heading: '五、存在的主要问题及改进情况', text: '  ', unknownPlaceholders: [] },
    { heading: '六、其他需要报告的事项', text: '共 {{fees.totl}} 元', unknownPlaceholders: ['fees.totl'] },
  ]);
  t.false(check.ok);
  t.regex(check.detail, /“五、存在的主要问题及改进情况”尚未撰写/);
  t.regex(check.detail, /占位符 \{\{fees\.totl\}\} 没有对应的数据/);
});

test('long failure lists are cut short with a count', (t) => {
  const check = checkRequestRecords(Array.from({ length: 12 }, (_, i) => ({ id: `L${i}`, reason: 'unknown-outcome' as const, outcome: 'x' })));
  t.regex(check.detail, /等 12 处$/);
  t.false(check.detail.includes('L11'));
});
