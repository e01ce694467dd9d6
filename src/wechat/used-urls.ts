// Signed webhook URLs already used. In plain mode WeChat signs only the URL (timestamp and nonce),
// not the body, so anyone who saw one valid URL (in a proxy's access log, say) could post any body
// as any openid for the whole replay window: read someone's progress, unsubscribe them, try staff
// binding codes (issue 19, finding 6). Each URL is remembered until its timestamp leaves the window
// and is accepted once.
//
// A repeat with the very same body is not an attacker's body; it is answered "success" with nothing
// processed, so a WeChat retry that reused its URL (WeChat normally signs each try afresh) does not
// make the user see "该公众号暂时无法提供服务".
import { createHash } from 'node:crypto';

export type UrlUse = 'first' | 'same-body' | 'replayed';

/**
 * Where several instances behind one balancer remember the URLs any of them accepted
 * (src/store/pg/coordination.ts): a captured URL replayed at another instance is refused there too.
 */
export type SharedUrlUses = (key: string, bodyDigest: string, untilMs: number) => Promise<UrlUse>;

export function urlKey(timestamp: string, nonce: string): string {
  return `${timestamp}\n${nonce}`;
}

export function bodyDigest(body: string): string {
  return createHash('sha256').update(body).digest('base64');
}

/** When a URL with this timestamp can no longer pass the window check (either side of now). */
export function forgetAfter(timestamp: string, nowMs: number, windowMs: number): number {
  return Math.max(nowMs, Number(timestamp) * 1000) + windowMs;
}

export class UsedUrls {
  // key → body hash and when the key may be forgotten (ms). A Map keeps insertion order, which is
  // nearly expiry order, so pruning looks at the front only.
  readonly #seen = new Map<string, { body: string; until: number }>();

  constructor(private readonly windowMs: number, private readonly maxEntries = 200_000) {}

  /** Records this use of (timestamp, nonce) and says whether it is the first. */
  use(timestamp: string, nonce: string, body: string, nowMs: number): UrlUse {
    this.#prune(nowMs);
    const key = urlKey(timestamp, nonce);
    const digest = bodyDigest(body);
    const earlier = this.#seen.get(key);
    if (earlier) return earlier.body === digest ? 'same-body' : 'replayed';
    this.#seen.set(key, { body: digest, until: forgetAfter(timestamp, nowMs, this.windowMs) });
    if (this.#seen.size > this.maxEntries) this.#seen.delete(this.#seen.keys().next().value!);
    return 'first';
  }

  /** Drops what this process noted of a URL (another instance used it first: its answer stands). */
  forget(timestamp: string, nonce: string): void {
    this.#seen.delete(urlKey(timestamp, nonce));
  }

  #prune(nowMs: number): void {
    for (const [key, entry] of this.#seen) {
      if (entry.until > nowMs) break;
      this.#seen.delete(key);
    }
  }
}
