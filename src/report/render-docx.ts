// Word (.docx) for the office's own filing and for 公文 editing: A4 portrait, 仿宋 body, 黑体
// headings, the tables with the official merged cells. A draft carries a watermark on every page
// and a red notice listing the failed checks.

import {
  AlignmentType,
  Document,
  Header,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from 'docx';
import { TextWatermark } from 'docx/watermarks';
import { DRAFT_MARK, assertExportable, failedChecks, isDraft, type RenderOptions } from './final-gate.js';
import { agencyYearLine, paragraphs, reportGrids, type GridCell, type GridTable } from './layout.js';
import { SECTION_ORDER } from './labels.js';
import { chineseDate } from './period.js';
import type { AnnualReport } from './types.js';

const BODY_FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '仿宋' };
const HEADING_FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '黑体' };
const MM = 56.7; // twips per millimetre
const A4 = { width: 11906, height: 16838 }; // Word's own A4 page, in twips
const MARGIN = { top: Math.round(25 * MM), bottom: Math.round(22 * MM), left: Math.round(20 * MM), right: Math.round(20 * MM) };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;

/** Half-points, as docx sizes are given. */
const pt = (points: number) => points * 2;

function tableCell(cell: GridCell, fontSize: number): TableCell {
  return new TableCell({
    columnSpan: cell.colSpan,
    rowSpan: cell.rowSpan,
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { left: 60, right: 60, top: 30, bottom: 30 },
    children: [
      new Paragraph({
        alignment: cell.align === 'left' ? AlignmentType.LEFT : AlignmentType.CENTER,
        children: [new TextRun({ text: cell.text, bold: cell.header, size: pt(fontSize), font: BODY_FONT })],
      }),
    ],
  });
}

export function gridToDocxTable(grid: GridTable): Table {
  const weight = grid.widths.reduce((a, b) => a + b, 0);
  const fontSize = grid.columnCount > 10 ? 8 : 9;
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: CONTENT_WIDTH, type: WidthType.DXA },
    columnWidths: grid.widths.map((w) => Math.floor((w / weight) * CONTENT_WIDTH)),
    rows: grid.rows.map(
      (cells) => new TableRow({ cantSplit: true, children: cells.map((cell) => tableCell(cell, fontSize)) }),
    ),
  });
}

const bodyParagraph = (text: string) =>
  new Paragraph({
    indent: { firstLine: 480 }, // two characters of 12 pt, in twips
    spacing: { line: 360 },
    children: [new TextRun({ text, size: pt(12), font: BODY_FONT })],
  });

const heading = (text: string) =>
  new Paragraph({
    spacing: { before: 240, after: 120 },
    keepNext: true,
    children: [new TextRun({ text, size: pt(14), font: HEADING_FONT })],
  });

export async function renderDocx(report: AnnualReport, options: RenderOptions = {}): Promise<Buffer> {
  assertExportable(report, options);
  const grids = reportGrids(report);
  const children: (Paragraph | Table)[] = [];

  if (isDraft(report)) {
    const red = (text: string, bold = false) => new TextRun({ text, bold, color: 'C00000', size: pt(bold ? 14 : 10), font: BODY_FONT });
    children.push(new Paragraph({ children: [red(DRAFT_MARK, true)] }));
    for (const check of failedChecks(report)) children.push(new Paragraph({ children: [red(`· ${check.detail}`)] }));
  }
  children.push(
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 120 },
      children: [new TextRun({ text: report.title, bold: true, size: pt(20), font: HEADING_FONT })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 360 },
      children: [new TextRun({ text: agencyYearLine(report), size: pt(14), font: BODY_FONT })],
    }),
  );
  for (const key of SECTION_ORDER) {
    const section = report.sections[key];
    children.push(heading(section.heading));
    if (key === 'proactive' || key === 'requests' || key === 'reviews') {
      children.push(gridToDocxTable(grids[key]), new Paragraph({ children: [] }));
    } else {
      children.push(...paragraphs(section.text).map(bodyParagraph));
    }
  }
  if (report.issuedOn) {
    children.push(
      new Paragraph({
        alignment: AlignmentType.RIGHT,
        spacing: { before: 480 },
        children: [new TextRun({ text: chineseDate(report.issuedOn), size: pt(12), font: BODY_FONT })],
      }),
    );
  }

  const headers = isDraft(report)
    ? {
        default: new Header({
          children: [new Paragraph({ children: [new TextWatermark({ text: DRAFT_MARK, font: '黑体', color: 'C00000', opacity: 0.2 })] })],
        }),
      }
    : undefined;

  const document = new Document({
    title: `${report.agency.name}${report.year}年${report.title}`,
    creator: report.agency.name,
    sections: [{ properties: { page: { size: A4, margin: MARGIN } }, headers, children }],
  });
  return Packer.toBuffer(document);
}
