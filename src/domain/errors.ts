// The one error the domain throws. The HTTP layer (src/http/errors.ts) recognises it by name and
// maps `code` to a status, so adapters never translate domain failures by hand.

/** Known codes; other strings are allowed so a module can add one without touching this file. */
export type DomainErrorCode = 'validation' | 'invalid-transition' | 'not-found' | 'conflict' | (string & {});

export class DomainError extends Error {
  override readonly name = 'DomainError';

  /**
   * @param message plain Chinese, shown to the citizen or staff member as is
   * @param fields field path (e.g. 'applicant.idNumber') → Chinese message for that field
   */
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}
