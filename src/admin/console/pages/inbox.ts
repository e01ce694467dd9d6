// 申请办理: the open requests, most urgent first (listApplications decides the order and the
// counts), with filters by state, urgency and handler. A table on an office screen, cards on a phone.
import type { Router } from '@koa/router';
import { listApplications } from '../../application-list.js';
import { APPLICATION_STATUSES, STATUS_LABELS, replyClockRuns } from '../../../domain/applications/index.js';
import { can } from '../../../domain/roles.js';
import type { ConsoleKit } from '../kit.js';
import { html, query, type SafeHtml } from '../../../http/html.js';
import { clip } from '../format.js';
import { field } from '../form-fields.js';

type Listed = Awaited<ReturnType<typeof listApplications>>['applications'][number];

const FILTERS = [
  { id: 'open', label: '未办结' },
  { id: 'overdue', label: '已逾期' },
  { id: 'due-soon', label: '5 个工作日内到期' },
  { id: 'paused', label: '暂停计时' },
  { id: 'all', label: '全部（含已办结）' },
] as const;

export function mountInbox(router: Router, kit: ConsoleKit): void {
  const { applications, accounts } = kit.deps;

  router.get('/', kit.staff, async (ctx) => {
    const who = ctx.state.staff;
    if (!can(who.roles, 'applications.view')) {
      // Roles without requests (the submitting section) start at the first page they may use.
      return ctx.redirect(kit.features.has('catalog') && can(who.roles, 'catalog.view') ? '/admin/catalog' : '/admin/account');
    }
    kit.open(ctx, 'inbox');
    const q = ctx.query as Record<string, unknown>;
    const filters = { status: field(q, 'status'), filter: field(q, 'filter'), handler: field(q, 'handler'), q: field(q, 'q') };
    const list = await listApplications(applications, ctx.query, who);
    const today = applications.today();
    const handlers = (await accounts.directory()).filter((u) => u.roles.some((r) => r === 'handler' || r === 'registrar' || r === 'admin'));
    const pages = Math.max(1, Math.ceil(list.total / list.pageSize));

    const remaining = (a: Listed): string => {
      if (a.paused) return '暂停计时';
      if (!a.dueDate) return '—';
      if (a.overdue) return `逾期 ${applications.workingDaysBetween(a.dueDate, today)} 个工作日`;
      if (replyClockRuns(a)) return `剩 ${applications.workingDaysBetween(today, a.dueDate)} 个工作日`;
      return '—';
    };
    const marks = (a: Listed): SafeHtml => html`${a.overdue && html`<span class="badge overdue">逾期</span>`}${a.dueSoon && html`<span class="badge due-soon">即将到期</span>`}${
      a.paused && html`<span class="badge paused">暂停</span>`
    }${a.dueDateProvisional && html`<span class="badge provisional" title="日历未覆盖该年份，按周一至周五、除去法定节日推算">暂估</span>`}${
      a.channel === 'import' && html`<span class="badge imported" title="从历史登记簿导入的记录">历史导入</span>`
    }`;
    const rowClass = (a: Listed) => [a.overdue && 'overdue', a.dueSoon && 'due-soon', a.paused && 'paused'].filter(Boolean).join(' ') || null;
    const counter = (label: string, count: number, params: Record<string, string>, kind: string) =>
      html`<li class="count ${kind}"><a href="/admin${query(params)}"><strong>${count}</strong><span>${label}</span></a></li>`;

    kit.page(ctx, {
      title: '申请办理',
      current: 'inbox',
      wide: true,
      body: html`${can(who.roles, 'applications.import') && html`<p class="page-actions"><a class="button" href="/admin/applications/new">登记申请（信函、传真、当面等）</a></p>`}
<ul class="counts" aria-label="统计">
${counter('未办结', list.counts.open, {}, 'open')}
${counter('已逾期', list.counts.overdue, { filter: 'overdue' }, 'overdue')}
${counter('5 个工作日内到期', list.counts.dueSoon, { filter: 'due-soon' }, 'due-soon')}
${counter('暂停计时', list.counts.paused, { filter: 'paused' }, 'paused')}
${counter('待确认收到', list.counts.unreceived, { status: 'submitted' }, 'unreceived')}
${counter('全部申请', list.counts.total, { filter: 'all' }, 'total')}
</ul>
<form method="get" action="/admin" class="filters">
<label>状态 <select name="status"><option value="">（不限）</option>${APPLICATION_STATUSES.map(
        (s) => html`<option value="${s}"${filters.status === s ? html` selected` : ''}>${STATUS_LABELS[s]}</option>`,
      )}</select></label>
<label>范围 <select name="filter">${FILTERS.map((f) => html`<option value="${f.id}"${filters.filter === f.id ? html` selected` : ''}>${f.label}</option>`)}</select></label>
<label>经办人 <select name="handler"><option value="">（不限）</option>${handlers.map(
        (u) => html`<option value="${u.username}"${filters.handler === u.username ? html` selected` : ''}>${u.displayName}</option>`,
      )}</select></label>
<label>查找 <input name="q" value="${filters.q}" placeholder="编号、申请人或内容"></label>
<button type="submit">筛选</button>
</form>
<p class="summary">共 ${list.total} 件${pages > 1 ? `，第 ${list.page}/${pages} 页` : ''}。今天是 ${today}。</p>
${
  list.applications.length === 0
    ? html`<p class="empty">没有符合条件的申请。</p>`
    : html`<table class="inbox cards">
<thead><tr><th>编号</th><th>申请人</th><th>申请内容</th><th>状态</th><th>收到日期</th><th>答复期限</th><th>剩余</th></tr></thead>
<tbody>${list.applications.map(
        (a) => html`<tr${rowClass(a) && html` class="${rowClass(a)}"`}>
<td data-label="编号"><a href="/admin/applications/${a.id}">${a.trackingNo}</a></td>
<td data-label="申请人">${a.applicant.name}</td>
<td data-label="申请内容" class="desc">${clip(a.request.description, 40)}</td>
<td data-label="状态">${a.statusLabel} ${marks(a)}</td>
<td data-label="收到日期">${a.receivedOn ?? '—'}</td>
<td data-label="答复期限" class="due-date">${a.paused ? '暂停中' : (a.dueDate ?? '—')}</td>
<td data-label="剩余">${remaining(a)}</td>
</tr>`,
      )}</tbody>
</table>`
}
${
  pages > 1 &&
  html`<nav class="pager" aria-label="翻页">${list.page > 1 && html`<a href="/admin${query({ ...filters, page: list.page - 1 })}">上一页</a>`} ${
    list.page < pages && html`<a href="/admin${query({ ...filters, page: list.page + 1 })}">下一页</a>`
  }</nav>`
}`,
    });
  });
}
