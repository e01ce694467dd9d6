// Fills a document's template from the application and the office: the structured document that
// the HTML and Word renderers print, and the list of documents an application's history allows.
import type { Agency } from '../agency.js';
import type { Calendar } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import type { OutcomeId } from '../domain/outcomes.js';
import { formalDate } from './formal-text.js';
import { DOCUMENT_EVENTS, DOCUMENT_KIND_NAMES, isDocumentKind, kindForEvent, type DocumentKind } from './kinds.js';
import { expandList, fill, type Filled, type Segments, type Values } from './placeholders.js';
import type { DocumentTemplate, DocumentTemplates } from './templates.js';
import { documentValues, outcomeAt, type DocumentSource } from './values.js';

/** A document ready to print, as plain text pieces in reading order. */
export interface FormalDocument {
  kind: DocumentKind;
  /** The reply's outcome; null for the other kinds. */
  outcome: OutcomeId | null;
  /** The timeline entry the document records. */
  eventIndex: number;
  title: string;
  /** 文号, e.g. 〔2026〕第000123号 */
  reference: string;
  /** The addressee line, e.g. 张三： */
  salutation: string;
  /** The body; for a document to the applicant the remedy clause is the last paragraph. */
  paragraphs: string[];
  /** The office's name where the seal goes. */
  signature: string;
  /** The date of the step, written 二〇二六年十一月三十日. */
  date: string;
  footer: string[];
  /** Placeholders printed as the blank line ＿＿＿＿, for the clerk to fill in or to fix first. */
  blanks: string[];
}

export interface DocumentContext {
  /** toView(app, calendar, today, 'staff-full'), or any view with the same fields. */
  view: DocumentSource;
  agency: Agency;
  /** Due dates are read as they stood at the step, which takes the working-day calendar. */
  calendar: Calendar;
  /** The timeline entry; absent: the latest entry this kind of document belongs to. */
  eventIndex?: number;
}

export interface AvailableDocument {
  kind: DocumentKind;
  eventIndex: number;
  /** The date of the step. */
  on: string;
  title: string;
}

/** The documents an application's timeline makes available, oldest first. */
export function documentKindsFor(templates: DocumentTemplates, view: DocumentSource): AvailableDocument[] {
  // A later receive corrects the receipt date (第三十一条), so only the last receipt still holds.
  const lastReceive = view.timeline.findLastIndex((e) => e.type === 'receive');
  const available: AvailableDocument[] = [];
  view.timeline.forEach((entry, index) => {
    const kind = kindForEvent(entry.type);
    if (!kind || (kind === 'receipt' && index !== lastReceive)) return;
    const template = templateFor(templates, kind, view, index);
    if (template) available.push({ kind, eventIndex: index, on: entry.on, title: template.title });
  });
  return available;
}

/**
 * Fills one document.
 * @throws DomainError('not-found') when the kind is unknown or the application has no such step
 */
export function renderDocument(templates: DocumentTemplates, kind: string, context: DocumentContext): FormalDocument {
  if (!isDocumentKind(kind)) throw new DomainError('not-found', `没有这种文书：${kind}`);
  const { view, agency, calendar } = context;
  const index = context.eventIndex ?? view.timeline.findLastIndex((e) => DOCUMENT_EVENTS[kind].includes(e.type));
  const entry = view.timeline[index];
  const name = DOCUMENT_KIND_NAMES[kind];
  if (index < 0 && context.eventIndex === undefined) throw new DomainError('not-found', `这份申请还没有可出具的${name}`);
  if (!entry || !DOCUMENT_EVENTS[kind].includes(entry.type)) {
    throw new DomainError('not-found', `办理记录第${index}项不是出具${name}的环节`);
  }
  const template = templateFor(templates, kind, view, index);
  if (!template) throw new DomainError('not-found', `办理记录第${index}项没有办理结果，不能出具${name}`);

  const values = documentValues(view, agency, index, calendar);
  const blanks = new Set<string>();
  const take = (filled: Filled): string => {
    for (const blank of filled.blanks) blanks.add(blank);
    return filled.text;
  };
  const line = (segments: Segments) => take(fill(segments, values));
  const body = template.paragraphs.flatMap((p) => paragraphTexts(p, values).map(take));
  if (template.remedy) body.push(line(template.remedy));
  return {
    kind,
    outcome: kind === 'reply' ? outcomeAt(view, index) : null,
    eventIndex: index,
    title: template.title,
    reference: line(template.reference),
    salutation: line(template.salutation),
    paragraphs: body,
    signature: line(template.signature),
    date: formalDate(entry.on),
    footer: template.footer.map(line),
    blanks: [...blanks],
  };
}

function paragraphTexts(segments: Segments, values: Values): Filled[] {
  return expandList(segments, values) ?? [fill(segments, values)];
}

function templateFor(templates: DocumentTemplates, kind: DocumentKind, view: DocumentSource, index: number): DocumentTemplate | null {
  if (kind !== 'reply') return templates.documents[kind];
  const outcome = outcomeAt(view, index);
  return outcome ? templates.replies[outcome] : null;
}
