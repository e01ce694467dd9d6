// The facts a document prints, read from the application as it stood when the step was taken:
// the due date on an extension notice is the one that notice announced, even if a consultation
// opened later paused the clock again.
import type { ApplicationView, TimelineEntry } from '../applications/view.js';
import type { Agency } from '../agency.js';
import { APPLICANT_TYPE_LABELS, DELIVERY_FORM_LABELS, DELIVERY_METHOD_LABELS } from '../domain/application-form.js';
import { STATUTORY_PERIODS, deriveState, readHistory, supplementPeriodOf, type ApplicationEvent, type ApplicationState } from '../domain/applications/index.js';
import type { Calendar } from '../domain/calendar.js';
import { getOutcome, isOutcomeId, isWithheldOutcomeId, withholdingArticles, type OutcomeId } from '../domain/outcomes.js';
import { remedyClause } from '../domain/remedies.js';
import { documentNumber } from './formal-text.js';
import { AGENCY_FIELDS, APPLICANT_FIELDS, type AgencyField, type Values } from './placeholders.js';

/** What toView returns for staff; only the fields a document prints are read. */
export type DocumentSource = Pick<
  ApplicationView,
  'trackingNo' | 'submittedOn' | 'applicant' | 'request' | 'delivery' | 'timeline'
>;

/** The timeline up to and including one entry, read back as the events it was made from. */
function eventsUpTo(view: DocumentSource, index: number): ApplicationEvent[] {
  return view.timeline.slice(0, index + 1) as unknown as ApplicationEvent[];
}

export function stateAt(view: DocumentSource, index: number, calendar: Calendar): ApplicationState {
  return deriveState({ events: eventsUpTo(view, index) }, calendar, view.timeline[index].on);
}

/** The outcome a reply entry stands for: the decision's, or the one a closing event sets. */
export function outcomeAt(view: DocumentSource, index: number): OutcomeId | null {
  return readHistory(eventsUpTo(view, index)).outcome;
}

/** Staff type reasons as clauses or as sentences; templates add their own full stop. */
function clause(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = inline(value).replace(/[。．.；;，,、\s]+$/u, '');
  return text === '' ? null : text;
}

/** A value printed inside a sentence: line breaks and runs of spaces become one space. */
function inline(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\s+/gu, ' ').trim() : '';
}

function agencyText(agency: Agency, field: AgencyField): string | null {
  const value = agency[field];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function lastBefore(timeline: readonly TimelineEntry[], index: number, type: string): TimelineEntry | null {
  return timeline.slice(0, index).findLast((e) => e.type === type) ?? null;
}

export function documentValues(view: DocumentSource, agency: Agency, index: number, calendar: Calendar): Values {
  const entry = view.timeline[index];
  const state = stateAt(view, index, calendar);
  const a = view.applicant as unknown as Record<string, unknown>;
  const values: Record<string, Values[string]> = {
    trackingNo: view.trackingNo,
    docNo: documentNumber(view.trackingNo),
    issuedOn: entry.on,
    submittedOn: view.submittedOn,
    receivedOn: state.receivedOn,
    dueDate: state.dueDate,
    'request.description': inline(view.request.description),
    'request.documentNumber': inline(view.request.documentNumber),
    'delivery.form': DELIVERY_FORM_LABELS[view.delivery.form],
    'delivery.method': DELIVERY_METHOD_LABELS[view.delivery.method],
    'applicant.type': APPLICANT_TYPE_LABELS[view.applicant.type],
  };
  for (const field of APPLICANT_FIELDS) if (field !== 'type') values[`applicant.${field}`] = inline(a[field]);
  for (const field of AGENCY_FIELDS) values[`agency.${field}`] = agencyText(agency, field);
  for (const [name, days] of Object.entries(STATUTORY_PERIODS)) values[`period.${name}`] = days;

  switch (entry.type) {
    case 'request-supplement':
      values.items = Array.isArray(entry.items) ? entry.items.map(inline).filter((item) => item !== '') : [];
      // The period the clerk gave this request, else the office's default (第三十条: 合理的补正期限).
      values.supplementPeriod = supplementPeriodOf(entry.days, agency.supplementPeriodWorkingDays);
      break;
    case 'extend':
      values.days = typeof entry.days === 'number' ? entry.days : null;
      values.originalDueDate = index > 0 ? stateAt(view, index - 1, calendar).dueDate : null;
      break;
    case 'consult-start':
      values.party = inline(entry.party);
      break;
    case 'fee-notice':
      values.amount = typeof entry.amount === 'number' ? entry.amount : null;
      break;
    default: {
      const outcome = outcomeAt(view, index);
      if (!outcome || !isOutcomeId(outcome)) break;
      const { article, label } = getOutcome(outcome);
      const fee = lastBefore(view.timeline, index, 'fee-notice');
      values['outcome.article'] = article;
      values['outcome.label'] = label;
      values.remedy = remedyClause(outcome, agency);
      values.reason = entry.type === 'decide' ? clause(entry.reason) : null;
      values['withheld.articles'] = entry.type === 'decide' && isWithheldOutcomeId(entry.ground) ? withholdingArticles(entry.ground) : null;
      values.supplementRequestedOn = lastBefore(view.timeline, index, 'request-supplement')?.on ?? null;
      values.feeNoticeOn = fee?.on ?? null;
      values.amount = typeof fee?.amount === 'number' ? fee.amount : null;
    }
  }
  return values;
}
