// HTML ready to print on A4: the official title and agency line, the six sections, and the tables
// with merged header cells as in the published format. A draft carries a banner and a watermark.

import { DRAFT_MARK, assertExportable, failedChecks, isDraft, type RenderOptions } from './final-gate.js';
import { agencyYearLine, paragraphs, reportGrids, type GridCell, type GridTable } from './layout.js';
import { SECTION_ORDER } from './labels.js';
import { chineseDate } from './period.js';
import type { AnnualReport } from './types.js';

import { escapeHtml } from '../http/html.js';

const STYLE = `
@page { size: A4; margin: 25mm 20mm 22mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 170mm; font-family: "FangSong", "仿宋", "SimSun", "Songti SC", serif; font-size: 12pt; line-height: 1.75; color: #000; }
h1 { font-family: "SimHei", "黑体", "Heiti SC", sans-serif; font-size: 20pt; font-weight: bold; text-align: center; margin: 0 0 4mm; }
.agency { text-align: center; font-size: 14pt; margin: 0 0 8mm; }
h2 { font-family: "SimHei", "黑体", "Heiti SC", sans-serif; font-size: 14pt; margin: 6mm 0 3mm; }
p { text-indent: 2em; margin: 0 0 2mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 9.5pt; line-height: 1.35; margin: 2mm 0 4mm; }
table.reviews { font-size: 8.5pt; }
th, td { border: 0.75pt solid #000; padding: 1.2mm 1mm; vertical-align: middle; word-break: break-all; }
th { font-weight: bold; }
.c { text-align: center; }
.l { text-align: left; }
tr { break-inside: avoid; page-break-inside: avoid; }
.issued { text-align: right; margin-top: 10mm; text-indent: 0; }
.draft-banner { border: 2pt solid #c00; color: #c00; padding: 3mm 4mm; margin: 0 0 6mm; }
.draft-banner strong { font-size: 14pt; }
.draft-banner ul { margin: 1mm 0 0; padding-left: 6mm; font-size: 10pt; line-height: 1.5; }
.watermark { position: fixed; top: 45%; left: 50%; transform: translate(-50%, -50%) rotate(-30deg); font-size: 54pt; font-weight: bold;
  color: rgba(204, 0, 0, 0.14); white-space: nowrap; pointer-events: none; z-index: 1000; }
`;

function cellHtml(cell: GridCell): string {
  const tag = cell.header ? 'th' : 'td';
  const attrs = [
    cell.rowSpan && cell.rowSpan > 1 ? ` rowspan="${cell.rowSpan}"` : '',
    cell.colSpan && cell.colSpan > 1 ? ` colspan="${cell.colSpan}"` : '',
    ` class="${cell.align === 'left' ? 'l' : 'c'}"`,
  ].join('');
  return `<${tag}${attrs}>${escapeHtml(cell.text)}</${tag}>`;
}

export function gridToHtml(grid: GridTable): string {
  const total = grid.widths.reduce((a, b) => a + b, 0);
  const cols = grid.widths.map((w) => `<col style="width:${((w / total) * 100).toFixed(2)}%">`).join('');
  const rows = grid.rows.map((cells) => `<tr>${cells.map(cellHtml).join('')}</tr>`).join('\n');
  return `<table class="${grid.section}"><colgroup>${cols}</colgroup>\n${rows}\n</table>`;
}

export function renderHtml(report: AnnualReport, options: RenderOptions = {}): string {
  assertExportable(report, options);
  const grids = reportGrids(report);
  const title = `${report.agency.name}${report.year}年${report.title}`;
  const body: string[] = [];
  if (isDraft(report)) {
    body.push(`<div class="watermark" aria-hidden="true">${DRAFT_MARK}</div>`);
    const items = failedChecks(report).map((c) => `<li>${escapeHtml(c.detail)}</li>`).join('');
    body.push(`<div class="draft-banner" role="alert"><strong>${DRAFT_MARK}</strong><ul>${items}</ul></div>`);
  }
  body.push(`<h1>${escapeHtml(report.title)}</h1>`, `<p class="agency">${escapeHtml(agencyYearLine(report))}</p>`);
  for (const key of SECTION_ORDER) {
    const section = report.sections[key];
    body.push(`<h2>${escapeHtml(section.heading)}</h2>`);
    if (key === 'proactive' || key === 'requests' || key === 'reviews') body.push(gridToHtml(grids[key]));
    else body.push(...paragraphs(section.text).map((p) => `<p>${escapeHtml(p)}</p>`));
  }
  if (report.issuedOn) body.push(`<p class="issued">${chineseDate(report.issuedOn)}</p>`);
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
