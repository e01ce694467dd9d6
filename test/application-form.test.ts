import test from 'ava';
import { DomainError } from '../src/domain/errors.js';
import { fieldValidators, validateApplicationInput } from '../src/domain/application-form.js';
import { formatTrackingNo, parseTrackingNo } from '../src/domain/tracking-number.js';
import { idNumber } from './helpers/id-number.js';

const ID = idNumber('42010219900101123');
/** The day the checks run on: an ID number may not carry a birth date after it. */
const TODAY = '2026-06-15';
const CREDIT_CODE = '91110000600037341L';
const DESCRIPTION = '请公开本办2019年人防工程易地建设费的收取和使用情况';

function person(overrides: Record<string, unknown> = {}) {
  return {
    applicant: { type: 'person', name: '张三', idNumber: ID, phone: '13812345678' },
    request: { description: DESCRIPTION },
    delivery: { form: 'electronic', method: 'wechat' },
    ...overrides,
  };
}

function organization(applicant: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  return {
    applicant: {
      type: 'organization', orgKind: 'legal-service', name: '湖北某某律师事务所', creditCode: CREDIT_CODE,
      contactName: '李四', phone: '027-87654321', ...applicant,
    },
    request: { description: DESCRIPTION },
    delivery: { form: 'paper', method: 'pickup' },
    ...rest,
  };
}

/** The fields of the DomainError that validating `body` throws. */
function refusal(t: { throws: (fn: () => unknown, e: object) => unknown }, body: unknown): Record<string, string> {
  const error = t.throws(() => validateApplicationInput(body, TODAY), { instanceOf: DomainError }) as DomainError;
  if (error.code !== 'validation') throw new Error(`unexpected code ${error.code}`);
  return error.fields ?? {};
}

test('a complete request from a person comes back clean', (t) => {
  const result = validateApplicationInput({
    applicant: {
      type: 'person', name: ' 张\u0000三\u200B ', idNumber: `${ID.slice(0, 17)}${ID[17].toLowerCase()}`,
      phone: '+86 138-1234-5678', email: ' Zhang@Example.com ', address: '湖北省武汉市江汉区新华路123号',
      postcode: '430014', orgKind: 'commercial', creditCode: CREDIT_CODE, isAdmin: true,
    },
    request: { description: `  ${DESCRIPTION}\r\n\r\n\r\n\r\n文号不详\u0007  `, documentNumber: '  ', extra: 1 },
    delivery: { form: 'electronic', method: 'email' },
    openid: 'spoofed',
  }, TODAY);
  t.deepEqual(result, {
    ok: true,
    value: {
      applicant: {
        type: 'person', name: '张三', idNumber: ID, phone: '13812345678', email: 'Zhang@example.com',
        address: '湖北省武汉市江汉区新华路123号', postcode: '430014',
      },
      request: { description: `${DESCRIPTION}\n\n文号不详` },
      delivery: { form: 'electronic', method: 'email' },
    },
  });
});

test('a complete request from an organisation keeps its own fields', (t) => {
  const result = validateApplicationInput(organization({ legalRepresentative: '王五', idNumber: ID }, {
    request: { description: DESCRIPTION, documentNumber: ' 武人防〔2019〕5号 ' },
  }), TODAY);
  t.deepEqual(result.value, {
    applicant: {
      type: 'organization', orgKind: 'legal-service', name: '湖北某某律师事务所', creditCode: CREDIT_CODE,
      legalRepresentative: '王五', contactName: '李四', phone: '027-87654321',
    },
    request: { description: DESCRIPTION, documentNumber: '武人防〔2019〕5号' },
    delivery: { form: 'paper', method: 'pickup' },
  });
});

test('an empty body names every required field', (t) => {
  t.deepEqual(refusal(t, {}), {
    'applicant.type': '请选择以个人还是以法人或其他组织的名义申请',
    'applicant.name': '请填写申请人姓名',
    'applicant.phone': '请填写联系电话',
    'request.description': '请填写所需信息的内容描述',
    'delivery.form': '请选择信息的提供形式：纸质文本或电子文本',
    'delivery.method': '请选择获取信息的方式：邮寄、电子邮件、自行领取、传真、当场查阅或微信',
  });
});

test('the message names the first problem and counts the rest', (t) => {
  const error = t.throws(() => validateApplicationInput(person({ applicant: { type: 'person', name: '张三' } }), TODAY), { instanceOf: DomainError });
  t.is(error?.message, '请填写联系电话（另有1处需要修改）');
  const single = t.throws(() => validateApplicationInput(person({ request: {} }), TODAY), { instanceOf: DomainError });
  t.is(single?.message, '请填写所需信息的内容描述');
});

for (const [label, body, path, message] of [
  ['person without ID number', person({ applicant: { type: 'person', name: '张三', phone: '13812345678' } }), 'applicant.idNumber', '请填写申请人的身份证号'],
  ['ID number with a wrong check digit', person({ applicant: { type: 'person', name: '张三', phone: '13812345678', idNumber: `${ID.slice(0, 17)}${ID[17] === '0' ? '1' : '0'}` } }), 'applicant.idNumber', '身份证号校验位不正确，请核对最后一位'],
  ['name with digits', person({ applicant: { type: 'person', name: '张三3', idNumber: ID, phone: '13812345678' } }), 'applicant.name', '姓名中不能有数字'],
  ['phone that is no phone', person({ applicant: { type: 'person', name: '张三', idNumber: ID, phone: 'abc' } }), 'applicant.phone', '请填写正确的手机号码，或带区号的固定电话（例如 027-87654321）'],
  ['unknown applicant type', person({ applicant: { type: 'company', name: '张三', phone: '13812345678' } }), 'applicant.type', '请选择以个人还是以法人或其他组织的名义申请'],
  ['organisation without credit code', organization({ creditCode: undefined }), 'applicant.creditCode', '请填写单位的统一社会信用代码'],
  ['organisation with a bad credit code', organization({ creditCode: '91110000600037341A' }), 'applicant.creditCode', '统一社会信用代码校验位不正确，请核对最后一位'],
  ['organisation without kind', organization({ orgKind: undefined }), 'applicant.orgKind', '请选择单位类型：商业企业、科研机构、社会公益组织、法律服务机构或其他'],
  ['organisation of an unknown kind', organization({ orgKind: 'ngo' }), 'applicant.orgKind', '请选择单位类型：商业企业、科研机构、社会公益组织、法律服务机构或其他'],
  ['organisation without representative or contact', organization({ contactName: ' ' }), 'applicant.contactName', '请填写法定代表人或联系人的姓名'],
  ['organisation without name', organization({ name: '' }), 'applicant.name', '请填写单位名称'],
  ['bad e-mail', person({ applicant: { type: 'person', name: '张三', idNumber: ID, phone: '13812345678', email: 'zhang@' } }), 'applicant.email', '电子邮箱格式不正确，例如 name@example.com'],
  ['bad postcode', person({ applicant: { type: 'person', name: '张三', idNumber: ID, phone: '13812345678', postcode: '4300' } }), 'applicant.postcode', '邮政编码应为6位数字'],
  ['unknown delivery form', person({ delivery: { form: 'cd', method: 'wechat' } }), 'delivery.form', '请选择信息的提供形式：纸质文本或电子文本'],
  ['Chinese label instead of a method code', person({ delivery: { form: 'paper', method: '邮寄' } }), 'delivery.method', '请选择获取信息的方式：邮寄、电子邮件、自行领取、传真、当场查阅或微信'],
  ['document number too long', person({ request: { description: DESCRIPTION, documentNumber: '号'.repeat(101) } }), 'request.documentNumber', '文号不能超过100个字'],
] as const) {
  test(`refused: ${label}`, (t) => {
    t.is(refusal(t, body)[path], message);
  });
}

for (const [label, body, path, message] of [
  ['body is an array', [], '', ''],
  ['body is a string', 'hello', '', ''],
] as const) {
  test(`refused as a whole: ${label}`, (t) => {
    const error = t.throws(() => validateApplicationInput(body, TODAY), { instanceOf: DomainError });
    t.is(error?.code, 'validation');
    t.is(error?.message, '申请内容格式不正确，请重新填写申请表');
    t.is(error?.fields?.[path], message || undefined);
  });
}

test('wrong types are reported per field, never thrown as TypeError', (t) => {
  const fields = refusal(t, {
    applicant: { type: 'person', name: 42, idNumber: 420102199001011234, phone: ['13812345678'], email: {} },
    request: 'please',
    delivery: { form: true, method: null },
  });
  t.is(fields['applicant.name'], '申请人姓名应填写为文字');
  t.is(fields['applicant.idNumber'], '身份证号应填写为文字');
  t.is(fields['applicant.phone'], '联系电话应填写为文字');
  t.is(fields['applicant.email'], '电子邮箱应填写为文字');
  t.is(fields.request, '所需信息格式不正确');
  t.is(fields['request.description'], '请填写所需信息的内容描述');
  t.is(fields['delivery.form'], '提供形式应填写为文字');
  t.is(fields['delivery.method'], '请选择获取信息的方式：邮寄、电子邮件、自行领取、传真、当场查阅或微信');
  t.is(refusal(t, { applicant: 'me' }).applicant, '申请人信息格式不正确');
});

// Description: at least 10 letters or digits, at most 2000 characters.
for (const [label, description, accepted] of [
  ['nine characters', '人防工程建设费情况', false],
  ['ten characters', '人防工程建设费使用情况', true],
  ['ten characters padded with punctuation', '！！人防工程建设费使用情况？？', true],
  ['punctuation and emoji only', '？？？？？！！！！！😀😀😀😀😀😀', false],
  ['one character repeated', '啊'.repeat(30), false],
  ['2000 characters', '人防工程'.repeat(500), true],
  ['2001 characters', `${'人防工程'.repeat(500)}费`, false],
] as const) {
  test(`description: ${label}`, (t) => {
    t.is(fieldValidators.description(description).ok, accepted);
    const body = person({ request: { description } });
    if (accepted) t.true(validateApplicationInput(body, TODAY).ok);
    else t.true('request.description' in refusal(t, body));
  });
}

test('description messages say how to fix it', (t) => {
  t.deepEqual(fieldValidators.description('人防费用'), {
    ok: false, message: '所需信息的描述太短，请写明信息的名称、文号或便于查找的其他特征（至少10个字）',
  });
  t.deepEqual(fieldValidators.description('字'.repeat(2001)), {
    ok: false, message: '所需信息的描述不能超过2000字，内容较多时请分成几份申请',
  });
});

// Delivery: form and way must fit, and the way needs its contact detail.
for (const [label, delivery, contact, path, message] of [
  ['e-mail without an address', { form: 'electronic', method: 'email' }, {}, 'applicant.email', '选择电子邮件方式获取信息，请填写电子邮箱'],
  ['paper by e-mail', { form: 'paper', method: 'email' }, { email: 'a@b.cn' }, 'delivery.form', '电子邮件只能发送电子文本，请把提供形式改为电子文本，或改选其他获取方式'],
  ['post without address', { form: 'paper', method: 'post' }, { postcode: '430014' }, 'applicant.address', '选择邮寄方式获取信息，请填写通信地址'],
  ['post without postcode', { form: 'paper', method: 'post' }, { address: '湖北省武汉市江汉区新华路1号' }, 'applicant.postcode', '选择邮寄方式获取信息，请填写邮政编码'],
  ['electronic text by fax', { form: 'electronic', method: 'fax' }, {}, 'delivery.form', '传真只能提供纸质文本，请把提供形式改为纸质文本，或改选其他获取方式'],
  ['paper through WeChat', { form: 'paper', method: 'wechat' }, {}, 'delivery.form', '通过微信只能提供电子文本，请把提供形式改为电子文本，或改选其他获取方式'],
] as const) {
  test(`delivery refused: ${label}`, (t) => {
    const body = person({
      applicant: { type: 'person', name: '张三', idNumber: ID, phone: '13812345678', ...contact },
      delivery,
    });
    t.is(refusal(t, body)[path], message);
  });
}

test('a bad e-mail for e-mail delivery is reported once, as a bad e-mail', (t) => {
  const fields = refusal(t, person({
    applicant: { type: 'person', name: '张三', idNumber: ID, phone: '13812345678', email: 'zhang' },
    delivery: { form: 'electronic', method: 'email' },
  }));
  t.is(fields['applicant.email'], '电子邮箱应包含@，例如 name@example.com');
});

for (const delivery of [
  { form: 'paper', method: 'post' },
  { form: 'electronic', method: 'post' },
  { form: 'paper', method: 'pickup' },
  { form: 'paper', method: 'fax' },
  { form: 'paper', method: 'onsite' },
  { form: 'electronic', method: 'onsite' },
  { form: 'electronic', method: 'email' },
  { form: 'electronic', method: 'wechat' },
]) {
  test(`delivery accepted: ${delivery.form} by ${delivery.method}`, (t) => {
    const body = person({
      applicant: {
        type: 'person', name: '张三', idNumber: ID, phone: '13812345678',
        email: 'a@b.cn', address: '湖北省武汉市江汉区新华路1号', postcode: '430014',
      },
      delivery,
    });
    t.deepEqual(validateApplicationInput(body, TODAY).value.delivery, delivery);
  });
}

// The chat form: one answer at a time, in the words people use.
for (const [validator, answer, expected] of [
  ['applicantType', '个人', 'person'],
  ['applicantType', '我是以单位名义申请', 'organization'],
  ['applicantType', 'organization', 'organization'],
  ['orgKind', '律师事务所', 'legal-service'],
  ['orgKind', '我们是科研院所，某某研究院', 'research'],
  ['orgKind', '公司', 'commercial'],
  ['orgKind', '公益组织', 'public-welfare'],
  ['orgKind', '其它', 'other'],
  ['deliveryForm', '纸质的', 'paper'],
  ['deliveryForm', '电子版就行', 'electronic'],
  ['deliveryForm', 'PDF', 'electronic'],
  ['deliveryMethod', '邮寄给我', 'post'],
  ['deliveryMethod', '发我邮箱', 'email'],
  ['deliveryMethod', 'E-mail', 'email'],
  ['deliveryMethod', '我自己去领取', 'pickup'],
  ['deliveryMethod', '传真', 'fax'],
  ['deliveryMethod', '到现场查阅', 'onsite'],
  ['deliveryMethod', '微信发我', 'wechat'],
  ['deliveryMethod', 'wechat', 'wechat'],
] as const) {
  test(`chat answer ${JSON.stringify(answer)} → ${validator} ${expected}`, (t) => {
    t.deepEqual(fieldValidators[validator](answer), { ok: true, value: expected });
  });
}

for (const [validator, answer, message] of [
  ['applicantType', '随便', '请选择以个人还是以法人或其他组织的名义申请'],
  ['deliveryForm', '纸质和电子都要', '请选择信息的提供形式：纸质文本或电子文本'],
  ['deliveryMethod', '', '请选择获取信息的方式：邮寄、电子邮件、自行领取、传真、当场查阅或微信'],
  ['deliveryMethod', '寄到我的邮箱', '请选择获取信息的方式：邮寄、电子邮件、自行领取、传真、当场查阅或微信'],
  ['orgKind', '不知道', '请选择单位类型：商业企业、科研机构、社会公益组织、法律服务机构或其他'],
  ['name', '  ', '请填写申请人姓名'],
  ['name', '张', '请填写完整的姓名'],
  ['name', '张\u0007', '请填写完整的姓名'],
  ['phone', '12345', '手机号码应为11位，您填写了5位'],
  ['contactName', '李4', '联系人姓名中不能有数字'],
  ['orgName', '', '请填写单位名称'],
  ['address', '武汉', '请填写完整的通信地址，写到门牌号'],
  ['idNumber', '123', '身份证号应为18位，您填写了3位'],
  ['creditCode', '', '请填写统一社会信用代码'],
  ['phone', '', '请填写联系电话'],
  ['email', 'x', '电子邮箱应包含@，例如 name@example.com'],
  ['postcode', '12', '邮政编码应为6位数字'],
] as const) {
  test(`chat answer ${JSON.stringify(answer)} refused by ${validator}`, (t) => {
    t.deepEqual(fieldValidators[validator](answer, TODAY), { ok: false, message });
  });
}

test('chat answers come back normalised', (t) => {
  t.deepEqual(fieldValidators.name('  欧阳\t娜娜 '), { ok: true, value: '欧阳 娜娜' });
  t.deepEqual(fieldValidators.phone('１３８ １２３４ ５６７８'), { ok: true, value: '13812345678' });
  t.deepEqual(fieldValidators.idNumber(` ${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)} `, TODAY), { ok: true, value: ID });
  t.deepEqual(fieldValidators.creditCode('91110000600037341l'), { ok: true, value: CREDIT_CODE });
  t.deepEqual(fieldValidators.documentNumber(''), { ok: true, value: '' });
});

// Tracking numbers (src/domain/tracking-number.ts): issued with each application.
for (const [year, seq, formatted] of [
  [2026, 1, '2026-000001'],
  [2026, 123, '2026-000123'],
  [2019, 999999, '2019-999999'],
] as const) {
  test(`tracking number ${year}/${seq} is ${formatted}`, (t) => {
    t.is(formatTrackingNo(year, seq), formatted);
    t.deepEqual(parseTrackingNo(formatted), { year, seq, trackingNo: formatted });
  });
}

for (const [year, seq] of [[2026, 0], [2026, 1_000_000], [1999, 1], [2026, 1.5]] as const) {
  test(`tracking number ${year}/${seq} cannot be formatted`, (t) => {
    t.throws(() => formatTrackingNo(year, seq), { instanceOf: RangeError });
  });
}

for (const [text, expected] of [
  ['2026-000123', '2026-000123'],
  ['查一下 2026-000123 的进度', '2026-000123'],
  ['我的编号是２０２６－０００１２３', '2026-000123'],
  ['编号2026—000123', '2026-000123'],
  ['2026 – 000123', '2026-000123'],
  ['2026_000123', '2026-000123'],
  ['2026～000123吗', '2026-000123'],
  ['先是2025-000007，后来2026-000001', '2025-000007'],
] as const) {
  test(`tracking number found in ${JSON.stringify(text)}`, (t) => {
    t.is(parseTrackingNo(text)?.trackingNo, expected);
  });
}

for (const text of ['你好', '2026-05-01', '2026-00012', '2026-0001234', '12026-000123', '2026-000000', '13812345678', '2026000123']) {
  test(`no tracking number in ${JSON.stringify(text)}`, (t) => {
    t.is(parseTrackingNo(text), null);
  });
}
