// One request: who asked (masked unless the role needs the details), what, the due date and how it
// was reached, the timeline, the reply documents, and a form for each step the state allows and the
// role may take. Every form posts to one route that records the event and returns here.
import type { Router } from '@koa/router';
import {
  CONSULTATION_WORKING_DAYS,
  EVENT_LABELS,
  MAX_EXTENSION_DAYS,
  MAX_SUPPLEMENT_DAYS,
  REPLY_WORKING_DAYS,
  STAFF_EVENT_TYPES,
  SUPPLEMENT_NOTICE_WORKING_DAYS,
  isFinished,
  isSetByExpiryEvent,
  officeSupplementPeriod,
  type StaffEventType,
} from '../../../domain/applications/index.js';
import {
  APPLICANT_TYPE_LABELS,
  DELIVERY_FORM_LABELS,
  DELIVERY_METHOD_LABELS,
  DELIVERY_METHODS,
  ORG_KIND_LABELS,
} from '../../../domain/application-form.js';
import { OUTCOMES, WITHHELD_OUTCOME_IDS, getOutcome, isOutcomeId, mustStateReason, withholdingArticles } from '../../../domain/outcomes.js';
import { can } from '../../../domain/roles.js';
import { MAX_FEE_YUAN } from '../../../domain/fees.js';
import { documentKindsFor, type AvailableDocument } from '../../../documents/index.js';
import type { ApplicationView, TimelineEntry } from '../../../applications/view.js';
import type { ConsoleKit } from '../kit.js';
import { html, query, type SafeHtml } from '../../../http/html.js';
import { actorName, chinaDateTime, longDate } from '../format.js';
import { eventInputFromForm } from '../event-form.js';
import { OUTCOME_GROUPS, outcomeGroupOf } from '../stats.js';
import { CHANNEL_NAMES } from '../../../applications/applicant-text.js';


/** Steps that end or settle something: the browser asks once more before posting them. */
const CONFIRM: Partial<Record<StaffEventType, string>> = {
  decide: '确定作出答复吗？记录后办理结果不能修改。',
  withdraw: '确定记录申请人撤回申请吗？',
  'supplement-expired': '确定记录补正逾期、不再处理吗？',
  'fee-expired': '确定记录逾期未缴费、不再处理吗？',
};

/** Outcomes set by their own expiry events (补正逾期, 逾期未缴费) are not offered for a decision. */
const DECIDABLE = OUTCOMES.filter((o) => isOutcomeId(o.id) && !isSetByExpiryEvent(o.id));

export function mountApplicationPage(router: Router, kit: ConsoleKit): void {
  const { applications, documentTemplates } = kit.deps;
  // The office's default 补正 period fills the form; the clerk may change it for one request.
  const supplementDays = officeSupplementPeriod(kit.deps.agency?.supplementPeriodWorkingDays);

  router.get('/applications/:id', kit.staff, async (ctx) => {
    const who = kit.open(ctx, 'inbox');
    const full = can(who.roles, 'applications.viewPersonalData');
    const view = applications.view(await applications.get(ctx.params.id!), full ? 'staff-full' : 'staff-restricted');
    const today = applications.today();
    const names = await kit.names();
    const documents = full ? documentKindsFor(documentTemplates, view) : [];
    const actions = STAFF_EVENT_TYPES.filter((type) => view.allowedEvents?.includes(type) && can(who.roles, `applications.event.${type}`));

    kit.page(ctx, {
      title: `${view.trackingNo} ${view.statusLabel}`,
      current: 'inbox',
      wide: true,
      body: html`<p class="crumbs"><a href="/admin">← 申请办理</a></p>
<section class="due-box ${view.overdue ? 'overdue' : ''}" aria-label="答复期限">
${dueSummary(view)}
${view.dueDateProvisional && html`<p class="warning">该期限跨越了节假日安排尚未公布的年份，暂按周一至周五、除去法律规定的节日假期推算。国务院公布后请在<a href="/admin/calendar">节假日</a>页上传，期限会自动重算。</p>`}
${view.explanation && view.explanation.length > 0 && html`<details class="explanation"><summary>期限是怎样算出来的</summary><ol>${view.explanation.map((line) => html`<li>${line}</li>`)}</ol></details>`}
</section>
<div class="request-page">
<div class="main-col">
<div class="columns">
<section aria-labelledby="h-applicant"><h2 id="h-applicant">申请人</h2>${applicantBlock(view, full)}</section>
<section aria-labelledby="h-request"><h2 id="h-request">申请内容</h2>${await requestBlock(view, applications)}</section>
</div>
<section aria-labelledby="h-timeline"><h2 id="h-timeline">办理记录</h2>${timeline(view, names, documents)}</section>
</div>
<aside class="side-col">
<section aria-labelledby="h-actions"><h2 id="h-actions">办理</h2>${
        actions.length === 0
          ? html`<p class="empty">${view.allowedEvents?.length ? '当前账号的角色不能办理这一环节。' : '已办结，无需再办理。'}</p>`
          : actions.map((type) => actionForm(type, view, today, kit.csrf(ctx), supplementDays))
      }</section>
${
  full &&
  html`<section aria-labelledby="h-docs"><h2 id="h-docs">文书</h2>${
    documents.length === 0
      ? html`<p class="empty">暂无可生成的文书：确认收到、要求补正、延期、征求意见、收费或答复后，这里会出现对应的文书。</p>`
      : html`<ul class="documents">${documents.map((d) => html`<li>${documentLinks(view.id, d)}</li>`)}</ul>`
  }</section>`
}
</aside>
</div>`,
    });
  });

  router.post('/applications/:id/events', kit.staff, async (ctx) => {
    const who = ctx.state.staff;
    const id = ctx.params.id!;
    await applications.get(id); // an unknown request is a 404 page, not a message on a page that does not exist
    const input = eventInputFromForm((ctx.request.body ?? {}) as Record<string, unknown>);
    const back = `/admin/applications/${encodeURIComponent(id)}`;
    await kit.act(ctx, back, async () => {
      kit.open(ctx, 'inbox');
      const type = String(input.type);
      if (!(STAFF_EVENT_TYPES as readonly string[]).includes(type) || !can(who.roles, `applications.event.${type}`)) {
        return { kind: 'error', text: '当前账号的角色无权进行此操作' };
      }
      const missing = formRequires(input);
      if (missing) return { kind: 'error', text: missing };
      await applications.record(id, input, who.username);
      return `已记录：${EVENT_LABELS[type as StaffEventType]}`;
    });
  });
}

/**
 * What the clerk's form asks beyond the staff API (where these stay optional, docs/ARCHITECTURE.md's event
 * shapes): the letters print them, and without them a 补正 notice or a 部分公开 letter has a hole.
 */
function formRequires(input: Record<string, unknown>): string | null {
  if (input.type === 'request-supplement' && input.days === undefined) {
    return '请填写补正期限（工作日数）：补正告知书须写明合理的补正期限（第三十条）';
  }
  if (input.type === 'decide' && input.outcome === 'partial' && input.ground === undefined) {
    return '部分公开须选择不予公开部分的依据（第十四、十五、十六条或第三十六条第（七）项），答复书将写明';
  }
  if (input.type === 'decide' && typeof input.outcome === 'string' && mustStateReason(input.outcome) && input.reason === undefined) {
    return '请写明理由：不予公开（含部分公开中不予公开的部分）和不属于本机关负责公开的，答复书须说明理由（第三十六条第（三）项、第（五）项，第三十七条）';
  }
  return null;
}

function dueSummary(view: ApplicationView): SafeHtml {
  if (view.status === 'submitted') return html`<p class="due">尚未确认收到：确认收到后开始计算答复期限。</p>`;
  if (isFinished(view.status)) {
    return html`<p class="due">已办结${view.outcomeLabel ? `：${view.outcomeLabel}` : ''}。</p>`;
  }
  if (view.status === 'decided') return html`<p class="due">已于 ${longDate(view.decidedOn)} 作出答复（${view.outcomeLabel ?? ''}），待送达。</p>`;
  if (view.paused) {
    const why =
      view.status === 'awaiting-supplement'
        ? `等待申请人补正，补正后重新计算 ${REPLY_WORKING_DAYS} 个工作日`
        : `征求意见期间不计入答复期限；对方的 ${CONSULTATION_WORKING_DAYS} 个工作日至 ${longDate(view.consultationEndsBy)} 届满，未回复的次日起恢复计时（第三十二条、第三十四条）`;
    return html`<p class="due paused">暂停计时：${why}。</p>`;
  }
  return html`<p class="due">答复期限：<strong>${longDate(view.dueDate)}</strong>${view.overdue ? html` <span class="badge overdue">已逾期</span>` : ''}${
    view.extensionDays ? `（已延期 ${view.extensionDays} 个工作日）` : ''
  }</p>`;
}

function applicantBlock(view: ApplicationView, full: boolean): SafeHtml {
  const a = view.applicant;
  const rows: Array<[string, string | undefined]> = [
    ['类型', a.type === 'organization' ? `${APPLICANT_TYPE_LABELS.organization}（${ORG_KIND_LABELS[a.orgKind]}）` : APPLICANT_TYPE_LABELS.person],
    [a.type === 'organization' ? '名称' : '姓名', a.name],
    ['身份证号', a.idNumber],
    ['统一社会信用代码', a.creditCode],
    ['法定代表人', a.legalRepresentative],
    ['联系人', a.contactName],
    ['电话', a.phone],
    ['电子邮箱', a.email],
    ['通信地址', a.address],
    ['邮政编码', a.postcode],
  ];
  return html`<dl class="facts">${rows.filter(([, v]) => v).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
${!full && html`<p class="hint">证件号码和联系方式已部分隐去；办理需要时由登记员或承办人查看。</p>`}`;
}

async function requestBlock(view: ApplicationView, applications: ConsoleKit['deps']['applications']): Promise<SafeHtml> {
  const found = await Promise.all((view.possibleDuplicateOf ?? []).map((no) => applications.byTrackingNo(no)));
  const duplicates = found.filter((app) => app !== undefined);
  return html`<p class="description">${view.request.description}</p>
<dl class="facts">
${view.request.documentNumber && html`<dt>文号</dt><dd>${view.request.documentNumber}</dd>`}
<dt>获取方式</dt><dd>${DELIVERY_FORM_LABELS[view.delivery.form]}，${DELIVERY_METHOD_LABELS[view.delivery.method]}</dd>
<dt>提交渠道</dt><dd>${CHANNEL_NAMES[view.channel] ?? view.channel}</dd>
<dt>提交日期</dt><dd>${longDate(view.submittedOn)}</dd>
<dt>收到日期</dt><dd>${longDate(view.receivedOn)}</dd>
${view.supplementNoticeDue && html`<dt>补正告知期限</dt><dd>${longDate(view.supplementNoticeDue)}</dd>`}
</dl>
${
  duplicates.length > 0 &&
  html`<p class="warning">可能与以下申请重复（同一申请人、内容相近），请核对：${duplicates.map(
    (d) => html` <a href="/admin/applications/${d.id}">${d.trackingNo}</a>`,
  )}</p>`
}`;
}

function details(entry: TimelineEntry): SafeHtml {
  switch (entry.type) {
    case 'request-supplement':
      return html`<ol class="items">${(entry.items as string[]).map((item) => html`<li>${item}</li>`)}</ol>`;
    case 'supplement-received': {
      // Pictures stay on WeChat's servers; no Referer, which WeChat's image host refuses.
      const images = Array.isArray(entry.images) ? (entry.images as Array<{ url?: unknown }>).filter((i) => typeof i.url === 'string' && /^https?:\/\//.test(i.url)) : [];
      return html`<span class="supplement-text">${typeof entry.text === 'string' ? entry.text : ''}</span>${
        images.length > 0 &&
        html`<span class="supplement-images">${images.map((image, i) => html` <a href="${String(image.url)}" target="_blank" rel="noopener noreferrer">图片${i + 1}</a>`)}</span>`
      }`;
    }
    case 'consult-start':
      return html`征求意见对象：${String(entry.party)}`;
    case 'extend':
      return html`延长 ${String(entry.days)} 个工作日`;
    case 'fee-notice':
      return html`${String(entry.amount)} 元`;
    case 'decide':
      return html`${String(entry.outcomeLabel ?? entry.outcome)}${typeof entry.reason === 'string' ? html`<br><span class="reason">${entry.reason}</span>` : ''}`;
    case 'deliver':
      return html`${DELIVERY_METHOD_LABELS[entry.method as keyof typeof DELIVERY_METHOD_LABELS] ?? String(entry.method)}`;
    default:
      return html``;
  }
}

function documentLinks(id: string, d: AvailableDocument): SafeHtml {
  const base = `/admin/v1/applications/${encodeURIComponent(id)}/documents/${d.kind}`;
  return html`<span class="doc-title">${d.title}</span> <span class="doc-date">${d.on}</span>
<a href="${base}${query({ event: d.eventIndex, format: 'html' })}" target="_blank" rel="noopener">打印版</a>
<a href="${base}${query({ event: d.eventIndex, format: 'docx' })}" download>下载 Word</a>`;
}

function timeline(view: ApplicationView, names: ReadonlyMap<string, string>, documents: readonly AvailableDocument[]): SafeHtml {
  return html`<table class="timeline cards">
<thead><tr><th>日期</th><th>事项</th><th>内容</th><th>经办</th><th>记录时间</th><th>文书</th></tr></thead>
<tbody>${view.timeline.map((entry, index) => {
    const doc = documents.find((d) => d.eventIndex === index);
    return html`<tr>
<td data-label="日期">${entry.on}</td>
<td data-label="事项">${entry.label}${entry.imported === true ? html` <span class="badge imported" title="从历史登记簿导入的记录，不是在本系统中办理的">历史导入</span>` : ''}</td>
<td data-label="内容">${details(entry)}</td>
<td data-label="经办">${actorName(entry.by, names)}</td>
<td data-label="记录时间">${chinaDateTime(entry.at)}</td>
<td data-label="文书">${doc ? html`<a href="/admin/v1/applications/${view.id}/documents/${doc.kind}${query({ event: index, format: 'html' })}" target="_blank" rel="noopener">${doc.title}</a>` : '—'}</td>
</tr>`;
  })}</tbody>
</table>`;
}

function actionFields(type: StaffEventType, view: ApplicationView, today: string, supplementDays: number | null): SafeHtml {
  switch (type) {
    case 'request-supplement':
      // 第三十条: the notice states the items and a 合理的补正期限, and is given once.
      return html`<label>需要补正的事项（每行一项）<textarea name="items" rows="3" required></textarea></label>
<label>补正期限（工作日）<input type="number" name="days" min="1" max="${MAX_SUPPLEMENT_DAYS}" step="1"${supplementDays ? html` value="${supplementDays}"` : ''} required></label>
<p class="hint">补正只能要求一次（第三十条：一次性告知）；答复期限从收到补正之日起重新计算。</p>
${
  view.supplementNoticeDue &&
  html`<p class="${today > view.supplementNoticeDue ? 'warning' : 'hint'}">补正应在收到申请之日起 ${SUPPLEMENT_NOTICE_WORKING_DAYS} 个工作日内一次性告知（第三十条），即不晚于 ${longDate(view.supplementNoticeDue)}${
    today > view.supplementNoticeDue ? '；该期限已过' : ''
  }。</p>`
}`;
    case 'supplement-received':
      return html`<label>补正内容（可选）<textarea name="text" rows="2"></textarea></label>`;
    case 'consult-start':
      return html`<label>征求意见的对象（第三方或其他机关）<input name="party" required></label>
<p class="hint">征求意见所需时间不计入答复期限（第三十二条）。</p>`;
    case 'extend':
      return html`<label>延长的工作日数 <input type="number" name="days" min="1" max="${MAX_EXTENSION_DAYS}" value="${MAX_EXTENSION_DAYS}" required></label>
<p class="hint">延期须经政府信息公开工作机构负责人同意，最长 ${MAX_EXTENSION_DAYS} 个工作日，只能延期一次（第三十三条）。</p>`;
    case 'fee-notice':
      return html`<label>收费金额（元）<input type="number" name="amount" min="1" max="${MAX_FEE_YUAN}" step="1" required></label>`;
    case 'decide':
      return html`<label>办理结果 <select name="outcome" required><option value="">请选择</option>${OUTCOME_GROUPS.map(
        (group) => html`<optgroup label="${group.label}">${DECIDABLE.filter((o) => outcomeGroupOf(o.row) === group.id).map(
          (o) => html`<option value="${o.id}">${o.label}${o.article ? `（${o.article}）` : ''}</option>`,
        )}</optgroup>`,
      )}</select></label>
<label>部分公开时：不予公开部分的依据 <select name="ground"><option value="">请选择（部分公开必选）</option>${WITHHELD_OUTCOME_IDS.map(
        (id) => html`<option value="${id}">${getOutcome(id).label.replace(/^不予公开：/, '')}（${withholdingArticles(id)}）</option>`,
      )}</select></label>
<label>理由（不予公开、无法提供、不予处理时写明）<textarea name="reason" rows="3"></textarea></label>`;
    case 'deliver': {
      // A reply goes by WeChat only to an applicant who asked for that and can be reached there.
      const byWechat = view.delivery.method === 'wechat' && (view.channel === 'wechat' || view.channel === 'miniprogram');
      const methods = DELIVERY_METHODS.filter((m) => m !== 'wechat' || byWechat);
      return html`<label>送达方式 <select name="method">${methods.map(
        (m) => html`<option value="${m}"${m === view.delivery.method ? html` selected` : ''}>${DELIVERY_METHOD_LABELS[m]}</option>`,
      )}</select></label>${
        byWechat
          ? html`<p class="hint">选择“微信”：申请人会收到答复书的链接（可打印，可下载 Word 版）。</p>`
          : html`<p class="warning">申请人选择的获取方式是“${DELIVERY_METHOD_LABELS[view.delivery.method]}”${
              view.delivery.method === 'wechat' ? '，但申请不是通过微信提交的，无法通过微信联系到申请人' : '，没有选择微信'
            }，因此不提供微信送达。</p>`
      }`;
    }
    default:
      return html``;
  }
}

function actionForm(type: StaffEventType, view: ApplicationView, today: string, csrf: SafeHtml, supplementDays: number | null): SafeHtml {
  // Once received, "receive" corrects the date of receipt (第三十一条); say so on the button.
  const label = type === 'receive' && view.receivedOn ? '更正收到日期' : EVENT_LABELS[type];
  return html`<details class="action" id="act-${type}"><summary>${label}</summary>
<form method="post" action="/admin/applications/${view.id}/events"${CONFIRM[type] ? html` data-confirm="${CONFIRM[type]}"` : ''}>
${csrf}<input type="hidden" name="type" value="${type}">
<label>日期 <input type="date" name="on" value="${today}" max="${today}" required></label>
${actionFields(type, view, today, supplementDays)}
<button type="submit">${label}</button>
</form></details>`;
}
