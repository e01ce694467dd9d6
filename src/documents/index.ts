// The formal documents of a disclosure request: receipt, 补正/延期/征求意见/收费 notices and the
// reply for each outcome, filled from the office's templates and printed as HTML or Word.
export { DOCUMENT_KINDS, STEP_DOCUMENT_KINDS, DOCUMENT_KIND_NAMES, isDocumentKind, isToApplicant, type DocumentKind } from './kinds.js';
export { loadDocumentTemplates, TEMPLATES_FILE } from './load.js';
export { parseDocumentTemplates, DocumentTemplateError, type DocumentTemplates, type DocumentTemplate } from './templates.js';
export { PLACEHOLDERS, BLANK } from './placeholders.js';
export { documentKindsFor, renderDocument, type AvailableDocument, type DocumentContext, type FormalDocument } from './render.js';
import type { FormalDocument } from './render.js';
export { documentHtml } from './html.js';
export { formalDate, documentNumber } from './formal-text.js';

/**
 * The Word version of a document. The docx library is loaded on first use: it costs every start
 * about 11 MiB and a fraction of a second, and most days nobody downloads a letter.
 */
export async function documentDocx(doc: FormalDocument): Promise<Buffer> {
  const { documentDocx: render } = await import('./docx.js');
  return render(doc);
}
