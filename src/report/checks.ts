// The report's self-checks. Each is a pure function returning {name, ok, detail}; the detail is
// Chinese for the staff member who must fix the figures. A report is final only when every check
// passes — a missing input is a failed check that says what is missing, never a silent pass.

import { sumRows, type UncountableRequest } from './count.js';
import {
  PROACTIVE_BLOCKS,
  REQUEST_COLUMNS,
  REVIEW_BLOCKS,
  REVIEW_COLUMNS,
  SIGNED_PROACTIVE_COLUMNS,
  requestRowKeys,
  requestRowName,
  resultRowKeys,
} from './labels.js';
import type { ReviewCaseProblem } from './reviews.js';
import type {
  Check,
  ColumnCounts,
  ColumnKey,
  FigureSource,
  PreviousYear,
  ProactiveColumnKey,
  ProactiveRowKey,
  ProactiveTable,
  ReportFormat,
  RequestsTable,
  ReviewsTable,
} from './types.js';

export const CHECK_NAMES = [
  'requests.balance',
  'requests.rowTotals',
  'requests.grandTotal',
  'reviews.blockTotals',
  'requests.carriedOver',
  'nonNegative',
  'entered.complete',
  'requests.records',
  'reviews.records',
  'texts.complete',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

const PARTS: readonly ColumnKey[] = ['person', 'commercial', 'research', 'publicWelfare', 'legalService', 'otherOrg'];
const MAX_LISTED = 8;

function columnName(key: ColumnKey): string {
  return REQUEST_COLUMNS.find((column) => column.key === key)?.name ?? key;
}

/** "甲；乙；丙等 12 处" — long lists are cut so the message stays readable. */
function listing(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).join('；');
  return items.length > MAX_LISTED ? `${shown}等 ${items.length} 处` : shown;
}

function check(name: CheckName, failures: readonly string[], okDetail: string, failPrefix: string): Check {
  return failures.length === 0
    ? { name, ok: true, detail: okDetail }
    : { name, ok: false, detail: `${failPrefix}${listing(failures)}` };
}

const cell = (table: RequestsTable, row: keyof RequestsTable, column: ColumnKey): number => table[row]?.[column] ?? 0;

/** 一 + 二 = （七）总计 + 四, column by column. */
export function checkRequestsBalance(table: RequestsTable): Check {
  const failures = REQUEST_COLUMNS.flatMap(({ key }) => {
    const incoming = cell(table, 'newReceived', key) + cell(table, 'carriedOver', key);
    const outgoing = cell(table, 'total', key) + cell(table, 'carryForward', key);
    return incoming === outgoing ? [] : [`${columnName(key)}列：一+二=${incoming}，（七）总计+四=${outgoing}`];
  });
  return check('requests.balance', failures, '各列均满足：一+二=（七）总计+四。', '表三勾稽关系不成立：');
}

/** The 总计 column is the sum of 自然人 and the five 法人或其他组织 columns, in every row. */
export function checkRequestsRowTotals(format: ReportFormat, table: RequestsTable): Check {
  const failures = requestRowKeys(format).flatMap((row) => {
    const parts = PARTS.reduce((sum, column) => sum + cell(table, row, column), 0);
    const total = cell(table, row, 'total');
    return parts === total ? [] : [`“${requestRowName(format, row)}”行：各类申请人合计 ${parts}，总计列 ${total}`];
  });
  return check('requests.rowTotals', failures, '各行总计列均等于各类申请人之和。', '表三总计列与各列之和不符：');
}

/** （七）总计 is the sum of （一）…（六）, in every column. */
export function checkRequestsGrandTotal(format: ReportFormat, table: RequestsTable): Check {
  const sum = sumRows(table, resultRowKeys(format));
  const failures = REQUEST_COLUMNS.flatMap(({ key }) => {
    const total = cell(table, 'total', key);
    return sum[key] === total ? [] : [`${columnName(key)}列：（一）至（六）合计 ${sum[key]}，（七）总计 ${total}`];
  });
  return check('requests.grandTotal', failures, '各列（七）总计均等于（一）至（六）之和。', '表三（七）总计与各项之和不符：');
}

/** Table 四: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, in each of the three blocks. */
export function checkReviewTotals(table: ReviewsTable): Check {
  const failures = REVIEW_BLOCKS.flatMap(({ key, label }) => {
    const block = table[key];
    const parts = [block.upheld, block.corrected, block.other, block.pending];
    if (parts.some((v) => v == null) || block.total == null) return [`${label}：数据不全，无法核对`];
    const sum = parts.reduce<number>((a, b) => a + (b ?? 0), 0);
    return sum === block.total ? [] : [`${label}：各项合计 ${sum}，总计 ${block.total}`];
  });
  return check('reviews.blockTotals', failures, '表四各栏总计均等于各项之和。', '表四总计与各项之和不符：');
}

export function previousCarryForward(previous: PreviousYear): Partial<ColumnCounts> | undefined {
  return 'carryForward' in previous ? previous.carryForward : previous.tables.requests.carryForward;
}

/** This year's 二、上年结转 must equal last year's 四、结转下年度继续办理. */
export function checkCarriedOver(year: number, table: RequestsTable, previous: PreviousYear | undefined): Check {
  const carried = previous && previousCarryForward(previous);
  if (!carried) {
    return {
      name: 'requests.carriedOver',
      ok: false,
      detail: `未提供 ${year - 1} 年度报告的“四、结转下年度继续办理”数据，无法核对本年“二、上年结转政府信息公开申请数量”；请录入上一年度的数据。`,
    };
  }
  const failures = REQUEST_COLUMNS.flatMap(({ key }) => {
    const last = carried[key];
    const now = cell(table, 'carriedOver', key);
    if (last == null) return [`${columnName(key)}列：上年数据缺失`];
    return last === now ? [] : [`${columnName(key)}列：本年上年结转 ${now}，${year - 1} 年结转下年度 ${last}`];
  });
  return check('requests.carriedOver', failures, `本年上年结转数与 ${year - 1} 年度报告的结转下年度数一致。`, '与上一年度报告不衔接：');
}

function proactiveCellName(format: ReportFormat, row: ProactiveRowKey, column: ProactiveColumnKey): string {
  for (const block of PROACTIVE_BLOCKS[format]) {
    const rowLabel = block.rows.find((r) => r.key === row)?.label;
    const columnLabel = block.columns.find((c) => c.key === column)?.label;
    if (rowLabel && columnLabel) return `${block.item} ${rowLabel} ${columnLabel}`;
  }
  return `${row}.${column}`;
}

function reviewCellName(block: string, column: string): string {
  const blockLabel = REVIEW_BLOCKS.find((b) => b.key === block)?.label ?? block;
  const columnLabel = REVIEW_COLUMNS.find((c) => c.key === column)?.label ?? column;
  return `${blockLabel} ${columnLabel}`;
}

/** No figure is negative, except 本年增/减 which records a change. */
export function checkNonNegative(format: ReportFormat, tables: { requests: RequestsTable; proactive: ProactiveTable; reviews: ReviewsTable }): Check {
  const failures: string[] = [];
  for (const row of requestRowKeys(format)) {
    for (const { key } of REQUEST_COLUMNS) {
      const value = cell(tables.requests, row, key);
      if (value < 0) failures.push(`表三“${requestRowName(format, row)}”${columnName(key)}列为 ${value}`);
    }
  }
  for (const [row, cells] of Object.entries(tables.proactive) as [ProactiveRowKey, Record<ProactiveColumnKey, number | null>][]) {
    for (const [column, value] of Object.entries(cells) as [ProactiveColumnKey, number | null][]) {
      if (value != null && value < 0 && !SIGNED_PROACTIVE_COLUMNS.has(column)) {
        failures.push(`表二 ${proactiveCellName(format, row, column)} 为 ${value}`);
      }
    }
  }
  for (const [block, cells] of Object.entries(tables.reviews)) {
    for (const [column, value] of Object.entries(cells)) {
      if (value != null && value < 0) failures.push(`表四 ${reviewCellName(block, column)} 为 ${value}`);
    }
  }
  return check('nonNegative', failures, '没有负数（本年增/减除外）。', '以下数据为负数：');
}

/** Every figure that only staff can supply has been typed in. */
export function checkEnteredComplete(
  format: ReportFormat,
  tables: { proactive: ProactiveTable; reviews: ReviewsTable },
  sources: { proactive: Record<string, FigureSource>; reviews: FigureSource },
): Check {
  const failures: string[] = [];
  for (const [id, source] of Object.entries(sources.proactive)) {
    if (source !== 'missing') continue;
    const [row, column] = id.split('.') as [ProactiveRowKey, ProactiveColumnKey];
    failures.push(`表二 ${proactiveCellName(format, row, column)}`);
  }
  if (sources.reviews === 'entered') {
    for (const [block, cells] of Object.entries(tables.reviews)) {
      for (const [column, value] of Object.entries(cells)) {
        if (value == null) failures.push(`表四 ${reviewCellName(block, column)}`);
      }
    }
  }
  return check('entered.complete', failures, '需人工填报的数据均已填写。', '以下数据尚未填写：');
}

/** Every request the year counts can be placed: known outcome, not closed before it was received. */
export function checkRequestRecords(uncountable: readonly UncountableRequest[]): Check {
  const failures = uncountable.map((request) => {
    const who = request.id ? `申请 ${request.id}` : '一件申请';
    return request.reason === 'unknown-outcome'
      ? `${who}已办结但办理结果“${request.outcome ?? '未填写'}”无法归入表三`
      : `${who}的办结日期早于收到日期`;
  });
  return check('requests.records', failures, '本年度涉及的申请记录均可统计。', '以下申请记录需要更正：');
}

export function checkReviewRecords(problems: readonly ReviewCaseProblem[]): Check {
  const failures = problems.map((problem) => {
    const which = problem.id ? `案件 ${problem.id}` : '一件复议或诉讼案件';
    return problem.reason === 'result-without-closing-date' ? `${which}有审理结果但没有结案日期（按尚未审结统计）` : `${which}有结案日期但结果为尚未审结`;
  });
  return check('reviews.records', failures, '复议、诉讼案件记录完整。', '以下复议、诉讼案件记录需要更正：');
}

export interface TextState {
  heading: string;
  text: string;
  unknownPlaceholders: readonly string[];
}

/** The written sections are not empty and every {{placeholder}} named a known figure. */
export function checkTexts(texts: readonly TextState[]): Check {
  const failures = texts.flatMap((t) => {
    if (t.text.trim() === '') return [`“${t.heading}”尚未撰写`];
    return t.unknownPlaceholders.map((name) => `“${t.heading}”中的占位符 {{${name}}} 没有对应的数据`);
  });
  return check('texts.complete', failures, '文字部分均已撰写，占位符均已替换。', '文字部分需要修改：');
}

export interface CheckInput {
  format: ReportFormat;
  year: number;
  tables: { requests: RequestsTable; proactive: ProactiveTable; reviews: ReviewsTable };
  sources: { proactive: Record<string, FigureSource>; reviews: FigureSource };
  previous?: PreviousYear;
  uncountableRequests: readonly UncountableRequest[];
  reviewProblems: readonly ReviewCaseProblem[];
  texts: readonly TextState[];
}

export function runChecks(input: CheckInput): Check[] {
  const { format, tables } = input;
  return [
    checkRequestsBalance(tables.requests),
    checkRequestsRowTotals(format, tables.requests),
    checkRequestsGrandTotal(format, tables.requests),
    checkReviewTotals(tables.reviews),
    checkCarriedOver(input.year, tables.requests, input.previous),
    checkNonNegative(format, tables),
    checkEnteredComplete(format, tables, input.sources),
    checkRequestRecords(input.uncountableRequests),
    checkReviewRecords(input.reviewProblems),
    checkTexts(input.texts),
  ];
}
