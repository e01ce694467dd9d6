/**
 * Reads an application's events, oldest first, into the facts the rules need. No calendar here:
 * what depends on working days is in deadline.ts.
 */
import type { OutcomeId } from '../outcomes.js';
import { nextStatus } from './machine.js';
import type { ApplicationEvent, ApplicationStatus, StaffEventType } from './types.js';

export interface Consultation {
  party: string;
  start: string;
  /** null while the consultation is open */
  end: string | null;
}

/** What ended the application's processing, and when (what the annual report counts as closed). */
export interface Closing {
  on: string;
  by: 'decide' | 'withdraw' | 'supplement-expired' | 'fee-expired';
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

const CLOSING_OUTCOMES = {
  withdraw: 'other',
  'supplement-expired': 'other-no-supplement',
  'fee-expired': 'other-fee-unpaid',
} as const satisfies Record<string, OutcomeId>;

export function readHistory(events: readonly ApplicationEvent[]): History {
  const h: History = {
    status: 'submitted',
    submittedOn: null,
    receivedOn: null,
    supplementRequests: [],
    supplementsReceived: [],
    supplementPending: false,
    consultations: [],
    extension: null,
    feeNotices: [],
    decision: null,
    deliveredOn: null,
    closing: null,
    outcome: null,
    latest: null,
    firstStep: null,
  };

  for (const event of events) {
    if (event.type === 'submit') {
      h.submittedOn = event.on;
      continue;
    }
    // Stored events were accepted by applyEvent, so the table allows them; keep the status if not.
    h.status = nextStatus(h.status, event.type) ?? h.status;
    if (event.type !== 'receive') {
      h.latest = { type: event.type, on: event.on };
      h.firstStep ??= h.latest;
    }

    switch (event.type) {
      case 'receive':
        h.receivedOn = event.on;
        break;
      case 'request-supplement':
        h.supplementRequests.push({ on: event.on, items: event.items });
        h.supplementPending = true;
        break;
      case 'supplement-received':
        h.supplementsReceived.push(event.on);
        h.supplementPending = false;
        break;
      case 'consult-start':
        h.consultations.push({ party: event.party, start: event.on, end: null });
        break;
      case 'consult-end': {
        const open = h.consultations.findLast((c) => c.end === null);
        if (open) open.end = event.on;
        break;
      }
      case 'extend':
        h.extension = { on: event.on, days: event.days };
        break;
      case 'fee-notice':
        h.feeNotices.push({ on: event.on, amount: event.amount });
        break;
      case 'decide':
        h.decision = { on: event.on, outcome: event.outcome, ...(event.reason ? { reason: event.reason } : {}) };
        h.outcome = event.outcome;
        h.closing = { on: event.on, by: 'decide' };
        break;
      case 'deliver':
        h.deliveredOn = event.on;
        break;
      case 'withdraw':
      case 'supplement-expired':
      case 'fee-expired':
        h.outcome = CLOSING_OUTCOMES[event.type];
        h.closing = { on: event.on, by: event.type };
        break;
      case 'fee-paid':
        break;
    }
  }
  return h;
}
