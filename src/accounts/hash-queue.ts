// At most a few password hashes at a time. scrypt runs on libuv's thread pool (4 threads), the
// same pool that serves every file read, write and fsync; 600 logins at once used to fill it, so
// saving a request or answering a WeChat push waited seconds behind them (issue 19, finding 4).
// Hashes beyond the cap wait in a short queue; beyond the queue they are refused at once, which
// costs the caller a retry and the server nothing.
import { DomainError } from '../domain/errors.js';

export interface HashQueueLimits {
  /** Hashes running at once: leaves the rest of the thread pool to the file system. */
  concurrent: number;
  /** Hashes waiting for a turn; more are refused. */
  queued: number;
}

export const DEFAULT_HASH_QUEUE: HashQueueLimits = { concurrent: 2, queued: 16 };

export class HashQueue {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly limits: HashQueueLimits = DEFAULT_HASH_QUEUE) {}

  /** Runs `hash` when a slot is free; throws 'rate-limited' at once when the queue is full. */
  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limits.concurrent) {
      if (this.#waiting.length >= this.limits.queued) throw new DomainError('rate-limited', '登录的人太多，请稍后再试');
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await hash();
    } finally {
      // Hand the slot straight to the next in line, so the count never dips and lets a newcomer cut in.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
