// Link codes: how a citizen proves that the mini-program and the official account in front of them
// are both theirs, when WeChat gives no UnionID. A code is 8 digits (typed on a phone), shown only
// in the mini-program that asked for it, valid for minutes, used once; failed tries are counted per
// person and overall, so guessing one of the 10^8 codes within its lifetime is hopeless.

export const LINK_CODE_DIGITS = 8;

/** The digits of a typed code ("1234 5678", "1234-5678", full-width digits); null when it is not one. */
export function normalizeLinkCode(text: string): string | null {
  const digits = text.normalize('NFKC').replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${LINK_CODE_DIGITS}}$`).test(digits) ? digits : null;
}

/** As shown to the citizen: two groups of four. */
export function formatLinkCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}

/** A count of events in a window of time that restarts once it has passed. */
export interface CountWindow {
  failures: number;
  since: string;
}

/** The window after one more event at `now`. */
export function countOne(window: CountWindow | undefined, now: string, windowMs: number): CountWindow {
  if (!window || Date.parse(now) - Date.parse(window.since) >= windowMs) return { failures: 1, since: now };
  return { failures: window.failures + 1, since: window.since };
}

/** Whether `max` events are already counted in the window that is current at `now`. */
export function isSpent(window: CountWindow | undefined, now: string, max: number, windowMs: number): boolean {
  return Boolean(window && Date.parse(now) - Date.parse(window.since) < windowMs && window.failures >= max);
}
