// Debian's Chromium, headless, as every browser test launches it (playwright-core; installed by
// test/support/ensure-browser.ts), and the folder the tests leave their screenshots in.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/** test/output/, made when first asked for: screenshots and documents to look at after a run. */
export function outputFolder(): string {
  const folder = fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  return folder;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch(CHROMIUM);
}
