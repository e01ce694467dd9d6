/**
 * Reads an application's events, oldest first, into the facts the rules need. No calendar here:
 * what depends on working days is in deadline.ts.
 */
import { CLOSING_EVENT_OUTCOMES } from './closing.js';
import type { History } from './history-types.js';
import { nextStatus } from './machine.js';
import type { ApplicationEvent } from './types.js';

export type { History, Consultation, Closing } from './history-types.js';

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
        h.outcome = CLOSING_EVENT_OUTCOMES[event.type];
        h.closing = { on: event.on, by: event.type };
        break;
      case 'fee-paid':
        break;
    }
  }
  return h;
}
