// Table 三: counting requests for report year Y (docs/ARCHITECTURE.md, "Annual-report counting").
//   一 newReceived   = received in Y
//   二 carriedOver   = received before Y and not closed before Y
//   三 result rows   = closed in Y, by outcome
//   四 carryForward  = received by the end of Y and not closed by then
// Requests never received are not counted. For consistent records 一 + 二 = （七）总计 + 四 in every
// column; records that break it are reported (see RequestsCount) rather than patched.

import { OUTCOME_IDS, getOutcome, isOutcomeId } from '../domain/outcomes.js';
import { requestRowKeys, resultRowKeys } from './labels.js';
import { before, onOrBefore, reportPeriod, within } from './period.js';
import type { ColumnCounts, ColumnKey, OrgKind, ReportFormat, ReportRequest, RequestRowKey, RequestsTable } from './types.js';

/**
 * Outcome code → table 三 row in the 2021 format, read from the domain's outcome table, the one
 * source. The declared type is the check: should the domain name a row the report does not print,
 * this stops compiling.
 */
export const OUTCOME_ROWS: Readonly<Record<string, RequestRowKey>> = Object.fromEntries(OUTCOME_IDS.map((id) => [id, getOutcome(id).row]));

/** The row an outcome counts in, or null for an unknown outcome. The 2019 format folds （六） into one row. */
export function rowForOutcome(outcome: string | null, format: ReportFormat): RequestRowKey | null {
  if (!isOutcomeId(outcome)) return null;
  const row = getOutcome(outcome).row;
  return format === '2019' && row.startsWith('other.') ? 'other' : row;
}

const ORG_COLUMNS: Record<OrgKind, ColumnKey> = {
  commercial: 'commercial',
  research: 'research',
  'public-welfare': 'publicWelfare',
  'legal-service': 'legalService',
  other: 'otherOrg',
};

export function columnFor(applicant: ReportRequest['applicant']): ColumnKey {
  if (applicant.type === 'person') return 'person';
  return ORG_COLUMNS[applicant.orgKind ?? 'other'];
}

export function zeroCounts(): ColumnCounts {
  return { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 0 };
}

export interface UncountableRequest {
  id?: string;
  reason: 'unknown-outcome' | 'closed-before-received';
  outcome: string | null;
}

export interface RequestsCount {
  table: RequestsTable;
  /** Requests the table cannot place honestly; the requests.records check names each one. */
  uncountable: UncountableRequest[];
}

export function countRequests(requests: readonly ReportRequest[], year: number, format: ReportFormat): RequestsCount {
  const period = reportPeriod(year);
  const table: RequestsTable = {};
  for (const key of requestRowKeys(format)) table[key] = zeroCounts();
  const add = (row: RequestRowKey, column: ColumnKey) => {
    const counts = table[row]!;
    counts[column] += 1;
    counts.total += 1;
  };
  const uncountable: UncountableRequest[] = [];

  for (const request of requests) {
    const { receivedOn, closedOn } = request;
    if (receivedOn == null) continue;
    const column = columnFor(request.applicant);
    if (closedOn != null && closedOn < receivedOn && (within(receivedOn, period) || within(closedOn, period))) {
      uncountable.push({ id: request.id, reason: 'closed-before-received', outcome: request.outcome });
    }
    if (within(receivedOn, period)) add('newReceived', column);
    if (before(receivedOn, period.start) && !before(closedOn, period.start)) add('carriedOver', column);
    if (within(closedOn, period)) {
      const row = rowForOutcome(request.outcome, format);
      if (row) add(row, column);
      else uncountable.push({ id: request.id, reason: 'unknown-outcome', outcome: request.outcome });
    }
    if (onOrBefore(receivedOn, period.end) && !onOrBefore(closedOn, period.end)) add('carryForward', column);
  }

  table.total = sumRows(table, resultRowKeys(format));
  return { table, uncountable };
}

/** Column-wise sum of the given rows. */
export function sumRows(table: RequestsTable, rows: readonly RequestRowKey[]): ColumnCounts {
  const sum = zeroCounts();
  for (const row of rows) {
    const counts = table[row];
    if (!counts) continue;
    for (const column of Object.keys(sum) as ColumnKey[]) sum[column] += counts[column] ?? 0;
  }
  return sum;
}
