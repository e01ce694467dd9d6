// How dates and numbers are written in a 公文: 二〇二六年十一月三十日, 〔2026〕第000123号, （三）.
import { isIsoDate } from '../domain/calendar.js';
import { parseTrackingNo } from '../domain/tracking-number.js';
import { CHINESE_DIGITS as DIGITS, chineseNumber } from '../domain/numerals.js';

/** '2026-11-30' → 二〇二六年十一月三十日: the year digit by digit, month and day as numbers. */
export function formalDate(date: string): string {
  if (!isIsoDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const [y, m, d] = date.split('-');
  const year = Array.from(y, (digit) => DIGITS[Number(digit)]).join('');
  return `${year}年${chineseNumber(Number(m))}月${chineseNumber(Number(d))}日`;
}

/** The n-th item of a list in a 公文: （一）, （二）, … (（${n}） past ninety-nine). */
export function listMarker(n: number): string {
  return n >= 1 && n <= 99 ? `（${chineseNumber(n)}）` : `（${n}）`;
}

/**
 * The 文号 of an application's documents, from its tracking number: 2026-000123 → 〔2026〕第000123号.
 * A number in another form (imported records) is kept whole: 第GK-7号.
 */
export function documentNumber(trackingNo: string): string {
  const parsed = parseTrackingNo(trackingNo);
  if (!parsed || parsed.trackingNo !== trackingNo.trim()) return `第${trackingNo.trim()}号`;
  return `〔${parsed.year}〕第${String(parsed.seq).padStart(6, '0')}号`;
}
