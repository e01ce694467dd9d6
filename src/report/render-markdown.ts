// Markdown: for reading and diffing. Markdown tables cannot merge cells, so a merged label is written
// once, in its first slot, and the slots it covers stay blank.

import { DRAFT_MARK, assertExportable, failedChecks, isDraft, type RenderOptions } from './final-gate.js';
import { agencyYearLine, paragraphs, placeCells, reportGrids, type GridTable } from './layout.js';
import { SECTION_ORDER } from './labels.js';
import { chineseDate } from './period.js';
import type { AnnualReport } from './types.js';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function gridToMarkdown(grid: GridTable): string {
  const matrix = grid.rows.map(() => Array.from({ length: grid.columnCount }, () => ''));
  for (const { row, col, cell } of placeCells(grid)) matrix[row][col] = escapeCell(cell.text);
  const line = (cells: string[]) => `|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`;
  // Markdown has one header row; later header rows (a taller header, each block's column labels)
  // are body rows in bold.
  const headerRows = grid.rows.map((cells) => cells.every((cell) => cell.header));
  const bold = (cells: string[]) => cells.map((c) => (c ? `**${c}**` : c));
  const [first, ...rest] = matrix;
  const separator = line(Array.from({ length: grid.columnCount }, () => '---'));
  return [line(first), separator, ...rest.map((cells, i) => line(headerRows[i + 1] ? bold(cells) : cells))].join('\n');
}

export function renderMarkdown(report: AnnualReport, options: RenderOptions = {}): string {
  assertExportable(report, options);
  const grids = reportGrids(report);
  const out: string[] = [`# ${report.title}`, '', agencyYearLine(report), ''];
  if (isDraft(report)) {
    out.push(`> **${DRAFT_MARK}**`, '>');
    for (const check of failedChecks(report)) out.push(`> - ${check.detail}`);
    out.push('');
  }
  for (const key of SECTION_ORDER) {
    const section = report.sections[key];
    out.push(`## ${section.heading}`, '');
    if (key === 'proactive' || key === 'requests' || key === 'reviews') out.push(gridToMarkdown(grids[key]), '');
    else for (const paragraph of paragraphs(section.text)) out.push(paragraph, '');
  }
  if (report.issuedOn) out.push(chineseDate(report.issuedOn), '');
  return out.join('\n');
}
