// The staff console (/admin): see router.ts.
export { createConsoleRouter, type ConsoleDeps } from './router.js';
