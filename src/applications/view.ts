// What an application looks like from outside: the stored record plus its derived state at the top
// level (the public contract of both APIs), a readable timeline, and personal data masked for
// anyone whose job does not need it.
import type { Calendar } from '../domain/calendar.js';
import {
  deriveState,
  allowedEvents,
  EVENT_LABELS,
  STATUS_LABELS,
  type ApplicationEvent,
  type ApplicationStatus,
  type StaffEventType,
} from '../domain/applications/index.js';
import { getOutcome, isOutcomeId, type OutcomeId } from '../domain/outcomes.js';
import { maskAddress, maskEmail, maskIdNumber, maskName, maskPhone } from '../domain/masking.js';
import type { Channel, StoredApplication } from '../store/applications-repo.js';

/**
 * applicant: the person who applied; staff: masked personal data (lists); staff-full: the handler's
 * view; staff-restricted: roles whose work does not need the applicant (reviewer, leader): the
 * person's name masked too, as the notifications page does.
 */
export type ViewAudience = 'applicant' | 'staff' | 'staff-full' | 'staff-restricted';

export interface TimelineEntry {
  type: ApplicationEvent['type'];
  label: string;
  on: string;
  at: string;
  by: string;
  [detail: string]: unknown;
}

/**
 * An application as both APIs return it (GET /mp/v1/applications/:id and GET /admin/v1/applications/:id)
 * and as the chat, the console, the notifications and the reply letters read it: what was submitted,
 * with its derived state at the top level (docs/ARCHITECTURE.md, "Contracts": id, trackingNo, status,
 * receivedOn, dueDate, paused, dueDateProvisional, supplementNoticeDue, overdue, outcome, timeline).
 * A public contract: add members, never rename or remove one.
 */
export interface ApplicationView {
  id: string;
  trackingNo: string;
  status: ApplicationStatus;
  statusLabel: string;
  submittedOn: string | null;
  /** The date of receipt (第三十一条); null until staff confirm it. */
  receivedOn: string | null;
  /** The last day of the reply period; null before receipt, while a 补正 is awaited and while a consultation is open. */
  dueDate: string | null;
  /** The reply clock is stopped: a 补正 is awaited or a consultation is open. */
  paused: boolean;
  /** A date was counted over a year whose holidays are not yet announced (Monday–Friday guess). */
  dueDateProvisional: boolean;
  /** The last day to ask for a 补正 (7 working days after receipt); null before receipt. */
  supplementNoticeDue: string | null;
  /** While a consultation pauses the clock: the last of the consulted party's 15 working days. */
  consultationEndsBy: string | null;
  /** The reply clock runs and today is after the due date. */
  overdue: boolean;
  outcome: OutcomeId | null;
  outcomeLabel: string | null;
  decidedOn: string | null;
  deliveredOn: string | null;
  /** When the request ended (decision, withdrawal, 补正 or fee expiry): when the annual report counts it closed. */
  closedOn: string | null;
  extensionDays: number;
  channel: Channel;
  /** ISO 8601 timestamp of submission. */
  createdAt: string;
  /** Masked as the audience requires (see ViewAudience). */
  applicant: StoredApplication['applicant'];
  request: StoredApplication['request'];
  delivery: StoredApplication['delivery'];
  /** The events, oldest first; applicants see 'staff' where a clerk's username would be. */
  timeline: TimelineEntry[];
  /** Staff only: how the dates were reached, one plain-Chinese line each. */
  explanation?: string[];
  /** Staff only: the events the request accepts now. */
  allowedEvents?: StaffEventType[];
  /** Staff only: ids of earlier requests that look like the same one. */
  possibleDuplicateOf?: string[];
  /** A 补正 asked and not yet answered (the applicant's side reads it to answer). */
  pendingSupplement: PendingSupplement | null;
}

/** A 补正 asked and not yet answered: what to supply, and by when (null: the notice sets the period). */
export interface PendingSupplement {
  items: string[];
  requestedOn: string;
  dueBy: string | null;
  /** The timeline entry of the request, which its notice (补正申请告知书) belongs to. */
  eventIndex: number;
}

export interface ViewOptions {
  /** The office's 补正 period when the clerk set none (agency.json supplementPeriodWorkingDays). */
  supplementPeriodWorkingDays?: number | null;
}

export function toView(app: StoredApplication, calendar: Calendar, today: string, audience: ViewAudience, options: ViewOptions = {}): ApplicationView {
  const state = deriveState(app, calendar, today);
  const staff = audience !== 'applicant';
  return {
    id: app.id,
    trackingNo: app.trackingNo,
    status: state.status,
    statusLabel: STATUS_LABELS[state.status],
    submittedOn: state.submittedOn,
    receivedOn: state.receivedOn,
    dueDate: state.dueDate,
    paused: state.paused,
    dueDateProvisional: state.dueDateProvisional,
    supplementNoticeDue: state.supplementNoticeDue,
    consultationEndsBy: state.consultationEndsBy,
    overdue: state.overdue,
    outcome: state.outcome,
    outcomeLabel: state.outcome && isOutcomeId(state.outcome) ? getOutcome(state.outcome).label : null,
    decidedOn: state.decidedOn,
    deliveredOn: state.deliveredOn,
    closedOn: state.closedOn,
    extensionDays: state.extensionDays,
    channel: app.channel,
    createdAt: app.createdAt,
    applicant: audience === 'staff-full' ? app.applicant : maskApplicant(app.applicant, audience),
    request: app.request,
    delivery: app.delivery,
    timeline: app.events.map((event) => timelineEntry(event, staff)),
    pendingSupplement: state.status === 'awaiting-supplement' ? pendingSupplement(app, calendar, options) : null,
    ...(staff
      ? {
          explanation: state.explanation,
          allowedEvents: allowedEvents(app),
          possibleDuplicateOf: app.possibleDuplicateOf,
        }
      : {}),
  };
}

function pendingSupplement(app: StoredApplication, calendar: Calendar, options: ViewOptions): PendingSupplement | null {
  const eventIndex = app.events.findLastIndex((e) => e.type === 'request-supplement');
  const event = app.events[eventIndex];
  if (!event || event.type !== 'request-supplement') return null;
  const period = event.days ?? options.supplementPeriodWorkingDays ?? null;
  return {
    items: [...event.items],
    requestedOn: event.on,
    dueBy: period ? calendar.addWorkingDays(event.on, period).date : null,
    eventIndex,
  };
}

function maskApplicant(applicant: StoredApplication['applicant'], audience: ViewAudience): StoredApplication['applicant'] {
  const a = { ...applicant } as Record<string, unknown>;
  if (typeof a.idNumber === 'string') a.idNumber = maskIdNumber(a.idNumber);
  // The applicant knows their own phone and address; staff lists do not need them.
  if (audience === 'staff' || audience === 'staff-restricted') {
    if (typeof a.phone === 'string') a.phone = maskPhone(a.phone);
    if (typeof a.email === 'string') a.email = maskEmail(a.email);
    if (typeof a.address === 'string') a.address = maskAddress(a.address);
  }
  if (audience === 'staff-restricted' && a.type !== 'organization') {
    for (const key of ['name', 'contactName'] as const) if (typeof a[key] === 'string') a[key] = maskName(a[key] as string);
  }
  return a as unknown as StoredApplication['applicant'];
}

function timelineEntry(event: ApplicationEvent, staff: boolean): TimelineEntry {
  const { type, on, at, by, ...details } = event as ApplicationEvent & Record<string, unknown>;
  // Applicants see that the office acted, not which clerk did.
  const who = staff || by === 'applicant' ? by : by === 'system' ? 'system' : 'staff';
  const extra: Record<string, unknown> = { ...details };
  if (type === 'decide' && isOutcomeId(extra.outcome)) extra.outcomeLabel = getOutcome(extra.outcome).label;
  return { type, label: EVENT_LABELS[type], on, at, by: who, ...extra };
}
