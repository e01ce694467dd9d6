// 节假日: the State Council's holiday arrangements the deadlines are counted on, year by year, and
// the upload of next year's file once it is announced (every open due date is recomputed at once).
import type { Router } from '@koa/router';
import { addDays, type HolidayFile } from '../../../domain/calendar.js';
import { can } from '../../../domain/roles.js';
import { HolidayFileError } from '../../../store/holiday-files.js';
import { DomainError } from '../../../domain/errors.js';
import type { ConsoleKit } from '../kit.js';
import { html, safeUrl, type SafeHtml } from '../../../http/html.js';
import { field } from '../form-fields.js';

export interface HolidaySummary {
  name: string;
  /** Consecutive days off, as [first, last]. */
  offRanges: Array<[string, string]>;
  /** Weekend days made working days (调休上班). */
  workdays: string[];
}

/** A year's file as people read it: each festival's days off as ranges, and its make-up working days. */
export function summarizeHolidays(file: HolidayFile): HolidaySummary[] {
  const byName = new Map<string, HolidaySummary>();
  for (const day of [...file.days].sort((a, b) => a.date.localeCompare(b.date))) {
    let summary = byName.get(day.name);
    if (!summary) byName.set(day.name, (summary = { name: day.name, offRanges: [], workdays: [] }));
    if (!day.isOffDay) {
      summary.workdays.push(day.date);
      continue;
    }
    const last = summary.offRanges.at(-1);
    if (last && addDays(last[1], 1) === day.date) last[1] = day.date;
    else summary.offRanges.push([day.date, day.date]);
  }
  return [...byName.values()].sort((a, b) => (a.offRanges[0]?.[0] ?? a.workdays[0] ?? '').localeCompare(b.offRanges[0]?.[0] ?? b.workdays[0] ?? ''));
}

const monthDay = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
const range = ([a, b]: [string, string]) => (a === b ? monthDay(a) : `${monthDay(a)}—${monthDay(b)}`);

function yearTable(file: HolidayFile): SafeHtml {
  const rows = summarizeHolidays(file);
  return html`<details class="year"><summary>${file.year} 年（${file.days.filter((d) => d.isOffDay).length} 天放假，${file.days.filter((d) => !d.isOffDay).length} 天调休上班）</summary>
<table><thead><tr><th>节日</th><th>放假</th><th>调休上班</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.name}</td><td>${r.offRanges.map(range).join('、') || '—'}</td><td>${r.workdays.map(monthDay).join('、') || '—'}</td></tr>`)}</tbody></table>
${file.papers.map((p) => safeUrl(p)).filter(Boolean).map((p) => html`<p class="hint">依据：<a href="${p}" rel="noopener noreferrer" target="_blank">${p}</a></p>`)}
</details>`;
}

export function mountCalendarPage(router: Router, kit: ConsoleKit): void {
  const { calendar, applications } = kit.deps;

  router.get('/calendar', kit.staff, (ctx) => {
    const who = kit.open(ctx, 'calendar');
    const files = calendar.files();
    const years = calendar.current().coveredYears;
    const thisYear = Number(applications.today().slice(0, 4));
    const nextMissing = !calendar.current().covers(thisYear + 1);
    const suggested = Math.max(thisYear, ...years) + 1;

    kit.page(ctx, {
      title: '节假日安排',
      current: 'calendar',
      body: html`<p>答复期限按工作日计算，以国务院办公厅公布的节假日安排为准（调休上班日算工作日）。已覆盖的年份：${years.length ? years.join('、') : '无'}。</p>
${nextMissing && html`<p class="warning">${thisYear + 1} 年的安排尚未录入：跨入该年的期限暂按周一至周五、除去法律规定的节日假期推算，并标为“暂估”。国务院公布后请上传。</p>`}
${
  can(who.roles, 'calendar.edit') &&
  html`<section aria-labelledby="h-upload"><h2 id="h-upload">上传一年的安排</h2>
<form method="post" action="/admin/calendar" class="upload">
${kit.csrf(ctx)}
<label>年份 <input type="number" name="year" value="${suggested}" min="2000" max="2100" required></label>
<label>文件（holiday-cn 格式的 JSON）<input type="file" id="holiday-file" accept=".json,application/json" data-fills="holiday-json"></label>
<label>或粘贴文件内容 <textarea name="json" id="holiday-json" rows="8" required placeholder="{&quot;year&quot;: ${suggested}, &quot;papers&quot;: […], &quot;days&quot;: […]}"></textarea></label>
<button type="submit">上传并重算期限</button>
</form></section>`
}
<section aria-labelledby="h-years"><h2 id="h-years">已录入的安排</h2>${[...files].reverse().map(yearTable)}</section>`,
    });
  });

  router.post('/calendar', kit.staff, async (ctx) => {
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    await kit.act(ctx, '/admin/calendar', async () => {
      const who = kit.open(ctx, 'calendar');
      if (!can(who.roles, 'calendar.edit')) throw new DomainError('forbidden', '当前账号的角色无权修改节假日安排');
      const year = Number(field(form, 'year'));
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new DomainError('validation', '请填写年份，例如 2027');
      let json: unknown;
      try {
        json = JSON.parse(typeof form.json === 'string' ? form.json : '');
      } catch (error) {
        throw new DomainError('validation', `文件内容不是有效的 JSON：${(error as Error).message}`);
      }
      try {
        const saved = await calendar.upload(json, year);
        return `已更新 ${year} 年节假日安排（${saved.days.length} 天），所有未办结申请的期限已按新安排重算。`;
      } catch (error) {
        if (error instanceof HolidayFileError) return { kind: 'error', text: `${year} 年的安排文件有误，未保存：`, details: error.problems };
        throw error;
      }
    });
  });
}
