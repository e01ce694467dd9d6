// Debian's Chromium, headless, as every browser test launches it (playwright-core; installed by
// test/support/ensure-browser.ts), and the folder the tests leave their screenshots in.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

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

// The sandbox's chat simulator (/sandbox): what the account says, and saying something to it.

/** Texts of the account's messages in the conversation on screen. */
export const incoming = (page: Page) => page.locator('#messages .msg.in').allTextContents();

/** Waits for a message from the account, after the first `after` ones, that matches `pattern`. */
export async function waitForIncoming(page: Page, after: number, pattern: RegExp, timeout = 15_000): Promise<string> {
  const handle = await page.waitForFunction(
    ({ after, source, flags }) => {
      const re = new RegExp(source, flags);
      const texts = Array.from((globalThis as any).document.querySelectorAll('#messages .msg.in'), (li: any) => String(li.textContent ?? '')).slice(after);
      return texts.find((text) => re.test(text)) ?? false;
    },
    { after, source: pattern.source, flags: pattern.flags },
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

/** Types a message as the user, sends it, and waits for the account's answer matching `expected`. */
export async function say(page: Page, text: string, expected: RegExp): Promise<string> {
  const before = (await incoming(page)).length;
  await page.fill('#composer-text', text);
  await page.press('#composer-text', 'Enter');
  return waitForIncoming(page, before, expected);
}
