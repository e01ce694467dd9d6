// 信息处理费 under 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号). Providing information is free
// (条例第四十二条); the fee only regulates requests whose number or volume is clearly excessive.
// 第三条: charged either per request (按件) or per page (按量), never both for one request, each by
// marginal tiers (超额累进) — only the part above a threshold pays that threshold's rate.
import { DomainError } from './errors.js';

export const FEE_MEASURES = '《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）';

export type FeeBasis = 'per-request' | 'per-page';

/**
 * The largest fee a notice may name, as a guard against a mistyped amount (an extra digit), not a
 * rule of the 办法: 1,000,000 yuan is what 按量计收 charges for about 25,000 pages (第五条), over ten
 * times the largest notice reported (83,460 yuan for 2,219 pages).
 */
export const MAX_FEE_YUAN = 1_000_000;

interface Band {
  from: number;
  /** Inclusive; Infinity for the open top band. */
  to: number;
  /** Yuan per unit. */
  rate: number;
}

/**
 * 第四条: per applicant and natural month, requests 1–10 are free, 11–30 cost 100 yuan each, and from
 * the 31st on every further band of 10 costs 100 yuan more per request than the one before.
 */
function requestBand(n: number): Band {
  if (n <= 10) return { from: 1, to: 10, rate: 0 };
  if (n <= 30) return { from: 11, to: 30, rate: 100 };
  const step = Math.ceil((n - 30) / 10);
  return { from: 30 + (step - 1) * 10 + 1, to: 30 + step * 10, rate: 100 + step * 100 };
}

/** 第五条: pages 1–30 free, 31–100 at 10 yuan, 101–200 at 20 yuan, from 201 on 40 yuan. */
const PAGE_BANDS: readonly Band[] = [
  { from: 1, to: 30, rate: 0 },
  { from: 31, to: 100, rate: 10 },
  { from: 101, to: 200, rate: 20 },
  { from: 201, to: Infinity, rate: 40 },
];

function pageBand(n: number): Band {
  return PAGE_BANDS.find((band) => n <= band.to)!;
}

export interface FeeLine {
  /** First and last unit (request or page) of this line, 1-based and inclusive. */
  from: number;
  to: number;
  units: number;
  /** Yuan per unit; 0 for the free allowance. */
  rate: number;
  subtotal: number;
  /** e.g. '第11—30件，20件×100元/件＝2000元' */
  text: string;
}

export interface FeeQuote {
  basis: FeeBasis;
  /** Whole yuan. */
  amount: number;
  lines: FeeLine[];
  /** One Chinese sentence for the fee notice, e.g. '按件计收：本月第1—35件，合计3000元。' */
  summary: string;
}

/** The yuan charged for the n-th request of one applicant in one natural month. */
export function perRequestRate(n: number): number {
  requireCount(n, '件数', 1);
  return requestBand(n).rate;
}

/** The yuan charged for the n-th page of one request. */
export function perPageRate(n: number): number {
  requireCount(n, '页数', 1);
  return pageBand(n).rate;
}

/**
 * The fee for `count` requests (件, after 一事一申请 splitting) of one applicant, when the same applicant
 * already made `alreadyThisMonth` requests to the office earlier in the same natural month.
 */
export function feeByRequests(input: { count: number; alreadyThisMonth?: number }): FeeQuote {
  const already = input.alreadyThisMonth ?? 0;
  requireCount(input.count, '件数', 0);
  requireCount(already, '本月已申请件数', 0);
  const lines = quoteLines(already + 1, already + input.count, requestBand, '件');
  const amount = total(lines);
  const range = input.count === 0 ? '没有需要计费的申请' : `本月第${span(already + 1, already + input.count)}件`;
  return { basis: 'per-request', amount, lines, summary: `按件计收：${range}，${amountText(amount)}。` };
}

/** The fee for providing `pages` pages for one request. */
export function feeByPages(pages: number): FeeQuote {
  requireCount(pages, '页数', 0);
  const lines = quoteLines(1, pages, pageBand, '页');
  const amount = total(lines);
  return { basis: 'per-page', amount, lines, summary: `按量计收：共${pages}页，${amountText(amount)}。` };
}

/**
 * Which bases an office may choose between for one request (第三条). Per request always; per page
 * only where copies are made — 第五条: 纸质件、发送电子邮件、复制电子数据 — so not for reading on site.
 */
export function allowedFeeBases(delivery: { form: string; method: string }): FeeBasis[] {
  return delivery.method === 'onsite' ? ['per-request'] : ['per-request', 'per-page'];
}

/**
 * How many requests (件) an applicant made in a natural month ('YYYY-MM'), counting a request split
 * under 一事一申请 as its number of items.
 */
export function requestsInMonth(requests: readonly { receivedOn: string; items?: number }[], month: string): number {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new DomainError('validation', '月份格式应为YYYY-MM');
  let count = 0;
  for (const request of requests) {
    if (!request.receivedOn.startsWith(`${month}-`)) continue;
    const items = request.items ?? 1;
    requireCount(items, '拆分件数', 1);
    count += items;
  }
  return count;
}

function requireCount(n: number, what: string, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) {
    throw new DomainError('validation', min > 0 ? `${what}应为正整数` : `${what}应为不小于0的整数`);
  }
}

function quoteLines(first: number, last: number, bandOf: (n: number) => Band, unit: '件' | '页'): FeeLine[] {
  const lines: FeeLine[] = [];
  for (let from = first; from <= last; ) {
    const band = bandOf(from);
    const to = Math.min(band.to, last);
    const units = to - from + 1;
    const subtotal = units * band.rate;
    const text = band.rate === 0
      ? `第${span(from, to)}${unit}，不收费`
      : `第${span(from, to)}${unit}，${units}${unit}×${band.rate}元/${unit}＝${subtotal}元`;
    lines.push({ from, to, units, rate: band.rate, subtotal, text });
    from = to + 1;
  }
  return lines;
}

function span(from: number, to: number): string {
  return from === to ? `${from}` : `${from}—${to}`;
}

function total(lines: readonly FeeLine[]): number {
  return lines.reduce((sum, line) => sum + line.subtotal, 0);
}

function amountText(amount: number): string {
  return amount === 0 ? '不收费' : `合计${amount}元`;
}
