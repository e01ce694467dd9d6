// The reference office's published 2019 report (shared/seed/000_02e924df58bbfb6e.txt), re-entered
// through the system: staff figures for table 二, no requests, its review cases for table 四.
// The computed tables must equal the published ones and the Markdown must carry every label.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { buildAnnualReport } from '../src/report/build.js';
import {
  PROACTIVE_BLOCKS,
  REQUEST_COLUMNS,
  REQUEST_ROWS,
  REQUESTS_APPLICANT_GROUP,
  REQUESTS_CORNER_NOTE,
  REQUESTS_ORGANIZATION_GROUP,
  REVIEW_BLOCKS,
  REVIEW_COLUMNS,
  REVIEW_LITIGATION,
  SECTION_HEADINGS,
} from '../src/report/labels.js';
import { renderMarkdown } from '../src/report/render-markdown.js';
import type { AnnualReport, ProactiveTable, ReviewCase } from '../src/report/types.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/report-2019-huangshi.json', import.meta.url), 'utf8')) as {
  year: number;
  format: '2019';
  agency: { name: string };
  tables: AnnualReport['tables'];
};

// 复议 1 维持; 诉讼 未经复议直接起诉: 其他结果 2, 尚未审结 1; 复议后起诉: 其他结果 1.
const reviewCases: ReviewCase[] = [
  { kind: 'reconsideration', result: 'upheld', filedOn: '2019-04-08', closedOn: '2019-06-03' },
  { kind: 'litigation-direct', result: 'other', filedOn: '2019-02-11', closedOn: '2019-05-20' },
  { kind: 'litigation-direct', result: 'other', filedOn: '2019-07-01', closedOn: '2019-10-15' },
  { kind: 'litigation-direct', result: 'pending', filedOn: '2019-11-18' },
  { kind: 'litigation-after-reconsideration', result: 'other', filedOn: '2019-06-20', closedOn: '2019-09-30' },
];

const noCarryOver = { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 0 };

function huangshi(): AnnualReport {
  return buildAnnualReport({
    year: fixture.year,
    format: fixture.format,
    agency: fixture.agency,
    requests: [],
    catalogItems: [],
    entered: { proactive: fixture.tables.proactive as ProactiveTable },
    reviewCases,
    previous: { carryForward: noCarryOver },
    texts: {
      overview: '（二）依申请公开\n{{year}} 年度，我办共接到公民或组织要求公开政府信息的申请 {{requests.newReceived.total}} 次。',
      problems: '（一）存在的问题\n政府信息公开工作还需进一步的加强。',
      otherMatters: '我办 2018 年、2019 年两年期间收到并已办理的人大、政协提案共 5 件。',
      issuedOn: '2019-12-26',
    },
  });
}

test('the computed 2019 tables equal the published report exactly', (t) => {
  const report = huangshi();
  t.is(report.format, '2019');
  t.deepEqual(report.tables, fixture.tables);
  t.deepEqual(report.checks.filter((c) => !c.ok), []);
  t.true(report.final);
  t.is(report.sections.overview.text, '（二）依申请公开\n2019 年度，我办共接到公民或组织要求公开政府信息的申请 0 次。');
});

test('the 2019 Markdown carries every label of the trial format', (t) => {
  const markdown = renderMarkdown(huangshi(), { final: true });
  const labels = [
    '政府信息公开工作年度报告',
    '黄石市人民防空办公室（2019年度）',
    ...Object.values(SECTION_HEADINGS),
    ...PROACTIVE_BLOCKS['2019'].flatMap((b) => [b.item, '信息内容', ...b.columns.map((c) => c.label), ...b.rows.map((r) => r.label)]),
    REQUESTS_CORNER_NOTE,
    REQUESTS_APPLICANT_GROUP,
    REQUESTS_ORGANIZATION_GROUP,
    ...REQUEST_COLUMNS.map((c) => c.label),
    ...REQUEST_ROWS['2019'].flatMap((r) => [r.top, r.block ?? '', r.item ?? '']).filter(Boolean),
    REVIEW_LITIGATION,
    ...REVIEW_BLOCKS.map((b) => b.label),
    ...REVIEW_COLUMNS.map((c) => c.label),
  ];
  t.true(labels.length > 60);
  for (const label of labels) t.true(markdown.includes(label), label);
  // The trial format's （六）其他处理 has no sub-rows.
  t.false(markdown.includes('逾期不补正'));
  t.true(markdown.includes('| | （六）其他处理 | |'));
});

test('the 2019 Markdown prints the published figures as published', (t) => {
  const markdown = renderMarkdown(huangshi());
  t.true(markdown.includes('| 行政许可 | 13 | -1 | 59 |'));
  t.true(markdown.includes('| 行政事业性收费 | 14 | +8 | |'));
  t.true(markdown.includes('| 政府集中采购 | 46 | 427557.68 元 | |'));
  t.true(markdown.includes('| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 2 | 1 | 3 | 0 | 0 | 1 | 0 | 1 |'));
  t.true(markdown.includes('2019年12月26日'));
  t.false(markdown.includes('草稿'));
});
