// 登记申请: a request that came by letter, fax, e-mail or in person, typed in by the registrar from
// the paper in front of them, with the date it was received (the day the clock starts, 第三十一条).
// The same rules as the mini-program's form check it; a refused form comes back with what was typed
// and a message at each field, since retyping a whole request to fix one digit would be cruel.
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import {
  APPLICANT_TYPE_LABELS,
  APPLICANT_TYPES,
  DELIVERY_FORM_LABELS,
  DELIVERY_FORMS,
  DELIVERY_METHOD_LABELS,
  DELIVERY_METHODS,
  ORG_KIND_LABELS,
  ORG_KINDS,
  validateApplicationInput,
} from '../../../domain/application-form.js';
import { isIsoDate } from '../../../domain/calendar.js';
import { earliestReceiptDate } from '../../../domain/applications/index.js';
import { DomainError } from '../../../domain/errors.js';
import { can } from '../../../domain/roles.js';
import { describeError } from '../../../http/errors.js';
import { html, type SafeHtml } from '../../../http/html.js';
import type { ConsoleKit } from '../kit.js';
import { field } from '../form-fields.js';

type Form = Record<string, unknown>;
/** Messages by form field name. */
type Problems = Record<string, string>;

/** Form field → the path the validator names it by. */
const PATHS: Record<string, string> = {
  'applicant-type': 'applicant.type',
  name: 'applicant.name',
  'id-number': 'applicant.idNumber',
  'org-kind': 'applicant.orgKind',
  'credit-code': 'applicant.creditCode',
  'legal-representative': 'applicant.legalRepresentative',
  'contact-name': 'applicant.contactName',
  phone: 'applicant.phone',
  email: 'applicant.email',
  address: 'applicant.address',
  postcode: 'applicant.postcode',
  description: 'request.description',
  'document-number': 'request.documentNumber',
  'delivery-form': 'delivery.form',
  'delivery-method': 'delivery.method',
};

/** Nobody applying on paper can be answered through WeChat: that way is not offered here. */
const PAPER_METHODS = DELIVERY_METHODS.filter((method) => method !== 'wechat');


function bodyOf(form: Form): Record<string, unknown> {
  const value = (name: string) => field(form, name) || undefined;
  const type = value('applicant-type');
  return {
    applicant: {
      type,
      name: value('name'),
      phone: value('phone'),
      email: value('email'),
      address: value('address'),
      postcode: value('postcode'),
      ...(type === 'organization'
        ? { orgKind: value('org-kind'), creditCode: value('credit-code'), legalRepresentative: value('legal-representative'), contactName: value('contact-name') }
        : { idNumber: value('id-number') }),
    },
    request: { description: typeof form.description === 'string' ? form.description : undefined, documentNumber: value('document-number') },
    delivery: { form: value('delivery-form'), method: value('delivery-method') },
  };
}

export function mountRegisterPage(router: Router, kit: ConsoleKit): void {
  const { applications } = kit.deps;

  const registrar = (ctx: Context) => {
    const who = kit.open(ctx, 'inbox');
    if (!can(who.roles, 'applications.import')) throw new DomainError('forbidden', '当前账号的角色无权登记申请');
    return who;
  };

  const render = (ctx: Context, form: Form, problems: Problems, summary?: string) => {
    const value = (name: string) => field(form, name);
    const problem = (name: string) => problems[name] && html`<span class="error-text" id="e-${name}">${problems[name]}</span>`;
    const input = (name: string, label: string, attributes: SafeHtml = html``) =>
      html`<label>${label}<input name="${name}" value="${value(name)}"${attributes}${problems[name] ? html` aria-invalid="true" aria-describedby="e-${name}"` : ''}>${problem(name)}</label>`;
    const select = (name: string, label: string, options: readonly string[], labels: Record<string, string>) =>
      html`<label>${label}<select name="${name}">${options.map((o) => html`<option value="${o}"${value(name) === o ? html` selected` : ''}>${labels[o]}</option>`)}</select>${problem(name)}</label>`;
    const type = value('applicant-type') || 'person';
    kit.page(
      ctx,
      {
        title: '登记申请',
        current: 'inbox',
        body: html`<p>登记通过信函、传真、电子邮件或当面提交的申请。答复期限自收到申请之日起计算（《政府信息公开条例》第三十一条）。</p>
${summary && html`<div class="flash error" role="alert"><p>${summary}</p></div>`}
<form method="post" action="/admin/applications/new" class="register">
${kit.csrf(ctx)}<input type="hidden" name="form-id" value="${value('form-id')}">
<fieldset><legend>收到申请</legend>
${input('received-on', '收到日期', html` type="date" required max="${applications.today()}"`)}
</fieldset>
<fieldset><legend>申请人</legend>
<p>${APPLICANT_TYPES.map((t) => html`<label class="check"><input type="radio" name="applicant-type" value="${t}"${type === t ? html` checked` : ''}> ${APPLICANT_TYPE_LABELS[t]}</label>`)}</p>${problem('applicant-type')}
${input('name', '姓名或单位名称', html` required maxlength="100"`)}
${input('id-number', '身份证号（个人）', html` maxlength="18" autocomplete="off"`)}
${select('org-kind', '单位类型（法人或其他组织）', ORG_KINDS, ORG_KIND_LABELS)}
${input('credit-code', '统一社会信用代码（法人或其他组织）', html` maxlength="18" autocomplete="off"`)}
${input('legal-representative', '法定代表人（法人或其他组织）', html` maxlength="50"`)}
${input('contact-name', '联系人（法人或其他组织）', html` maxlength="50"`)}
${input('phone', '联系电话', html` required maxlength="20"`)}
${input('email', '电子邮箱', html` type="email" maxlength="100"`)}
${input('address', '通信地址', html` maxlength="200"`)}
${input('postcode', '邮政编码', html` maxlength="6"`)}
</fieldset>
<fieldset><legend>所需信息</legend>
<label>内容描述（名称、文号或其他特征性描述）<textarea name="description" rows="5" required${problems.description ? html` aria-invalid="true" aria-describedby="e-description"` : ''}>${typeof form.description === 'string' ? form.description : ''}</textarea>${problem('description')}</label>
${input('document-number', '文号（如有）', html` maxlength="100"`)}
</fieldset>
<fieldset><legend>获取方式</legend>
${select('delivery-form', '提供形式', DELIVERY_FORMS, DELIVERY_FORM_LABELS)}
${select('delivery-method', '获取途径', PAPER_METHODS, DELIVERY_METHOD_LABELS)}
</fieldset>
<button type="submit">登记</button>
</form>`,
      },
      summary ? 422 : 200,
    );
  };

  router.get('/applications/new', kit.staff, (ctx) => {
    registrar(ctx);
    // The form's id makes a second click on 登记 (or a resent form) find the request it made.
    render(ctx, { 'form-id': randomBytes(9).toString('base64url'), 'received-on': applications.today(), 'delivery-form': 'paper', 'delivery-method': 'post' }, {});
  });

  router.post('/applications/new', kit.staff, async (ctx) => {
    const who = registrar(ctx);
    const form = (ctx.request.body ?? {}) as Form;
    const today = applications.today();
    const receivedOn = field(form, 'received-on');
    const problems: Problems = {};
    if (!isIsoDate(receivedOn)) problems['received-on'] = '请填写收到申请的日期';
    else if (receivedOn > today) problems['received-on'] = '收到日期不能晚于今天';
    // A letter may reach the registrar's desk some days after it arrived; not a year later.
    else if (receivedOn < earliestReceiptDate(today)) problems['received-on'] = '收到日期早于一年前，请核对；历史记录请用导入功能';

    const formId = field(form, 'form-id');
    let submitted: Awaited<ReturnType<typeof applications.submit>> | null = null;
    let refusal: string | null = null;
    try {
      // A wrong date alone must not create the request: then the form is only checked.
      if (Object.keys(problems).length === 0) {
        submitted = await applications.submit(bodyOf(form), {
          channel: 'staff',
          openid: null,
          by: who.username,
          idempotencyKey: /^[\w-]{8,40}$/.test(formId) ? `register-${formId}` : undefined,
          submittedOn: receivedOn,
        });
      } else validateApplicationInput(bodyOf(form), today);
    } catch (error) {
      const described = describeError(error);
      if (!described || described.status >= 500) throw error;
      refusal = described.message;
      for (const [formField, path] of Object.entries(PATHS)) {
        const message = described.fields?.[path];
        if (message) problems[formField] = message;
      }
    }
    if (!submitted) {
      const count = Object.keys(problems).length;
      return render(ctx, form, problems, count > 0 ? `有 ${count} 处需要修改，申请尚未登记。` : `${(refusal ?? '').replace(/[。.]$/, '')}，申请尚未登记。`);
    }
    const created = submitted.application;
    if (!submitted.created) {
      const trackingNo = applications.view(created, 'staff').trackingNo;
      return kit.back(ctx, `/admin/applications/${created.id}`, { kind: 'ok', text: `这份申请已经登记过（申请编号 ${trackingNo}），没有重复登记。` });
    }

    try {
      await applications.record(created.id, { type: 'receive', on: receivedOn }, who.username);
    } catch (error) {
      const described = describeError(error);
      if (!described || described.status >= 500) throw error;
      const trackingNo = applications.view(created, 'staff').trackingNo;
      return kit.back(ctx, `/admin/applications/${created.id}`, { kind: 'error', text: `申请 ${trackingNo} 已登记，但收到日期未能记录：${described.message}。请在下方记录“收到申请”。` });
    }
    const view = applications.view(await applications.get(created.id), 'staff');
    kit.back(ctx, `/admin/applications/${created.id}`, {
      kind: 'ok',
      text: `已登记申请 ${view.trackingNo}，${receivedOn} 收到${view.dueDate ? `，答复期限 ${view.dueDate}` : ''}。`,
    });
  });
}
