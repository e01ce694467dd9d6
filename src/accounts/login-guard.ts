// Who may try a password now. Failures are counted per source address and account together, per
// account from anywhere, and per address over all accounts; past a few failures each key backs off
// (1 minute, doubling, at most 15) instead of locking the account outright, so a stranger guessing
// from one address does not lock out the real user at another, and an admin can lift a backoff.
//
// Two properties matter for security:
// - An attempt is checked and reserved synchronously, before the password is hashed: parallel
//   guesses cannot slip past the limit while earlier ones are still hashing (issue 19, finding 2).
// - The decision depends only on the name as typed and the address, never on whether the account
//   exists, so a locked name and an unknown one answer alike (finding 3).
// The counts live in memory: a restart forgets them, which only gives an attacker what they had.

export interface LoginLimits {
  /** Failures of one name from one address before it backs off. */
  pairFailures: number;
  /** Failures of one name from every address together (a distributed guesser). */
  accountFailures: number;
  /** Failures from one address over every name (password spraying). */
  addressFailures: number;
  /** Attempts from one address in a minute, right or wrong (a login flood). */
  addressAttemptsPerMinute: number;
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** Failures are forgotten after this long without a new one. */
  forgetMs: number;
  /** Remembered names and addresses at most, so made-up names cannot fill the memory. */
  maxEntries: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  pairFailures: 5,
  accountFailures: 30,
  addressFailures: 30,
  addressAttemptsPerMinute: 60,
  firstBackoffMs: 60_000,
  maxBackoffMs: 15 * 60_000,
  forgetMs: 24 * 3600_000,
  maxEntries: 20_000,
};

interface Bucket {
  failures: number;
  inFlight: number;
  blockedUntil: number;
  lastFailure: number;
}

/** A reserved attempt: say how it ended, exactly once. */
export interface LoginTicket {
  failed(): void;
  succeeded(): void;
  /** Ended without a verdict (the server was too busy to hash): nothing counts. */
  released(): void;
}

export type Refusal = { kind: 'backoff'; retryAfterMs: number } | { kind: 'flood'; retryAfterMs: number };

export class LoginGuard {
  readonly #pairs = new Map<string, Bucket>();
  readonly #accounts = new Map<string, Bucket>();
  readonly #addresses = new Map<string, Bucket>();
  readonly #rate = new Map<string, { start: number; count: number }>();
  readonly #limits: LoginLimits;

  constructor(private readonly clock: () => Date, limits: Partial<LoginLimits> = {}) {
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Reserves an attempt of `name` from `address`, or says why not and for how long. */
  attempt(name: string, address: string): LoginTicket | Refusal {
    const now = this.clock().getTime();
    const limits = this.#limits;
    const rate = this.#rateOf(address, now);
    if (rate.count >= limits.addressAttemptsPerMinute) return { kind: 'flood', retryAfterMs: rate.start + 60_000 - now };
    rate.count += 1;

    const buckets: Array<[Bucket, number]> = [
      [this.#bucket(this.#pairs, `${address}\n${name}`, now), limits.pairFailures],
      [this.#bucket(this.#accounts, name, now), limits.accountFailures],
      [this.#bucket(this.#addresses, address, now), limits.addressFailures],
    ];
    let wait = 0;
    for (const [bucket, free] of buckets) {
      if (bucket.blockedUntil > now) wait = Math.max(wait, bucket.blockedUntil - now);
      // Within the free failures, attempts still being hashed count as failures until decided;
      // once backing off, one attempt at a time after each wait.
      else if (bucket.failures < free ? bucket.failures + bucket.inFlight >= free : bucket.inFlight > 0) {
        wait = Math.max(wait, this.#limits.firstBackoffMs);
      }
    }
    if (wait > 0) return { kind: 'backoff', retryAfterMs: wait };
    for (const [bucket] of buckets) bucket.inFlight += 1;

    let done = false;
    const finish = (outcome: 'failed' | 'succeeded' | 'released') => {
      if (done) return;
      done = true;
      const at = this.clock().getTime();
      buckets.forEach(([bucket, free], index) => {
        bucket.inFlight -= 1;
        if (outcome === 'failed') {
          bucket.failures += 1;
          bucket.lastFailure = at;
          if (bucket.failures >= free) bucket.blockedUntil = at + this.#backoff(bucket.failures + 1 - free);
        } else if (outcome === 'succeeded' && index < 2) {
          // The right password clears the name's own counts, not those of the address.
          bucket.failures = 0;
          bucket.blockedUntil = 0;
        }
      });
    };
    return { failed: () => finish('failed'), succeeded: () => finish('succeeded'), released: () => finish('released') };
  }

  /** An admin lifts every backoff of this name (from every address). */
  unlock(name: string): void {
    this.#accounts.delete(name);
    for (const key of [...this.#pairs.keys()]) if (key.endsWith(`\n${name}`)) this.#pairs.delete(key);
  }

  /** Until when this name backs off from everywhere (its own count, not one address's), or null. */
  lockedUntil(name: string): Date | null {
    const now = this.clock().getTime();
    let until = this.#accounts.get(name)?.blockedUntil ?? 0;
    for (const [key, bucket] of this.#pairs) if (key.endsWith(`\n${name}`)) until = Math.max(until, bucket.blockedUntil);
    return until > now ? new Date(until) : null;
  }

  #backoff(step: number): number {
    return Math.min(this.#limits.maxBackoffMs, this.#limits.firstBackoffMs * 2 ** Math.max(0, Math.min(step - 1, 20)));
  }

  #bucket(map: Map<string, Bucket>, key: string, now: number): Bucket {
    let bucket = map.get(key);
    if (bucket && bucket.inFlight === 0 && bucket.blockedUntil <= now && now - bucket.lastFailure > this.#limits.forgetMs) {
      map.delete(key);
      bucket = undefined;
    }
    if (!bucket) {
      this.#makeRoom(map, now);
      bucket = { failures: 0, inFlight: 0, blockedUntil: 0, lastFailure: 0 };
      map.set(key, bucket);
    }
    return bucket;
  }

  #makeRoom(map: Map<string, Bucket>, now: number): void {
    if (map.size < this.#limits.maxEntries) return;
    // Oldest first (a Map keeps insertion order); an entry still blocking or in flight is kept
    // unless nothing else can go.
    for (const [key, bucket] of map) {
      if (bucket.inFlight === 0 && bucket.blockedUntil <= now) {
        map.delete(key);
        return;
      }
    }
    map.delete(map.keys().next().value!);
  }

  #rateOf(address: string, now: number): { start: number; count: number } {
    let rate = this.#rate.get(address);
    if (!rate || now - rate.start >= 60_000) {
      if (!rate && this.#rate.size >= this.#limits.maxEntries) {
        for (const [key, r] of this.#rate) if (now - r.start >= 60_000) this.#rate.delete(key);
        if (this.#rate.size >= this.#limits.maxEntries) this.#rate.delete(this.#rate.keys().next().value!);
      }
      rate = { start: now, count: 0 };
      this.#rate.set(address, rate);
    }
    return rate;
  }
}
