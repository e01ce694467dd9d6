// Reading the fields of a console form, posted (as @koa/bodyparser leaves it) or in a query string:
// every page goes through these two, so a repeated field, a missing one and stray spaces are treated
// the same everywhere.

/** A parsed form body or query: a field sent twice arrives as an array. */
export type Form = Record<string, unknown>;

/** The first value of a form field (a repeated field arrives as an array). */
export function field(form: Form, name: string): string {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** Every value of a field that may be repeated (checkboxes). */
export function fieldValues(form: Form, name: string): string[] {
  const value = form[name];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}
