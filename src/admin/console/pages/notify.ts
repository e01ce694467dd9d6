// 消息异常: notifications that could not be delivered. Dead letters can be put back in the queue;
// applicants no channel reaches (paper applicants without WeChat, consent used up) must be told by
// phone or letter, so the page shows what to tell them and how to reach them, then records it.
import type { Router } from '@koa/router';
import { can } from '../../../domain/roles.js';
import { maskAddress, maskEmail, maskName, maskPhone } from '../../../domain/masking.js';
import { QUESTION_REPLY_KIND, renderMessage } from '../../../notify/templates.js';
import { channelLabel, LIST_LIMIT } from '../../../notify/outbox.js';
import type { Delivery } from '../../../store/notify-repo.js';
import type { ConsoleKit } from '../kit.js';
import { html, type SafeHtml } from '../../../http/html.js';
import { chinaDateTime } from '../format.js';
import { field } from '../form-fields.js';

/** How far back the page lists deliveries whose arrival is unknown. */
const UNCONFIRMED_DAYS = 30;

export function mountNotifyPage(router: Router, kit: ConsoleKit, notifyDeps: NonNullable<ConsoleKit['deps']['notify']>): void {
  const { notify, templates } = notifyDeps;
  const { applications } = kit.deps;
  const label = (d: Delivery) => templates.messages[d.kind]?.label ?? d.kind;
  const recipient = (d: Delivery) =>
    d.recipient.type === 'staff'
      ? `工作人员 ${d.recipient.username}`
      : d.recipient.type === 'applicant'
        ? d.kind === QUESTION_REPLY_KIND ? '提问人' : '申请人'
        : d.recipient.type === 'group' ? '工作群' : '无人接收';

  const applicationLink = (d: Delivery): SafeHtml | string => {
    if (!d.applicationId) return '—';
    const no = d.vars.trackingNo && d.vars.trackingNo !== '-' ? d.vars.trackingNo : '查看申请';
    return html`<a href="/admin/applications/${d.applicationId}">${no}</a>`;
  };

  router.get('/notify', kit.staff, async (ctx) => {
    const who = kit.open(ctx, 'notify');
    const full = can(who.roles, 'applications.viewPersonalData');
    // The last month's: older ones have been acted on, or no longer matter.
    const since = new Date((kit.deps.clock ?? (() => new Date()))().getTime() - UNCONFIRMED_DAYS * 86_400_000).toISOString();
    const [deadPage, unconfirmedPage, contactPage] = await Promise.all([notify.outbox.deadLetters(), notify.outbox.unconfirmed(since), notify.outbox.needsContact()]);
    const { deliveries: dead } = deadPage;
    const { deliveries: unconfirmed } = unconfirmedPage;
    const { deliveries: contact } = contactPage;
    const more = (page: { total: number; deliveries: Delivery[] }) =>
      page.total > page.deliveries.length && html`<p class="hint">只显示最近的 ${LIST_LIMIT} 条。</p>`;

    // Who to call, read once per request before the page is drawn; a vanished request shows '—'.
    const applicants = new Map(
      await Promise.all(
        [...new Set(contact.map((d) => d.applicationId).filter((id) => id !== null))].map(
          async (id) => [id, await applications.get(id).then((app) => app.applicant, () => null)] as const,
        ),
      ),
    );
    const contactOf = (d: Delivery): SafeHtml | string => {
      const a = d.applicationId ? applicants.get(d.applicationId) : null;
      if (!a) return '—';
      const name = full || a.type === 'organization' ? a.name : maskName(a.name);
      return html`${name}${a.contactName ? `（联系人 ${a.contactName}）` : ''}<br>电话 ${full ? a.phone : maskPhone(a.phone)}${
        a.email && html`<br>邮箱 ${full ? a.email : maskEmail(a.email)}`
      }${a.address && html`<br>地址 ${full ? a.address : maskAddress(a.address)}${a.postcode ? ` ${a.postcode}` : ''}`}`;
    };

    kit.page(ctx, {
      title: '消息异常',
      current: 'notify',
      wide: true,
      body: html`<section aria-labelledby="h-contact"><h2 id="h-contact">需人工告知申请人（${contactPage.total}）</h2>
${
  contact.length === 0
    ? html`<p class="empty">没有需要人工告知的消息。</p>`
    : html`<table class="cards"><thead><tr><th>申请</th><th>消息</th><th>应告知的内容</th><th>联系方式</th><th>处理</th></tr></thead><tbody>${contact.map(
        (d) => html`<tr>
<td data-label="申请">${applicationLink(d)}</td>
<td data-label="消息">${label(d)}<br><span class="hint">${d.reason ?? ''}</span></td>
<td data-label="内容">${renderMessage(templates, d.kind, d.vars).text}</td>
<td data-label="联系方式">${contactOf(d)}</td>
<td data-label="处理"><form method="post" action="/admin/notify/contacted" class="stacked">${kit.csrf(ctx)}<input type="hidden" name="key" value="${d.key}">
<label>备注 <input name="note" maxlength="500" placeholder="如：已电话告知"></label><button type="submit">已告知</button></form></td>
</tr>`,
      )}</tbody></table>${more(contactPage)}`
}
</section>
<section aria-labelledby="h-dead"><h2 id="h-dead">发送失败（${deadPage.total}）</h2>
${
  dead.length === 0
    ? html`<p class="empty">没有发送失败的消息。</p>`
    : html`<table class="cards"><thead><tr><th>申请</th><th>消息</th><th>接收人</th><th>原因</th><th>最后尝试</th><th>处理</th></tr></thead><tbody>${dead.map(
        (d) => html`<tr>
<td data-label="申请">${applicationLink(d)}</td>
<td data-label="消息">${label(d)}</td>
<td data-label="接收人">${recipient(d)}</td>
<td data-label="原因">${d.reason ?? '—'}${d.history.length > 0 && html`<br><span class="hint">${channelLabel(d.history.at(-1)!.channel)}，${d.history.length} 次尝试</span>`}</td>
<td data-label="最后尝试">${chinaDateTime(d.updatedAt)}</td>
<td data-label="处理"><form method="post" action="/admin/notify/retry" class="inline">${kit.csrf(ctx)}<input type="hidden" name="key" value="${d.key}"><button type="submit">重新发送</button></form></td>
</tr>`,
      )}</tbody></table>${more(deadPage)}`
}
</section>
<section aria-labelledby="h-unconfirmed"><h2 id="h-unconfirmed">送达情况未知（近 ${UNCONFIRMED_DAYS} 天，${unconfirmedPage.total}）</h2>
<p class="hint">发送时连接中断，微信没有回复结果。这类消息重发可能让对方收到两次，系统因此不再重发；如内容重要，请核实对方是否收到。</p>
${
  unconfirmed.length === 0
    ? html`<p class="empty">没有送达情况未知的消息。</p>`
    : html`<table class="cards"><thead><tr><th>申请</th><th>消息</th><th>接收人</th><th>渠道</th><th>时间</th></tr></thead><tbody>${unconfirmed.map(
        (d) => html`<tr>
<td data-label="申请">${applicationLink(d)}</td>
<td data-label="消息">${label(d)}</td>
<td data-label="接收人">${recipient(d)}</td>
<td data-label="渠道">${d.sentVia ? channelLabel(d.sentVia) : '—'}</td>
<td data-label="时间">${chinaDateTime(d.updatedAt)}</td>
</tr>`,
      )}</tbody></table>${more(unconfirmedPage)}`
}
</section>`,
    });
  });

  router.post('/notify/retry', kit.staff, async (ctx) => {
    const key = field((ctx.request.body ?? {}) as Record<string, unknown>, 'key');
    await kit.act(ctx, '/admin/notify', async () => {
      const who = kit.open(ctx, 'notify');
      await notify.outbox.retry(key, who.username);
      notify.nudge();
      return '已放回发送队列，稍后自动重发';
    });
  });

  router.post('/notify/contacted', kit.staff, async (ctx) => {
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    await kit.act(ctx, '/admin/notify', async () => {
      const who = kit.open(ctx, 'notify');
      const note = field(form, 'note').slice(0, 500);
      await notify.outbox.markContacted(field(form, 'key'), who.username, note || null);
      return '已记录人工告知';
    });
  });
}
