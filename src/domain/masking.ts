// Masking of personal data for logs, staff lists and notifications (docs/ARCHITECTURE.md, "Contracts"): enough is left
// to recognise a record — the region of an ID number, the last digits of a phone — and no more.
// Masks have a fixed shape where the length itself would say something (e-mails, addresses).

/** 420***********1234: the first three digits (province and city) and the last four stay. */
export function maskIdNumber(id: string): string {
  if (id.length <= 7) return '*'.repeat(id.length);
  return id.slice(0, 3) + '*'.repeat(id.length - 7) + id.slice(-4);
}

/** 138****5678 for a mobile; 0755-****5678 for a landline (area code and last four stay). */
export function maskPhone(phone: string): string {
  const landline = /^(0\d{2,3})-(\d{7,8})(?:-\d+)?$/.exec(phone);
  if (landline) return `${landline[1]}-${'*'.repeat(landline[2].length - 4)}${landline[2].slice(-4)}`;
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** Two-character surnames: the given name after them is what gets masked. */
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '令狐', '长孙', '宇文',
  '司徒', '司空', '轩辕', '夏侯', '端木', '独孤', '南宫', '西门', '申屠', '太史', '澹台', '公冶',
  '宗政', '濮阳', '淳于', '单于', '太叔', '仲孙', '钟离', '闾丘', '呼延', '万俟', '赫连', '闻人',
  '百里', '东郭', '拓跋', '第五', '左丘', '谷梁', '羊舌', '微生', '梁丘', '公良', '乐正', '漆雕',
]);

/** 张*, 张**, 欧阳**; names written with a middle dot or spaces keep their separators (买**·***). */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  const keep = chars.length > 2 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
  return chars.map((c, i) => (i < keep || /[\s·•・.]/.test(c) ? c : '*')).join('');
}

/** z***@example.com: the first character of the mailbox and the whole domain stay. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${Array.from(email)[0]}***${email.slice(at)}`;
}

// Province, prefecture and county names are short; the county part ends at 区/县/旗 or a county-level
// 市. Residential compounds and parks also end in 区 (幸福小区), so those endings are not districts.
const PROVINCE = /^(?:北京市|天津市|上海市|重庆市|[^\d\s省市区县]{2,7}?(?:省|自治区|特别行政区))/;
const PREFECTURE = /^[^\d\s省市区县]{1,9}?(?:市|自治州|地区|盟)/;
const COUNTY = /^[^\d\s省市区县]{1,9}?(?:区|县|市|旗)/;
const NOT_A_COUNTY = /(?:小区|社区|园区|校区|景区|街区|商区|营区|厂区|矿区|片区)$/;

/** 湖北省武汉市江汉区****: the address up to its county-level district stays, the rest is one mask. */
export function maskAddress(address: string): string {
  const text = address.trim();
  if (text === '') return '';
  let kept = '';
  for (const level of [PROVINCE, PREFECTURE, COUNTY]) {
    const match = level.exec(text.slice(kept.length));
    if (match && !(level === COUNTY && NOT_A_COUNTY.test(match[0]))) kept += match[0];
  }
  if (kept === '') kept = Array.from(text).slice(0, 2).join('');
  return kept.length < text.length ? `${kept}****` : kept;
}

// Free text. Digits may be full-width when typed on a phone, and numbers are often split with
// spaces or dashes; a match must not sit inside a longer run of digits or letters (order numbers,
// hashes), so every pattern is fenced by look-arounds.
const D = '[0-9０-９]';
const SEP = '[ \\-－]?';
const ID_IN_TEXT = new RegExp(`(?<![0-9０-９A-Za-z])${D}{6}${SEP}${D}{8}${SEP}${D}{3}[0-9０-９XxＸｘ](?![0-9０-９A-Za-z])`, 'g');
const MOBILE_IN_TEXT = new RegExp(
  `(?<![0-9０-９A-Za-z+＋])(?:(?:[+＋]|00)?86${SEP})?[1１][3-9３-９]${D}${SEP}${D}{4}${SEP}${D}{4}(?![0-9０-９A-Za-z])`,
  'g',
);
// Starts only where a mailbox can start, so a long run of letters (a token, base64) is scanned once.
const EMAIL_IN_TEXT = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** Keeps the first `head` and last `tail` digits of a match and stars the rest, separators included. */
function maskDigits(match: string, head: number, tail: number): string {
  const chars = Array.from(match);
  const digitAt = chars.flatMap((c, i) => (/[0-9０-９XxＸｘ]/.test(c) ? [i] : []));
  const hidden = new Set(digitAt.slice(head, digitAt.length - tail));
  return chars.map((c, i) => (hidden.has(i) ? '*' : c)).join('');
}

/** Masks ID numbers, mobile numbers and e-mail addresses wherever they appear in a text. */
export function maskFreeText(text: string): string {
  return text
    .replace(EMAIL_IN_TEXT, (email) => maskEmail(email.replace('＠', '@')))
    .replace(ID_IN_TEXT, (id) => maskDigits(id, 3, 4))
    .replace(MOBILE_IN_TEXT, (mobile) => {
      // Keep a country prefix visible as it was typed; mask the 11 digits as 138****5678.
      const prefix = /^(?:[+＋]|00)?86[ \-－]?(?=[1１])/.exec(mobile)?.[0] ?? '';
      return prefix + maskDigits(mobile.slice(prefix.length), 3, 4);
    });
}
