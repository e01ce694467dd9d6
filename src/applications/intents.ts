// Which event tells whom: one notification intent per event and audience, keyed so that the
// outbox can deliver each exactly once. The wording lives with the templates in data/, not here.
import type { EventType } from '../domain/applications/index.js';
import type { StoredApplication, NotificationIntent } from '../store/applications-repo.js';

/** The messages an applicant can receive about their request; data/notify/templates.json words each. */
export const APPLICANT_MESSAGE_KINDS = [
  'receipt',
  'supplement-requested',
  'supplement-received',
  'consultation-started',
  'consultation-ended',
  'extended',
  'fee-notice',
  'decided',
  'delivered',
  'closed-no-supplement',
  'closed-fee-unpaid',
  'withdrawn',
] as const;
export type ApplicantMessageKind = (typeof APPLICANT_MESSAGE_KINDS)[number];

/** The messages staff receive about one event of a request. */
export const STAFF_EVENT_MESSAGE_KINDS = ['staff:new-request', 'staff:supplement-received', 'staff:withdrawn'] as const;
export type StaffEventMessageKind = (typeof STAFF_EVENT_MESSAGE_KINDS)[number];
/** A message an event causes, to either audience. */
export type EventMessageKind = ApplicantMessageKind | StaffEventMessageKind;

/**
 * Event type → what the applicant hears. Total over the event types, so a new event does not
 * compile until someone decides what (if anything) the applicant is told about it.
 */
export const APPLICANT_KIND: Readonly<Record<EventType, ApplicantMessageKind | null>> = {
  submit: null,
  receive: 'receipt',
  'request-supplement': 'supplement-requested',
  // A supplement staff recorded (by post, at the window): the applicant hears it arrived and the new
  // due date. One the applicant sent online is confirmed in the answer to it (chat reply, /mp/v1),
  // which spends no one-time subscribe consent.
  'supplement-received': 'supplement-received',
  'supplement-expired': 'closed-no-supplement',
  'consult-start': 'consultation-started',
  'consult-end': 'consultation-ended',
  extend: 'extended',
  'fee-notice': 'fee-notice',
  'fee-paid': null,
  'fee-expired': 'closed-fee-unpaid',
  decide: 'decided',
  deliver: 'delivered',
  withdraw: 'withdrawn',
};

/** Event type → what staff hear. */
export const STAFF_KIND: Readonly<Record<EventType, StaffEventMessageKind | null>> = {
  submit: 'staff:new-request',
  receive: null,
  'request-supplement': null,
  'supplement-received': 'staff:supplement-received',
  'supplement-expired': null,
  'consult-start': null,
  'consult-end': null,
  extend: null,
  'fee-notice': null,
  'fee-paid': null,
  'fee-expired': null,
  decide: null,
  deliver: null,
  withdraw: 'staff:withdrawn',
};

/** Events the applicant causes and is still told about: that the request was received. */
const TOLD_EVEN_WHEN_OWN: ReadonlySet<EventType> = new Set(['receive']);

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
    if (applicantKind && (event.by !== 'applicant' || TOLD_EVEN_WHEN_OWN.has(event.type))) {
      intents.push(intent(app, i, applicantKind, 'applicant', createdAt));
    }
    const staffKind = STAFF_KIND[event.type];
    if (staffKind && (event.type !== 'withdraw' || event.by === 'applicant')) {
      intents.push(intent(app, i, staffKind, 'staff', createdAt));
    }
  }
  return intents;
}

function intent(app: StoredApplication, eventIndex: number, kind: EventMessageKind, audience: 'applicant' | 'staff', createdAt: string): NotificationIntent {
  return { key: `${app.id}:${eventIndex}:${audience}`, applicationId: app.id, eventIndex, kind, audience, createdAt };
}
