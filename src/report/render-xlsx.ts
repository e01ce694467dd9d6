// Excel (.xlsx): one sheet per table, figures as numbers so the 主管部门's own sheets can add them
// up, merged header cells as in the official format, and a sheet listing the checks.

import ExcelJS from 'exceljs';
import { DRAFT_MARK, assertExportable, isDraft, type RenderOptions } from './final-gate.js';
import { agencyYearLine, placeCells, reportGrids, type GridCell, type GridTable } from './layout.js';
import type { AnnualReport } from './types.js';

const THIN = { style: 'thin' as const };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const A4_PAPER = 9 as ExcelJS.PaperSize;
export const CHECKS_SHEET = '校验结果';

function numberFormat(cell: GridCell): string | undefined {
  if (cell.signed) return '+0;-0;0';
  if (cell.unit) return `0.00" ${cell.unit}"`;
  return undefined;
}

function writeGrid(sheet: ExcelJS.Worksheet, grid: GridTable, firstRow: number): void {
  const placed = placeCells(grid);
  // Every slot gets a border, including those under a merge, or Excel draws the merge half-framed.
  for (const { row, col, cell } of placed) {
    for (let r = row; r < row + (cell.rowSpan ?? 1); r += 1) {
      for (let c = col; c < col + (cell.colSpan ?? 1); c += 1) sheet.getCell(firstRow + r, c + 1).border = BORDER;
    }
  }
  for (const { row, col, cell } of placed) {
    const target = sheet.getCell(firstRow + row, col + 1);
    target.value = typeof cell.value === 'number' ? cell.value : cell.text;
    const format = typeof cell.value === 'number' ? numberFormat(cell) : undefined;
    if (format) target.numFmt = format;
    target.font = { name: '宋体', size: 10, bold: cell.header ?? false };
    target.alignment = { vertical: 'middle', horizontal: cell.align === 'left' ? 'left' : 'center', wrapText: true };
    if ((cell.rowSpan ?? 1) > 1 || (cell.colSpan ?? 1) > 1) {
      sheet.mergeCells(firstRow + row, col + 1, firstRow + row + (cell.rowSpan ?? 1) - 1, col + (cell.colSpan ?? 1));
    }
  }
}

function addTableSheet(workbook: ExcelJS.Workbook, report: AnnualReport, grid: GridTable): void {
  const sheet = workbook.addWorksheet(grid.heading, {
    pageSetup: {
      paperSize: A4_PAPER,
      orientation: grid.columnCount > 10 ? 'landscape' : 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
    },
  });
  const weight = grid.widths.reduce((a, b) => a + b, 0);
  sheet.columns = grid.widths.map((w) => ({ width: Math.max(6, Math.round((w / weight) * 110)) }));

  const banner = (row: number, text: string, font: Partial<ExcelJS.Font>) => {
    sheet.mergeCells(row, 1, row, grid.columnCount);
    const cell = sheet.getCell(row, 1);
    cell.value = text;
    cell.font = font;
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
  };
  banner(1, `${agencyYearLine(report)} ${grid.heading}`, { name: '黑体', size: 12, bold: true });
  let firstRow = 2;
  if (isDraft(report)) {
    banner(2, DRAFT_MARK, { name: '黑体', size: 12, bold: true, color: { argb: 'FFC00000' } });
    firstRow = 3;
  }
  writeGrid(sheet, grid, firstRow);
}

function addChecksSheet(workbook: ExcelJS.Workbook, report: AnnualReport): void {
  const sheet = workbook.addWorksheet(CHECKS_SHEET, { pageSetup: { paperSize: A4_PAPER, orientation: 'portrait' } });
  sheet.columns = [
    { header: '校验项', key: 'name', width: 24 },
    { header: '结果', key: 'ok', width: 10 },
    { header: '说明', key: 'detail', width: 90 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const check of report.checks) {
    const row = sheet.addRow({ name: check.name, ok: check.ok ? '通过' : '未通过', detail: check.detail });
    row.getCell('detail').alignment = { wrapText: true, vertical: 'top' };
    if (!check.ok) row.getCell('ok').font = { bold: true, color: { argb: 'FFC00000' } };
  }
}

export async function renderXlsx(report: AnnualReport, options: RenderOptions = {}): Promise<Buffer> {
  assertExportable(report, options);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = report.agency.name;
  workbook.title = `${report.agency.name}${report.year}年${report.title}`;
  const grids = reportGrids(report);
  for (const grid of [grids.proactive, grids.requests, grids.reviews]) addTableSheet(workbook, report, grid);
  addChecksSheet(workbook, report);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
