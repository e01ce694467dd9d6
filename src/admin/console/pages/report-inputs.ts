// 年度报告 · 录入: what only staff know, typed in on the report page itself — table 二's figures the
// catalog does not give, the fees collected, the written sections, last year's carry-forward when
// the system holds no record of last year, and the reconsideration and lawsuit cases. The forms go
// through the same parsers as the staff API (src/report/input-parsers.ts), so both name the same
// mistake the same way, and a refused form changes nothing.
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import { can } from '../../../domain/roles.js';
import { todayInChina } from '../../../domain/calendar.js';
import { DomainError } from '../../../domain/errors.js';
import { parseCarryForward, parseEnteredFigures, parseReviewCase, parseTexts, parseYear } from '../../../report/input-parsers.js';
import { PROACTIVE_BLOCKS, REQUEST_COLUMNS, REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS, SIGNED_PROACTIVE_COLUMNS } from '../../../report/labels.js';
import type { PreviousSource, ReportEditor } from '../../../report/store-inputs.js';
import { FIGURE_NAMES_ZH, formatFigure, lookupFigure } from '../../../report/figures.js';
import type { AnnualReport, EnteredFigures, ProactiveTable, ReportFormat } from '../../../report/types.js';
import type { ReportYearRecord, StoredReviewCase } from '../../../store/report-repo.js';
import { html, query, type SafeHtml } from '../../../http/html.js';
import type { ConsoleKit } from '../kit.js';
import { field } from '../form-fields.js';

/** What the forms read and write of the report's records. */

type Form = Record<string, unknown>;

const CARRY_COLUMNS = REQUEST_COLUMNS.filter((c) => c.key !== 'total');

const TEXTS = [
  { key: 'overview', label: '一、总体情况' },
  { key: 'problems', label: '五、存在的主要问题及改进情况' },
  { key: 'otherMatters', label: '六、其他需要报告的事项' },
] as const;

export interface ReportInputsView {
  year: number;
  format: ReportFormat;
  report: AnnualReport;
  record: Readonly<ReportYearRecord>;
  previousSource: PreviousSource;
  cases: readonly StoredReviewCase[];
}

/** The forms, for staff who may edit the report; nothing for those who may only read it. */
export function reportInputForms(ctx: Context, kit: ConsoleKit, view: ReportInputsView): SafeHtml | null {
  if (!can(kit.open(ctx, 'report').roles, 'report.edit')) return null;
  const { year, format } = view;
  const action = (path: string) => `/admin/report/${year}/${path}`;
  const hidden = html`${kit.csrf(ctx)}<input type="hidden" name="format" value="${format}">`;
  return html`<section aria-labelledby="h-entry"><h2 id="h-entry">录入</h2>
<p class="hint">系统无法统计的数字和报告的文字部分在这里填写；保存后上方的核对结果和预览随即更新。</p>
${proactiveForm(view, action('entered'), hidden)}
${textsForm(view, action('texts'), hidden)}
${carryForwardForm(view, action('previous'), hidden)}
${casesSection(view, action('cases'), hidden)}
</section>`;
}

function proactiveForm({ format, report, record }: ReportInputsView, action: string, hidden: SafeHtml): SafeHtml {
  const typed = record.entered.proactive ?? {};
  const fees = record.entered.feesCollected;
  return html`<details class="entry" open><summary>表二 主动公开政府信息情况，信息处理费</summary>
<form method="post" action="${action}">
${hidden}
${PROACTIVE_BLOCKS[format].map(
  (block) => html`<table class="entry"><caption>${block.item}</caption>
<thead><tr><th scope="col">信息内容</th>${block.columns.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
<tbody>${block.rows.map(
    (row) => html`<tr><th scope="row">${row.label}</th>${block.columns.map((column) => {
      const source = report.sources.proactive[`${row.key}.${column.key}`];
      const value = typed[row.key]?.[column.key];
      const counted = source === 'catalog' ? report.tables.proactive[row.key]?.[column.key] : null;
      return html`<td class="${source === 'missing' ? 'missing' : ''}"><input type="number" step="any"${SIGNED_PROACTIVE_COLUMNS.has(column.key) ? '' : html` min="0"`} name="p-${row.key}-${column.key}" value="${typeof value === 'number' ? value : ''}" aria-label="${row.label}：${column.label}"${counted === null || counted === undefined ? '' : html` placeholder="${counted}" title="留空则按目录自动统计（${counted}）"`}></td>`;
    })}</tr>`,
  )}</tbody></table>`,
)}
<p class="hint">带底色的格子尚未填写。有灰色数字的格子可以留空：按信息公开目录自动统计。</p>
<label>本年收取的信息处理费（元）<input type="number" step="0.01" min="0" name="feesCollected" value="${typeof fees === 'number' ? fees : ''}"></label>
<button type="submit">保存表二和收费</button>
</form></details>`;
}

function textsForm({ record, report }: ReportInputsView, action: string, hidden: SafeHtml): SafeHtml {
  const texts = record.texts;
  const named = Object.entries(FIGURE_NAMES_ZH).map(([zh, name]) => ({ zh, value: lookupFigure(report.figures, name) }));
  return html`<details class="entry"${texts ? '' : html` open`}><summary>文字部分</summary>
<form method="post" action="${action}">
${hidden}
${TEXTS.map((t) => html`<label>${t.label}<textarea name="${t.key}" rows="6">${texts?.[t.key] ?? ''}</textarea></label>`)}
<label>成文日期 <input type="date" name="issuedOn" value="${texts?.issuedOn ?? ''}"></label>
<p class="hint">文字中可以用 {{名称}} 引用报告里的数字，与表格自动一致，例如“本年新收申请 {{本年新收申请数}} 件”。可用的名称（括号内为当前数值）：${named
    .map(({ zh, value }) => `${zh}（${value === undefined ? '—' : formatFigure(value)}）`)
    .join('、')}。</p>
<button type="submit">保存文字</button>
</form></details>`;
}

function carryForwardForm({ record, previousSource }: ReportInputsView, action: string, hidden: SafeHtml): SafeHtml | null {
  // Only when the system cannot say it itself, or staff already said it.
  if (previousSource !== 'none' && previousSource !== 'entered') return null;
  const typed = record.carryForward ?? {};
  return html`<details class="entry" open><summary>上年结转（上一年度报告“四、结转下年度继续办理”一行）</summary>
<form method="post" action="${action}">
${hidden}
<table class="entry"><thead><tr>${CARRY_COLUMNS.map((c) => html`<th scope="col">${c.name}</th>`)}</tr></thead>
<tbody><tr>${CARRY_COLUMNS.map((c) => html`<td><input type="number" min="0" step="1" name="c-${c.key}" value="${typeof typed[c.key] === 'number' ? typed[c.key] : ''}" aria-label="${c.name}"></td>`)}</tr></tbody></table>
<button type="submit">保存上年结转</button>${previousSource === 'entered' ? html` <button type="submit" name="clear" value="1" class="secondary">清除</button>` : ''}
</form></details>`;
}

function casesSection({ cases, record }: ReportInputsView, action: string, hidden: SafeHtml): SafeHtml {
  const sorted = [...cases].sort((a, b) => a.filedOn.localeCompare(b.filedOn));
  const options = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => html`<option value="${value}">${label}</option>`);
  return html`<details class="entry" open><summary>行政复议、行政诉讼案件（各年度共 ${cases.length} 件）</summary>
${
  record.entered.reviews
    ? html`<p class="warning">本年度表四的数字已通过接口直接填写，报告以那些数字为准，不按下列案件统计。</p>`
    : html`<p class="hint">表四按这里的案件统计。跨年度的案件只录入一次：立案的年度计为“尚未审结”，审结的年度计入其结果。</p>`
}
${
  sorted.length
    ? html`<table><thead><tr><th>类别</th><th>立案日期</th><th>审结日期</th><th>结果</th><th>备注</th><th></th></tr></thead>
<tbody>${sorted.map(
        (c) => html`<tr><td data-label="类别">${REVIEW_KIND_LABELS[c.kind]}</td><td data-label="立案日期">${c.filedOn}</td><td data-label="审结日期">${c.closedOn ?? '—'}</td><td data-label="结果">${REVIEW_RESULT_LABELS[c.result]}</td><td data-label="备注">${c.note ?? ''}</td>
<td><form method="post" action="${action}/${c.id}/delete">${hidden}<button type="submit" class="secondary">删除</button></form></td></tr>`,
      )}</tbody></table>`
    : html`<p>尚未录入案件。</p>`
}
<form method="post" action="${action}" class="case">
${hidden}
<label>类别 <select name="kind">${options(REVIEW_KIND_LABELS)}</select></label>
<label>结果 <select name="result">${options(REVIEW_RESULT_LABELS)}</select></label>
<label>立案日期 <input type="date" name="filedOn" required></label>
<label>审结日期 <input type="date" name="closedOn"></label>
<label>备注（如案号）<input type="text" name="note" maxlength="200"></label>
<button type="submit">添加案件</button>
</form></details>`;
}

/** A number typed into a field, or what was typed, for the parser to name; empty is "not given". */
function typedNumber(text: string): number | string | undefined {
  if (text === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** Table 二 from the form: the cells shown replace what was typed before; other rows are kept. */
function proactiveFromForm(form: Form, format: ReportFormat, before: ProactiveTable): Record<string, Record<string, unknown>> {
  const table: Record<string, Record<string, unknown>> = Object.fromEntries(Object.entries(before).map(([row, cells]) => [row, { ...cells }]));
  for (const block of PROACTIVE_BLOCKS[format]) {
    for (const row of block.rows) {
      const cells = (table[row.key] ??= {});
      for (const column of block.columns) {
        const value = typedNumber(field(form, `p-${row.key}-${column.key}`));
        if (value === undefined) delete cells[column.key];
        else cells[column.key] = value;
      }
      if (Object.keys(cells).length === 0) delete table[row.key];
    }
  }
  return table;
}

export function mountReportInputRoutes(router: Router, kit: ConsoleKit, editor: ReportEditor, clock: () => Date): void {
  /** One form's change to a year's records, by someone who may edit the report; back to the report page. */
  const change = (path: string, run: (form: Form, year: number, format: ReportFormat, username: string, params: Record<string, string>) => Promise<string>) =>
    router.post(`/report/:year/${path}`, kit.staff, async (ctx) => {
      const form = (ctx.request.body ?? {}) as Form;
      const format: ReportFormat = field(form, 'format') === '2019' ? '2019' : '2021';
      const back = `/admin/report${query({ year: /^\d{4}$/.test(ctx.params.year ?? '') ? ctx.params.year : null, format })}`;
      await kit.act(ctx, back, async () => {
        const who = kit.open(ctx, 'report');
        if (!can(who.roles, 'report.edit')) throw new DomainError('forbidden', '当前账号的角色无权修改年度报告');
        // The same years as the report's staff API.
        const year = parseYear(ctx.params.year, Number(kit.deps.applications.today().slice(0, 4)));
        return run(form, year, format, who.username, ctx.params as Record<string, string>);
      });
    });

  change('entered', async (form, year, format, username) => {
    const fees = typedNumber(field(form, 'feesCollected'));
    // Read and written in one step: a change of table 四 through the staff API meanwhile is kept.
    const entered = (before: EnteredFigures) =>
      parseEnteredFigures({
        proactive: proactiveFromForm(form, format, before.proactive ?? {}),
        // Table 四 typed in through the staff API stays as it is; this page counts it from the cases.
        ...(before.reviews ? { reviews: before.reviews } : {}),
        ...(fees === undefined ? {} : { feesCollected: fees }),
      });
    await editor.setEntered(year, entered, username);
    return `已保存 ${year} 年度表二和收费数字。`;
  });

  change('texts', async (form, year, _format, username) => {
    const texts = parseTexts({
      ...Object.fromEntries(TEXTS.map((t) => [t.key, typeof form[t.key] === 'string' ? form[t.key] : ''])),
      ...(field(form, 'issuedOn') ? { issuedOn: field(form, 'issuedOn') } : {}),
    });
    await editor.setTexts(year, texts, username);
    return `已保存 ${year} 年度报告的文字部分。`;
  });

  change('previous', async (form, year, _format, username) => {
    if (field(form, 'clear') === '1') {
      await editor.setCarryForward(year, null, username);
      return '已清除录入的上年结转数。';
    }
    const typed = Object.fromEntries(
      CARRY_COLUMNS.flatMap((c) => {
        const value = typedNumber(field(form, `c-${c.key}`));
        return value === undefined ? [] : [[c.key, value]];
      }),
    );
    await editor.setCarryForward(year, parseCarryForward({ carryForward: typed }), username);
    return `已保存 ${year} 年度报告的上年结转数。`;
  });

  change('cases', async (form, year, _format, username) => {
    const input = parseReviewCase(
      {
        kind: field(form, 'kind'),
        result: field(form, 'result'),
        filedOn: field(form, 'filedOn'),
        ...(field(form, 'closedOn') ? { closedOn: field(form, 'closedOn') } : {}),
        ...(field(form, 'note') ? { note: field(form, 'note') } : {}),
      },
      todayInChina(clock()),
    );
    await editor.addReviewCase(year, input, username);
    return `已添加案件：${REVIEW_KIND_LABELS[input.kind]}，立案日期 ${input.filedOn}。`;
  });

  change('cases/:id/delete', async (_form, year, _format, username, params) => {
    if (!(await editor.removeReviewCase(year, params.id!, username))) throw new DomainError('not-found', '找不到该案件，可能已被删除');
    return '已删除案件。';
  });
}
