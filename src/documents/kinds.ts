// The formal documents (文书) a disclosure request produces, one per step that the 条例 says must be
// told in writing, and the timeline events each one belongs to. The reply (答复书/告知书) has one
// template per outcome; the others have one template each.
import type { EventType } from '../domain/applications/index.js';

export const DOCUMENT_KINDS = [
  'receipt',
  'supplement-notice',
  'extension-notice',
  'consultation-letter',
  'fee-notice',
  'reply',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The kinds with a single template (the reply has one per outcome). */
export type StepDocumentKind = Exclude<DocumentKind, 'reply'>;
export const STEP_DOCUMENT_KINDS = DOCUMENT_KINDS.filter((k): k is StepDocumentKind => k !== 'reply');

export function isDocumentKind(value: unknown): value is DocumentKind {
  return typeof value === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(value);
}

/**
 * The events a document is issued for. A reply follows a decision, and also the two closings that
 * end a request without one (逾期不补正, 逾期未缴费), which the applicant is told of in writing.
 * A withdrawal gets none: the applicant ended the request.
 */
export const DOCUMENT_EVENTS: Readonly<Record<DocumentKind, readonly EventType[]>> = {
  receipt: ['receive'],
  'supplement-notice': ['request-supplement'],
  'extension-notice': ['extend'],
  'consultation-letter': ['consult-start'],
  'fee-notice': ['fee-notice'],
  reply: ['decide', 'supplement-expired', 'fee-expired'],
};

/** Every document but the consultation letter goes to the applicant; only the reply ends with the remedy clause. */
export function isToApplicant(kind: DocumentKind): boolean {
  return kind !== 'consultation-letter';
}

export function kindForEvent(type: string): DocumentKind | null {
  return DOCUMENT_KINDS.find((kind) => DOCUMENT_EVENTS[kind].includes(type as EventType)) ?? null;
}

/** What staff call each kind, for messages; the printed titles are the templates'. */
export const DOCUMENT_KIND_NAMES: Readonly<Record<DocumentKind, string>> = {
  receipt: '政府信息公开申请接收回执',
  'supplement-notice': '补正申请告知书',
  'extension-notice': '延期答复告知书',
  'consultation-letter': '征求第三方意见书',
  'fee-notice': '收费通知书',
  reply: '答复书',
};
