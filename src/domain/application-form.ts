// The disclosure request form (条例第二十九条): who applies (姓名或者名称、身份证明、联系方式), what they
// want (名称、文号或者其他特征性描述), and in which form and by which way they want it. The same rules
// serve the mini-program's JSON body, checked whole, and the chat form, checked one answer at a time.
import { DomainError } from './errors.js';
import {
  type Check,
  validateCreditCode,
  validateEmail,
  validateIdNumber,
  validatePhone,
  validatePostcode,
} from './identity.js';

export type { Check } from './identity.js';

export const APPLICANT_TYPES = ['person', 'organization'] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];

/** The organisation columns of annual-report table 三. */
export const ORG_KINDS = ['commercial', 'research', 'public-welfare', 'legal-service', 'other'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const DELIVERY_FORMS = ['paper', 'electronic'] as const;
export type DeliveryForm = (typeof DELIVERY_FORMS)[number];

export const DELIVERY_METHODS = ['post', 'email', 'pickup', 'fax', 'onsite', 'wechat'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

export const APPLICANT_TYPE_LABELS: Record<ApplicantType, string> = { person: '个人', organization: '法人或其他组织' };
export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  commercial: '商业企业',
  research: '科研机构',
  'public-welfare': '社会公益组织',
  'legal-service': '法律服务机构',
  other: '其他',
};
export const DELIVERY_FORM_LABELS: Record<DeliveryForm, string> = { paper: '纸质文本', electronic: '电子文本' };
export const DELIVERY_METHOD_LABELS: Record<DeliveryMethod, string> = {
  post: '邮寄',
  email: '电子邮件',
  pickup: '自行领取',
  fax: '传真',
  onsite: '当场查阅、抄录',
  wechat: '微信',
};

interface ContactDetails {
  /** 11-digit mobile, or landline as '027-12345678'. */
  phone: string;
  email?: string;
  address?: string;
  postcode?: string;
}

// The fields of the other applicant type are declared as never present, so code that holds an
// Applicant can read applicant.orgKind or applicant.idNumber without narrowing first.
export interface PersonApplicant extends ContactDetails {
  type: 'person';
  name: string;
  idNumber: string;
  orgKind?: undefined;
  creditCode?: undefined;
  legalRepresentative?: undefined;
  contactName?: undefined;
}

export interface OrganizationApplicant extends ContactDetails {
  type: 'organization';
  orgKind: OrgKind;
  name: string;
  creditCode: string;
  legalRepresentative?: string;
  contactName?: string;
  idNumber?: undefined;
}

export type Applicant = PersonApplicant | OrganizationApplicant;

export interface ApplicationInput {
  applicant: Applicant;
  request: { description: string; documentNumber?: string };
  delivery: { form: DeliveryForm; method: DeliveryMethod };
}

// ---------------------------------------------------------------------------------------------------
// Cleaning typed text

// Zero-width and bidirectional controls: invisible, and able to make a log line or a list lie.
// U+200D (zero-width joiner) stays, emoji sequences need it.
const INVISIBLE = /[\u00AD\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** One line: control characters gone, runs of white space (line breaks too) made one space, ends trimmed. */
function cleanLine(raw: string): string {
  return raw.replace(INVISIBLE, '').replace(/[^\P{Cc}\s]/gu, '').replace(/\s+/g, ' ').trim();
}

/** Several lines: line breaks kept (at most one blank line in a row), other controls gone. */
function cleanText(raw: string): string {
  return raw
    .replace(INVISIBLE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[^\P{Cc}\n]/gu, '')
    .replace(/[ \u3000]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const fail = (message: string): Check<never> => ({ ok: false, message });
const length = (text: string): number => Array.from(text).length;

// ---------------------------------------------------------------------------------------------------
// One field at a time

function personName(label: string, emptyMessage: string) {
  return (raw: string): Check => {
    const value = cleanLine(raw);
    if (value === '') return fail(emptyMessage);
    if (/\p{N}/u.test(value)) return fail(`${label}中不能有数字`);
    if (length(value) < 2) return fail(`请填写完整的${label}`);
    if (length(value) > 50) return fail(`${label}不能超过50个字`);
    return ok(value);
  };
}

function optionalLine(label: string, max: number) {
  return (raw: string): Check => {
    const value = cleanLine(raw);
    if (length(value) > max) return fail(`${label}不能超过${max}个字`);
    return ok(value);
  };
}

const DESCRIPTION_MIN = 10;
const DESCRIPTION_MAX = 2000;

function description(raw: string): Check {
  const value = cleanText(raw);
  if (value === '') return fail('请填写所需信息的内容描述');
  if (length(value) > DESCRIPTION_MAX) {
    return fail(`所需信息的描述不能超过${DESCRIPTION_MAX}字，内容较多时请分成几份申请`);
  }
  // Real content: letters and digits of any script. Punctuation, emoji and one character typed over
  // and over do not tell the office what to look for.
  const content = Array.from(value.replace(/[^\p{L}\p{N}]/gu, ''));
  if (content.length < DESCRIPTION_MIN || new Set(content).size < 3) {
    return fail(`所需信息的描述太短，请写明信息的名称、文号或便于查找的其他特征（至少${DESCRIPTION_MIN}个字）`);
  }
  return ok(value);
}

/**
 * Reads a choice from a chat answer: the code itself ('paper') or words a person would use ('纸质的').
 * An answer that names two different options is refused rather than guessed.
 */
function choice<T extends string>(words: Record<T, readonly string[]>, message: string) {
  return (raw: string): Check<T> => {
    const answer = cleanLine(raw).normalize('NFKC').toLowerCase();
    if (answer === '') return fail(message);
    const exact = (Object.keys(words) as T[]).find((code) => code === answer);
    if (exact) return ok(exact);
    const named = (Object.keys(words) as T[]).filter((code) => words[code].some((word) => answer.includes(word)));
    return named.length === 1 ? ok(named[0]) : fail(message);
  };
}

const MESSAGES = {
  applicantType: '请选择以个人还是以法人或其他组织的名义申请',
  orgKind: '请选择单位类型：商业企业、科研机构、社会公益组织、法律服务机构或其他',
  deliveryForm: '请选择信息的提供形式：纸质文本或电子文本',
  deliveryMethod: '请选择获取信息的方式：邮寄、电子邮件、自行领取、传真、当场查阅或微信',
};

/**
 * Validators for one answer each, for the chat form. Every one takes the raw text and returns the
 * value to store or a Chinese message saying what to fix.
 */
export const fieldValidators = {
  applicantType: choice<ApplicantType>(
    {
      person: ['个人', '公民', '自然人', '本人', '自己'],
      organization: ['组织', '单位', '法人', '企业', '公司', '机构', '律所', '事务所'],
    },
    MESSAGES.applicantType,
  ),
  orgKind: choice<OrgKind>(
    {
      commercial: ['商业', '企业', '公司'],
      research: ['科研', '研究所', '研究院', '研究中心', '高校', '大学'],
      'public-welfare': ['公益', '基金会', '慈善'],
      'legal-service': ['法律', '律师', '律所', '公证'],
      other: ['其他', '其它'],
    },
    MESSAGES.orgKind,
  ),
  /** A person's name (申请人姓名). */
  name: personName('姓名', '请填写申请人姓名'),
  /** An organisation's name (单位名称). */
  orgName(raw: string): Check {
    const value = cleanLine(raw);
    if (value === '') return fail('请填写单位名称');
    if (length(value) < 2) return fail('请填写单位的完整名称');
    if (length(value) > 100) return fail('单位名称不能超过100个字');
    return ok(value);
  },
  legalRepresentative: personName('法定代表人姓名', '请填写法定代表人姓名'),
  contactName: personName('联系人姓名', '请填写联系人姓名'),
  /** `today` (China time) rules out a birth date still to come. */
  idNumber: (raw: string, today: string): Check => validateIdNumber(raw, today),
  creditCode: (raw: string): Check => validateCreditCode(raw),
  phone: (raw: string): Check => validatePhone(raw),
  email: (raw: string): Check => validateEmail(raw),
  postcode: (raw: string): Check => validatePostcode(raw),
  address(raw: string): Check {
    const value = cleanLine(raw);
    if (value === '') return fail('请填写通信地址');
    if (length(value) < 5) return fail('请填写完整的通信地址，写到门牌号');
    if (length(value) > 200) return fail('通信地址不能超过200个字');
    return ok(value);
  },
  description,
  /** 文号 of the document asked for, e.g. 武人防〔2019〕5号; an empty answer means none. */
  documentNumber: optionalLine('文号', 100),
  deliveryForm: choice<DeliveryForm>(
    {
      paper: ['纸质', '纸本', '纸', '书面', '打印', '复印'],
      electronic: ['电子', 'pdf', '扫描'],
    },
    MESSAGES.deliveryForm,
  ),
  deliveryMethod: choice<DeliveryMethod>(
    {
      post: ['邮寄', '寄', '快递', '邮政', '挂号'],
      email: ['e-mail', 'email', '邮件', '邮箱'],
      pickup: ['自取', '领取', '取件', '来取', '自己取'],
      fax: ['传真'],
      onsite: ['查阅', '抄录', '阅读', '当场看'],
      wechat: ['微信', '公众号', '小程序'],
    },
    MESSAGES.deliveryMethod,
  ),
};

// ---------------------------------------------------------------------------------------------------
// The whole body

type Fields = Record<string, string>;

/** Reads an object member that should be text: absent, null and blank all mean "not given". */
function text(source: Record<string, unknown>, key: string, path: string, label: string, errors: Fields): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors[path] = `${label}应填写为文字`;
    return undefined;
  }
  return value.trim() === '' ? undefined : value;
}

function object(value: unknown, path: string, label: string, errors: Fields): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors[path] = `${label}格式不正确`;
    return {};
  }
  return value as Record<string, unknown>;
}

/** Runs a field validator and records its message under `path`; undefined when absent or wrong. */
function field<T>(
  raw: string | undefined,
  validate: (raw: string) => Check<T>,
  path: string,
  errors: Fields,
  requiredMessage?: string,
): T | undefined {
  if (path in errors) return undefined;
  if (raw === undefined) {
    if (requiredMessage) errors[path] = requiredMessage;
    return undefined;
  }
  const checked = validate(raw);
  if (!checked.ok) {
    errors[path] = checked.message;
    return undefined;
  }
  return checked.value;
}

function oneOf<T extends string>(options: readonly T[], message: string) {
  return (raw: string): Check<T> => (options as readonly string[]).includes(raw.trim()) ? ok(raw.trim() as T) : fail(message);
}

/**
 * Checks a disclosure request body (docs/ARCHITECTURE.md, "Application body") and returns a clean copy: text
 * trimmed and free of control characters, numbers normalised, unknown members dropped.
 * @throws DomainError('validation', message, fields) naming every field to fix, e.g. 'applicant.idNumber'
 */
export function validateApplicationInput(body: unknown, today: string): { ok: true; value: ApplicationInput } {
  const errors: Fields = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('validation', '申请内容格式不正确，请重新填写申请表');
  }
  const root = body as Record<string, unknown>;
  const a = object(root.applicant, 'applicant', '申请人信息', errors);
  const r = object(root.request, 'request', '所需信息', errors);
  const d = object(root.delivery, 'delivery', '获取方式', errors);
  const read = (source: Record<string, unknown>, group: string, key: string, label: string) =>
    text(source, key, `${group}.${key}`, label, errors);

  const type = field(read(a, 'applicant', 'type', '申请人类型'), oneOf(APPLICANT_TYPES, MESSAGES.applicantType), 'applicant.type', errors, MESSAGES.applicantType);
  const isOrg = type === 'organization';

  const name = isOrg
    ? field(read(a, 'applicant', 'name', '单位名称'), fieldValidators.orgName, 'applicant.name', errors, '请填写单位名称')
    : field(read(a, 'applicant', 'name', '申请人姓名'), fieldValidators.name, 'applicant.name', errors, '请填写申请人姓名');
  const phone = field(read(a, 'applicant', 'phone', '联系电话'), fieldValidators.phone, 'applicant.phone', errors, '请填写联系电话');
  const email = field(read(a, 'applicant', 'email', '电子邮箱'), fieldValidators.email, 'applicant.email', errors);
  const address = field(read(a, 'applicant', 'address', '通信地址'), fieldValidators.address, 'applicant.address', errors);
  const postcode = field(read(a, 'applicant', 'postcode', '邮政编码'), fieldValidators.postcode, 'applicant.postcode', errors);

  let idNumber: string | undefined;
  let orgKind: OrgKind | undefined;
  let creditCode: string | undefined;
  let legalRepresentative: string | undefined;
  let contactName: string | undefined;
  if (type === 'person') {
    idNumber = field(read(a, 'applicant', 'idNumber', '身份证号'), (raw) => fieldValidators.idNumber(raw, today), 'applicant.idNumber', errors, '请填写申请人的身份证号');
  } else if (isOrg) {
    orgKind = field(read(a, 'applicant', 'orgKind', '单位类型'), oneOf(ORG_KINDS, MESSAGES.orgKind), 'applicant.orgKind', errors, MESSAGES.orgKind);
    creditCode = field(read(a, 'applicant', 'creditCode', '统一社会信用代码'), fieldValidators.creditCode, 'applicant.creditCode', errors, '请填写单位的统一社会信用代码');
    legalRepresentative = field(read(a, 'applicant', 'legalRepresentative', '法定代表人'), fieldValidators.legalRepresentative, 'applicant.legalRepresentative', errors);
    contactName = field(read(a, 'applicant', 'contactName', '联系人'), fieldValidators.contactName, 'applicant.contactName', errors);
    const eitherRefused = 'applicant.legalRepresentative' in errors || 'applicant.contactName' in errors;
    if (!legalRepresentative && !contactName && !eitherRefused) {
      errors['applicant.contactName'] = '请填写法定代表人或联系人的姓名';
    }
  }

  const descriptionText = field(read(r, 'request', 'description', '所需信息描述'), fieldValidators.description, 'request.description', errors, '请填写所需信息的内容描述');
  const documentNumber = field(read(r, 'request', 'documentNumber', '文号'), fieldValidators.documentNumber, 'request.documentNumber', errors);

  const form = field(read(d, 'delivery', 'form', '提供形式'), oneOf(DELIVERY_FORMS, MESSAGES.deliveryForm), 'delivery.form', errors, MESSAGES.deliveryForm);
  const method = field(read(d, 'delivery', 'method', '获取方式'), oneOf(DELIVERY_METHODS, MESSAGES.deliveryMethod), 'delivery.method', errors, MESSAGES.deliveryMethod);
  checkDeliveryConsistency({ form, method, email, address, postcode }, errors);

  const paths = Object.keys(errors);
  if (paths.length > 0) {
    const first = errors[paths[0]];
    const message = paths.length === 1 ? first : `${first}（另有${paths.length - 1}处需要修改）`;
    throw new DomainError('validation', message, errors);
  }

  const contact = { phone: phone!, ...optional({ email, address, postcode }) };
  const applicant: Applicant = isOrg
    ? { type: 'organization', orgKind: orgKind!, name: name!, creditCode: creditCode!, ...optional({ legalRepresentative, contactName }), ...contact }
    : { type: 'person', name: name!, idNumber: idNumber!, ...contact };
  return {
    ok: true,
    value: {
      applicant,
      request: { description: descriptionText!, ...optional({ documentNumber }) },
      delivery: { form: form!, method: method! },
    },
  };
}

/**
 * Form and way must fit together, and the way needs its contact detail: an e-mail sends electronic
 * text to an address, a post needs an address and postcode, a fax carries paper, WeChat electronic text.
 */
function checkDeliveryConsistency(
  d: { form?: DeliveryForm; method?: DeliveryMethod; email?: string; address?: string; postcode?: string },
  errors: Fields,
): void {
  // A detail that was given but is wrong already has its own message; this only adds what is missing.
  const missing = (key: string, message: string) => {
    errors[`applicant.${key}`] ??= message;
  };
  if (d.method === 'email') {
    if (!d.email) missing('email', '选择电子邮件方式获取信息，请填写电子邮箱');
    if (d.form === 'paper') errors['delivery.form'] ??= '电子邮件只能发送电子文本，请把提供形式改为电子文本，或改选其他获取方式';
  }
  if (d.method === 'post') {
    if (!d.address) missing('address', '选择邮寄方式获取信息，请填写通信地址');
    if (!d.postcode) missing('postcode', '选择邮寄方式获取信息，请填写邮政编码');
  }
  if (d.method === 'fax' && d.form === 'electronic') {
    errors['delivery.form'] ??= '传真只能提供纸质文本，请把提供形式改为纸质文本，或改选其他获取方式';
  }
  if (d.method === 'wechat' && d.form === 'paper') {
    errors['delivery.form'] ??= '通过微信只能提供电子文本，请把提供形式改为电子文本，或改选其他获取方式';
  }
}

/** Copies only the members that have a value, so absent optional fields stay absent. */
function optional<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  const out: { [K in keyof T]?: string } = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') out[key as keyof T] = value;
  return out;
}
