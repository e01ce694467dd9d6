/** Disclosure requests (依申请公开): shapes, events, the state machine and deadlines. */
export * from './types.js';
export { DomainError, type DomainErrorCode } from './errors.js';
export { validateEvent, stampEvent, type EventValidation } from './events.js';
export { createApplication, applyEvent, currentStatus, allowedEvents } from './apply.js';
export { TRANSITIONS, FINISHED_STATUSES, isFinished } from './machine.js';
export { readHistory, type History, type Consultation, type Closing } from './history.js';
export {
  CLOSING_EVENT_OUTCOMES,
  CLOSING_EVENT_TYPES,
  isClosingEventType,
  isSetByExpiryEvent,
  outcomeOfEvent,
  type ClosingEventType,
  type OutcomeSettingEventType,
} from './closing.js';
export { computeDeadline, type Deadline } from './deadline.js';
export {
  CONSULTATION_WORKING_DAYS,
  FEE_PAYMENT_WORKING_DAYS,
  MAX_EXTENSION_DAYS,
  MAX_SUPPLEMENT_DAYS,
  REPLY_WORKING_DAYS,
  STATUTORY_PERIODS,
  SUPPLEMENT_NOTICE_WORKING_DAYS,
  earliestReceiptDate,
  officeSupplementPeriod,
  supplementPeriodOf,
  type StatutoryPeriod,
} from './periods.js';
export { deriveState, replyClockRuns, type ApplicationState } from './state.js';
export { STATUS_LABELS, EVENT_LABELS, chineseDate, chineseDateWithWeekday } from './labels.js';
