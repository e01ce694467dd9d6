// Identity and contact checks for disclosure applicants (条例第二十九条: 姓名或者名称、身份证明、联系方式).
// Each check takes what a person typed — full-width digits, spaces, dashes and all — and returns either
// the normalised value the office stores or a short Chinese reason the applicant can act on.

export type Check<T = string> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const fail = (message: string): Check<never> => ({ ok: false, message });

/** Full-width digits, letters, ＠, －, （） → their ASCII forms; what Chinese IMEs produce in full-width mode. */
function halfWidth(raw: string): string {
  return raw.normalize('NFKC');
}

// ---------------------------------------------------------------------------------------------------
// 居民身份证号, GB 11643-1999

/**
 * First two digits of a citizen number: the province-level codes of GB/T 2260, plus 83, which
 * 港澳台居民居住证 use for Taiwan residents (81 and 82 are Hong Kong and Macao in both).
 */
const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** ISO 7064 MOD 11-2 weights, 2^(17-i) mod 11, for the 17 body digits. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

function idCheckChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * ID_WEIGHTS[i];
  return ID_CHECK_CHARS[sum % 11];
}

function isRealDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * A 居民身份证号 (also the 港澳台居民居住证 number, which follows the same standard).
 * @param today 'YYYY-MM-DD' in China time; a birth date after it is refused
 * @returns the 18-character number with an upper-case X
 */
export function validateIdNumber(raw: string, today: string): Check {
  const value = halfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
  if (value === '') return fail('请填写身份证号');
  if (/^\d{15}$/.test(value)) return fail('请填写18位的身份证号（15位的旧号码已停止使用）');
  if (value.length !== 18) return fail(`身份证号应为18位，您填写了${value.length}位`);
  if (!/^\d{17}[\dX]$/.test(value)) return fail('身份证号只能由数字组成，最后一位可以是X');
  if (!PROVINCE_CODES.has(value.slice(0, 2))) return fail('身份证号前两位不是有效的地区代码，请核对');
  const birth = value.slice(6, 14);
  if (Number(birth.slice(0, 4)) < 1900 || !isRealDate(birth)) {
    return fail('身份证号第7—14位的出生日期不是有效日期，请核对');
  }
  if (`${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}` > today) {
    return fail('身份证号中的出生日期晚于今天，请核对');
  }
  if (idCheckChar(value.slice(0, 17)) !== value[17]) return fail('身份证号校验位不正确，请核对最后一位');
  return ok(value);
}

// ---------------------------------------------------------------------------------------------------
// 统一社会信用代码, GB 32100-2015

/** The 31 characters of the code, in checksum-value order: digits and capitals without I O Z S V. */
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** 3^i mod 31 for positions 1–17. */
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** 登记管理部门代码 (position 1) → its name and the 机构类别代码 (position 2) it may be followed by. */
const CREDIT_AUTHORITIES: Record<string, { name: string; categories: Record<string, string> }> = {
  '1': { name: '机构编制', categories: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': { name: '司法行政', categories: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' } },
  '4': { name: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': { name: '旅游', categories: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' } },
  '7': { name: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: { name: '农业', categories: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { name: '其他', categories: { '1': '其他' } },
};

function creditCheckChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(body17[i]) * CREDIT_WEIGHTS[i];
  return CREDIT_CHARS[(31 - (sum % 31)) % 31];
}

/** A 统一社会信用代码, returned in upper case without spaces. */
export function validateCreditCode(raw: string): Check {
  const value = halfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
  if (value === '') return fail('请填写统一社会信用代码');
  if (value.length !== 18) return fail(`统一社会信用代码应为18位，您填写了${value.length}位`);
  if (/[IOZSV]/.test(value)) return fail('统一社会信用代码不含字母I、O、Z、S、V，请核对是否把数字看成了字母');
  if (!/^[0-9A-Z]{18}$/.test(value)) return fail('统一社会信用代码只能由数字和大写字母组成');
  const authority = CREDIT_AUTHORITIES[value[0]];
  if (!authority) return fail('统一社会信用代码第1位（登记管理部门代码）不正确，请核对');
  if (!authority.categories[value[1]]) return fail('统一社会信用代码第2位（机构类别代码）不正确，请核对');
  if (!/^\d{6}$/.test(value.slice(2, 8))) return fail('统一社会信用代码第3—8位（行政区划码）应为数字，请核对');
  if (creditCheckChar(value.slice(0, 17)) !== value[17]) return fail('统一社会信用代码校验位不正确，请核对最后一位');
  return ok(value);
}

/** The registering authority and kind of organisation a valid credit code encodes, e.g. 工商 / 企业. */
export function creditCodeCategory(code: string): { authority: string; category: string } | null {
  const authority = CREDIT_AUTHORITIES[code[0]];
  const category = authority?.categories[code[1]];
  return authority && category ? { authority: authority.name, category } : null;
}

// ---------------------------------------------------------------------------------------------------
// Telephone numbers

/** A mainland mobile number as 11 digits, with any +86 / 0086 / 86 prefix, spaces and dashes removed. */
export function validateMobile(raw: string): Check {
  const digits = halfWidth(raw).replace(/[\s\-()]/g, '');
  if (digits === '') return fail('请填写手机号码');
  const bare = digits.replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '');
  if (!/^\d+$/.test(bare)) return fail('手机号码只能由数字组成');
  if (bare.length !== 11) return fail(`手机号码应为11位，您填写了${bare.length}位`);
  if (!/^1[3-9]\d{9}$/.test(bare)) return fail('手机号码应以13—19开头，请核对');
  return ok(bare);
}

const EXTENSION = /(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$/i;

/**
 * A landline with its area code, as '0755-12345678' (or '010-12345678-123' with an extension).
 * Area codes 010 and 02x have 8-digit local numbers; the others are 4 digits long with 7 or 8.
 */
export function validateLandline(raw: string): Check {
  let text = halfWidth(raw).trim();
  if (text === '') return fail('请填写电话号码');
  let extension = '';
  const ext = EXTENSION.exec(text);
  if (ext) {
    extension = ext[1];
    text = text.slice(0, ext.index);
  }
  let digits = text.replace(/[\s\-()]/g, '').replace(/^\+/, '00');
  if (!/^\d+$/.test(digits)) return fail('电话号码只能由数字组成');
  if (digits.startsWith('0086')) digits = `0${digits.slice(4)}`;
  else if (/^86[2-9]\d{8,10}$/.test(digits) || /^8610\d{8}$/.test(digits)) digits = `0${digits.slice(2)}`;
  if (!digits.startsWith('0')) return fail('固定电话请加上区号，例如 027-87654321');
  const short = /^0(?:10|2\d)/.test(digits);
  const area = digits.slice(0, short ? 3 : 4);
  const local = digits.slice(area.length);
  const localOk = short ? /^[2-9]\d{7}$/.test(local) : /^0[3-9]\d\d$/.test(area) && /^[2-9]\d{6,7}$/.test(local);
  if (!localOk) return fail('固定电话号码格式不正确，请填写区号加号码，例如 027-87654321');
  return ok(extension ? `${area}-${local}-${extension}` : `${area}-${local}`);
}

export type PhoneKind = 'mobile' | 'landline';

/** What kind of number a value returned by validatePhone is. */
export function phoneKind(normalised: string): PhoneKind {
  return normalised.startsWith('0') ? 'landline' : 'mobile';
}

/** A mobile number, or failing that a landline with area code: applicants may give either. */
export function validatePhone(raw: string): Check {
  const text = halfWidth(raw).trim();
  if (text === '') return fail('请填写联系电话');
  const mobile = validateMobile(text);
  if (mobile.ok) return mobile;
  const landline = validateLandline(text);
  if (landline.ok) return landline;
  const digits = text.replace(/\D/g, '');
  if (/^(?:\+?86|0086)?1/.test(text.replace(/[\s\-()]/g, ''))) return mobile;
  if (digits.length >= 7 && digits.length <= 8 && !digits.startsWith('0')) return fail('固定电话请加上区号，例如 027-87654321');
  return fail('请填写正确的手机号码，或带区号的固定电话（例如 027-87654321）');
}

// ---------------------------------------------------------------------------------------------------
// E-mail and postcode

const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** An e-mail address; the domain is lower-cased, and a Chinese full stop typed for a dot is accepted. */
export function validateEmail(raw: string): Check {
  const text = halfWidth(raw).replace(/\s/g, '').replace(/。/g, '.');
  if (text === '') return fail('请填写电子邮箱');
  if (!text.includes('@')) return fail('电子邮箱应包含@，例如 name@example.com');
  if (text.length > 254 || !EMAIL.test(text)) return fail('电子邮箱格式不正确，例如 name@example.com');
  const at = text.lastIndexOf('@');
  return ok(`${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`);
}

/** A six-digit postcode (邮政编码). */
export function validatePostcode(raw: string): Check {
  const text = halfWidth(raw).replace(/\s/g, '');
  if (text === '') return fail('请填写邮政编码');
  if (!/^\d{6}$/.test(text)) return fail('邮政编码应为6位数字');
  return ok(text);
}

/**
 * Who an applicant is, as far as their papers say: the ID number of a person or the credit code of
 * an organisation, in upper case (a trailing x and X are the same number); null when neither is known.
 */
export function identityKey(applicant: { idNumber?: string; creditCode?: string }): string | null {
  return applicant.idNumber?.toUpperCase() ?? applicant.creditCode?.toUpperCase() ?? null;
}
