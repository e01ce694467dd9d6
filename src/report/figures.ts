// The named figures staff can quote in the written sections, e.g. "本年度主动公开政府信息
// {{published.total}} 条，其中微信公众号 {{published.byChannel.wechat}} 条". Numbers in the prose then
// always agree with the tables, and a placeholder that names nothing is caught by a check.

import { within, reportPeriod } from './period.js';
import type { ProactiveTable, ReportCatalogItem, ReportRequest, RequestsTable, ReviewsTable } from './types.js';

export type Figures = Record<string, number | string>;

/** Prefixes under which an unseen name means zero (a channel or category with nothing this year). */
const COUNTED_PREFIXES = ['published.byChannel.', 'published.byCategory.'];

export interface FigureInput {
  year: number;
  agencyName: string;
  catalogItems: readonly ReportCatalogItem[];
  requests: readonly ReportRequest[];
  feesCollected?: number;
  tables: { requests: RequestsTable; proactive: ProactiveTable; reviews: ReviewsTable };
}

export function computeFigures(input: FigureInput): Figures {
  const period = reportPeriod(input.year);
  const figures: Figures = { year: input.year, 'agency.name': input.agencyName };

  const published = input.catalogItems.filter((item) => within(item.publishedOn, period));
  figures['published.total'] = published.length;
  for (const item of published) {
    increment(figures, `published.byCategory.${item.category}`);
    for (const channel of new Set(item.channels ?? [])) increment(figures, `published.byChannel.${channel}`);
  }

  const paid = input.requests.filter((request) => request.feePaid && within(request.feePaid.on, period));
  figures['fees.total'] = input.feesCollected ?? roundCents(paid.reduce((sum, request) => sum + request.feePaid!.amount, 0));
  figures['fees.count'] = paid.length;

  flatten(figures, 'requests', input.tables.requests);
  flatten(figures, 'proactive', input.tables.proactive);
  flatten(figures, 'reviews', input.tables.reviews);
  return figures;
}

function increment(figures: Figures, name: string): void {
  figures[name] = Number(figures[name] ?? 0) + 1;
}

function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

function flatten(figures: Figures, prefix: string, table: Record<string, Record<string, number | null> | undefined>): void {
  for (const [row, cells] of Object.entries(table)) {
    for (const [column, value] of Object.entries(cells ?? {})) {
      if (value != null) figures[`${prefix}.${row}.${column}`] = value;
    }
  }
}

/**
 * Names in Chinese for the figures staff quote most, so the written sections read as Chinese:
 * {{本年新收申请数}} is {{requests.newReceived.total}}. The dotted names keep working.
 */
export const FIGURE_NAMES_ZH: Readonly<Record<string, string>> = {
  报告年度: 'year',
  机关名称: 'agency.name',
  主动公开信息数: 'published.total',
  微信公众号发布数: 'published.byChannel.wechat',
  收取信息处理费金额: 'fees.total',
  收取信息处理费件数: 'fees.count',
  本年新收申请数: 'requests.newReceived.total',
  上年结转申请数: 'requests.carriedOver.total',
  本年办结申请数: 'requests.total.total',
  予以公开数: 'requests.granted.total',
  部分公开数: 'requests.partial.total',
  结转下年度申请数: 'requests.carryForward.total',
};

export function lookupFigure(figures: Figures, name: string): number | string | undefined {
  if (Object.hasOwn(FIGURE_NAMES_ZH, name)) return lookupFigure(figures, FIGURE_NAMES_ZH[name]!);
  // Own names only: {{constructor}} names no figure.
  if (Object.hasOwn(figures, name)) return figures[name];
  if (COUNTED_PREFIXES.some((prefix) => name.startsWith(prefix) && name.length > prefix.length)) return 0;
  return undefined;
}

export function formatFigure(value: number | string): string {
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export interface FilledText {
  text: string;
  /** Placeholder names that matched no figure; they stay in the text, braces and all. */
  unknown: string[];
}

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

export function fillPlaceholders(text: string, figures: Figures): FilledText {
  const unknown: string[] = [];
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = lookupFigure(figures, name);
    if (value === undefined) {
      unknown.push(name);
      return whole;
    }
    return formatFigure(value);
  });
  return { text: filled, unknown };
}
