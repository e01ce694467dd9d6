// 发布审核: the proactive-disclosure items waiting for someone (先审后发、分级审核). Each stage shows
// its buttons only to the role that acts there (catalog/review.ts has the same rule and refuses the
// rest); a reviewer who already approved an item this round is not offered a second approval.
import type { Router } from '@koa/router';
import { can } from '../../../domain/roles.js';
import type { StaffPrincipal } from '../../../accounts/staff-accounts.js';
import type { StaffItemView } from '../../../catalog/service.js';
import { STATE_LABELS } from '../../../catalog/review.js';
import type { ItemState } from '../../../catalog/types.js';
import type { ConsoleKit } from '../kit.js';
import { html, query, safeUrl, type SafeHtml } from '../../../http/html.js';
import { actorName, chinaDateTime } from '../format.js';
import { field } from '../form-fields.js';
import { bookTitle } from '../../../domain/book-title.js';
import { editLink } from './catalog-edit.js';

const QUEUES: readonly ItemState[] = ['confidentiality-review', 'leader-review', 'returned', 'draft', 'published'];
const STAGE_LABELS: Record<string, string> = { submit: '报送', confidentiality: '保密审查', leader: '领导审核' };
const DECISION_LABELS: Record<string, string> = { submitted: '已报送', approved: '通过', rejected: '退回' };

/** The buttons this person has on this item, by the stage it is at. */
export function reviewChoices(item: Pick<StaffItemView, 'state' | 'reviews'>, who: Pick<StaffPrincipal, 'username' | 'roles'>): Array<'submit' | 'approve' | 'reject'> {
  if (item.state === 'draft' || item.state === 'returned') return can(who.roles, 'catalog.submit') ? ['submit'] : [];
  const action = item.state === 'confidentiality-review' ? 'catalog.review' : item.state === 'leader-review' ? 'catalog.approve' : null;
  if (!action || !can(who.roles, action)) return [];
  const start = item.reviews.findLastIndex((r) => r.stage === 'submit');
  const round = start < 0 ? [] : item.reviews.slice(start);
  // The server refuses both (review.ts): a second approval by one person, and approving what one submitted.
  const mayNotApprove = round.some((r) => (r.decision === 'approved' || r.decision === 'submitted') && r.by === who.username);
  return mayNotApprove ? ['reject'] : ['approve', 'reject'];
}

export function mountCatalogPage(router: Router, kit: ConsoleKit, catalog: NonNullable<ConsoleKit['deps']['catalog']>): void {
  router.get('/catalog', kit.staff, async (ctx) => {
    const who = kit.open(ctx, 'catalog');
    const wanted = field(ctx.query as Record<string, unknown>, 'state');
    const state = (QUEUES as readonly string[]).includes(wanted) ? (wanted as ItemState) : 'confidentiality-review';
    const page = await catalog.list({ state, page: field(ctx.query as Record<string, unknown>, 'page') || undefined });
    const counts = new Map(await Promise.all(QUEUES.map(async (s) => [s, (await catalog.list({ state: s, pageSize: '1' })).total] as const)));
    const names = await kit.names();

    const item = (view: StaffItemView): SafeHtml => {
      const choices = reviewChoices(view, who);
      const url = safeUrl(view.url);
      return html`<article class="item">
<h3>${view.title}</h3>
<p class="meta">${view.categoryName} · 索引号 ${view.indexNo}${view.documentNumber ? ` · ${view.documentNumber}` : ''} · ${actorName(view.createdBy, names)} 起草于 ${chinaDateTime(view.createdAt)}</p>
${view.summary && html`<p>${view.summary}</p>`}
${url && html`<p><a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a></p>`}
${view.returnedReason && html`<p class="warning">退回原因：${view.returnedReason}</p>`}
${editLink(view, who.roles)}
${
  view.reviews.length > 0 &&
  html`<ol class="trail">${view.reviews.map(
    (r) => html`<li>${STAGE_LABELS[r.stage] ?? r.stage} ${DECISION_LABELS[r.decision] ?? r.decision}：${actorName(r.by, names)}，${chinaDateTime(r.at)}${r.reason ? `（${r.reason}）` : ''}</li>`,
  )}</ol>`
}
${
  choices.length > 0 &&
  html`<form method="post" action="/admin/catalog/${view.id}${query({ back: state })}" class="review">${kit.csrf(ctx)}
${choices.includes('submit') && html`<button name="type" value="submit">报送审核</button>`}
${choices.includes('approve') && html`<button name="type" value="approve">${view.state === 'leader-review' ? '审核通过并发布' : '保密审查通过'}</button>`}
${choices.includes('reject') && html`<label>退回原因 <input name="reason"></label> <button name="type" value="reject" class="secondary">退回修改</button>`}
</form>`
}
</article>`;
    };

    kit.page(ctx, {
      title: '发布审核',
      current: 'catalog',
      body: html`${can(who.roles, 'catalog.draft') ? html`<p><a class="button" href="/admin/catalog/new">起草条目</a></p>` : ''}
<nav class="tabs" aria-label="环节">${QUEUES.map(
        (s) => html`<a href="/admin/catalog${query({ state: s })}"${s === state ? html` aria-current="page"` : ''}>${STATE_LABELS[s]}（${counts.get(s)}）</a>`,
      )}${kit.deps.push ? html`<a href="/admin/catalog/push">推送记录</a>` : ''}</nav>
${page.items.length === 0 ? html`<p class="empty">没有${STATE_LABELS[state]}的条目。</p>` : page.items.map((i) => item(catalog.staffView(i)))}
${
  page.total > page.page * page.pageSize &&
  html`<nav class="pager"><a href="/admin/catalog${query({ state, page: page.page + 1 })}">下一页</a></nav>`
}`,
    });
  });

  router.post('/catalog/:id', kit.staff, async (ctx) => {
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    const back = field(ctx.query as Record<string, unknown>, 'back');
    const url = `/admin/catalog${query({ state: (QUEUES as readonly string[]).includes(back) ? back : null })}`;
    await kit.act(ctx, url, async () => {
      const who = kit.open(ctx, 'catalog');
      const item = await catalog.review(ctx.params.id!, { type: field(form, 'type'), reason: field(form, 'reason') }, who);
      const view = catalog.staffView(item);
      return `${bookTitle(view.title)}：${view.stateLabel}`;
    });
  });
}
