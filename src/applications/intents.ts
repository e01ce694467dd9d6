// Which event tells whom: one notification intent per event and audience, keyed so that the
// outbox can deliver each exactly once. The wording lives with the templates in data/, not here.
import type { StoredApplication, NotificationIntent } from '../store/applications-repo.js';

/** Event type → what the applicant hears / what staff hear. */
const APPLICANT_KIND: Record<string, string | undefined> = {
  receive: 'receipt',
  'request-supplement': 'supplement-requested',
  'consult-start': 'consultation-started',
  'consult-end': 'consultation-ended',
  extend: 'extended',
  'fee-notice': 'fee-notice',
  decide: 'decided',
  deliver: 'delivered',
  'supplement-expired': 'closed-no-supplement',
  'fee-expired': 'closed-fee-unpaid',
  withdraw: 'withdrawn',
};

const STAFF_KIND: Record<string, string | undefined> = {
  submit: 'staff:new-request',
  'supplement-received': 'staff:supplement-received',
  withdraw: 'staff:withdrawn',
};

/**
 * The intents caused by the event at `eventIndex`. A submission that is received at once (online
 * requests) produces its receipt from the receive event that follows it, in the same write.
 */
export function intentsFor(app: StoredApplication, eventIndex: number, createdAt: string): NotificationIntent[] {
  const intents: NotificationIntent[] = [];
  const indexes = eventIndex === 0 ? app.events.map((_, i) => i) : [eventIndex];
  for (const i of indexes) {
    const event = app.events[i]!;
    const applicantKind = APPLICANT_KIND[event.type];
    // Applicants are not told about what they did themselves, except that it was received.
    if (applicantKind && (event.by !== 'applicant' || event.type === 'receive')) {
      intents.push(intent(app, i, applicantKind, 'applicant', createdAt));
    }
    const staffKind = STAFF_KIND[event.type];
    if (staffKind && (event.type !== 'withdraw' || event.by === 'applicant')) {
      intents.push(intent(app, i, staffKind, 'staff', createdAt));
    }
  }
  return intents;
}

function intent(app: StoredApplication, eventIndex: number, kind: string, audience: 'applicant' | 'staff', createdAt: string): NotificationIntent {
  return { key: `${app.id}:${eventIndex}:${audience}`, applicationId: app.id, eventIndex, kind, audience, createdAt };
}
