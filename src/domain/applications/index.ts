/** Disclosure requests (依申请公开): shapes, events, the state machine and deadlines. */
export * from './types.js';
export { DomainError, type DomainErrorCode } from './errors.js';
export { validateEvent, stampEvent, MAX_EXTENSION_DAYS, MAX_SUPPLEMENT_DAYS, type EventValidation } from './events.js';
export { createApplication, applyEvent, currentStatus, allowedEvents } from './apply.js';
export { TRANSITIONS } from './machine.js';
export { readHistory, type History, type Consultation, type Closing } from './history.js';
export { computeDeadline, CONSULTATION_WORKING_DAYS, REPLY_WORKING_DAYS, SUPPLEMENT_NOTICE_WORKING_DAYS, type Deadline } from './deadline.js';
export { deriveState, type ApplicationState } from './state.js';
export { STATUS_LABELS, EVENT_LABELS, chineseDate, chineseDateWithWeekday } from './labels.js';
