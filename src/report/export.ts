// One entry point for every output of the report, for the staff API and the CLI alike.

import { assertExportable, type RenderOptions } from './final-gate.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { AnnualReport } from './types.js';

export const OUTPUT_KINDS = ['json', 'md', 'html', 'docx', 'xlsx'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface RenderedReport {
  body: string | Buffer;
  contentType: string;
  extension: string;
}

const CONTENT_TYPES: Record<OutputKind, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const EXTENSIONS: Record<string, OutputKind> = {
  '.json': 'json',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.docx': 'docx',
  '.xlsx': 'xlsx',
};

/** The output kind a file name asks for, or null for an extension the report cannot produce. */
export function outputKindForFile(fileName: string): OutputKind | null {
  const match = /\.[^./\\]+$/.exec(fileName.toLowerCase());
  return (match && EXTENSIONS[match[0]]) ?? null;
}

export function isOutputKind(value: string): value is OutputKind {
  return (OUTPUT_KINDS as readonly string[]).includes(value);
}

export async function renderReport(report: AnnualReport, kind: OutputKind, options: RenderOptions = {}): Promise<RenderedReport> {
  const rendered = async (): Promise<string | Buffer> => {
    switch (kind) {
      case 'json':
        assertExportable(report, options);
        return `${JSON.stringify(report, null, 2)}\n`;
      case 'md':
        return renderMarkdown(report, options);
      case 'html':
        return renderHtml(report, options);
      // Word and Excel are loaded on first use: docx and exceljs cost every start ~40 MiB and about
      // a second, for a report made once a year.
      case 'docx':
        return (await import('./render-docx.js')).renderDocx(report, options);
      case 'xlsx':
        return (await import('./render-xlsx.js')).renderXlsx(report, options);
    }
  };
  return { body: await rendered(), contentType: CONTENT_TYPES[kind], extension: kind };
}
