// 年度报告: the annual report of a year as it stands — its checks first (what must be fixed before a
// final export), then the preview, and the downloads from the report's own staff routes, which
// accept the console's session cookie.
import type { Router } from '@koa/router';
import { buildAnnualReport } from '../../../report/build.js';
import { parseYear } from '../../../report/input-parsers.js';
import { defaultFormatForYear } from '../../../report/labels.js';
import { loadReportInputs, type ReportEditingDeps } from '../../../report/store-inputs.js';
import type { ReportFormat } from '../../../report/types.js';
import type { ConsoleKit } from '../kit.js';
import { html, query } from '../../../http/html.js';
import { field } from '../form-fields.js';
import { mountReportInputRoutes, reportInputForms } from './report-inputs.js';

const PREVIOUS_SOURCE: Record<string, string> = {
  entered: '上年结转数为工作人员录入',
  'final-export': '上年结转数取自上年度正式导出的报告',
  computed: '上年结转数由系统记录计算',
  none: '缺少上年结转数',
};

/** The report's inputs, and the records staff type in, which this page also edits. */

/** The year asked for, when the report API would accept it; `fallback` otherwise. */
function yearOr(text: string, thisYear: number, fallback: number): number {
  try {
    return parseYear(text, thisYear);
  } catch {
    return fallback;
  }
}

export function mountReportPage(router: Router, kit: ConsoleKit, report: ReportEditingDeps): void {
  mountReportInputRoutes(router, kit, report.reportRepo, kit.deps.clock ?? (() => new Date()));

  router.get('/report', kit.staff, async (ctx) => {
    kit.open(ctx, 'report');
    const thisYear = Number(kit.deps.applications.today().slice(0, 4));
    const q = ctx.query as Record<string, unknown>;
    // Until the report is published (by 31 January), last year's is the one being prepared.
    const year = field(q, 'year') ? yearOr(field(q, 'year'), thisYear, thisYear - 1) : thisYear - 1;
    const format: ReportFormat = field(q, 'format') === '2019' || field(q, 'format') === '2021' ? (field(q, 'format') as ReportFormat) : defaultFormatForYear(year);
    const [{ previousSource, ...inputs }, record, cases] = await Promise.all([loadReportInputs(year, report), report.reportRepo.year(year), report.reportRepo.reviewCases()]);
    const built = buildAnnualReport({ ...inputs, year, format });
    const failed = built.checks.filter((c) => !c.ok);
    const link = (output: string) => `/admin/v1/reports/annual${query({ year, format, output })}`;
    const years = Array.from({ length: 6 }, (_, i) => thisYear - i);

    kit.page(ctx, {
      title: `${year} 年度政府信息公开工作年度报告`,
      current: 'report',
      wide: true,
      body: html`<form method="get" action="/admin/report" class="filters">
<label>年度 <select name="year">${years.map((y) => html`<option value="${y}"${y === year ? html` selected` : ''}>${y}</option>`)}</select></label>
<label>格式 <select name="format"><option value="2021"${format === '2021' ? html` selected` : ''}>2021 年起的格式</option><option value="2019"${format === '2019' ? html` selected` : ''}>2019 年格式</option></select></label>
<button type="submit">查看</button>
</form>
<section aria-labelledby="h-checks"><h2 id="h-checks">核对结果</h2>
<p class="${failed.length ? 'warning' : 'ok-text'}">${failed.length ? `有 ${failed.length} 项核对未通过，修正前不能正式导出。` : '全部核对通过，可以正式导出。'}${PREVIOUS_SOURCE[previousSource] ? `（${PREVIOUS_SOURCE[previousSource]}）` : ''}</p>
<ul class="checks">${[...failed, ...built.checks.filter((c) => c.ok)].map((c) => html`<li class="${c.ok ? 'ok' : 'failed'}"><span class="mark">${c.ok ? '通过' : '未通过'}</span> ${c.detail}</li>`)}</ul>
</section>
${reportInputForms(ctx, kit, { year, format, report: built, record, previousSource, cases })}
<section aria-labelledby="h-downloads"><h2 id="h-downloads">下载（草稿）</h2>
<p class="downloads"><a href="${link('html')}" target="_blank" rel="noopener">网页版</a> <a href="${link('docx')}" download>Word</a> <a href="${link('xlsx')}" download>Excel</a> <a href="${link('md')}" download>Markdown</a></p>
</section>
<section aria-labelledby="h-preview"><h2 id="h-preview">预览</h2>
<iframe class="report-preview" src="${link('html')}" title="${year} 年度报告预览"></iframe>
</section>`,
    });
  });
}
