// Group commit for the push ledger. On the embedded engine every write rewrites the whole ledger
// file (10,000 entries are about 1.5 MB), and on PostgreSQL every write is a transaction, so
// writing once per entry would spend the push job's time writing. The entries arriving within
// `intervalMs` are written together; each caller still waits until its own entry is stored, so
// "'sending' before the send" holds exactly as with single writes. When `eagerAt` senders are
// already waiting for their claims, there is no point in waiting for more: the write starts at once.
import type { Delivery, PushLedgerRepository, SubscriberChannel } from '../store/subscribers-repo.js';

type Waiter = { resolve: (written: boolean) => void; reject: (error: unknown) => void; claim: string | null };

export class LedgerBatch {
  /** key → the entry to write, or null to give a claim back. */
  #entries = new Map<string, Delivery | null>();
  #claims = new Set<string>();
  #sent: Array<{ day: string; channel: SubscriberChannel }> = [];
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing = false;
  #lastStart = -Infinity;

  constructor(
    private readonly ledger: Pick<PushLedgerRepository, 'writeEntries'>,
    private readonly runId: string,
    private readonly intervalMs: number,
    private readonly eagerAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Writes (or with null, gives back) the subscriber's entry; resolves once it is stored. `blocking`:
   * a send waits for this entry, its claim: written only if the subscriber has no entry in the run
   * yet, and the promise says whether it was (only then may the digest go out).
   */
  put(key: string, entry: Delivery | null, options: { sent?: { day: string; channel: SubscriberChannel }; blocking?: boolean } = {}): Promise<boolean> {
    this.#entries.set(key, entry);
    if (options.blocking) this.#claims.add(key);
    else this.#claims.delete(key);
    if (options.sent) this.#sent.push(options.sent);
    const written = new Promise<boolean>((resolve, reject) => this.#waiters.push({ resolve, reject, claim: options.blocking ? key : null }));
    this.#schedule();
    return written;
  }

  #schedule(): void {
    if (this.#writing || this.#waiters.length === 0) return;
    const eager = this.#claims.size >= this.eagerAt;
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
    const claims = this.#claims;
    const sent = this.#sent;
    const waiters = this.#waiters;
    this.#entries = new Map();
    this.#claims = new Set();
    this.#sent = [];
    this.#waiters = [];
    this.#writing = true;
    this.#lastStart = this.now();
    let claimed: ReadonlySet<string>;
    try {
      claimed = await this.ledger.writeEntries(this.runId, entries, sent, claims);
    } catch (error) {
      for (const w of waiters) w.reject(error);
      return;
    } finally {
      this.#writing = false;
      this.#schedule();
    }
    for (const w of waiters) w.resolve(w.claim === null || claimed.has(w.claim));
  }
}
