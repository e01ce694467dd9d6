/**
 * Fills {{placeholders}} in guide answers from agency data.
 *
 * Syntax: {{path}}, {{path|fallback}}, {{path:pattern|fallback}}.
 * - path is dotted, e.g. agency.phone.
 * - pattern wraps a present value; every % in it becomes the value: {{agency.postcode:，邮编 %|}}.
 * - fallback is used when the value is null, empty or an empty list; it may be empty.
 * - pattern and fallback may themselves hold placeholders. A null value without a fallback is an error, so an answer can never come out
 *   with a hole in it.
 * - A path naming a field that does not exist is always an error, even with a fallback: a typo must
 *   not hide behind a fallback forever.
 * Lists are joined with 、; list items that are objects contribute their `name`.
 */

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface Placeholder {
  path: string;
  pattern: string | null;
  fallback: string | null;
}

const OPEN = '{{';
const CLOSE = '}}';

export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = template.indexOf(OPEN, from);
    if (open < 0) return out + template.slice(from);
    const close = matchingClose(template, open);
    out += template.slice(from, open) + resolve(parsePlaceholder(template.slice(open + 2, close)), scope);
    from = close + CLOSE.length;
  }
}

/** Every top-level placeholder in a template (nested ones live inside the fallbacks). */
export function placeholdersIn(template: string): Placeholder[] {
  const found: Placeholder[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf(OPEN, from);
    if (open < 0) return found;
    const close = matchingClose(template, open);
    found.push(parsePlaceholder(template.slice(open + 2, close)));
    from = close + CLOSE.length;
  }
}

function matchingClose(template: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < template.length) {
    if (template.startsWith(OPEN, i)) {
      depth++;
      i += 2;
    } else if (template.startsWith(CLOSE, i)) {
      depth--;
      if (depth === 0) return i;
      i += 2;
    } else {
      i++;
    }
  }
  throw new TemplateError(`unclosed placeholder at character ${open}: ${template.slice(open, open + 40)}`);
}

function parsePlaceholder(body: string): Placeholder {
  const bar = topLevelIndexOf(body, '|');
  const head = bar < 0 ? body : body.slice(0, bar);
  const colon = head.indexOf(':');
  const path = (colon < 0 ? head : head.slice(0, colon)).trim();
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(path)) throw new TemplateError(`bad placeholder path "${path}"`);
  return {
    path,
    pattern: colon < 0 ? null : head.slice(colon + 1),
    fallback: bar < 0 ? null : body.slice(bar + 1),
  };
}

/** The first `char` that is not inside a nested placeholder. */
function topLevelIndexOf(body: string, char: string): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith(OPEN, i)) {
      depth++;
      i++;
    } else if (body.startsWith(CLOSE, i)) {
      depth--;
      i++;
    } else if (depth === 0 && body[i] === char) {
      return i;
    }
  }
  return -1;
}

function resolve(placeholder: Placeholder, scope: Record<string, unknown>): string {
  const text = formatValue(lookup(scope, placeholder.path), placeholder.path);
  if (text !== null) {
    if (placeholder.pattern === null) return text;
    // Render the pattern's own text around each %, so a value is never read as template syntax.
    return placeholder.pattern.split('%').map((piece) => renderTemplate(piece, scope)).join(text);
  }
  if (placeholder.fallback === null) {
    throw new TemplateError(`{{${placeholder.path}}} has no value and no fallback`);
  }
  return renderTemplate(placeholder.fallback, scope);
}

function lookup(scope: Record<string, unknown>, path: string): unknown {
  let node: unknown = scope;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) {
      throw new TemplateError(`unknown placeholder {{${path}}}`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function formatValue(value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => (typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : item));
    if (items.some((item) => typeof item !== 'string')) throw new TemplateError(`{{${path}}} is a list without names`);
    return items.length === 0 ? null : items.join('、');
  }
  throw new TemplateError(`{{${path}}} is not text, a number or a list`);
}
