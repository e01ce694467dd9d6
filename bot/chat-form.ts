// The guided application form in the chat ("我要申请"): one question at a time, each answer checked
// by the same validators as the mini-program's form, "返回" to go back a step, "取消" to stop, and a
// summary to confirm. No I/O and no clock of its own (the caller passes `now`): the state is plain
// data that the caller stores between messages. Not pure, though: startForm draws the form's random
// id, which makes the submission's idempotency key (a resent 确认 finds the request it made).
import { randomBytes } from 'node:crypto';
import {
  fieldValidators,
  validateApplicationInput,
  APPLICANT_TYPE_LABELS,
  ORG_KIND_LABELS,
  DELIVERY_FORM_LABELS,
  DELIVERY_METHOD_LABELS,
  type ApplicationInput,
} from '../src/domain/application-form.js';
import { todayInChina } from '../src/domain/calendar.js';
import { DomainError } from '../src/domain/errors.js';
import { maskIdNumber } from '../src/domain/masking.js';

export type Step =
  | 'applicantType'
  | 'orgKind'
  | 'name'
  | 'idNumber'
  | 'creditCode'
  | 'contactName'
  | 'phone'
  | 'description'
  | 'deliveryForm'
  | 'deliveryMethod'
  | 'email'
  | 'address'
  | 'postcode'
  | 'confirm';

export interface FormState {
  id: string;
  answers: Partial<Record<Step, string>>;
  startedAt: string;
  updatedAt: string;
}

export type FormTurn =
  | { kind: 'ask'; state: FormState; reply: string }
  | { kind: 'cancelled'; reply: string }
  | { kind: 'confirmed'; state: FormState; application: ApplicationInput };

/** An idle form is dropped after a day; the applicant is told so when they come back. */
export const FORM_IDLE_MS = 24 * 3600_000;

const PROMPTS: Record<Step, string> = {
  applicantType: '您以什么身份申请？请回复“个人”或“单位”（法人或其他组织）。',
  orgKind: '单位类型是？请回复：商业企业、科研机构、社会公益组织、法律服务机构 或 其他。',
  name: '请输入申请人姓名（个人请与身份证一致；单位请填写单位全称）。',
  idNumber: '请输入申请人的 18 位居民身份证号码。',
  creditCode: '请输入单位的 18 位统一社会信用代码。',
  contactName: '请输入单位联系人姓名。',
  phone: '请输入联系电话（手机或固定电话）。',
  description: '请描述您要申请公开的政府信息：名称、文号，或便于查找的特征（如时间、事项、地点），至少 10 个字。',
  deliveryForm: '您希望以什么形式获取信息？请回复“纸质”或“电子”。',
  deliveryMethod: '您希望通过什么方式获取？可回复：邮寄、电子邮件、自行领取、传真、当场查阅、微信。',
  email: '请输入接收信息的电子邮箱。',
  address: '请输入邮寄地址（省、市、区县、街道门牌）。',
  postcode: '请输入邮政编码（6 位数字）。',
  confirm: '',
};

const HINT = '（回复“返回”修改上一项，“取消”放弃申请）';

export function sequence(answers: FormState['answers']): Step[] {
  const organization = answers.applicantType === 'organization';
  const steps: Step[] = organization
    ? ['applicantType', 'orgKind', 'name', 'creditCode', 'contactName', 'phone']
    : ['applicantType', 'name', 'idNumber', 'phone'];
  steps.push('description', 'deliveryForm', 'deliveryMethod');
  if (answers.deliveryMethod === 'email') steps.push('email');
  if (answers.deliveryMethod === 'post') steps.push('address', 'postcode');
  steps.push('confirm');
  return steps;
}

export function currentStep(state: FormState): Step {
  return sequence(state.answers).find((step) => state.answers[step] === undefined) ?? 'confirm';
}

export function startForm(now: Date): { state: FormState; reply: string } {
  const at = now.toISOString();
  const state: FormState = { id: randomBytes(6).toString('base64url'), answers: {}, startedAt: at, updatedAt: at };
  return {
    state,
    reply: `好的，我们一步一步填写政府信息公开申请（共约 8 项）。${HINT}\n\n${PROMPTS.applicantType}`,
  };
}

export function isExpired(state: Pick<FormState, 'updatedAt'>, now: Date): boolean {
  return now.getTime() - Date.parse(state.updatedAt) > FORM_IDLE_MS;
}

/** The question the form is waiting on, to ask again when the applicant comes back to it. */
export function currentPrompt(state: FormState): string {
  const step = currentStep(state);
  return step === 'confirm' ? `请核对您的申请：\n\n${summary(state.answers)}\n\n无误请回复“确认”提交；需要修改请回复“返回”。` : PROMPTS[step];
}

const CANCEL = /^(取消|不申请了|算了|退出)$/;
const BACK = /^(返回|上一步|回退|修改)$/;
const CONFIRM = /^(确认|确认提交|提交|确定|是|对|好的?)$/;

export function answerForm(state: FormState, rawText: string, now: Date): FormTurn {
  const text = rawText.trim();
  const at = now.toISOString();
  if (CANCEL.test(text)) return { kind: 'cancelled', reply: '已取消本次申请，填写的内容没有保存。需要时回复“我要申请”重新开始。' };

  const step = currentStep(state);
  if (BACK.test(text)) {
    const steps = sequence(state.answers);
    const index = steps.indexOf(step);
    const previous = steps.slice(0, index).reverse().find((s) => state.answers[s] !== undefined);
    if (!previous) return { kind: 'ask', state, reply: `已经是第一项了。${PROMPTS[step]}` };
    const answers = { ...state.answers };
    delete answers[previous];
    const next = { ...state, answers, updatedAt: at };
    return { kind: 'ask', state: next, reply: `好的，请重新填写：${PROMPTS[previous]}` };
  }

  if (step === 'confirm') {
    if (!CONFIRM.test(text)) {
      return { kind: 'ask', state, reply: `请回复“确认”提交申请，或回复“返回”修改、“取消”放弃。\n\n${summary(state.answers)}` };
    }
    try {
      const { value } = validateApplicationInput(toBody(state.answers), todayInChina(now));
      return { kind: 'confirmed', state: { ...state, updatedAt: at }, application: value };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Send the applicant back to the first step whose answer the whole-form check refused.
      const [path, message] = Object.entries(error.fields ?? {})[0] ?? ['', error.message];
      const redo = STEP_BY_FIELD[path] ?? 'description';
      const answers = { ...state.answers };
      delete answers[redo];
      return { kind: 'ask', state: { ...state, answers, updatedAt: at }, reply: `${message}\n${PROMPTS[redo]}` };
    }
  }

  const checked = validateStep(step, text, state.answers, todayInChina(now));
  if (!checked.ok) return { kind: 'ask', state, reply: `${checked.message}\n${PROMPTS[step]}${HINT}` };
  const answers = { ...state.answers, [step]: checked.value };
  const next: FormState = { ...state, answers, updatedAt: at };
  const following = currentStep(next);
  const reply = following === 'confirm' ? `请核对您的申请：\n\n${summary(answers)}\n\n无误请回复“确认”提交；需要修改请回复“返回”。` : PROMPTS[following];
  return { kind: 'ask', state: next, reply };
}

function validateStep(step: Step, text: string, answers: FormState['answers'], today: string): { ok: true; value: string } | { ok: false; message: string } {
  switch (step) {
    case 'applicantType':
      return fieldValidators.applicantType(text);
    case 'orgKind':
      return fieldValidators.orgKind(text);
    case 'name':
      return answers.applicantType === 'organization' ? fieldValidators.orgName(text) : fieldValidators.name(text);
    case 'idNumber':
      return fieldValidators.idNumber(text, today);
    case 'creditCode':
      return fieldValidators.creditCode(text);
    case 'contactName':
      return fieldValidators.contactName(text);
    case 'phone':
      return fieldValidators.phone(text);
    case 'description':
      return fieldValidators.description(text);
    case 'deliveryForm':
      return fieldValidators.deliveryForm(text);
    case 'deliveryMethod':
      return fieldValidators.deliveryMethod(text);
    case 'email':
      return fieldValidators.email(text);
    case 'address':
      return fieldValidators.address(text);
    case 'postcode':
      return fieldValidators.postcode(text);
    case 'confirm':
      return { ok: true, value: text };
  }
}

const STEP_BY_FIELD: Record<string, Step> = {
  'applicant.type': 'applicantType',
  'applicant.orgKind': 'orgKind',
  'applicant.name': 'name',
  'applicant.idNumber': 'idNumber',
  'applicant.creditCode': 'creditCode',
  'applicant.contactName': 'contactName',
  'applicant.phone': 'phone',
  'applicant.email': 'email',
  'applicant.address': 'address',
  'applicant.postcode': 'postcode',
  'request.description': 'description',
  'delivery.form': 'deliveryForm',
  'delivery.method': 'deliveryMethod',
};

export function toBody(a: FormState['answers']): unknown {
  const organization = a.applicantType === 'organization';
  return {
    applicant: {
      type: a.applicantType,
      ...(organization ? { orgKind: a.orgKind, creditCode: a.creditCode, contactName: a.contactName } : { idNumber: a.idNumber }),
      name: a.name,
      phone: a.phone,
      ...(a.email ? { email: a.email } : {}),
      ...(a.address ? { address: a.address, postcode: a.postcode } : {}),
    },
    request: { description: a.description },
    delivery: { form: a.deliveryForm, method: a.deliveryMethod },
  };
}

function summary(a: FormState['answers']): string {
  const lines = [
    `申请人类型：${APPLICANT_TYPE_LABELS[a.applicantType as keyof typeof APPLICANT_TYPE_LABELS] ?? ''}`,
    ...(a.applicantType === 'organization'
      ? [
          `单位类型：${ORG_KIND_LABELS[a.orgKind as keyof typeof ORG_KIND_LABELS] ?? ''}`,
          `单位名称：${a.name}`,
          `统一社会信用代码：${a.creditCode}`,
          `联系人：${a.contactName}`,
        ]
      : [`姓名：${a.name}`, `身份证号：${a.idNumber ? maskIdNumber(a.idNumber) : ''}`]),
    `联系电话：${a.phone}`,
    `申请内容：${a.description}`,
    `获取形式：${DELIVERY_FORM_LABELS[a.deliveryForm as keyof typeof DELIVERY_FORM_LABELS] ?? ''}`,
    `获取方式：${DELIVERY_METHOD_LABELS[a.deliveryMethod as keyof typeof DELIVERY_METHOD_LABELS] ?? ''}`,
  ];
  if (a.email) lines.push(`电子邮箱：${a.email}`);
  if (a.address) lines.push(`邮寄地址：${a.address}（${a.postcode}）`);
  return lines.join('\n');
}
