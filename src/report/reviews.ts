// Table 四 (行政复议、行政诉讼). A case counts in year Y when it was filed by the end of Y and not
// closed before Y. It counts under its result when it closed within Y, otherwise as 尚未审结 —
// so a case still open on 31 December appears as pending in every year it spans, as published
// reports do. Staff may instead type the whole table in (entered figures win).

import { isFigure } from './proactive.js';
import { before, onOrBefore, reportPeriod } from './period.js';
import type { EnteredFigures, FigureSource, ReviewBlockKey, ReviewCase, ReviewColumnKey, ReviewKind, ReviewsTable } from './types.js';

const BLOCK_OF: Record<ReviewKind, ReviewBlockKey> = {
  reconsideration: 'reconsideration',
  'litigation-direct': 'litigationDirect',
  'litigation-after-reconsideration': 'litigationAfterReconsideration',
};

const BLOCKS: readonly ReviewBlockKey[] = ['reconsideration', 'litigationDirect', 'litigationAfterReconsideration'];
const PARTS = ['upheld', 'corrected', 'other', 'pending'] as const satisfies readonly ReviewColumnKey[];

export interface ReviewCaseProblem {
  id?: string;
  reason: 'result-without-closing-date' | 'closed-without-result';
}

export interface ReviewsResult {
  table: ReviewsTable;
  source: FigureSource;
  /** Case records that contradict themselves; the checks name them. */
  problems: ReviewCaseProblem[];
}

function emptyBlock(): Record<ReviewColumnKey, number> {
  return { upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 };
}

export function countReviewCases(cases: readonly ReviewCase[], year: number): ReviewsResult {
  const period = reportPeriod(year);
  const counts: Record<ReviewBlockKey, Record<ReviewColumnKey, number>> = {
    reconsideration: emptyBlock(),
    litigationDirect: emptyBlock(),
    litigationAfterReconsideration: emptyBlock(),
  };
  const problems: ReviewCaseProblem[] = [];
  for (const review of cases) {
    if (!onOrBefore(review.filedOn, period.end) || before(review.closedOn, period.start)) continue;
    if (review.result !== 'pending' && review.closedOn == null) problems.push({ id: review.id, reason: 'result-without-closing-date' });
    if (review.result === 'pending' && review.closedOn != null) problems.push({ id: review.id, reason: 'closed-without-result' });
    const decidedInYear = review.result !== 'pending' && onOrBefore(review.closedOn, period.end);
    const block = counts[BLOCK_OF[review.kind]];
    block[decidedInYear ? review.result : 'pending'] += 1;
    block.total += 1;
  }
  return { table: counts, source: 'cases', problems };
}

/** Staff-typed table 四; a 总计 left blank is summed when its four parts are all there. */
export function enteredReviewsTable(entered: NonNullable<EnteredFigures['reviews']>): ReviewsResult {
  const table = {} as ReviewsTable;
  for (const key of BLOCKS) {
    const typed = entered[key] ?? {};
    const parts = PARTS.map((part) => (isFigure(typed[part]) ? typed[part] : null));
    const total = isFigure(typed.total) ? typed.total : parts.every(isFigure) ? parts.reduce((a, b) => a + b, 0) : null;
    table[key] = { upheld: parts[0], corrected: parts[1], other: parts[2], pending: parts[3], total };
  }
  return { table, source: 'entered', problems: [] };
}

export function buildReviewsTable(cases: readonly ReviewCase[], year: number, entered?: EnteredFigures['reviews']): ReviewsResult {
  return entered ? enteredReviewsTable(entered) : countReviewCases(cases, year);
}
