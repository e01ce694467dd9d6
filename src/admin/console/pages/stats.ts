// 本年概况: how many requests arrived each month this year and how the closed ones ended — two
// server-drawn charts, each followed by its numbers as a table.
import type { Router } from '@koa/router';
import type { ConsoleKit } from '../kit.js';
import { html } from '../../../http/html.js';
import { barListChart, columnChart } from '../charts.js';
import { yearStats } from '../stats.js';

export function mountStatsPage(router: Router, kit: ConsoleKit): void {
  const { applications } = kit.deps;

  router.get('/stats', kit.staff, async (ctx) => {
    kit.open(ctx, 'stats');
    const today = applications.today();
    const year = Number(today.slice(0, 4));
    // Only the year's requests: yearStats counts what was received or closed in it.
    const stats = yearStats((await applications.ofYear(year)).map((app) => applications.view(app, 'staff')), year);
    const months = stats.receivedPerMonth.map((_, i) => `${i + 1}月`);

    kit.page(ctx, {
      title: `${year} 年概况`,
      current: 'stats',
      body: html`<p class="summary">截至 ${today}：本年收到申请 ${stats.received} 件，办结 ${stats.closed} 件。</p>
<div class="charts">
<figure>
<figcaption>每月收到的申请</figcaption>
${columnChart({ id: 'per-month', title: `${year} 年每月收到的申请件数`, labels: months, values: stats.receivedPerMonth, mutedFrom: Number(today.slice(5, 7)) })}
<table class="numbers"><thead><tr>${months.map((m) => html`<th>${m}</th>`)}</tr></thead><tbody><tr>${stats.receivedPerMonth.map((n) => html`<td>${n}</td>`)}</tr></tbody></table>
</figure>
<figure>
<figcaption>本年办结申请的办理结果</figcaption>
${barListChart({ id: 'outcomes', title: `${year} 年办结申请的办理结果`, rows: stats.outcomes })}
<table class="numbers"><thead><tr>${stats.outcomes.map((o) => html`<th>${o.label}</th>`)}</tr></thead><tbody><tr>${stats.outcomes.map((o) => html`<td>${o.count}</td>`)}</tr></tbody></table>
</figure>
</div>
<p class="hint">按收到申请之日和办结之日统计，口径与年度报告表三一致；分类同表三的（一）至（六）。</p>`,
    });
  });
}
