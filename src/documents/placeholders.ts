// The little template language of data/documents: {{name}}, {{name|date}}, {{items|list}} and
// {{name|or:fallback words}}. Every name is declared here with its type and the documents it
// means something in, so a typo or a value a document cannot have is refused when the office's
// templates are loaded, not discovered on a printed letter.
import { DOCUMENT_KINDS, isToApplicant, type DocumentKind } from './kinds.js';
import { formalDate, listMarker } from './formal-text.js';
import { STATUTORY_PERIODS } from '../domain/applications/index.js';

/** How a value is written: dates as 二〇二六年…, lists numbered, the rest as they are. */
export type ValueType = 'text' | 'date' | 'number' | 'list';

interface PlaceholderSpec {
  type: ValueType;
  /** The kinds whose documents can fill it; absent: every kind. */
  kinds?: readonly DocumentKind[];
}

const TO_APPLICANT = DOCUMENT_KINDS.filter(isToApplicant);

export const AGENCY_FIELDS = [
  'name',
  'shortName',
  'disclosureOffice',
  'onsiteWindow',
  'address',
  'postcode',
  'phone',
  'fax',
  'email',
  'officeHours',
  'portalName',
  'portalUrl',
  'wechatAccountName',
  'contactLine',
  'complaintAuthority',
  'reviewAuthority',
  'court',
] as const;
export type AgencyField = (typeof AGENCY_FIELDS)[number];

// The applicant's own details are left out of the letter to the third party on purpose: consulting
// a company about its data does not entitle it to know who asked.
export const APPLICANT_FIELDS = [
  'name',
  'type',
  'idNumber',
  'creditCode',
  'legalRepresentative',
  'contactName',
  'phone',
  'email',
  'address',
  'postcode',
] as const;

export const PLACEHOLDERS: Readonly<Record<string, PlaceholderSpec>> = {
  trackingNo: { type: 'text' },
  /** 〔2026〕第000123号 */
  docNo: { type: 'text' },
  /** The date of the step the document records (its 落款 date). */
  issuedOn: { type: 'date' },
  submittedOn: { type: 'date' },
  receivedOn: { type: 'date' },
  /** The reply due date as it stood once the step was taken. */
  dueDate: { type: 'date' },
  'request.description': { type: 'text' },
  'request.documentNumber': { type: 'text' },
  'delivery.form': { type: 'text' },
  'delivery.method': { type: 'text' },
  ...Object.fromEntries(AGENCY_FIELDS.map((f) => [`agency.${f}`, { type: 'text' } satisfies PlaceholderSpec])),
  ...Object.fromEntries(APPLICANT_FIELDS.map((f) => [`applicant.${f}`, { type: 'text', kinds: TO_APPLICANT } satisfies PlaceholderSpec])),
  items: { type: 'list', kinds: ['supplement-notice'] },
  /** The office's 合理的补正期限 in working days (agency.json supplementPeriodWorkingDays). */
  supplementPeriod: { type: 'number', kinds: ['supplement-notice'] },
  days: { type: 'number', kinds: ['extension-notice'] },
  originalDueDate: { type: 'date', kinds: ['extension-notice'] },
  party: { type: 'text', kinds: ['consultation-letter'] },
  /** Yuan, a whole number (the fee rules charge whole yuan). */
  amount: { type: 'number', kinds: ['fee-notice', 'reply'] },
  'outcome.article': { type: 'text', kinds: ['reply'] },
  /** The 行政复议/行政诉讼 clause for the reply's outcome, from src/domain/remedies.ts (the law, not office wording). */
  remedy: { type: 'text', kinds: ['reply'] },
  'outcome.label': { type: 'text', kinds: ['reply'] },
  reason: { type: 'text', kinds: ['reply'] },
  /** 部分公开: the articles the withheld part is refused on, e.g. 第三十六条第（三）项和第十五条. */
  'withheld.articles': { type: 'text', kinds: ['reply'] },
  supplementRequestedOn: { type: 'date', kinds: ['reply'] },
  feeNoticeOn: { type: 'date', kinds: ['reply'] },
  /** The statutory periods, {{period.replyWorkingDays}} …: src/domain/applications/periods.ts, not office wording. */
  ...Object.fromEntries(Object.keys(STATUTORY_PERIODS).map((name) => [`period.${name}`, { type: 'number' } satisfies PlaceholderSpec])),
};

/** The declared placeholder of that name; own keys only, so {{constructor}} is as unknown as any typo. */
function specOf(name: string): PlaceholderSpec | undefined {
  return Object.hasOwn(PLACEHOLDERS, name) ? PLACEHOLDERS[name] : undefined;
}

export function placeholderAvailable(name: string, kind: DocumentKind): boolean {
  const spec = specOf(name);
  return spec !== undefined && (spec.kinds === undefined || spec.kinds.includes(kind));
}

/** A value as the renderer receives it; null, undefined and '' all mean "not known". */
export type Value = string | number | readonly string[] | null | undefined;
export type Values = Readonly<Record<string, Value>>;

export interface Slot {
  name: string;
  type: ValueType;
  /** Words to print when the value is not known, instead of the blank line. */
  fallback: string | null;
}

/** A compiled template text: literal pieces and slots, in order. */
export type Segments = readonly (string | Slot)[];

/** Printed where a value is missing, for the clerk to fill in by hand. */
export const BLANK = '＿＿＿＿';

const SLOT = /\{\{([^{}]*)\}\}/g;

/**
 * Compiles one template text for one kind of document. Problems come back as sentences naming the
 * placeholder, so the loader can report every mistake in the file at once.
 */
export function compileText(text: string, kind: DocumentKind): { segments: Segments; problems: string[] } {
  const segments: (string | Slot)[] = [];
  const problems: string[] = [];
  let last = 0;
  for (const match of text.matchAll(SLOT)) {
    if (match.index > last) segments.push(text.slice(last, match.index));
    last = match.index + match[0].length;
    const [rawName, ...filters] = match[1].split('|').map((part) => part.trim());
    const spec = specOf(rawName);
    if (!spec) {
      problems.push(`unknown placeholder {{${rawName}}}`);
      continue;
    }
    if (!placeholderAvailable(rawName, kind)) {
      problems.push(`{{${rawName}}} has no value in a ${kind} document`);
      continue;
    }
    let fallback: string | null = null;
    for (const filter of filters) {
      if (filter.startsWith('or:')) fallback = filter.slice(3).trim();
      else if (filter === 'date' || filter === 'list') {
        if (spec.type !== filter) problems.push(`{{${rawName}}} is not a ${filter}, so "|${filter}" does not apply`);
      } else problems.push(`unknown filter "|${filter}" in {{${match[1].trim()}}} (known: date, list, or:words)`);
    }
    segments.push({ name: rawName, type: spec.type, fallback });
  }
  if (last < text.length) segments.push(text.slice(last));
  const rest = segments.filter((s): s is string => typeof s === 'string').join('');
  if (rest.includes('{{') || rest.includes('}}')) problems.push(`unbalanced braces in "${text}"`);
  return { segments, problems };
}

export interface Filled {
  text: string;
  /** Names of the placeholders printed as the blank line. */
  blanks: string[];
}

function present(value: Value): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value === 'number') return Number.isFinite(value);
  return value.length > 0;
}

function written(slot: Slot, value: Exclude<Value, null | undefined>): string {
  switch (slot.type) {
    case 'date':
      return formalDate(String(value));
    case 'number':
      return String(value);
    case 'list':
      return (value as readonly string[]).map((item, i) => `${listMarker(i + 1)}${item}`).join('；');
    case 'text':
      return String(value);
  }
}

export function fill(segments: Segments, values: Values): Filled {
  const blanks: string[] = [];
  const text = segments
    .map((segment) => {
      if (typeof segment === 'string') return segment;
      const value = values[segment.name];
      if (present(value)) return written(segment, value!);
      if (segment.fallback !== null) return segment.fallback;
      blanks.push(segment.name);
      return BLANK;
    })
    .join('');
  return { text, blanks };
}

/** A paragraph that is nothing but a list placeholder prints one paragraph per item. */
export function expandList(segments: Segments, values: Values): Filled[] | null {
  const only = segments.filter((s) => typeof s !== 'string' || s.trim() !== '');
  const slot = only.length === 1 ? only[0] : null;
  if (!slot || typeof slot === 'string' || slot.type !== 'list') return null;
  const items = values[slot.name];
  if (!present(items)) return [fill([slot], values)];
  return (items as readonly string[]).map((item, i) => ({ text: `${listMarker(i + 1)}${item}`, blanks: [] }));
}
