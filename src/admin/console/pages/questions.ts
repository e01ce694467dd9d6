// 未答问题: what people asked the bot that the guide could not answer, newest first, so whoever keeps
// the guide can add the missing answer (or set the question aside). Personal numbers in the
// questions are masked: the page is for improving the guide, not for contacting anyone.
import type { Router } from '@koa/router';
import { maskFreeText } from '../../../domain/masking.js';
import { DomainError } from '../../../domain/errors.js';
import type { UnansweredQuestion } from '../../../store/conversations-repo.js';
import type { ConsoleKit } from '../kit.js';
import { html, query } from '../../../http/html.js';
import { chinaDateTime } from '../format.js';
import { field } from '../event-form.js';

const STATUS_LABELS: Record<UnansweredQuestion['status'], string> = { open: '待处理', replied: '已回复', 'added-to-guide': '已补充到指南', dismissed: '已忽略' };
const SHOWN = 200;

export function mountQuestionsPage(router: Router, kit: ConsoleKit, conversations: NonNullable<ConsoleKit['deps']['conversations']>): void {
  router.get('/questions', kit.staff, (ctx) => {
    kit.open(ctx, 'questions');
    const wanted = field(ctx.query as Record<string, unknown>, 'status');
    const status = Object.hasOwn(STATUS_LABELS, wanted) ? (wanted as UnansweredQuestion['status']) : 'open';
    const all = conversations.unanswered();
    const list = all.filter((q) => q.status === status).reverse();
    const count = (s: UnansweredQuestion['status']) => all.filter((q) => q.status === s).length;

    kit.page(ctx, {
      title: '未答问题',
      current: 'questions',
      body: html`<nav class="tabs" aria-label="状态">${(Object.keys(STATUS_LABELS) as UnansweredQuestion['status'][]).map(
        (s) => html`<a href="/admin/questions${query({ status: s === 'open' ? null : s })}"${s === status ? html` aria-current="page"` : ''}>${STATUS_LABELS[s]}（${count(s)}）</a>`,
      )}</nav>
${
  list.length === 0
    ? html`<p class="empty">没有${STATUS_LABELS[status]}的问题。</p>`
    : html`<table class="questions cards"><thead><tr><th>时间</th><th>问题</th><th>当时推荐的条目</th>${status === 'open' && html`<th>处理</th>`}</tr></thead><tbody>${list.slice(0, SHOWN).map(
        (q) => html`<tr>
<td data-label="时间">${chinaDateTime(q.at)}</td>
<td data-label="问题">${maskFreeText(q.text)}</td>
<td data-label="推荐">${q.suggestions.length ? q.suggestions.join('；') : '—'}</td>
${
  status === 'open' &&
  html`<td data-label="处理"><form method="post" action="/admin/questions/${q.id}" class="inline">${kit.csrf(ctx)}<button name="status" value="added-to-guide">已补充到指南</button> <button name="status" value="dismissed" class="secondary">忽略</button></form></td>`
}
</tr>`,
      )}</tbody></table>${list.length > SHOWN && html`<p class="hint">只显示最新的 ${SHOWN} 条。</p>`}`
}`,
    });
  });

  router.post('/questions/:id', kit.staff, async (ctx) => {
    const status = field((ctx.request.body ?? {}) as Record<string, unknown>, 'status');
    await kit.act(ctx, '/admin/questions', async () => {
      kit.open(ctx, 'questions');
      if (status !== 'added-to-guide' && status !== 'dismissed') throw new DomainError('validation', '请选择“已补充到指南”或“忽略”');
      const updated = await conversations.setUnansweredStatus(ctx.params.id!, status);
      if (!updated) throw new DomainError('not-found', '找不到这个问题');
      return `已标记为${STATUS_LABELS[status]}`;
    });
  });
}
