// The wording of every document, as the office keeps it in data/documents/templates.json, checked
// and compiled once at load. Each kind's template is complete after compilation: the parts shared
// by all documents (common) are filled in, and each text is checked against the placeholders that
// kind of document can fill. Pure: loading the file is load.ts's job.
import { OUTCOMES, type OutcomeId } from '../domain/outcomes.js';
import { STEP_DOCUMENT_KINDS, type DocumentKind, type StepDocumentKind } from './kinds.js';
import { compileText, type Segments } from './placeholders.js';

/** One document's wording, ready to fill. */
export interface DocumentTemplate {
  kind: DocumentKind;
  title: string;
  /** The 文号 line. */
  reference: Segments;
  /** The addressee line, e.g. "{{applicant.name}}：". */
  salutation: Segments;
  paragraphs: readonly Segments[];
  /**
   * The 行政复议/行政诉讼 clause that ends a reply; null for the other kinds. Receipts and 补正, extension
   * and fee notices decide nothing the applicant could challenge, so they carry none.
   */
  remedy: Segments | null;
  /** The office's name where the seal goes. */
  signature: Segments;
  /** Contact lines under the date. */
  footer: readonly Segments[];
}

export interface DocumentTemplates {
  /** Where the wording came from, for error messages. */
  source: string;
  documents: Readonly<Record<StepDocumentKind, DocumentTemplate>>;
  replies: Readonly<Record<OutcomeId, DocumentTemplate>>;
}

export class DocumentTemplateError extends Error {
  override readonly name = 'DocumentTemplateError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: the document templates have ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  }
}

const COMMON_PARTS = ['reference', 'salutation', 'intro', 'remedy', 'signature', 'footer'] as const;
const TEMPLATE_PARTS = ['title', 'salutation', 'intro', 'paragraphs'] as const;

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks and compiles the templates file's content. Every problem in the file is reported at once.
 * @throws DocumentTemplateError listing each problem with its place in the file
 */
export function parseDocumentTemplates(json: unknown, source: string): DocumentTemplates {
  const problems: string[] = [];
  if (!isObject(json)) throw new DocumentTemplateError(source, ['the file must hold one JSON object']);

  unknownKeys(json, ['common', 'documents', 'replies'], '', problems);
  const common = section(json, 'common', problems);
  unknownKeys(common, COMMON_PARTS, 'common.', problems);
  for (const part of ['reference', 'salutation', 'remedy', 'signature'] as const) {
    if (typeof common[part] !== 'string' || common[part] === '') problems.push(`common.${part} must be a non-empty text`);
  }
  // The clause's words depend on the outcome and are the law's (行政复议法 第二十三条第二款), so the
  // office's text must carry {{remedy}}, which src/domain/remedies.ts fills.
  if (typeof common.remedy === 'string' && !/\{\{\s*remedy\s*(\|[^}]*)?\}\}/.test(common.remedy)) {
    problems.push('common.remedy must contain {{remedy}} (the clause for the outcome, from the law)');
  }
  if (common.intro !== undefined && common.intro !== null && typeof common.intro !== 'string') {
    problems.push('common.intro must be a text or null');
  }
  if (common.footer !== undefined && !isTextList(common.footer)) problems.push('common.footer must be a list of texts');

  const documents = section(json, 'documents', problems);
  unknownKeys(documents, STEP_DOCUMENT_KINDS, 'documents.', problems, 'document kind');
  const replies = section(json, 'replies', problems);
  unknownKeys(replies, OUTCOMES.map((o) => o.id), 'replies.', problems, 'outcome');

  const compiled = (kind: DocumentKind, raw: unknown, at: string): DocumentTemplate =>
    compileTemplate(kind, raw, common, at, problems);
  const stepTemplates = Object.fromEntries(
    STEP_DOCUMENT_KINDS.map((kind) => [kind, compiled(kind, documents[kind], `documents.${kind}`)]),
  ) as Record<StepDocumentKind, DocumentTemplate>;
  const replyTemplates = Object.fromEntries(
    OUTCOMES.map((outcome) => {
      const template = compiled('reply', replies[outcome.id], `replies.${outcome.id}`);
      // The article is the legal ground of the reply: a letter that drops it would not say why.
      const cites = template.paragraphs.some((p) => p.some((s) => typeof s !== 'string' && s.name === 'outcome.article'));
      if (outcome.article !== null && isObject(replies[outcome.id]) && !cites) {
        problems.push(`replies.${outcome.id} must cite the article with {{outcome.article}} (${outcome.article})`);
      }
      return [outcome.id, template];
    }),
  ) as Record<OutcomeId, DocumentTemplate>;

  // A shared part is compiled for every kind that uses it: one mistake there is one problem.
  if (problems.length > 0) throw new DocumentTemplateError(source, [...new Set(problems)]);
  return { source, documents: stepTemplates, replies: replyTemplates };
}

function compileTemplate(kind: DocumentKind, raw: unknown, common: Raw, at: string, problems: string[]): DocumentTemplate {
  const text = (value: unknown, where: string): Segments => {
    if (typeof value !== 'string') return [];
    const { segments, problems: found } = compileText(value, kind);
    problems.push(...found.map((p) => `${where}: ${p}`));
    return segments;
  };
  const empty: DocumentTemplate = {
    kind,
    title: '',
    reference: [],
    salutation: [],
    paragraphs: [],
    remedy: null,
    signature: [],
    footer: [],
  };
  if (!isObject(raw)) {
    problems.push(`${at} is missing (an object with "title" and "paragraphs")`);
    return empty;
  }
  unknownKeys(raw, TEMPLATE_PARTS, `${at}.`, problems);
  if (typeof raw.title !== 'string' || raw.title.trim() === '') problems.push(`${at}.title must be a non-empty text`);
  else if (/[{}]/.test(raw.title)) problems.push(`${at}.title must be plain text, without placeholders`);
  if (!isTextList(raw.paragraphs) || raw.paragraphs.length === 0) problems.push(`${at}.paragraphs must be a non-empty list of texts`);
  if (raw.salutation !== undefined && typeof raw.salutation !== 'string') problems.push(`${at}.salutation must be a text`);
  if (raw.intro !== undefined && raw.intro !== null && typeof raw.intro !== 'string') problems.push(`${at}.intro must be a text or null`);

  // A template's own salutation and intro replace the common ones; "intro": null leaves it out.
  const salutation = raw.salutation !== undefined ? [raw.salutation, `${at}.salutation`] : [common.salutation, 'common.salutation'];
  const intro = raw.intro !== undefined ? [raw.intro, `${at}.intro`] : [common.intro, 'common.intro'];
  const body = isTextList(raw.paragraphs) ? raw.paragraphs : [];
  const footer = isTextList(common.footer) ? common.footer : [];
  return {
    kind,
    title: typeof raw.title === 'string' ? raw.title.trim() : '',
    reference: text(common.reference, 'common.reference'),
    salutation: text(salutation[0], String(salutation[1])),
    paragraphs: [
      ...(typeof intro[0] === 'string' && intro[0] !== '' ? [text(intro[0], String(intro[1]))] : []),
      ...body.map((p, i) => text(p, `${at}.paragraphs[${i}]`)),
    ],
    remedy: kind === 'reply' ? text(common.remedy, 'common.remedy') : null,
    signature: text(common.signature, 'common.signature'),
    footer: footer.map((line, i) => text(line, `common.footer[${i}]`)),
  };
}

/** One top-level part of the file; an empty one (and a problem) when it is not an object. */
function section(json: Raw, key: string, problems: string[]): Raw {
  if (isObject(json[key])) return json[key];
  problems.push(`"${key}" must be an object`);
  return {};
}

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function unknownKeys(object: Raw, known: readonly string[], prefix: string, problems: string[], what = 'field'): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) problems.push(`unknown ${what} "${prefix}${key}" (known: ${known.join(', ')})`);
  }
}
