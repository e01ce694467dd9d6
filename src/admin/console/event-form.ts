// From the fields of a console form to the event the staff API would receive ({type, on, ...}).
// Only shapes are translated here (a textarea becomes a list, a number field a number); whether the
// event is valid is the domain's business (validateEvent), which answers in Chinese.
import type { StaffEventType } from '../../domain/applications/index.js';
import { field, type Form } from './form-fields.js';

/** A whole number typed into a form; anything else is passed on as typed, for the validator to name. */
function wholeNumber(text: string): number | string {
  return /^\d{1,9}$/.test(text) ? Number(text) : text;
}

/** One line per item; blank lines are not items. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The extra fields each event type takes from its form. */
const EXTRA: Partial<Record<StaffEventType, (form: Form) => Record<string, unknown>>> = {
  'request-supplement': (form) => ({ items: lines(field(form, 'items')), ...(field(form, 'days') ? { days: wholeNumber(field(form, 'days')) } : {}) }),
  'supplement-received': (form) => (field(form, 'text') ? { text: field(form, 'text') } : {}),
  'consult-start': (form) => ({ party: field(form, 'party') }),
  extend: (form) => ({ days: wholeNumber(field(form, 'days')) }),
  'fee-notice': (form) => ({ amount: wholeNumber(field(form, 'amount')) }),
  decide: (form) => ({
    outcome: field(form, 'outcome'),
    ...(field(form, 'reason') ? { reason: field(form, 'reason') } : {}),
    // The ground is asked of every decision form but means something for 部分公开 only.
    ...(field(form, 'outcome') === 'partial' && field(form, 'ground') ? { ground: field(form, 'ground') } : {}),
  }),
  deliver: (form) => ({ method: field(form, 'method') }),
};

export function eventInputFromForm(form: Form): Record<string, unknown> {
  const type = field(form, 'type');
  const extra = EXTRA[type as StaffEventType];
  return { type, on: field(form, 'on'), ...(extra ? extra(form) : {}) };
}
