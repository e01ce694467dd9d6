// "The same applicant asking for the same information again" (第三十六条第六项). The system only
// flags it; staff decide whether it is a duplicate.
import { identityKey } from '../domain/identity.js';
import type { StoredApplication } from '../store/applications-repo.js';

interface Incoming {
  applicant: { idNumber?: string; creditCode?: string; name: string };
  request: { description: string; documentNumber?: string };
}

const SIMILAR = 0.8;

/**
 * The tracking numbers of earlier requests by the same applicant (same ID number or credit code, or
 * the same WeChat user) for the same information. `existing` may be every stored request or only
 * that applicant's (ApplicationsRepo.sameApplicant): the answer is the same.
 */
export function findPossibleDuplicates(incoming: Incoming, openid: string | null, existing: readonly StoredApplication[]): string[] {
  const who = identityKey(incoming.applicant);
  const grams = bigrams(incoming.request.description);
  return existing
    .filter((app) => (who !== null && identityKey(app.applicant) === who) || (openid !== null && app.openid === openid))
    .filter((app) => {
      const doc = incoming.request.documentNumber?.trim();
      if (doc && doc === app.request.documentNumber?.trim()) return true;
      return similarity(grams, bigrams(app.request.description)) >= SIMILAR;
    })
    .map((app) => app.trackingNo);
}

function normalise(text: string): string {
  return text.replace(/[\s\p{P}\p{S}]/gu, '').toLowerCase();
}

function bigrams(text: string): Set<string> {
  const chars = [...normalise(text)];
  const grams = new Set<string>();
  for (let i = 0; i < chars.length - 1; i++) grams.add(chars[i]! + chars[i + 1]!);
  if (chars.length === 1) grams.add(chars[0]!);
  return grams;
}

/** Jaccard similarity of two sets of character bigrams: robust to small rewordings. */
function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}
