// Tracking numbers (受理编号) as applicants see them: the year of submission and a six-digit
// sequence, '2026-000123'. People copy them into chat by hand, often with a Chinese input method on,
// so parsing accepts full-width digits and the many dash look-alikes.

const SEQ_DIGITS = 6;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

export interface TrackingNo {
  year: number;
  seq: number;
  /** The canonical form, e.g. '2026-000123'. */
  trackingNo: string;
}

/** '2026-000123'. Years outside 2000–2099 or sequences outside 1–999999 are programming errors. */
export function formatTrackingNo(year: number, seq: number): string {
  if (!Number.isInteger(year) || year < 2000 || year > 2099) throw new RangeError(`tracking year out of range: ${year}`);
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ) throw new RangeError(`tracking sequence out of range: ${seq}`);
  return `${year}-${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

// Hyphen, minus and dash variants people type between the two parts, plus full-width and low-line forms.
const DASHES = '\\-‐‑‒–—―−﹣－_＿~～';
const TRACKING_IN_TEXT = new RegExp(
  `(?<![0-9])(20[0-9]{2})\\s*[${DASHES}]+\\s*([0-9]{${SEQ_DIGITS}})(?![0-9])`,
);

/**
 * Finds a tracking number on its own or inside a message ('我的编号是２０２６－０００１２３').
 * Returns null when there is none; the first one wins if there are several.
 */
export function parseTrackingNo(text: string): TrackingNo | null {
  // NFKC turns full-width digits and － into ASCII; the other dash look-alikes are in the pattern.
  const match = TRACKING_IN_TEXT.exec(text.normalize('NFKC'));
  if (!match) return null;
  const year = Number(match[1]);
  const seq = Number(match[2]);
  if (seq < 1) return null;
  return { year, seq, trackingNo: formatTrackingNo(year, seq) };
}
