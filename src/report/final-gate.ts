// A report whose checks fail may be previewed (marked as a draft) but not exported as final.

import type { AnnualReport, Check } from './types.js';

export interface RenderOptions {
  /** Export as the final document: refused unless every check passes. Default: preview. */
  final?: boolean;
}

export const DRAFT_MARK = '草稿：校验未通过';

export class ReportNotFinalError extends Error {
  readonly code = 'REPORT_NOT_FINAL';
  readonly failedChecks: Check[];

  constructor(failedChecks: Check[]) {
    super(`年度报告校验未通过，不能导出正式版：${failedChecks.map((c) => c.detail).join('；')}`);
    this.name = 'ReportNotFinalError';
    this.failedChecks = failedChecks;
  }
}

export function assertExportable(report: AnnualReport, options: RenderOptions = {}): void {
  if (options.final && !report.final) throw new ReportNotFinalError(report.checks.filter((c) => !c.ok));
}

/** A preview of a report that fails its checks carries the draft mark. */
export function isDraft(report: AnnualReport): boolean {
  return !report.final;
}

export function failedChecks(report: AnnualReport): Check[] {
  return report.checks.filter((c) => !c.ok);
}
