/**
 * Every period the 条例 and the fee measures set for a request, written once. The deadline
 * arithmetic (deadline.ts), the input checks (events.ts, apply.ts), the console's forms and hints,
 * the chat and the notifications all import these, so a change of law is a change here.
 */
import { REVIEW_DAYS, SUIT_AFTER_REVIEW_DAYS, SUIT_MONTHS } from '../remedies.js';

/** 第三十三条第一款: the reply is due within 20 working days of receipt (of the 补正, once one was asked). */
export const REPLY_WORKING_DAYS = 20;

/** 第三十三条第二款: one extension, of at most 20 working days, with the head of the disclosure office's consent. */
export const MAX_EXTENSION_DAYS = 20;

/** 第三十条: what must be supplied is told at once (一次性告知), within 7 working days of receipt. */
export const SUPPLEMENT_NOTICE_WORKING_DAYS = 7;

/**
 * The longest 补正 period a clerk may set. 第三十条 asks only for a 合理的补正期限; three months of
 * working days is well past any office's practice, so a larger number is a typing mistake.
 */
export const MAX_SUPPLEMENT_DAYS = 60;

/** 第三十二条, 第三十四条: 自收到征求意见书之日起15个工作日内提出意见. */
export const CONSULTATION_WORKING_DAYS = 15;

/**
 * 《政府信息公开信息处理费管理办法》: the applicant pays within 20 working days from the day after the fee
 * notice (收到收费通知次日起20个工作日内); unpaid by then counts as giving up (fee-expired, table 三 （六）2).
 */
export const FEE_PAYMENT_WORKING_DAYS = 20;

/** 第二十六条: proactive information is published within 20 working days of being made or changed. */
export const PUBLICATION_WORKING_DAYS = 20;

/**
 * Every statutory number a text for people states, by the name a text fills it in with: {{period.NAME}}
 * in the guide's answers (data/guide) and the letters (data/documents), {NAME} in the notifications
 * (data/notify). Those files write no such number themselves (test/statutory-numbers.test.ts).
 */
export const STATUTORY_PERIODS = {
  /** 第三十三条第一款. */
  replyWorkingDays: REPLY_WORKING_DAYS,
  /** 第三十三条第二款. */
  extensionWorkingDays: MAX_EXTENSION_DAYS,
  /** The longest a reply can take, extended once: 40. */
  extendedReplyWorkingDays: REPLY_WORKING_DAYS + MAX_EXTENSION_DAYS,
  /** The reply period in weeks of five working days, as the guide puts it for a citizen ("约4周"). */
  replyWeeks: REPLY_WORKING_DAYS / 5,
  /** 第三十条. */
  supplementNoticeWorkingDays: SUPPLEMENT_NOTICE_WORKING_DAYS,
  /** 第三十二条, 第三十四条. */
  consultationWorkingDays: CONSULTATION_WORKING_DAYS,
  /** 《政府信息公开信息处理费管理办法》. */
  feePaymentWorkingDays: FEE_PAYMENT_WORKING_DAYS,
  /** 第二十六条. */
  publicationWorkingDays: PUBLICATION_WORKING_DAYS,
  /** 行政复议法 第二十条 (src/domain/remedies.ts). */
  reviewDays: REVIEW_DAYS,
  /** 行政诉讼法 第四十六条. */
  suitMonths: SUIT_MONTHS,
  /** 行政诉讼法 第四十五条. */
  suitAfterReviewDays: SUIT_AFTER_REVIEW_DAYS,
} as const;
export type StatutoryPeriod = keyof typeof STATUTORY_PERIODS;

/**
 * The 补正 period (in working days) the office set in agency.json (supplementPeriodWorkingDays), when
 * it is a usable one; null means the notice names the period in its own words.
 */
export function officeSupplementPeriod(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_SUPPLEMENT_DAYS ? value : null;
}

/** The 补正 period one request runs for: the days the clerk gave it, else the office's own. */
export function supplementPeriodOf(clerkDays: unknown, officeDefault: unknown): number | null {
  return officeSupplementPeriod(clerkDays) ?? officeSupplementPeriod(officeDefault);
}

/**
 * The earliest receipt date accepted for a request entered on `enteredOn`: the same day a year
 * earlier (29 February becomes 28 February). Anything older is a wrong year typed, which would make
 * the request overdue at once; older records come in through the import.
 */
export function earliestReceiptDate(enteredOn: string): string {
  const [y, m, d] = enteredOn.split('-');
  return `${Number(y) - 1}-${m}-${m === '02' && d === '29' ? '28' : d}`;
}
