// Reads the office's document wording from the content folder (data/documents/templates.json).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DocumentTemplateError, parseDocumentTemplates, type DocumentTemplates } from './templates.js';

export const TEMPLATES_FILE = path.join('documents', 'templates.json');

/**
 * Loads and checks every template: known kinds and outcomes, known placeholders, each used only
 * where it has a value. Meant for start-up, so a mistake stops the server with the list of fixes.
 * @throws DocumentTemplateError
 */
export async function loadDocumentTemplates(contentDir: string): Promise<DocumentTemplates> {
  const file = path.join(contentDir, TEMPLATES_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DocumentTemplateError(file, [`cannot be read as JSON: ${(error as Error).message}`]);
  }
  return parseDocumentTemplates(json, file);
}
