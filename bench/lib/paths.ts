import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository's root folder, whatever the current directory. */
export const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
