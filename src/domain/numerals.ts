// Numbers as a formal Chinese text writes them: 六十日, 二〇二六年. The remedy clauses (remedies.ts)
// and the letters (src/documents/formal-text.ts) both write numbers this way.

export const CHINESE_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 31 → 三十一 (1–99). */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError(`chineseNumber covers 1–99, got ${n}`);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const head = tens === 0 ? '' : tens === 1 ? '十' : `${CHINESE_DIGITS[tens]}十`;
  return head + (ones === 0 ? '' : CHINESE_DIGITS[ones]);
}
