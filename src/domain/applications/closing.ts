/**
 * The events that end a request, and the outcome each one settles. A decision names its outcome;
 * the three events that end a request without one set theirs by themselves (docs/ARCHITECTURE.md, "Outcomes":
 * other-no-supplement also set by supplement-expired, other-fee-unpaid by fee-expired, other by
 * withdraw). The history, the notifications, the console's decision form and the import's
 * permissions all read this table, so an outcome is never mapped twice.
 */
import type { OutcomeId } from '../outcomes.js';
import type { ApplicationEvent, EventType, StaffEventType } from './types.js';

/** Closing event without a decision → the outcome it sets. */
export const CLOSING_EVENT_OUTCOMES = {
  withdraw: 'other',
  'supplement-expired': 'other-no-supplement',
  'fee-expired': 'other-fee-unpaid',
} as const satisfies Partial<Record<StaffEventType, OutcomeId>>;

export type OutcomeSettingEventType = keyof typeof CLOSING_EVENT_OUTCOMES;

/** Every event that closes a request with an outcome the annual report counts (table 三). */
export type ClosingEventType = 'decide' | OutcomeSettingEventType;

export const CLOSING_EVENT_TYPES: readonly ClosingEventType[] = ['decide', ...(Object.keys(CLOSING_EVENT_OUTCOMES) as OutcomeSettingEventType[])];

export function isClosingEventType(type: EventType | string): type is ClosingEventType {
  return (CLOSING_EVENT_TYPES as readonly string[]).includes(type);
}

/** The outcome the event settles: the decision's own, the one a closing event sets, or null for any other event. */
export function outcomeOfEvent(event: ApplicationEvent): OutcomeId | null {
  if (event.type === 'decide') return event.outcome;
  return Object.hasOwn(CLOSING_EVENT_OUTCOMES, event.type) ? CLOSING_EVENT_OUTCOMES[event.type as OutcomeSettingEventType] : null;
}

/**
 * Outcomes an expiry event records by itself (补正逾期 第三十条, 逾期未缴费 第四十二条). `decide` accepts
 * them too, for paper ledgers that record only the result, but the console offers the expiry events
 * instead: they keep the dated step in the history.
 */
export function isSetByExpiryEvent(outcome: OutcomeId): boolean {
  return outcome === CLOSING_EVENT_OUTCOMES['supplement-expired'] || outcome === CLOSING_EVENT_OUTCOMES['fee-expired'];
}
