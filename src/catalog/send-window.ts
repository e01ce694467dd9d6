// Pacing sends: at most `perSecond` sends begin within any one clock second, the way WeChat's
// quota counters count, and none at all while paused after a 45009. A send is not begun in the
// last few milliseconds of a second, so that it cannot arrive in the next one and exceed it.

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SendWindow {
  #second = -1;
  #used = 0;
  #pausedUntil = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
    private readonly guardMs = 100,
  ) {
    if (!(perSecond > 0)) throw new Error('sendsPerSecond must be positive');
  }

  /** Waits for a free slot; resolves with the time the slot was granted. */
  async take(): Promise<number> {
    for (;;) {
      const now = this.now();
      if (now < this.#pausedUntil) {
        await this.sleep(this.#pausedUntil - now);
        continue;
      }
      const second = Math.floor(now / 1000);
      if (second !== this.#second) {
        this.#second = second;
        this.#used = 0;
      }
      const nextSecond = (second + 1) * 1000;
      if (this.#used < this.perSecond && nextSecond - now > this.guardMs) {
        this.#used++;
        return now;
      }
      await this.sleep(nextSecond - now + 1);
    }
  }

  /** No slot is granted for `ms` from now. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.now() + ms);
  }
}
