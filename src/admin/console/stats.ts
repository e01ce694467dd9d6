// The year at a glance, from the requests as staff see them: how many arrived each month and how
// the closed ones ended, grouped as the annual report's table 三 groups them.
import { getOutcome, isOutcomeId, type OutcomeRowKey } from '../../domain/outcomes.js';

export interface StatsSource {
  receivedOn: string | null;
  closedOn: string | null;
  outcome: string | null;
}

/** Table 三's groups of outcomes, in table order. */
export const OUTCOME_GROUPS = [
  { id: 'granted', label: '予以公开' },
  { id: 'partial', label: '部分公开' },
  { id: 'withheld', label: '不予公开' },
  { id: 'unavailable', label: '无法提供' },
  { id: 'notProcessed', label: '不予处理' },
  { id: 'other', label: '其他处理' },
] as const;

export type OutcomeGroup = (typeof OUTCOME_GROUPS)[number]['id'];

export function outcomeGroupOf(row: OutcomeRowKey): OutcomeGroup {
  return row.split('.')[0] as OutcomeGroup;
}

export interface YearStats {
  year: number;
  /** Requests received in each month, January first. */
  receivedPerMonth: number[];
  /** Requests closed in the year, by group, in table order. */
  outcomes: Array<{ id: OutcomeGroup; label: string; count: number }>;
  received: number;
  closed: number;
}

export function yearStats(requests: readonly StatsSource[], year: number): YearStats {
  const prefix = `${year}-`;
  const receivedPerMonth = Array.from({ length: 12 }, () => 0);
  const byGroup = new Map<OutcomeGroup, number>(OUTCOME_GROUPS.map((g) => [g.id, 0]));
  for (const r of requests) {
    if (r.receivedOn?.startsWith(prefix)) receivedPerMonth[Number(r.receivedOn.slice(5, 7)) - 1]! += 1;
    if (r.closedOn?.startsWith(prefix) && isOutcomeId(r.outcome)) {
      const group = outcomeGroupOf(getOutcome(r.outcome).row);
      byGroup.set(group, byGroup.get(group)! + 1);
    }
  }
  const outcomes = OUTCOME_GROUPS.map((g) => ({ id: g.id, label: g.label, count: byGroup.get(g.id)! }));
  return {
    year,
    receivedPerMonth,
    outcomes,
    received: receivedPerMonth.reduce((a, b) => a + b, 0),
    closed: outcomes.reduce((a, o) => a + o.count, 0),
  };
}
