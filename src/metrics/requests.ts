// The open requests as the metrics count them: every request not yet delivered or closed, with its
// status and whether its reply date has passed (the same derivation as the staff lists).
import { currentStatus, deriveState, isFinished } from '../domain/applications/index.js';
import type { Calendar } from '../domain/calendar.js';
import type { StoredApplication } from '../store/applications-repo.js';

export function openRequests(apps: readonly StoredApplication[], calendar: Calendar, today: string): Array<{ status: string; overdue: boolean }> {
  const open: Array<{ status: string; overdue: boolean }> = [];
  for (const app of apps) {
    // The status alone is cheap; the deadline is computed only for requests still open.
    if (isFinished(currentStatus(app))) continue;
    const state = deriveState(app, calendar, today);
    open.push({ status: state.status, overdue: state.overdue });
  }
  return open;
}

/** `compute` at most once per `ms`: one scrape reads the open requests for two gauges. */
export function cachedFor<T>(ms: number, compute: () => T, now: () => number = () => performance.now()): () => T {
  let value: T;
  let at = -Infinity;
  return () => {
    if (now() - at >= ms) {
      value = compute();
      at = now();
    }
    return value;
  };
}
