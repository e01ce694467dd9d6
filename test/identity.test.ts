import test from 'ava';
import { todayInChina } from '../src/domain/calendar.js';
import {
  creditCodeCategory,
  phoneKind,
  validateCreditCode,
  validateEmail,
  validateIdNumber,
  validateLandline,
  validateMobile,
  validatePhone,
  validatePostcode,
} from '../src/domain/identity.js';
import { checkCharacter } from './helpers/id-number.js';

// Check characters computed here from the standards' own definitions, written differently from the
// module: ISO 7064 MOD 11-2 in its recursive form, and GB 32100's weights as powers of 3 mod 31.
const iso7064Mod112 = checkCharacter;
const idNumber = (region: string, birth: string, seq: string) => {
  const body = region + birth + seq;
  return body + iso7064Mod112(body);
};

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function gb32100Check(body: string): string {
  let sum = 0;
  let weight = 1;
  for (const ch of body) {
    sum += USCC_CHARS.indexOf(ch) * weight;
    weight = (weight * 3) % 31;
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}
const creditCode = (body17: string) => body17 + gb32100Check(body17);

/** Changes the check character to a different valid-looking one. */
const wrongCheck = (code: string, alphabet: string) => {
  const last = code[code.length - 1];
  const other = alphabet[(alphabet.indexOf(last) + 1) % alphabet.length];
  return code.slice(0, -1) + other;
};

const TODAY = '2026-06-15';

test('the independent check-digit helper agrees with the published GB 11643 sample', (t) => {
  t.is(idNumber('110105', '19491231', '002'), '11010519491231002X');
});

for (const [label, raw, expected] of [
  ['published sample', '11010519491231002X', '11010519491231002X'],
  ['lower-case x', '11010519491231002x', '11010519491231002X'],
  ['generated, Wuhan', idNumber('420102', '19900101', '123'), idNumber('420102', '19900101', '123')],
  ['leap day', idNumber('330106', '20000229', '051'), idNumber('330106', '20000229', '051')],
  ['Hong Kong residence permit', idNumber('810000', '19851107', '004'), idNumber('810000', '19851107', '004')],
  ['born today', idNumber('440305', '20260615', '008'), idNumber('440305', '20260615', '008')],
  ['full-width digits and spaces', ' １１０１０５ １９４９１２３１ ００２Ｘ ', '11010519491231002X'],
] as const) {
  test(`ID number accepted: ${label}`, (t) => {
    t.deepEqual(validateIdNumber(raw, TODAY), { ok: true, value: expected });
  });
}

const valid = idNumber('420102', '19900101', '123');
for (const [label, raw, message] of [
  ['empty', '  ', '请填写身份证号'],
  ['wrong check digit', wrongCheck(valid, '0123456789X'), '身份证号校验位不正确，请核对最后一位'],
  ['17 digits', valid.slice(0, 17), '身份证号应为18位，您填写了17位'],
  ['19 digits', `${valid}1`, '身份证号应为18位，您填写了19位'],
  ['old 15-digit number', '420102900101123', '请填写18位的身份证号（15位的旧号码已停止使用）'],
  ['letter in the middle', `${valid.slice(0, 10)}A${valid.slice(11)}`, '身份证号只能由数字组成，最后一位可以是X'],
  ['X not last', `X${valid.slice(1)}`, '身份证号只能由数字组成，最后一位可以是X'],
  ['30 February', idNumber('420102', '19900230', '123'), '身份证号第7—14位的出生日期不是有效日期，请核对'],
  ['29 February of a common year', idNumber('420102', '19900229', '123'), '身份证号第7—14位的出生日期不是有效日期，请核对'],
  ['month 13', idNumber('420102', '19901301', '123'), '身份证号第7—14位的出生日期不是有效日期，请核对'],
  ['day 00', idNumber('420102', '19900100', '123'), '身份证号第7—14位的出生日期不是有效日期，请核对'],
  ['born before 1900', idNumber('420102', '18991231', '123'), '身份证号第7—14位的出生日期不是有效日期，请核对'],
  ['born tomorrow', idNumber('420102', '20260616', '123'), '身份证号中的出生日期晚于今天，请核对'],
  ['province 00', idNumber('000102', '19900101', '123'), '身份证号前两位不是有效的地区代码，请核对'],
  ['province 19', idNumber('190102', '19900101', '123'), '身份证号前两位不是有效的地区代码，请核对'],
  ['province 99', idNumber('990102', '19900101', '123'), '身份证号前两位不是有效的地区代码，请核对'],
] as const) {
  test(`ID number refused: ${label}`, (t) => {
    t.deepEqual(validateIdNumber(raw, TODAY), { ok: false, message });
  });
}

test('the future-date rule follows the given day', (t) => {
  const born = idNumber('420102', '20260616', '123');
  t.false(validateIdNumber(born, '2026-06-15').ok);
  t.true(validateIdNumber(born, '2026-06-16').ok);
});

// identity.ts had its own chinaToday; the checks now take the day from the caller (calendar.ts's todayInChina).
test('todayInChina is the calendar day in UTC+8', (t) => {
  t.is(todayInChina(new Date(Date.UTC(2026, 0, 1, 15, 59))), '2026-01-01');
  t.is(todayInChina(new Date(Date.UTC(2026, 0, 1, 16, 0))), '2026-01-02');
  t.is(todayInChina(new Date(Date.UTC(2025, 11, 31, 16, 30))), '2026-01-01');
});

// 统一社会信用代码

test('the independent credit-code helper agrees with a published code', (t) => {
  t.is(creditCode('91110000600037341'), '91110000600037341L');
});

for (const [label, raw, expected] of [
  ['published enterprise code', '91110000600037341L', '91110000600037341L'],
  ['lower case with spaces', ' 9111 0000 6000 3734 1l ', '91110000600037341L'],
  ['full-width', '９１１１００００６０００３７３４１Ｌ', '91110000600037341L'],
  ['government organ (11)', creditCode('11420100MB1234567'), creditCode('11420100MB1234567')],
  ['foundation (53)', creditCode('53420100MJ0000123'), creditCode('53420100MJ0000123')],
  ['law firm (31)', creditCode('31420000MD0123456'), creditCode('31420000MD0123456')],
  ['village collective (N2)', creditCode('N2420102MF1234567'), creditCode('N2420102MF1234567')],
  ['other (Y1)', creditCode('Y1420102MA4K00000'), creditCode('Y1420102MA4K00000')],
] as const) {
  test(`credit code accepted: ${label}`, (t) => {
    t.deepEqual(validateCreditCode(raw), { ok: true, value: expected });
  });
}

const firm = creditCode('91420102MA4K12345');
for (const [label, raw, message] of [
  ['empty', '', '请填写统一社会信用代码'],
  ['wrong check character', wrongCheck(firm, USCC_CHARS), '统一社会信用代码校验位不正确，请核对最后一位'],
  ['17 characters', firm.slice(0, 17), '统一社会信用代码应为18位，您填写了17位'],
  ['letter O for zero', `${firm.slice(0, 16)}O${firm[17]}`, '统一社会信用代码不含字母I、O、Z、S、V，请核对是否把数字看成了字母'],
  ['letter I', `${firm.slice(0, 12)}I${firm.slice(13)}`, '统一社会信用代码不含字母I、O、Z、S、V，请核对是否把数字看成了字母'],
  ['punctuation', `${firm.slice(0, 16)}*${firm[17]}`, '统一社会信用代码只能由数字和大写字母组成'],
  ['unknown authority B', creditCode('B1420102MA4K12345'), '统一社会信用代码第1位（登记管理部门代码）不正确，请核对'],
  ['authority 0', creditCode('01420102MA4K12345'), '统一社会信用代码第1位（登记管理部门代码）不正确，请核对'],
  ['工商 with category 4', creditCode('94420102MA4K12345'), '统一社会信用代码第2位（机构类别代码）不正确，请核对'],
  ['民政 with category 4', creditCode('54420102MA4K12345'), '统一社会信用代码第2位（机构类别代码）不正确，请核对'],
  ['letter in the region code', creditCode('9142A102MA4K12345'), '统一社会信用代码第3—8位（行政区划码）应为数字，请核对'],
] as const) {
  test(`credit code refused: ${label}`, (t) => {
    t.deepEqual(validateCreditCode(raw), { ok: false, message });
  });
}

test('creditCodeCategory names the authority and kind', (t) => {
  t.deepEqual(creditCodeCategory('91110000600037341L'), { authority: '工商', category: '企业' });
  t.deepEqual(creditCodeCategory(creditCode('31420000MD0123456')), { authority: '司法行政', category: '律师执业机构' });
  t.is(creditCodeCategory('B1420102MA4K12345'), null);
});

// Telephone numbers

for (const [raw, expected] of [
  ['13812345678', '13812345678'],
  ['138 1234 5678', '13812345678'],
  ['138-1234-5678', '13812345678'],
  ['+86 138 1234 5678', '13812345678'],
  ['+8613812345678', '13812345678'],
  ['86-13812345678', '13812345678'],
  ['0086 13812345678', '13812345678'],
  ['１９９１２３４５６７８', '19912345678'],
] as const) {
  test(`mobile accepted: ${raw}`, (t) => {
    t.deepEqual(validateMobile(raw), { ok: true, value: expected });
  });
}

for (const [raw, message] of [
  ['', '请填写手机号码'],
  ['12812345678', '手机号码应以13—19开头，请核对'],
  ['1381234567', '手机号码应为11位，您填写了10位'],
  ['138123456789', '手机号码应为11位，您填写了12位'],
  ['138abc45678', '手机号码只能由数字组成'],
] as const) {
  test(`mobile refused: ${JSON.stringify(raw)}`, (t) => {
    t.deepEqual(validateMobile(raw), { ok: false, message });
  });
}

for (const [raw, expected] of [
  ['027-87654321', '027-87654321'],
  ['010 62345678', '010-62345678'],
  ['(0755)2345678', '0755-2345678'],
  ['（０７５５）８８８８９９９９', '0755-88889999'],
  ['+86 10 6234 5678', '010-62345678'],
  ['0086-755-82345678', '0755-82345678'],
  ['021-62345678转123', '021-62345678-123'],
  ['0716-8123456 ext. 45', '0716-8123456-45'],
] as const) {
  test(`landline accepted: ${raw}`, (t) => {
    t.deepEqual(validateLandline(raw), { ok: true, value: expected });
  });
}

for (const [raw, message] of [
  ['62345678', '固定电话请加上区号，例如 027-87654321'],
  ['010-6234567', '固定电话号码格式不正确，请填写区号加号码，例如 027-87654321'],
  ['0755-0123456', '固定电话号码格式不正确，请填写区号加号码，例如 027-87654321'],
  ['0755-234567', '固定电话号码格式不正确，请填写区号加号码，例如 027-87654321'],
  ['027-1234abcd', '电话号码只能由数字组成'],
] as const) {
  test(`landline refused: ${raw}`, (t) => {
    t.deepEqual(validateLandline(raw), { ok: false, message });
  });
}

test('validatePhone takes a mobile or a landline and says which was meant when neither fits', (t) => {
  t.deepEqual(validatePhone('+86 139-0000-1111'), { ok: true, value: '13900001111' });
  t.deepEqual(validatePhone('027 8765 4321'), { ok: true, value: '027-87654321' });
  t.is(phoneKind('13900001111'), 'mobile');
  t.is(phoneKind('027-87654321'), 'landline');
  t.deepEqual(validatePhone(''), { ok: false, message: '请填写联系电话' });
  t.deepEqual(validatePhone('1390000111'), { ok: false, message: '手机号码应为11位，您填写了10位' });
  t.deepEqual(validatePhone('87654321'), { ok: false, message: '固定电话请加上区号，例如 027-87654321' });
  t.deepEqual(validatePhone('电话打不通'), { ok: false, message: '请填写正确的手机号码，或带区号的固定电话（例如 027-87654321）' });
});

// E-mail and postcode

for (const [raw, expected] of [
  ['name@example.com', 'name@example.com'],
  [' Zhang.San@Example.COM ', 'Zhang.San@example.com'],
  ['123456@qq.com', '123456@qq.com'],
  ['a+tag@mail.gov.cn', 'a+tag@mail.gov.cn'],
  ['ｎａｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'name@example.com'],
  ['name@163。com', 'name@163.com'],
] as const) {
  test(`e-mail accepted: ${raw}`, (t) => {
    t.deepEqual(validateEmail(raw), { ok: true, value: expected });
  });
}

for (const [raw, message] of [
  ['', '请填写电子邮箱'],
  ['name.example.com', '电子邮箱应包含@，例如 name@example.com'],
  ['name@localhost', '电子邮箱格式不正确，例如 name@example.com'],
  ['张三@qq.com', '电子邮箱格式不正确，例如 name@example.com'],
  ['name..x@qq.com', '电子邮箱格式不正确，例如 name@example.com'],
  ['name@qq.c', '电子邮箱格式不正确，例如 name@example.com'],
  ['a@b@c.com', '电子邮箱格式不正确，例如 name@example.com'],
] as const) {
  test(`e-mail refused: ${JSON.stringify(raw)}`, (t) => {
    t.deepEqual(validateEmail(raw), { ok: false, message });
  });
}

test('postcodes are six digits', (t) => {
  t.deepEqual(validatePostcode(' 430014 '), { ok: true, value: '430014' });
  t.deepEqual(validatePostcode('４３００１４'), { ok: true, value: '430014' });
  t.deepEqual(validatePostcode(''), { ok: false, message: '请填写邮政编码' });
  t.deepEqual(validatePostcode('43001'), { ok: false, message: '邮政编码应为6位数字' });
  t.deepEqual(validatePostcode('4300141'), { ok: false, message: '邮政编码应为6位数字' });
  t.deepEqual(validatePostcode('43OO14'), { ok: false, message: '邮政编码应为6位数字' });
});
