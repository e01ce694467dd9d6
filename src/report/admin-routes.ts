// The annual report in the staff API (/admin/v1/reports/…): the report itself as JSON or as a
// document, and the records only staff can supply — typed-in figures, the written sections,
// reconsideration and lawsuit cases, last year's carry-forward. A final export is refused while a
// check fails, and each one that goes out is recorded with a hash of its tables.
//
//   GET    /reports/annual?year=&format=2021|2019[&output=json|html|md|docx|xlsx]   a draft or preview
//   POST   /reports/annual?year=&format=&output=     the final export (recorded); GET with final=1
//                                                    answers 405: a GET must not record anything
//   GET    /reports/annual/:year/inputs              what staff have entered for the year
//   PUT    /reports/annual/:year/entered             {proactive?, reviews?, feesCollected?}
//   PUT    /reports/annual/:year/texts               {overview, problems, otherMatters, issuedOn?}
//   PUT    /reports/annual/:year/previous            {carryForward: {person, …, otherOrg, total?} | null}
//   POST   /reports/annual/:year/review-cases        {kind, result, filedOn, closedOn?, note?}
//   PUT    /reports/annual/:year/review-cases/:id    the same fields
//   DELETE /reports/annual/:year/review-cases/:id

import { createHash } from 'node:crypto';
import type { Router } from '@koa/router';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import { todayInChina } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { bodyObject, requiredBodyObject } from '../http/body.js';
import { permit, requireStaff } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { FinalExportRecord, ReportRepository } from '../store/report-repo.js';
import { buildAnnualReport } from './build.js';
import { renderReport, type OutputKind } from './export.js';
import { ReportNotFinalError, failedChecks } from './final-gate.js';
import { REPORT_TITLE } from './labels.js';
import { loadReportInputs, type ReportInputsDeps } from './store-inputs.js';
import { parseCarryForward, parseEnteredFigures, parseReportQuery, parseReviewCase, parseTexts, parseYear } from './input-parsers.js';
import type { AnnualReport, Check } from './types.js';

export type ReportAdminDeps = Omit<ReportInputsDeps, 'reportRepo'> & {
  accounts: StaffAccounts;
  reportRepo: ReportRepository;
};

/** Mounts the report routes on the '/admin/v1' router (whose JSON body parser is already applied). */
export function mountReportAdminRoutes(router: Router, deps: ReportAdminDeps): void {
  const clock = deps.clock ?? (() => new Date());
  const thisYear = () => Number(todayInChina(clock()).slice(0, 4));
  const repo = deps.reportRepo;

  router.use('/reports', requireStaff(deps.accounts));

  const annual = async (ctx: Parameters<Parameters<Router['get']>[1]>[0], final: boolean) => {
    permit(ctx, 'report.view');
    const query = { ...parseReportQuery(ctx.query, thisYear()), ...(final ? { final: true } : {}) };
    if (query.final && !final) {
      // A final export is recorded: that is a change, and a link or an image tag must not make it.
      throw new HttpError(405, 'method-not-allowed', '导出正式版请用 POST /admin/v1/reports/annual（GET 只用于预览草稿）');
    }
    const who = query.final ? permit(ctx, 'report.edit') : null;
    const { previousSource, ...inputs } = await loadReportInputs(query.year, deps);
    const report = buildAnnualReport({ ...inputs, year: query.year, format: query.format });

    if (query.output === 'json') {
      if (query.final && !report.final) throw notFinal(failedChecks(report));
      const recorded = who ? await recordExport(repo, report, 'json', who.username, clock) : null;
      ctx.body = { ...report, previousSource, finalExports: await repo.finalExports(query.year), ...(recorded ? { export: recorded } : {}) };
      return;
    }
    let rendered;
    try {
      rendered = await renderReport(report, query.output, { final: query.final });
    } catch (error) {
      if (error instanceof ReportNotFinalError) throw notFinal(error.failedChecks);
      throw error;
    }
    if (who) {
      const recorded = await recordExport(repo, report, query.output, who.username, clock);
      ctx.set('X-Report-Tables-Hash', recorded.tablesHash);
    }
    const fileName = `${report.agency.name}${report.year}年${REPORT_TITLE}${report.final ? '' : '（草稿）'}.${rendered.extension}`;
    ctx.attachment(fileName, { type: query.output === 'html' ? 'inline' : 'attachment' });
    ctx.type = rendered.contentType;
    ctx.body = rendered.body;
  };
  router.get('/reports/annual', (ctx) => annual(ctx, false));
  router.post('/reports/annual', (ctx) => annual(ctx, true));

  router.get('/reports/annual/:year/inputs', async (ctx) => {
    permit(ctx, 'report.view');
    const year = parseYear(ctx.params.year, thisYear());
    const [record, cases] = await Promise.all([repo.year(year), repo.reviewCases()]);
    ctx.body = {
      year,
      entered: record.entered,
      texts: record.texts,
      carryForward: record.carryForward,
      reviewCases: cases.sort((a, b) => a.filedOn.localeCompare(b.filedOn)),
      finalExports: record.finalExports,
      changes: record.changes,
    };
  });

  router.put('/reports/annual/:year/entered', async (ctx) => {
    const who = permit(ctx, 'report.edit');
    const year = parseYear(ctx.params.year, thisYear());
    const entered = parseEnteredFigures(requiredBodyObject(ctx));
    ctx.body = { year, entered: (await repo.setEntered(year, entered, who.username)).entered };
  });

  router.put('/reports/annual/:year/texts', async (ctx) => {
    const who = permit(ctx, 'report.edit');
    const year = parseYear(ctx.params.year, thisYear());
    const texts = parseTexts(requiredBodyObject(ctx));
    ctx.body = { year, texts: (await repo.setTexts(year, texts, who.username)).texts };
  });

  router.put('/reports/annual/:year/previous', async (ctx) => {
    const who = permit(ctx, 'report.edit');
    const year = parseYear(ctx.params.year, thisYear());
    const carryForward = parseCarryForward(requiredBodyObject(ctx));
    ctx.body = { year, carryForward: (await repo.setCarryForward(year, carryForward, who.username)).carryForward };
  });

  router.post('/reports/annual/:year/review-cases', async (ctx) => {
    const who = permit(ctx, 'report.edit');
    const year = parseYear(ctx.params.year, thisYear());
    const input = parseReviewCase(bodyObject(ctx.request.body), todayInChina(clock()));
    ctx.status = 201;
    ctx.body = await repo.addReviewCase(year, input, who.username);
  });

  router.put('/reports/annual/:year/review-cases/:id', async (ctx) => {
    const who = permit(ctx, 'report.edit');
    const year = parseYear(ctx.params.year, thisYear());
    const input = parseReviewCase(bodyObject(ctx.request.body), todayInChina(clock()));
    const updated = await repo.updateReviewCase(year, ctx.params.id!, input, who.username);
    if (!updated) throw caseNotFound();
    ctx.body = updated;
  });

  router.delete('/reports/annual/:year/review-cases/:id', async (ctx) => {
    const who = permit(ctx, 'report.edit');
    const year = parseYear(ctx.params.year, thisYear());
    if (!(await repo.removeReviewCase(year, ctx.params.id!, who.username))) throw caseNotFound();
    ctx.status = 204;
  });
}

function notFinal(failed: readonly Check[]): DomainError {
  return new DomainError(
    'conflict',
    `年度报告校验未通过，不能导出正式版：${failed.map((c) => c.detail).join('；')}`,
    Object.fromEntries(failed.map((c) => [c.name, c.detail])),
  );
}

function caseNotFound(): DomainError {
  return new DomainError('not-found', '找不到该行政复议或行政诉讼案件');
}

async function recordExport(repo: ReportRepository, report: AnnualReport, output: OutputKind, by: string, clock: () => Date): Promise<FinalExportRecord> {
  const record: FinalExportRecord = {
    year: report.year,
    format: report.format,
    output,
    by,
    at: clock().toISOString(),
    tablesHash: tablesHash(report),
    carryForward: report.tables.requests.carryForward!,
  };
  await repo.recordFinalExport(record);
  return record;
}

/** sha256 over the tables with their keys sorted, so the same figures always give the same hash. */
export function tablesHash(report: Pick<AnnualReport, 'tables'>): string {
  return createHash('sha256').update(canonicalJson(report.tables)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
