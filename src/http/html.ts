// The one way pages write HTML (the console, the sandbox, printable documents and reports). Every value interpolated into html`…` is escaped, unless it
// is already SafeHtml: markup made by this same tag, or text passed deliberately through raw().
// So a page cannot print an applicant's words as markup by forgetting to escape them.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // false/null/undefined let templates write `${cond && html`…`}`; true is never meant as output.
  if (value === null || value === undefined || typeof value === 'boolean') return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/**
 * The explicit marker for markup that must not be escaped. Only for markup the program produced
 * itself (an SVG built from numbers, a rendered document), never for stored or submitted text.
 */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/** A link target from data (a catalog item's URL): http(s) and site-relative paths only. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  if (/^https?:\/\//i.test(url)) return url;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  return null;
}

/** A query string from the non-empty values, for links that keep the filters. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
