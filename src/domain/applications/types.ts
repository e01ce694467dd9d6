/**
 * The shapes of a disclosure request (依申请公开) and of the events that make up its history.
 * An application stores only what was submitted and its events; everything else (status, due
 * date, outcome) is derived from the events — see state.ts.
 */
import type { OutcomeId, WithheldOutcomeId } from '../outcomes.js';

// What was submitted has one definition: the form's (application-form.ts), shared by both ways to apply.
import type { Applicant, ApplicationInput, DeliveryMethod } from '../application-form.js';
export {
  ORG_KINDS,
  DELIVERY_FORMS,
  DELIVERY_METHODS,
  type OrgKind,
  type DeliveryForm,
  type DeliveryMethod,
  type Applicant,
} from '../application-form.js';

export type RequestedInformation = ApplicationInput['request'];
export type Delivery = ApplicationInput['delivery'];

/**
 * Status of an application, derived from its events:
 * - 'submitted'           submitted, receipt not yet confirmed by staff (no clock yet)
 * - 'processing'          received; the reply clock runs
 * - 'awaiting-supplement' a 补正 was asked; the reply clock waits and restarts when it arrives
 * - 'consulting'          a third party / another agency is being consulted; the clock is paused
 * - 'awaiting-fee'        a fee notice was sent; the clock keeps running (docs/ARCHITECTURE.md)
 * - 'decided'             the reply is decided, not yet delivered
 * - 'delivered'           the reply reached the applicant; final
 * - 'closed'              ended without a reply: withdrawn, 补正 expired or fee unpaid; final
 */
export const APPLICATION_STATUSES = [
  'submitted',
  'processing',
  'awaiting-supplement',
  'consulting',
  'awaiting-fee',
  'decided',
  'delivered',
  'closed',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** The event types staff (or the applicant, for supplement-received and withdraw) may record. */
export const STAFF_EVENT_TYPES = [
  'receive',
  'request-supplement',
  'supplement-received',
  'supplement-expired',
  'consult-start',
  'consult-end',
  'extend',
  'fee-notice',
  'fee-paid',
  'fee-expired',
  'decide',
  'deliver',
  'withdraw',
] as const;
export type StaffEventType = (typeof STAFF_EVENT_TYPES)[number];
export type EventType = 'submit' | StaffEventType;

/** Who did it, and when: `on` is the legal date (China time), `at` the moment it was recorded. */
export interface EventStamp {
  on: string;
  /** ISO 8601 timestamp of recording */
  at: string;
  /** staff username, 'applicant' or 'system' */
  by: string;
}

/** Created by the system when the application is submitted; never recorded by staff. */
export interface SubmitEvent extends EventStamp {
  type: 'submit';
}
/** Sets, or corrects, the date of receipt (收到申请之日, 第三十一条). */
export interface ReceiveEvent extends EventStamp {
  type: 'receive';
}
export interface RequestSupplementEvent extends EventStamp {
  type: 'request-supplement';
  items: string[];
  /** The 合理的补正期限 in working days (第三十条), when the clerk set one; else the office's default. */
  days?: number;
}
export interface SupplementReceivedEvent extends EventStamp {
  type: 'supplement-received';
  text?: string;
  /** Pictures the applicant sent in the chat as part of the supplement (WeChat's image links). */
  images?: SupplementImage[];
}
/** A picture sent to the official account: WeChat's link to it and its media id (kept 3 days by WeChat). */
export interface SupplementImage {
  url: string;
  mediaId: string;
}
export interface SupplementExpiredEvent extends EventStamp {
  type: 'supplement-expired';
}
export interface ConsultStartEvent extends EventStamp {
  type: 'consult-start';
  party: string;
}
export interface ConsultEndEvent extends EventStamp {
  type: 'consult-end';
}
export interface ExtendEvent extends EventStamp {
  type: 'extend';
  /** 1..20 working days (第三十三条第二款) */
  days: number;
}
export interface FeeNoticeEvent extends EventStamp {
  type: 'fee-notice';
  /** yuan */
  amount: number;
}
export interface FeePaidEvent extends EventStamp {
  type: 'fee-paid';
}
export interface FeeExpiredEvent extends EventStamp {
  type: 'fee-expired';
}
export interface DecideEvent extends EventStamp {
  type: 'decide';
  outcome: OutcomeId;
  reason?: string;
  /** 部分公开 only: the ground the withheld part is refused on (第三十七条 asks for 理由), a withheld-* outcome. */
  ground?: WithheldOutcomeId;
}
export interface DeliverEvent extends EventStamp {
  type: 'deliver';
  method: DeliveryMethod;
}
export interface WithdrawEvent extends EventStamp {
  type: 'withdraw';
}

export type StaffEvent =
  | ReceiveEvent
  | RequestSupplementEvent
  | SupplementReceivedEvent
  | SupplementExpiredEvent
  | ConsultStartEvent
  | ConsultEndEvent
  | ExtendEvent
  | FeeNoticeEvent
  | FeePaidEvent
  | FeeExpiredEvent
  | DecideEvent
  | DeliverEvent
  | WithdrawEvent;

export type ApplicationEvent = SubmitEvent | StaffEvent;

type OmitFromEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A staff event as it arrives from the API or an import, before `at` and `by` are stamped on. */
export type EventInput = OmitFromEach<StaffEvent, 'at' | 'by'>;

export interface Application {
  id: string;
  trackingNo: string;
  /** ISO 8601 timestamp of submission */
  createdAt: string;
  applicant: Applicant;
  request: RequestedInformation;
  delivery: Delivery;
  /** oldest first; the first is always the submit event */
  events: ApplicationEvent[];
}
