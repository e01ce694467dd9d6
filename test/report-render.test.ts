import test from 'ava';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { buildAnnualReport } from '../src/report/build.js';
import { renderReport, outputKindForFile } from '../src/report/export.js';
import { DRAFT_MARK, ReportNotFinalError } from '../src/report/final-gate.js';
import { REQUEST_ROWS, SECTION_HEADINGS } from '../src/report/labels.js';
import { renderDocx } from '../src/report/render-docx.js';
import { renderHtml } from '../src/report/render-html.js';
import { renderMarkdown } from '../src/report/render-markdown.js';
import { CHECKS_SHEET, renderXlsx } from '../src/report/render-xlsx.js';
import type { AnnualReport, ReportFormat, AnnualReportInput } from '../src/report/types.js';

const zeros = { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 0 };

function input(format: ReportFormat): AnnualReportInput {
  return {
    year: format === '2019' ? 2020 : 2022,
    format,
    agency: { name: '测试市人民防空办公室' },
    requests: [
      { receivedOn: format === '2019' ? '2020-03-01' : '2022-03-01', closedOn: format === '2019' ? '2020-03-09' : '2022-03-09', outcome: 'other-fee-unpaid', applicant: { type: 'person' } },
    ],
    catalogItems: [],
    entered: {
      proactive:
        format === '2019'
          ? {
              regulations: { made: 0, published: 0, totalPublished: 0 },
              normativeDocuments: { made: 3, published: 3, totalPublished: 10 },
              licensing: { previousCount: 5, change: 2, decisions: 7 },
              otherServices: { previousCount: 1, change: 0, decisions: 1 },
              penalties: { previousCount: 0, change: 0, decisions: 0 },
              enforcement: { previousCount: 0, change: 0, decisions: 0 },
              fees: { previousCount: 2, change: -1 },
              procurement: { projects: 3, amount: 12000.5 },
            }
          : {
              regulations: { issued: 0, repealed: 0, inForce: 0 },
              normativeDocuments: { issued: 2, repealed: 1, inForce: 9 },
              licensing: { decisions: 40 },
              penalties: { decisions: 1 },
              enforcement: { decisions: 0 },
              fees: { amount: 1.25 },
            },
    },
    reviewCases: [],
    previous: { carryForward: zeros },
    texts: { overview: '总体情况 <b>加粗</b> & 说明', problems: '问题。', otherMatters: '无。', issuedOn: '2023-01-20' },
  };
}

const passing = (format: ReportFormat): AnnualReport => buildAnnualReport(input(format));
const failing = (format: ReportFormat): AnnualReport => buildAnnualReport({ ...input(format), previous: undefined });

test('fixtures: one report passes its checks, the other fails only the carry-over check', (t) => {
  t.true(passing('2021').final);
  t.deepEqual(failing('2021').checks.filter((c) => !c.ok).map((c) => c.name), ['requests.carriedOver']);
});

for (const format of ['2019', '2021'] as const) {
  test(`Markdown (${format}): title, agency line, every heading and every table 三 label`, (t) => {
    const markdown = renderMarkdown(passing(format));
    t.true(markdown.startsWith('# 政府信息公开工作年度报告\n'));
    t.true(markdown.includes(`测试市人民防空办公室（${format === '2019' ? 2020 : 2022}年度）`));
    for (const heading of Object.values(SECTION_HEADINGS)) t.true(markdown.includes(`## ${heading}`), heading);
    for (const row of REQUEST_ROWS[format]) {
      for (const label of [row.top, row.block, row.item]) if (label) t.true(markdown.includes(label), label);
    }
  });
}

test('HTML: A4 page, merged header cells as in the official tables, escaped staff text', (t) => {
  const html = renderHtml(passing('2021'));
  t.regex(html, /@page \{ size: A4;/);
  t.true(html.includes('<h1>政府信息公开工作年度报告</h1>'));
  t.true(html.includes('<p class="agency">测试市人民防空办公室（2022年度）</p>'));
  // Table 三: the corner note spans 3×3, 申请人情况 spans the 7 numeric columns.
  t.true(html.includes('<th rowspan="3" colspan="3" class="c">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>'));
  t.true(html.includes('<th colspan="7" class="c">申请人情况</th>'));
  t.true(html.includes('<td rowspan="22" class="l">三、本年度办理结果</td>'));
  t.true(html.includes('<td rowspan="3" class="l">（六）其他处理</td>'));
  // Table 四: 行政复议 over 5 columns, 行政诉讼 over 10.
  t.true(html.includes('<th colspan="5" class="c">行政复议</th><th colspan="10" class="c">行政诉讼</th>'));
  t.true(html.includes('<p>总体情况 &lt;b&gt;加粗&lt;/b&gt; &amp; 说明</p>'));
  t.true(html.includes('2023年1月20日'));
  t.false(html.includes(DRAFT_MARK));
});

test('HTML (2019): （六）其他处理 is one row spanning two label columns; 三 spans 20 rows', (t) => {
  const html = renderHtml(passing('2019'));
  t.true(html.includes('<td rowspan="20" class="l">三、本年度办理结果</td>'));
  t.true(html.includes('<td colspan="2" class="l">（六）其他处理</td>'));
  t.true(html.includes('<td class="c">+2</td>'));
  t.true(html.includes('<td class="c">12000.50 元</td>'));
});

test('a failing report previews with the draft banner, watermark and the failed checks', (t) => {
  const report = failing('2021');
  const html = renderHtml(report);
  t.true(html.includes(`<div class="watermark" aria-hidden="true">${DRAFT_MARK}</div>`));
  t.true(html.includes(`<div class="draft-banner" role="alert"><strong>${DRAFT_MARK}</strong>`));
  t.true(html.includes('未提供 2021 年度报告'));
  t.true(renderMarkdown(report).includes(`> **${DRAFT_MARK}**`));
});

async function docxXml(buffer: Buffer, part: string): Promise<string> {
  const zip = await JSZip.loadAsync(buffer);
  const file = zip.file(part);
  if (!file) throw new Error(`${part} missing from the .docx`);
  return file.async('string');
}

for (const format of ['2019', '2021'] as const) {
  test(`DOCX (${format}) is a valid Word package with the labels and merged cells`, async (t) => {
    const buffer = await renderDocx(passing(format));
    t.is(buffer.subarray(0, 2).toString('latin1'), 'PK');
    const xml = await docxXml(buffer, 'word/document.xml');
    t.true(await docxXml(buffer, '[Content_Types].xml').then((types) => types.includes('wordprocessingml.document.main+xml')));
    for (const label of ['政府信息公开工作年度报告', '测试市人民防空办公室', ...Object.values(SECTION_HEADINGS), '申请人情况', '复议后起诉']) {
      t.true(xml.includes(label), label);
    }
    for (const row of REQUEST_ROWS[format]) t.true(xml.includes(row.item ?? row.block ?? row.top), row.key);
    t.is((xml.match(/<w:tbl>/g) ?? []).length, 3);
    t.regex(xml, /<w:gridSpan w:val="10"\/>/);
    t.regex(xml, /<w:vMerge w:val="restart"\/>/);
    t.regex(xml, /<w:pgSz w:w="11906" w:h="16838"/);
    const zip = await JSZip.loadAsync(buffer);
    t.deepEqual(Object.keys(zip.files).filter((f) => /header\d*\.xml$/.test(f)), []);
  });
}

test('DOCX of a failing report carries the watermark in the page header and the notice', async (t) => {
  const buffer = await renderDocx(failing('2021'));
  const zip = await JSZip.loadAsync(buffer);
  const header = Object.keys(zip.files).find((f) => /^word\/header\d*\.xml$/.test(f));
  t.truthy(header);
  t.true((await docxXml(buffer, header!)).includes(`string="${DRAFT_MARK}"`));
  t.true((await docxXml(buffer, 'word/document.xml')).includes(DRAFT_MARK));
});

for (const format of ['2019', '2021'] as const) {
  test(`XLSX (${format}) opens with one sheet per table plus the checks, numbers as numbers`, async (t) => {
    const buffer = await renderXlsx(passing(format));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
    t.deepEqual(
      workbook.worksheets.map((s) => s.name),
      [SECTION_HEADINGS.proactive, SECTION_HEADINGS.requests, SECTION_HEADINGS.reviews, CHECKS_SHEET],
    );
    const requests = workbook.getWorksheet(SECTION_HEADINGS.requests)!;
    t.is(requests.getCell('A2').value, '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）');
    t.true(requests.getCell('C4').isMerged);
    t.is(requests.getCell('A5').value, '一、本年新收政府信息公开申请数量');
    t.is(requests.getCell('J5').value, 1);
    const otherRow = format === '2019' ? 25 : 26; // （六）其他处理, or its 2. 逾期未缴费 row
    t.is(requests.getCell(`J${otherRow}`).value, 1);
    t.is(requests.pageSetup.paperSize, 9);
    const reviews = workbook.getWorksheet(SECTION_HEADINGS.reviews)!;
    t.is(reviews.getCell('F2').value, '行政诉讼');
    t.is(reviews.getCell('O5').value, 0);
    const checks = workbook.getWorksheet(CHECKS_SHEET)!;
    t.is(checks.rowCount, passing(format).checks.length + 1);
  });
}

test('XLSX of a failing report marks every table sheet as a draft', async (t) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await renderXlsx(failing('2021'))) as unknown as ExcelJS.Buffer);
  for (const sheet of workbook.worksheets.slice(0, 3)) t.is(sheet.getCell('A2').value, DRAFT_MARK, sheet.name);
  t.is(workbook.getWorksheet(CHECKS_SHEET)!.getCell('B6').value, '未通过');
});

for (const kind of ['json', 'md', 'html', 'docx', 'xlsx'] as const) {
  test(`export as final (${kind}) is refused when a check fails, allowed when all pass`, async (t) => {
    const error = await t.throwsAsync(renderReport(failing('2021'), kind, { final: true }), { instanceOf: ReportNotFinalError });
    t.is(error?.code, 'REPORT_NOT_FINAL');
    t.deepEqual(error?.failedChecks.map((c) => c.name), ['requests.carriedOver']);
    t.regex(error?.message ?? '', /校验未通过，不能导出正式版/);
    const preview = await renderReport(failing('2021'), kind);
    t.true(preview.body.length > 0);
    const final = await renderReport(passing('2021'), kind, { final: true });
    t.true(final.body.length > 0);
  });
}

test('the output kind follows the file extension', (t) => {
  t.deepEqual(
    ['a.md', 'B.HTML', 'c.htm', 'd.docx', 'e.xlsx', 'f.json', 'g.pdf', 'noext', 'dir.md/file'].map(outputKindForFile),
    ['md', 'html', 'html', 'docx', 'xlsx', 'json', null, null, null],
  );
});
