// 未答问题: what people asked the bot that the guide could not answer, newest first. The bot told
// them "已转给工作人员", so each question has a page where a clerk makes that true: answers the asker
// (through the notify outbox: customer-service message, template, or at their next message), links
// the question to an existing entry as a new phrasing, or drafts a new entry; the guide answers
// from either at once. Personal numbers in the questions are masked, and the asker's openid is
// never shown: the page is for answering and for improving the guide, not for finding anyone.
import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { maskFreeText } from '../../../domain/masking.js';
import { DomainError } from '../../../domain/errors.js';
import type { UnansweredQuestion } from '../../../store/conversations-repo.js';
import type { QuestionReplyState } from '../../../notify/index.js';
import { channelLabel } from '../../../notify/outbox.js';
import { MAX_ANSWER_LENGTH } from '../../../guide/limits.js';
import { MAX_PHRASING_LENGTH } from '../../../guide/service.js';
import { MAX_REPLY_LENGTH } from '../../../notify/index.js';
import type { ConsoleKit } from '../kit.js';
import { html, query, type SafeHtml } from '../../../http/html.js';
import { chinaDateTime } from '../format.js';
import { field } from '../form-fields.js';

type Status = UnansweredQuestion['status'];
const STATUS_LABELS: Record<Status, string> = { open: '待处理', replied: '已答复', 'added-to-guide': '已补充到指南', dismissed: '已忽略' };
const SHOWN = 200;

/** How the answer to the asker stands, in words for the clerk. */
function replyState(reply: QuestionReplyState): string {
  const d = reply.delivery;
  if (!d) return '等待发送';
  switch (d.status) {
    case 'pending':
      return d.attempts > 0 ? '发送未成功，稍后自动重试' : '等待发送';
    case 'sent':
      return d.confirmed === false ? `已通过${channelLabel(d.sentVia)}发出（未收到微信确认）` : `已通过${channelLabel(d.sentVia)}送达`;
    case 'awaiting-user':
      return '提问人48小时内没有与公众号互动，将在其下次给公众号发消息时送达';
    case 'dead':
      return `发送失败：${d.reason ?? '原因不明'}（可在“消息异常”页重试）`;
    default:
      return d.reason ?? '未发送';
  }
}

export function mountQuestionsPage(router: Router, kit: ConsoleKit, conversations: NonNullable<ConsoleKit['deps']['conversations']>): void {
  const { guide, questionReplies: replies } = kit.deps;
  /** Topic titles for the entry ids the bot suggested; an id the guide no longer has shows as is. */
  const titleOf = (id: string) => guide?.guide.entry(id)?.title ?? id;
  const question = async (id: string) => {
    const found = await conversations.unansweredQuestion(id);
    if (!found) throw new DomainError('not-found', '找不到这个问题');
    return found;
  };
  const detailUrl = (id: string) => `/admin/questions/${encodeURIComponent(id)}`;
  // Every page here shows topic titles from the guide: a request in the moment after a start,
  // while the guide is still being built, waits for it.
  const guideBuilt: Middleware = async (_ctx, next) => {
    await guide?.ready;
    await next();
  };

  router.get('/questions', kit.staff, guideBuilt, async (ctx) => {
    kit.open(ctx, 'questions');
    const wanted = field(ctx.query as Record<string, unknown>, 'status');
    const status = Object.hasOwn(STATUS_LABELS, wanted) ? (wanted as Status) : 'open';
    const [{ questions: list, total }, counts] = await Promise.all([conversations.listUnanswered({ status }, { limit: SHOWN }), conversations.unansweredCounts()]);
    const count = (s: Status) => counts[s];
    // The answers given, looked up by question (a keyed read each), for the questions shown.
    const answers = new Map(replies ? await Promise.all(list.map(async (q) => [q.id, await replies.questionReply(q.id)] as const)) : []);

    kit.page(ctx, {
      title: '未答问题',
      current: 'questions',
      body: html`<nav class="tabs" aria-label="状态">${(Object.keys(STATUS_LABELS) as Status[]).map(
        (s) => html`<a href="/admin/questions${query({ status: s === 'open' ? null : s })}"${s === status ? html` aria-current="page"` : ''}>${STATUS_LABELS[s]}（${count(s)}）</a>`,
      )}</nav>
${
  list.length === 0
    ? html`<p class="empty">没有${STATUS_LABELS[status]}的问题。</p>`
    : html`<table class="questions cards"><thead><tr><th>时间</th><th>问题</th><th>当时推荐的话题</th><th>答复提问人</th>${status === 'open' && html`<th>处理</th>`}</tr></thead><tbody>${list.map((q) => {
        const reply = answers.get(q.id);
        return html`<tr>
<td data-label="时间">${chinaDateTime(q.at)}</td>
<td data-label="问题"><a href="${detailUrl(q.id)}">${maskFreeText(q.text)}</a></td>
<td data-label="推荐">${q.suggestions.length ? q.suggestions.map(titleOf).join('；') : '—'}</td>
<td data-label="答复">${reply ? replyState(reply) : '—'}</td>
${
  status === 'open' &&
  html`<td data-label="处理"><form method="post" action="/admin/questions/${q.id}" class="inline">${kit.csrf(ctx)}<a href="${detailUrl(q.id)}">答复或补充指南</a> <button name="status" value="added-to-guide">已补充到指南</button> <button name="status" value="dismissed" class="secondary">忽略</button></form></td>`
}
</tr>`;
      })}</tbody></table>${total > SHOWN && html`<p class="hint">只显示最新的 ${SHOWN} 条。</p>`}`
}`,
    });
  });

  router.get('/questions/:id', kit.staff, guideBuilt, async (ctx) => {
    kit.open(ctx, 'questions');
    const names = await kit.names();
    const q = await question(ctx.params.id!);
    const masked = maskFreeText(q.text);
    const reply = await replies?.questionReply(q.id);
    const action = (what: string) => `${detailUrl(q.id)}/${what}`;

    let replyPart: SafeHtml | string = '';
    if (replies) {
      if (reply) {
        replyPart = html`<p><strong>已答复</strong>（${names.get(reply.by) ?? reply.by}，${chinaDateTime(reply.at)}）：${reply.text}</p><p>发送情况：${replyState(reply)}</p>`;
      } else if (!q.openid) {
        replyPart = html`<p class="hint">这个问题记录时没有保存提问人，无法答复；可以补充到指南，下次有人这样问时自动回答。</p>`;
      } else {
        replyPart = html`<form method="post" action="${action('reply')}">${kit.csrf(ctx)}
<label>答复内容（不超过${MAX_REPLY_LENGTH}字，通过公众号发给提问人，只发一次）<textarea name="text" rows="4" maxlength="${MAX_REPLY_LENGTH}" required></textarea></label>
<p class="hint">提问人48小时内与公众号互动过的，作为客服消息立即发送；否则在其下次给公众号发消息时送达。</p>
<button>发送答复</button></form>`;
      }
    }

    const sections = guide?.guide.sections() ?? [];
    // The topics the bot offered come first: usually the question belongs to one of them.
    const suggested = q.suggestions.flatMap((id) => guide?.guide.entry(id) ?? []);
    kit.page(ctx, {
      title: '未答问题',
      current: 'questions',
      body: html`<p><a href="/admin/questions">← 返回未答问题列表</a></p>
<dl class="facts"><dt>时间</dt><dd>${chinaDateTime(q.at)}</dd><dt>问题</dt><dd>${masked}</dd><dt>状态</dt><dd>${STATUS_LABELS[q.status]}</dd>
<dt>当时推荐的话题</dt><dd>${q.suggestions.length ? q.suggestions.map(titleOf).join('；') : '—'}</dd></dl>
${replies && html`<section aria-labelledby="h-reply"><h2 id="h-reply">答复提问人</h2>${replyPart}</section>`}
${
  guide &&
  html`<section aria-labelledby="h-guide"><h2 id="h-guide">补充到指南</h2>
<details class="action"><summary>作为已有条目的一种问法</summary><form method="post" action="${action('phrasing')}">${kit.csrf(ctx)}
<label>条目 <select name="entryId" required><option value="">请选择</option>${suggested.length > 0 && html`<optgroup label="当时推荐的话题">${suggested.map((e) => html`<option value="${e.id}">${e.title}</option>`)}</optgroup>`}${sections.map(
    (s) => html`<optgroup label="${s.title}">${s.entries.map((e) => html`<option value="${e.id}">${e.title}</option>`)}</optgroup>`,
  )}</select></label>
<label>问法（可修改，不超过${MAX_PHRASING_LENGTH}字）<input name="text" value="${masked}" maxlength="${MAX_PHRASING_LENGTH}" required></label>
<button>加为问法</button></form></details>
<details class="action"><summary>起草新条目</summary><form method="post" action="${action('entry')}">${kit.csrf(ctx)}
<label>栏目 <select name="section" required><option value="">请选择</option>${sections.map((s) => html`<option value="${s.id}">${s.title}</option>`)}</select></label>
<label>标题问题 <input name="question" value="${masked}" maxlength="100" required></label>
<label>答案（不超过${MAX_ANSWER_LENGTH}字）<textarea name="answer" rows="6" maxlength="${MAX_ANSWER_LENGTH}" required></textarea></label>
<button>新增条目</button></form></details></section>`
}
${
  q.status === 'open' &&
  html`<form method="post" action="/admin/questions/${q.id}" class="inline">${kit.csrf(ctx)}<button name="status" value="added-to-guide">已补充到指南</button> <button name="status" value="dismissed" class="secondary">忽略</button></form>`
}`,
    });
  });

  router.post('/questions/:id', kit.staff, guideBuilt, async (ctx) => {
    const status = field((ctx.request.body ?? {}) as Record<string, unknown>, 'status');
    await kit.act(ctx, '/admin/questions', async () => {
      kit.open(ctx, 'questions');
      if (status !== 'added-to-guide' && status !== 'dismissed') throw new DomainError('validation', '请选择“已补充到指南”或“忽略”');
      const updated = await conversations.setUnansweredStatus(ctx.params.id!, status);
      if (!updated) throw new DomainError('not-found', '找不到这个问题');
      return `已标记为${STATUS_LABELS[status]}`;
    });
  });

  // Replying writes to the citizen: it needs the page's role (guide.edit), checked by kit.open.
  if (replies) {
    router.post('/questions/:id/reply', kit.staff, guideBuilt, async (ctx) => {
      const form = (ctx.request.body ?? {}) as Record<string, unknown>;
      await kit.act(ctx, detailUrl(ctx.params.id!), async () => {
        const staff = kit.open(ctx, 'questions');
        const q = await question(ctx.params.id!);
        if (!q.openid) throw new DomainError('validation', '这个问题记录时没有保存提问人，无法答复');
        await replies.replyToQuestion({ questionId: q.id, openid: q.openid, question: q.text, text: field(form, 'text'), by: staff.username });
        if (q.status === 'open') await conversations.setUnansweredStatus(q.id, 'replied');
        return '答复已提交发送，发送情况见本页';
      });
    });
  }

  if (guide) {
    router.post('/questions/:id/phrasing', kit.staff, guideBuilt, async (ctx) => {
      const form = (ctx.request.body ?? {}) as Record<string, unknown>;
      await kit.act(ctx, detailUrl(ctx.params.id!), async () => {
        const staff = kit.open(ctx, 'questions');
        const q = await question(ctx.params.id!);
        const entryId = field(form, 'entryId');
        await guide.addPhrasing(entryId, field(form, 'text'), staff.username);
        await conversations.setUnansweredStatus(q.id, 'added-to-guide');
        return `已加为“${titleOf(entryId)}”的问法，机器人现在就能回答`;
      });
    });

    router.post('/questions/:id/entry', kit.staff, guideBuilt, async (ctx) => {
      const form = (ctx.request.body ?? {}) as Record<string, unknown>;
      await kit.act(ctx, detailUrl(ctx.params.id!), async () => {
        const staff = kit.open(ctx, 'questions');
        const q = await question(ctx.params.id!);
        const entry = await guide.addEntry({ section: field(form, 'section'), question: field(form, 'question'), answer: field(form, 'answer') }, staff.username);
        await conversations.setUnansweredStatus(q.id, 'added-to-guide');
        return `已新增条目“${entry.title}”，机器人现在就能回答`;
      });
    });
  }
}
