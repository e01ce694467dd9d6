/**
 * The application rules throw the project's one DomainError (src/domain/errors.ts), with a Chinese
 * message that says why, using two codes:
 * - 'invalid-transition': the application's status does not allow the event (HTTP 409);
 * - 'invalid-date': the event's date is out of order or in the future; `fields.on` repeats why.
 */
export { DomainError, type DomainErrorCode } from '../errors.js';
