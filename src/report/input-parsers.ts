// Reading what staff send about the annual report: the report query (?year=&format=&output=&final=)
// and the records typed in (figures, written sections, carry-forward, review cases). Each parser
// returns the clean value or throws one DomainError('validation') naming every field to fix, so the
// staff API (admin-routes.ts) and the console's report pages refuse the same input the same way.
import { isIsoDate } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import type { ReviewCaseInput } from '../store/report-repo.js';
import { isOutputKind, type OutputKind } from './export.js';
import {
  PROACTIVE_BLOCKS,
  REQUEST_COLUMNS,
  REVIEW_BLOCKS,
  REVIEW_COLUMNS,
  REVIEW_KIND_LABELS,
  REVIEW_RESULT_LABELS,
  SIGNED_PROACTIVE_COLUMNS,
  defaultFormatForYear,
} from './labels.js';
import type {
  ColumnCounts,
  ColumnKey,
  EnteredFigures,
  ProactiveColumnKey,
  ProactiveRowKey,
  ProactiveTable,
  ReportFormat,
  ReportTexts,
  ReviewBlockKey,
  ReviewColumnKey,
  ReviewKind,
  ReviewResult,
} from './types.js';

/** Collects every problem of one request, so staff fix them in one pass. */
class Problems {
  readonly fields: Record<string, string> = {};
  add(path: string, message: string): void {
    this.fields[path] ??= message;
  }
  throwIfAny(message: string): void {
    if (Object.keys(this.fields).length > 0) throw new DomainError('validation', message, this.fields);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ReportQuery {
  year: number;
  format: ReportFormat;
  output: OutputKind;
  final: boolean;
}

export function parseReportQuery(query: Record<string, string | string[] | undefined>, thisYear: number): ReportQuery {
  const problems = new Problems();
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) problems.add(name, `${name} 只能给一个值`);
    return typeof value === 'string' ? value : undefined;
  };
  const yearText = one('year');
  let year = 0;
  if (yearText === undefined) {
    if (!problems.fields.year) problems.add('year', '请提供报告年度，如 ?year=2024');
  } else {
    const checked = checkYear(yearText, thisYear);
    if (typeof checked === 'string') problems.add('year', checked);
    else year = checked;
  }
  const formatText = one('format');
  if (formatText !== undefined && formatText !== '2019' && formatText !== '2021') {
    problems.add('format', `报告格式只能是 2019 或 2021，收到的是“${formatText}”`);
  }
  const outputText = one('output') ?? 'json';
  if (!isOutputKind(outputText)) problems.add('output', `输出格式只能是 json、html、md、docx 或 xlsx，收到的是“${outputText}”`);
  const finalText = one('final');
  if (finalText !== undefined && !['1', '0', 'true', 'false'].includes(finalText)) {
    problems.add('final', 'final 只能是 1（导出正式版）或 0（预览）');
  }
  problems.throwIfAny('查询参数有误');
  return {
    year,
    format: (formatText as ReportFormat | undefined) ?? defaultFormatForYear(year),
    output: outputText as OutputKind,
    final: finalText === '1' || finalText === 'true',
  };
}

/** The year, or what is wrong with it in Chinese. Reports exist from 2019 up to the current year. */
function checkYear(text: string | undefined, thisYear: number): number | string {
  if (text === undefined || !/^\d{4}$/.test(text)) return `报告年度应为四位数字的年份，收到的是“${text ?? ''}”`;
  const year = Number(text);
  if (year < 2019) return '本系统只支持 2019 年度起的报告（《条例》2019 年修订后的格式）';
  if (year > thisYear) return `${year} 年度尚未开始，不能编制该年度的报告`;
  return year;
}

export function parseYear(text: string | undefined, thisYear: number): number {
  const checked = checkYear(text, thisYear);
  if (typeof checked === 'string') throw new DomainError('validation', checked, { year: checked });
  return checked;
}

/** Table 二's cells in either format, by row: the figures staff may type in. */
const PROACTIVE_CELLS: ReadonlyMap<ProactiveRowKey, ReadonlySet<ProactiveColumnKey>> = (() => {
  const cells = new Map<ProactiveRowKey, Set<ProactiveColumnKey>>();
  for (const block of [...PROACTIVE_BLOCKS['2019'], ...PROACTIVE_BLOCKS['2021']]) {
    for (const row of block.rows) {
      const columns = cells.get(row.key) ?? new Set<ProactiveColumnKey>();
      for (const column of block.columns) columns.add(column.key);
      cells.set(row.key, columns);
    }
  }
  return cells;
})();

const REVIEW_BLOCK_KEYS = REVIEW_BLOCKS.map((b) => b.key);
const REVIEW_COLUMN_KEYS = REVIEW_COLUMNS.map((c) => c.key);

const COUNT_MESSAGE = '应为不小于 0 的整数';

/** A count: a whole number, not negative. */
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** Money: not negative, with at most `places` decimals (the 2021 fees amount is in 万元). */
function isAmount(value: unknown, places: number): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return false;
  const scaled = value * 10 ** places;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

function proactiveValueProblem(column: ProactiveColumnKey, value: unknown): string | null {
  if (value === null) return null;
  if (column === 'amount') return isAmount(value, 4) ? null : '应为不小于 0 的金额，最多四位小数';
  if (SIGNED_PROACTIVE_COLUMNS.has(column)) return Number.isInteger(value) ? null : '应为整数（减少时填负数）';
  return isCount(value) ? null : COUNT_MESSAGE;
}

export function parseEnteredFigures(body: Record<string, unknown>): EnteredFigures {
  const problems = new Problems();
  const entered: EnteredFigures = {};
  for (const key of Object.keys(body)) {
    if (!['proactive', 'reviews', 'feesCollected', '_csrf'].includes(key)) problems.add(key, `不认识的项目“${key}”`);
  }

  if (body.proactive !== undefined && body.proactive !== null) {
    if (!isObject(body.proactive)) problems.add('proactive', '表二数据应为对象，如 {"licensing": {"decisions": 3}}');
    else {
      const table: ProactiveTable = {};
      for (const [row, cells] of Object.entries(body.proactive)) {
        const columns = PROACTIVE_CELLS.get(row as ProactiveRowKey);
        if (!columns) {
          problems.add(`proactive.${row}`, `表二没有“${row}”这一行`);
          continue;
        }
        if (!isObject(cells)) {
          problems.add(`proactive.${row}`, '应为对象，列名对应数字');
          continue;
        }
        const typed: Partial<Record<ProactiveColumnKey, number | null>> = {};
        for (const [column, value] of Object.entries(cells)) {
          const path = `proactive.${row}.${column}`;
          if (!columns.has(column as ProactiveColumnKey)) problems.add(path, `表二“${row}”行没有“${column}”这一列`);
          else {
            const problem = proactiveValueProblem(column as ProactiveColumnKey, value);
            if (problem) problems.add(path, problem);
            else typed[column as ProactiveColumnKey] = value as number | null;
          }
        }
        table[row as ProactiveRowKey] = typed;
      }
      entered.proactive = table;
    }
  }

  // reviews: null (or absent) means table 四 is counted from the cases.
  if (body.reviews !== undefined && body.reviews !== null) {
    if (!isObject(body.reviews)) problems.add('reviews', '表四数据应为对象，如 {"reconsideration": {"upheld": 1, …}}');
    else {
      const table: NonNullable<EnteredFigures['reviews']> = {};
      for (const [block, cells] of Object.entries(body.reviews)) {
        if (!REVIEW_BLOCK_KEYS.includes(block as ReviewBlockKey)) {
          problems.add(`reviews.${block}`, `表四没有“${block}”这一栏，应为 ${REVIEW_BLOCK_KEYS.join('、')}`);
          continue;
        }
        if (!isObject(cells)) {
          problems.add(`reviews.${block}`, '应为对象，列名对应数字');
          continue;
        }
        const typed: Partial<Record<ReviewColumnKey, number | null>> = {};
        for (const [column, value] of Object.entries(cells)) {
          const path = `reviews.${block}.${column}`;
          if (!REVIEW_COLUMN_KEYS.includes(column as ReviewColumnKey)) problems.add(path, `表四没有“${column}”这一列，应为 ${REVIEW_COLUMN_KEYS.join('、')}`);
          else if (value !== null && !isCount(value)) problems.add(path, COUNT_MESSAGE);
          else typed[column as ReviewColumnKey] = value as number | null;
        }
        table[block as ReviewBlockKey] = typed;
      }
      entered.reviews = table;
    }
  }

  if (body.feesCollected !== undefined && body.feesCollected !== null) {
    if (!isAmount(body.feesCollected, 2)) problems.add('feesCollected', '信息处理费金额应为不小于 0 的数，以元为单位，最多两位小数');
    else entered.feesCollected = body.feesCollected;
  }
  problems.throwIfAny('录入的数据有误，请按提示修改');
  return entered;
}

const TEXT_KEYS = ['overview', 'problems', 'otherMatters'] as const;
const TEXT_NAMES: Record<(typeof TEXT_KEYS)[number], string> = { overview: '一、总体情况', problems: '五、存在的主要问题及改进情况', otherMatters: '六、其他需要报告的事项' };
const MAX_TEXT = 20_000;

/** The three written sections (a section left out is saved empty) and the date printed under the report. */
export function parseTexts(body: Record<string, unknown>): ReportTexts {
  const problems = new Problems();
  for (const key of Object.keys(body)) {
    if (![...TEXT_KEYS, 'issuedOn', '_csrf'].includes(key)) problems.add(key, `不认识的项目“${key}”`);
  }
  const texts: ReportTexts = { overview: '', problems: '', otherMatters: '' };
  for (const key of TEXT_KEYS) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') problems.add(key, `“${TEXT_NAMES[key]}”应为文字`);
    else if (value.length > MAX_TEXT) problems.add(key, `“${TEXT_NAMES[key]}”不能超过 ${MAX_TEXT} 字`);
    else texts[key] = value.replace(/\r\n?/g, '\n').trim();
  }
  if (body.issuedOn !== undefined && body.issuedOn !== null) {
    if (!isIsoDate(body.issuedOn)) problems.add('issuedOn', '成文日期应为 YYYY-MM-DD 格式的日期');
    else texts.issuedOn = body.issuedOn;
  }
  problems.throwIfAny('报告文字有误，请按提示修改');
  return texts;
}

const PART_COLUMNS = REQUEST_COLUMNS.map((c) => c.key).filter((key) => key !== 'total');

/** Last year's 四、结转下年度继续办理, all six applicant columns; 总计 is summed when left out. */
export function parseCarryForward(body: Record<string, unknown>): ColumnCounts | null {
  const problems = new Problems();
  for (const key of Object.keys(body)) {
    if (!['carryForward', '_csrf'].includes(key)) problems.add(key, `不认识的项目“${key}”`);
  }
  if (!('carryForward' in body)) problems.add('carryForward', '请提供上一年度报告“四、结转下年度继续办理”一行的数字（carryForward），清除时填 null');
  const given = body.carryForward;
  if (given === null) {
    problems.throwIfAny('上年结转数据有误');
    return null;
  }
  if (given !== undefined && !isObject(given)) problems.add('carryForward', '应为对象，如 {"person": 1, "commercial": 0, …}');
  const counts = { total: 0 } as ColumnCounts;
  if (isObject(given)) {
    const columnName = (key: string) => REQUEST_COLUMNS.find((c) => c.key === key)?.name;
    for (const key of Object.keys(given)) {
      if (!columnName(key)) problems.add(`carryForward.${key}`, `没有“${key}”这一列，应为 ${REQUEST_COLUMNS.map((c) => c.key).join('、')}`);
    }
    for (const key of PART_COLUMNS) {
      const value = given[key];
      if (value === undefined || value === null) problems.add(`carryForward.${key}`, `请填写“${columnName(key)}”列（没有就填 0）`);
      else if (!isCount(value)) problems.add(`carryForward.${key}`, COUNT_MESSAGE);
      else {
        counts[key as ColumnKey] = value;
        counts.total += value;
      }
    }
    const total = given.total;
    if (total !== undefined && total !== null) {
      if (!isCount(total)) problems.add('carryForward.total', COUNT_MESSAGE);
      else if (Object.keys(problems.fields).length === 0 && total !== counts.total) {
        problems.add('carryForward.total', `总计应等于各列之和 ${counts.total}，填的是 ${total}`);
      }
    }
  }
  problems.throwIfAny('上年结转数据有误，请按提示修改');
  return counts;
}

const describe = (labels: Record<string, string>) => Object.entries(labels).map(([key, label]) => `${key}（${label}）`).join('、');

/** A reconsideration or lawsuit: decided cases have a closing date, pending ones do not. */
export function parseReviewCase(body: Record<string, unknown>, today: string): ReviewCaseInput {
  const problems = new Problems();
  for (const key of Object.keys(body)) {
    if (!['kind', 'result', 'filedOn', 'closedOn', 'note', '_csrf'].includes(key)) problems.add(key, `不认识的项目“${key}”`);
  }
  const { kind, result, filedOn, note } = body;
  const closedOn = body.closedOn ?? null;
  if (typeof kind !== 'string' || !Object.hasOwn(REVIEW_KIND_LABELS, kind)) problems.add('kind', `案件类型应为 ${describe(REVIEW_KIND_LABELS)}`);
  if (typeof result !== 'string' || !Object.hasOwn(REVIEW_RESULT_LABELS, result)) problems.add('result', `审理结果应为 ${describe(REVIEW_RESULT_LABELS)}`);
  if (!isIsoDate(filedOn)) problems.add('filedOn', '请填写立案（受理）日期，格式 YYYY-MM-DD');
  else if (filedOn > today) problems.add('filedOn', '立案日期不能晚于今天');
  if (closedOn !== null) {
    if (!isIsoDate(closedOn)) problems.add('closedOn', '结案日期应为 YYYY-MM-DD 格式的日期');
    else if (closedOn > today) problems.add('closedOn', '结案日期不能晚于今天');
    else if (isIsoDate(filedOn) && closedOn < filedOn) problems.add('closedOn', '结案日期不能早于立案日期');
    else if (result === 'pending') problems.add('closedOn', '尚未审结的案件不应有结案日期');
  } else if (typeof result === 'string' && result !== 'pending' && Object.hasOwn(REVIEW_RESULT_LABELS, result)) {
    problems.add('closedOn', '已有审理结果的案件，请填写结案日期');
  }
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 200)) problems.add('note', '备注应为文字，不超过 200 字');
  problems.throwIfAny('案件信息有误，请按提示修改');
  return {
    kind: kind as ReviewKind,
    result: result as ReviewResult,
    filedOn: filedOn as string,
    closedOn: closedOn as string | null,
    note: typeof note === 'string' && note.trim() ? note.trim() : null,
  };
}
