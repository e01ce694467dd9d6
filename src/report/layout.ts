// The three tables as printed grids with merged cells, shared by every renderer so that HTML, Word
// and Excel show the same official layout. Rows list only the cells that start there (as in HTML);
// `placeCells` gives each cell its absolute position for renderers that need coordinates.

import {
  PROACTIVE_BLOCKS,
  PROACTIVE_CONTENT_HEADER,
  REQUESTS_APPLICANT_GROUP,
  REQUESTS_CORNER_NOTE,
  REQUESTS_ORGANIZATION_GROUP,
  REQUEST_COLUMNS,
  REQUEST_ROWS,
  REVIEW_BLOCKS,
  REVIEW_COLUMNS,
  REVIEW_LITIGATION,
  SECTION_HEADINGS,
  SIGNED_PROACTIVE_COLUMNS,
  proactiveCellUnit,
} from './labels.js';
import type { AnnualReport, SectionKey } from './types.js';

export interface GridCell {
  text: string;
  /** The number behind the text, for spreadsheets, with how it is written. */
  value?: number | null;
  signed?: boolean;
  unit?: string;
  rowSpan?: number;
  colSpan?: number;
  header?: boolean;
  align?: 'left' | 'center';
}

export interface GridTable {
  section: SectionKey;
  heading: string;
  columnCount: number;
  /** Relative column widths. */
  widths: number[];
  rows: GridCell[][];
}

export interface PlacedCell {
  row: number;
  col: number;
  cell: GridCell;
}

export const MISSING_FIGURE = '未填';

export function formatValue(value: number | null | undefined, options: { signed?: boolean; unit?: string } = {}): string {
  if (value == null) return MISSING_FIGURE;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(2);
  const signed = options.signed && value > 0 ? `+${text}` : text;
  return options.unit ? `${signed} ${options.unit}` : signed;
}

const header = (text: string, extra: Partial<GridCell> = {}): GridCell => ({ text, header: true, align: 'center', ...extra });
const label = (text: string, extra: Partial<GridCell> = {}): GridCell => ({ text, align: 'left', ...extra });
const figure = (value: number | null | undefined, options: { signed?: boolean; unit?: string } = {}): GridCell => ({
  text: formatValue(value, options),
  value: value ?? null,
  ...(options.signed ? { signed: true } : {}),
  ...(options.unit ? { unit: options.unit } : {}),
  align: 'center',
});

export function proactiveGrid(report: AnnualReport): GridTable {
  const blocks = PROACTIVE_BLOCKS[report.format];
  const valueColumns = Math.max(...blocks.map((b) => b.columns.length));
  const rows: GridCell[][] = [];
  for (const block of blocks) {
    // Shorter blocks leave their trailing cells empty, as the official table does.
    const padding = (isHeader: boolean) => Array.from({ length: valueColumns - block.columns.length }, () => (isHeader ? header('') : label('')));
    rows.push([header(block.item, { colSpan: valueColumns + 1, align: 'left' })]);
    rows.push([header(PROACTIVE_CONTENT_HEADER), ...block.columns.map((c) => header(c.label)), ...padding(true)]);
    for (const row of block.rows) {
      const cells = report.tables.proactive[row.key] ?? {};
      rows.push([
        label(row.label),
        ...block.columns.map((c) =>
          figure(cells[c.key], {
            signed: SIGNED_PROACTIVE_COLUMNS.has(c.key),
            unit: proactiveCellUnit(report.format, row.key, c.key),
          }),
        ),
        ...padding(false),
      ]);
    }
  }
  return {
    section: 'proactive',
    heading: SECTION_HEADINGS.proactive,
    columnCount: valueColumns + 1,
    widths: [3, ...Array.from({ length: valueColumns }, () => 2)],
    rows,
  };
}

export function requestsGrid(report: AnnualReport): GridTable {
  const organizations = REQUEST_COLUMNS.filter((c) => c.key !== 'person' && c.key !== 'total');
  const rows: GridCell[][] = [
    [header(REQUESTS_CORNER_NOTE, { rowSpan: 3, colSpan: 3 }), header(REQUESTS_APPLICANT_GROUP, { colSpan: 7 })],
    [header('自然人', { rowSpan: 2 }), header(REQUESTS_ORGANIZATION_GROUP, { colSpan: organizations.length }), header('总计', { rowSpan: 2 })],
    organizations.map((c) => header(c.label)),
  ];
  const labels = REQUEST_ROWS[report.format];
  labels.forEach((row, index) => {
    const previous = labels[index - 1];
    const cells: GridCell[] = [];
    if (!row.block) {
      cells.push(label(row.top, { colSpan: 3 }));
    } else {
      if (previous?.top !== row.top) cells.push(label(row.top, { rowSpan: labels.filter((r) => r.top === row.top).length }));
      if (!row.item) cells.push(label(row.block, { colSpan: 2 }));
      else {
        if (previous?.block !== row.block) cells.push(label(row.block, { rowSpan: labels.filter((r) => r.block === row.block).length }));
        cells.push(label(row.item));
      }
    }
    const counts = report.tables.requests[row.key];
    rows.push([...cells, ...REQUEST_COLUMNS.map((c) => figure(counts?.[c.key] ?? 0))]);
  });
  return {
    section: 'requests',
    heading: SECTION_HEADINGS.requests,
    columnCount: 10,
    widths: [1.2, 1.6, 4, 1, 1, 1, 1, 1, 1, 1],
    rows,
  };
}

export function reviewsGrid(report: AnnualReport): GridTable {
  const [reconsideration, ...litigation] = REVIEW_BLOCKS;
  const columns = REVIEW_COLUMNS.length;
  const rows: GridCell[][] = [
    [header(reconsideration.label, { colSpan: columns }), header(REVIEW_LITIGATION, { colSpan: columns * litigation.length })],
    [...REVIEW_COLUMNS.map((c) => header(c.label, { rowSpan: 2 })), ...litigation.map((b) => header(b.label, { colSpan: columns }))],
    litigation.flatMap(() => REVIEW_COLUMNS.map((c) => header(c.label))),
    REVIEW_BLOCKS.flatMap((b) => REVIEW_COLUMNS.map((c) => figure(report.tables.reviews[b.key][c.key]))),
  ];
  return {
    section: 'reviews',
    heading: SECTION_HEADINGS.reviews,
    columnCount: columns * REVIEW_BLOCKS.length,
    widths: Array.from({ length: columns * REVIEW_BLOCKS.length }, () => 1),
    rows,
  };
}

export function reportGrids(report: AnnualReport): Record<'proactive' | 'requests' | 'reviews', GridTable> {
  return { proactive: proactiveGrid(report), requests: requestsGrid(report), reviews: reviewsGrid(report) };
}

/** Absolute positions of the cells, skipping the slots covered by earlier spans. */
export function placeCells(grid: GridTable): PlacedCell[] {
  const taken = new Set<string>();
  const placed: PlacedCell[] = [];
  grid.rows.forEach((cells, row) => {
    let col = 0;
    for (const cell of cells) {
      while (taken.has(`${row}:${col}`)) col += 1;
      placed.push({ row, col, cell });
      for (let r = row; r < row + (cell.rowSpan ?? 1); r += 1) {
        for (let c = col; c < col + (cell.colSpan ?? 1); c += 1) taken.add(`${r}:${c}`);
      }
      col += cell.colSpan ?? 1;
    }
  });
  return placed;
}

/** 黄石市人民防空办公室（2019年度） */
export function agencyYearLine(report: AnnualReport): string {
  return `${report.agency.name}（${report.year}年度）`;
}

/** Staff text as paragraphs: one per non-empty line. */
export function paragraphs(text: string | null): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
