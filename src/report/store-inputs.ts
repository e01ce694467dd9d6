// The report's inputs, gathered from the product's own records: the requests from the applications
// (dates and outcome as the state machine derives them), catalog items, the review cases and the
// figures staff typed in. The mapping of one application is pure; loadReportInputs only collects.

import { todayInChina, type Calendar } from '../domain/calendar.js';
import { deriveState, type Application, type ApplicationEvent } from '../domain/applications/index.js';
import type { ApplicationsService } from '../applications/service.js';
import type { ReportRepository } from '../store/report-repo.js';
import { countRequests } from './count.js';
import type { Article20Document, ColumnCounts, PreviousYear, ReportAgency, ReportCatalogItem, ReportInputs, ReportRequest, ReviewCase } from './types.js';

type Awaitable<T> = T | Promise<T>;

/** The catalog's published items: the catalog service itself, or any function that lists them. */
export type ReportCatalogSource =
  | { publishedItems(): Awaitable<readonly ReportCatalogItem[]> }
  | (() => Awaitable<readonly ReportCatalogItem[]>);

export interface ReportInputsDeps {
  applications: Pick<ApplicationsService, 'all'>;
  calendar: () => Calendar;
  reportRepo: Pick<ReportRepository, 'year' | 'reviewCases' | 'finalExports'>;
  catalog?: ReportCatalogSource;
  /** Catalog category → the 第二十条第（一）项 row its items count in (table 二). */
  article20Map?: Record<string, Article20Document>;
  agency: ReportAgency;
  clock?: () => Date;
}

/** The records staff type into a year's report: figures, written sections, review cases, carry-forward. */
export type ReportEditor = Pick<ReportRepository, 'year' | 'reviewCases' | 'setEntered' | 'setTexts' | 'setCarryForward' | 'addReviewCase' | 'removeReviewCase'>;

/** What the console's report pages need: the report's inputs, and the records staff edit. */
export type ReportEditingDeps = ReportInputsDeps & { reportRepo: ReportInputsDeps['reportRepo'] & ReportEditor };

/**
 * Where the previous year's 四、结转下年度继续办理 came from, in the order it is looked for:
 * typed in by staff for this year (a deliberate statement, so it wins); the last final export of the
 * previous year (what was published); counted from the system's own records of the previous year;
 * or nowhere, which the requests.carriedOver check reports.
 */
export type PreviousSource = 'entered' | 'final-export' | 'computed' | 'none';

export interface StoreReportInputs extends ReportInputs {
  previousSource: PreviousSource;
}

export async function loadReportInputs(year: number, deps: ReportInputsDeps): Promise<StoreReportInputs> {
  const calendar = deps.calendar();
  const today = todayInChina((deps.clock ?? (() => new Date()))());
  const requests = (await deps.applications.all()).map((app) => reportRequestOf(app, calendar, today));
  const [stored, cases] = await Promise.all([deps.reportRepo.year(year), deps.reportRepo.reviewCases()]);
  const { previous, source } = await previousYear(year, requests, stored.carryForward, deps.reportRepo);
  return {
    agency: { name: deps.agency.name },
    requests,
    catalogItems: deps.catalog ? [...(await listCatalog(deps.catalog))] : [],
    ...(deps.article20Map ? { article20Map: deps.article20Map } : {}),
    entered: stored.entered,
    reviewCases: cases.map(
      ({ id, kind, result, filedOn, closedOn }): ReviewCase => ({ id, kind, result, filedOn, closedOn: closedOn ?? null }),
    ),
    ...(previous ? { previous } : {}),
    texts: stored.texts ?? { overview: '', problems: '', otherMatters: '' },
    previousSource: source,
  };
}

function listCatalog(source: ReportCatalogSource): Awaitable<readonly ReportCatalogItem[]> {
  return typeof source === 'function' ? source() : source.publishedItems();
}

/** One application as table 三 sees it; the tracking number names it in the checks. */
export function reportRequestOf(app: Pick<Application, 'trackingNo' | 'applicant' | 'events'>, calendar: Calendar, today: string): ReportRequest {
  const state = deriveState(app, calendar, today);
  return {
    id: app.trackingNo,
    receivedOn: state.receivedOn,
    closedOn: state.closedOn,
    outcome: state.outcome,
    applicant: app.applicant.type === 'person' ? { type: 'person' } : { type: 'organization', orgKind: app.applicant.orgKind },
    feePaid: feePaidOf(app.events),
  };
}

/**
 * What the applicant paid: each fee-paid at the amount of the fee notice it answered. A second fee
 * cycle is added to the first and dated by the last payment (ReportRequest holds one payment).
 */
export function feePaidOf(events: readonly ApplicationEvent[]): { on: string; amount: number } | null {
  let noticed: number | null = null;
  let amount = 0;
  let lastPaidOn: string | null = null;
  for (const event of events) {
    if (event.type === 'fee-notice') noticed = event.amount;
    if (event.type === 'fee-paid' && noticed !== null) {
      amount += noticed;
      lastPaidOn = event.on;
      noticed = null;
    }
  }
  return lastPaidOn === null ? null : { on: lastPaidOn, amount };
}

async function previousYear(
  year: number,
  requests: readonly ReportRequest[],
  entered: Partial<ColumnCounts> | null,
  repo: Pick<ReportRepository, 'finalExports'>,
): Promise<{ previous?: PreviousYear; source: PreviousSource }> {
  if (entered) return { previous: { carryForward: entered }, source: 'entered' };
  const published = (await repo.finalExports(year - 1)).at(-1);
  if (published) return { previous: { carryForward: published.carryForward }, source: 'final-export' };
  const yearStart = `${String(year).padStart(4, '0')}-01-01`;
  if (requests.some((r) => r.receivedOn != null && r.receivedOn < yearStart)) {
    // The carry-forward row is the same in both formats.
    return { previous: { tables: { requests: countRequests(requests, year - 1, '2021').table } }, source: 'computed' };
  }
  return { source: 'none' };
}
