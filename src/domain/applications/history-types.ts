/**
 * The facts the rules read from an application's events (history.ts reads them). Kept apart from
 * the reader so the state machine, which the reader uses, can take them without importing it back.
 */
import type { OutcomeId } from '../outcomes.js';
import type { ClosingEventType } from './closing.js';
import type { ApplicationStatus, StaffEventType } from './types.js';

export interface Consultation {
  party: string;
  start: string;
  /** null while the consultation is open */
  end: string | null;
}

/** What ended the application's processing, and when (what the annual report counts as closed). */
export interface Closing {
  on: string;
  by: ClosingEventType;
}

export interface History {
  status: ApplicationStatus;
  submittedOn: string | null;
  /** The latest receive event's date: a later receive corrects an earlier one. */
  receivedOn: string | null;
  supplementRequests: { on: string; items: string[] }[];
  supplementsReceived: string[];
  /** The last 补正 asked has not arrived; stays true when it expired or the request was withdrawn. */
  supplementPending: boolean;
  consultations: Consultation[];
  extension: { on: string; days: number } | null;
  feeNotices: { on: string; amount: number }[];
  decision: { on: string; outcome: OutcomeId; reason?: string } | null;
  deliveredOn: string | null;
  closing: Closing | null;
  outcome: OutcomeId | null;
  /** The last event other than submit and receive: later events may not be dated before it. */
  latest: { type: StaffEventType; on: string } | null;
  /** The first event other than submit and receive: a corrected receipt may not be dated after it. */
  firstStep: { type: StaffEventType; on: string } | null;
}
