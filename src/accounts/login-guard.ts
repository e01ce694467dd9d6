// Who may try a password now. Failures are counted per source address and account together, per
// account from anywhere, and per address over all accounts; past a few failures each key backs off
// (1 minute, doubling, at most 15) instead of locking the account outright, so a stranger guessing
// from one address does not lock out the real user at another, and an admin can lift a backoff.
//
// Two properties matter for security:
// - An attempt is checked and reserved in one step of the accounts repository, before the password
//   is hashed: parallel guesses cannot slip past the limit while earlier ones are still hashing
//   (issue 19, finding 2), nor by being spread over two instances of the server.
// - The decision depends only on the name as typed and the address, never on whether the account
//   exists, so a locked name and an unknown one answer alike (finding 3).
// The counts live in the accounts repository (login windows): in memory on the embedded engine,
// where a restart forgets them, which only gives an attacker what they had; in a table shared by
// every instance on PostgreSQL.
import type { AccountsRepository, LoginWindow, LoginWindowKey } from '../store/accounts-repo.js';

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
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  pairFailures: 5,
  accountFailures: 30,
  addressFailures: 30,
  addressAttemptsPerMinute: 60,
  firstBackoffMs: 60_000,
  maxBackoffMs: 15 * 60_000,
  forgetMs: 24 * 3600_000,
};

/**
 * A reservation older than this is not waited for: its instance died while hashing (a hash takes
 * well under a second, a queued one a few), and a name must not stay refused for ever.
 */
const IN_FLIGHT_STALE_MS = 60_000;
/** How often this process drops windows idle for longer than forgetMs. */
const PRUNE_EVERY_MS = 3600_000;

/** A reserved attempt: say how it ended, exactly once. */
export interface LoginTicket {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
  /** Ended without a verdict (the server was too busy to hash): nothing counts. */
  released(): Promise<void>;
}

export type Refusal = { kind: 'backoff'; retryAfterMs: number } | { kind: 'flood'; retryAfterMs: number };

type LoginWindows = Pick<AccountsRepository, 'changeLoginWindows' | 'loginWindowsOf' | 'forgetLoginWindowsOf' | 'pruneLoginWindows'>;

export class LoginGuard {
  readonly #limits: LoginLimits;
  #prunedAt = 0;

  constructor(
    private readonly repo: LoginWindows,
    private readonly clock: () => Date,
    limits: Partial<LoginLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Reserves an attempt of `name` from `address`, or says why not and for how long. */
  async attempt(name: string, address: string): Promise<LoginTicket | Refusal> {
    const now = this.clock().getTime();
    this.#pruneNowAndThen(now);
    // Pair, name, address: the order `free` and `succeeded` below rely on.
    const keys: LoginWindowKey[] = [{ address, name }, { name }, { address }];
    const free = [this.#limits.pairFailures, this.#limits.accountFailures, this.#limits.addressFailures];
    const refusal = await this.repo.changeLoginWindows(keys, now, (windows) => this.#reserve(windows, free, now));
    if (refusal) return refusal;

    let done = false;
    const finish = async (outcome: 'failed' | 'succeeded' | 'released') => {
      if (done) return;
      done = true;
      const at = this.clock().getTime();
      await this.repo.changeLoginWindows(keys, at, (windows) =>
        windows.forEach((window, index) => {
          window.inFlight = Math.max(0, window.inFlight - 1);
          if (outcome === 'failed') {
            window.failures += 1;
            window.lastFailure = at;
            if (window.failures >= free[index]!) window.blockedUntil = at + this.#backoff(window.failures + 1 - free[index]!);
          } else if (outcome === 'succeeded' && index < 2) {
            // The right password clears the name's own counts, not those of the address.
            window.failures = 0;
            window.blockedUntil = 0;
          }
        }),
      );
    };
    return { failed: () => finish('failed'), succeeded: () => finish('succeeded'), released: () => finish('released') };
  }

  /** An admin lifts every backoff of this name (from every address). */
  async unlock(name: string): Promise<void> {
    await this.repo.forgetLoginWindowsOf(name);
  }

  /** Until when this name backs off from everywhere (its own count, not one address's), or null. */
  async lockedUntil(name: string): Promise<Date | null> {
    const now = this.clock().getTime();
    let until = 0;
    for (const window of await this.repo.loginWindowsOf(name)) until = Math.max(until, window.blockedUntil);
    return until > now ? new Date(until) : null;
  }

  /** In the repository's step: counts the attempt against the flood limit and reserves it, or refuses. */
  #reserve(windows: LoginWindow[], free: number[], now: number): Refusal | null {
    const limits = this.#limits;
    const address = windows[2]!;
    if (now - address.rateStart >= 60_000) {
      address.rateStart = now;
      address.rateCount = 0;
    }
    if (address.rateCount >= limits.addressAttemptsPerMinute) return { kind: 'flood', retryAfterMs: address.rateStart + 60_000 - now };
    address.rateCount += 1;

    let wait = 0;
    windows.forEach((window, index) => {
      if (window.inFlight > 0 && now - window.inFlightAt > IN_FLIGHT_STALE_MS) window.inFlight = 0;
      if (window.inFlight === 0 && window.blockedUntil <= now && now - window.lastFailure > limits.forgetMs) {
        window.failures = 0;
        window.blockedUntil = 0;
        window.lastFailure = 0;
      }
      if (window.blockedUntil > now) wait = Math.max(wait, window.blockedUntil - now);
      // Within the free failures, attempts still being hashed count as failures until decided;
      // once backing off, one attempt at a time after each wait.
      else if (window.failures < free[index]! ? window.failures + window.inFlight >= free[index]! : window.inFlight > 0) {
        wait = Math.max(wait, limits.firstBackoffMs);
      }
    });
    if (wait > 0) return { kind: 'backoff', retryAfterMs: wait };
    for (const window of windows) {
      window.inFlight += 1;
      window.inFlightAt = now;
    }
    return null;
  }

  #backoff(step: number): number {
    return Math.min(this.#limits.maxBackoffMs, this.#limits.firstBackoffMs * 2 ** Math.max(0, Math.min(step - 1, 20)));
  }

  /** Windows idle for longer than forgetMs are forgotten anyway: dropping them keeps the table small. */
  #pruneNowAndThen(now: number): void {
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    // Not waited for: a login does not wait on housekeeping, and a failed prune is tried next hour.
    this.repo.pruneLoginWindows(now - this.#limits.forgetMs, now).catch(() => {});
  }
}
