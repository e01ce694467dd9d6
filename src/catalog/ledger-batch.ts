// Group commit for the push ledger. Every write rewrites the whole ledger file (10,000 entries are
// about 1.5 MB), so writing once per entry would spend the push job's time serialising JSON. The
// entries arriving within `intervalMs` are written together; each caller still waits until its
// own entry is on disk, so "'sending' before the send" holds exactly as with single writes.
// When `eagerAt` senders are already waiting for their entries, there is no point in waiting for
// more: the write starts at once.
import type { Delivery, PushLedgerRepo, SubscriberChannel } from '../store/subscribers-repo.js';

type Waiter = { resolve: () => void; reject: (error: unknown) => void };

export class LedgerBatch {
  /** key → the entry to write, or null to remove it. */
  #entries = new Map<string, Delivery | null>();
  #sent: Array<{ day: string; channel: SubscriberChannel }> = [];
  #waiters: Waiter[] = [];
  /** Waiters that hold up a send (their 'sending' entry), as opposed to bookkeeping after it. */
  #blocking = 0;
  #timer: NodeJS.Timeout | null = null;
  #writing = false;
  #lastStart = -Infinity;

  constructor(
    private readonly ledger: PushLedgerRepo,
    private readonly runId: string,
    private readonly intervalMs: number,
    private readonly eagerAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Writes (or with null, removes) the subscriber's entry; resolves once it is on disk. `blocking`:
   * a send waits for this entry.
   */
  put(key: string, entry: Delivery | null, options: { sent?: { day: string; channel: SubscriberChannel }; blocking?: boolean } = {}): Promise<void> {
    this.#entries.set(key, entry);
    if (options.sent) this.#sent.push(options.sent);
    if (options.blocking) this.#blocking++;
    const written = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#schedule();
    return written;
  }

  #schedule(): void {
    if (this.#writing || this.#waiters.length === 0) return;
    const eager = this.#blocking >= this.eagerAt;
    if (this.#timer && !eager) return;
    if (this.#timer) clearTimeout(this.#timer);
    const wait = eager ? 0 : Math.max(0, this.#lastStart + this.intervalMs - this.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, wait);
  }

  async #flush(): Promise<void> {
    const entries = this.#entries;
    const sent = this.#sent;
    const waiters = this.#waiters;
    this.#entries = new Map();
    this.#sent = [];
    this.#waiters = [];
    this.#blocking = 0;
    this.#writing = true;
    this.#lastStart = this.now();
    try {
      await this.ledger.writeEntries(this.runId, entries, sent);
      for (const w of waiters) w.resolve();
    } catch (error) {
      for (const w of waiters) w.reject(error);
    } finally {
      this.#writing = false;
      this.#schedule();
    }
  }
}
