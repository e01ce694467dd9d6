// Table 二 (主动公开政府信息情况). Most of its figures live outside this system (licences issued,
// penalties, fees, procurement) and are typed in by staff. The 第二十条第（一）项 document counts can
// be counted from the catalog — but only for a row the office has tied to catalog categories,
// because a catalog that never held those documents would otherwise report a confident zero.

import { PROACTIVE_BLOCKS } from './labels.js';
import { onOrBefore, reportPeriod, within, type Period } from './period.js';
import type {
  Article20Document,
  EnteredFigures,
  FigureSource,
  ProactiveColumnKey,
  ProactiveRowKey,
  ProactiveTable,
  ReportCatalogItem,
  ReportFormat,
} from './types.js';

type CatalogRule = (item: ReportCatalogItem, period: Period) => boolean;

const publishedInYear: CatalogRule = (item, period) => within(item.publishedOn, period);
const publishedByYearEnd: CatalogRule = (item, period) => onOrBefore(item.publishedOn, period.end);
const repealedInYear: CatalogRule = (item, period) => within(item.repealedOn, period);
const inForceAtYearEnd: CatalogRule = (item, period) =>
  publishedByYearEnd(item, period) && !onOrBefore(item.repealedOn, period.end);

/**
 * Which document columns the catalog can answer. 2019's 本年新制作数量 (documents made, published or
 * not) is not among them: the catalog only sees what was published. In 2021, documents of this kind
 * are published when issued, so 本年制发件数 is counted by publication date.
 */
const CATALOG_RULES: Record<ReportFormat, Partial<Record<ProactiveColumnKey, CatalogRule>>> = {
  '2019': { published: publishedInYear, totalPublished: publishedByYearEnd },
  '2021': { issued: publishedInYear, repealed: repealedInYear, inForce: inForceAtYearEnd },
};

const DOCUMENT_ROWS: ReadonlySet<ProactiveRowKey> = new Set<Article20Document>(['regulations', 'normativeDocuments']);

export interface ProactiveInput {
  items: readonly ReportCatalogItem[];
  article20Map?: Readonly<Record<string, Article20Document>>;
  entered?: EnteredFigures['proactive'];
}

export interface ProactiveResult {
  table: ProactiveTable;
  /** 'row.column' → where the figure came from. */
  sources: Record<string, FigureSource>;
}

export function documentKindOf(item: ReportCatalogItem, map: Readonly<Record<string, Article20Document>> = {}): Article20Document | undefined {
  return item.article20Item ?? map[item.category];
}

export function buildProactiveTable(format: ReportFormat, year: number, input: ProactiveInput): ProactiveResult {
  const period = reportPeriod(year);
  const map = input.article20Map ?? {};
  const backedRows = new Set<Article20Document>(Object.values(map));
  const itemsByRow = new Map<Article20Document, ReportCatalogItem[]>();
  for (const item of input.items) {
    const kind = documentKindOf(item, map);
    if (!kind) continue;
    backedRows.add(kind);
    const rowItems = itemsByRow.get(kind);
    if (rowItems) rowItems.push(item);
    else itemsByRow.set(kind, [item]);
  }

  const table: ProactiveTable = {};
  const sources: Record<string, FigureSource> = {};
  for (const block of PROACTIVE_BLOCKS[format]) {
    for (const row of block.rows) {
      const cells: Partial<Record<ProactiveColumnKey, number | null>> = {};
      for (const column of block.columns) {
        const id = `${row.key}.${column.key}`;
        const typed = input.entered?.[row.key]?.[column.key];
        const rule = CATALOG_RULES[format][column.key];
        if (isFigure(typed)) {
          cells[column.key] = typed;
          sources[id] = 'entered';
        } else if (rule && DOCUMENT_ROWS.has(row.key) && backedRows.has(row.key as Article20Document)) {
          cells[column.key] = (itemsByRow.get(row.key as Article20Document) ?? []).filter((item) => rule(item, period)).length;
          sources[id] = 'catalog';
        } else {
          cells[column.key] = null;
          sources[id] = 'missing';
        }
      }
      table[row.key] = cells;
    }
  }
  return { table, sources };
}

export function isFigure(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
