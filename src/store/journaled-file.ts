// A collection group that changes often and grows large (requests, chat turns): a lowdb snapshot
// plus an append-only journal of changes. A change costs one appended line and one fdatasync, shared by
// every change waiting at that moment (group commit), whatever the size of the collection; the
// snapshot is rewritten only now and then (compaction), and at every start.
//
// Crash safety: a line is acknowledged only after its fsync; a torn last line (the process died
// while writing it) was never acknowledged and is dropped. Every line carries a sequence number and
// the snapshot records the last one it contains, so a crash between writing a snapshot and emptying
// the journal cannot apply a change twice.
import fsCallbacks, { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataFile, type FileSpec } from './data-file.js';
import { StoreFileError, syncFolder } from './durable-json-file.js';
import type { Store } from './store.js';

export interface JournalSpec<T, Op> extends FileSpec<T> {
  /** Applies one change to the data, in place. Must be deterministic: it runs again on replay. */
  reduce: (data: T, op: Op) => void;
  /**
   * Compact after this many journal lines. By default the journal is compacted once it is as large
   * as the snapshot (at least 1 MiB): each byte of snapshot is then rewritten about once per byte
   * appended, so the cost per change stays constant however large the collection grows.
   */
  compactEvery?: number;
}

const MIN_COMPACTION_BYTES = 1 << 20;

interface Snapshot<T> {
  lastSeq: number;
  state: T;
}

interface Line<Op> {
  seq: number;
  op: Op;
}

export class JournaledFile<T, Op> {
  #seq: number;
  #sinceCompaction = 0;
  #journalBytes = 0;
  #snapshotBytes = 0;
  #pending: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  #writing: Promise<void> | null = null;
  // Kept open between batches: opening and closing the journal for every batch cost as much CPU as
  // writing it. Closed when the journal is emptied, after a failed write, and when the store closes.
  #fd: number | null = null;
  /** While the data is reloaded after a failed write: changes wait, or they would be lost with it. */
  #recovering: Promise<void> | null = null;
  #closed = false;

  private constructor(
    private readonly spec: JournalSpec<T, Op>,
    private readonly snapshot: DataFile<Snapshot<T>>,
    private readonly journal: string,
  ) {
    this.#seq = snapshot.data.lastSeq;
  }

  static async open<T, Op>(store: Store, spec: JournalSpec<T, Op>): Promise<JournaledFile<T, Op>> {
    // The snapshot is an ordinary versioned data file whose data is {lastSeq, state}; migrations of
    // the collection apply to `state`.
    const snapshot = await store.file<Snapshot<T>>({
      name: spec.name,
      version: spec.version,
      defaults: () => ({ lastSeq: 0, state: spec.defaults() }),
      // A file written before the collection had a journal holds the bare state: wrap it.
      migrations: Object.fromEntries(
        Object.entries(spec.migrations ?? {}).map(([v, migrate]) => [
          v,
          (s: unknown) => (isSnapshot(s) ? { ...s, state: migrate(s.state) } : { lastSeq: 0, state: migrate(s) }),
        ]),
      ),
      check: (s) => (typeof s.lastSeq === 'number' && s.state ? (spec.check?.(s.state) ?? null) : 'missing lastSeq or state'),
    });
    const file = new JournaledFile(spec, snapshot, path.join(store.dir, `${spec.name}.journal`));
    await file.#replay();
    store.whenClosing(() => file.#close());
    return file;
  }

  get data(): T {
    return this.snapshot.data.state;
  }

  /**
   * Applies `op` to the data now (so the next caller sees it) and resolves once it is on disk. If
   * the journal cannot be written, the data is reloaded from disk and the error is thrown.
   */
  async commit(op: Op): Promise<void> {
    while (this.#recovering) await this.#recovering;
    if (this.#closed) throw new Error(`${this.journal} is closed: the store was closed`);
    this.spec.reduce(this.data, op);
    const seq = ++this.#seq;
    const line = `${JSON.stringify({ seq, op } satisfies Line<Op>)}\n`;
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      this.#writing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    // Changes made in the rest of this turn of the event loop (by the other requests that arrived
    // with this one) join the batch: one write and one fsync for all of them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#pending.length) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        this.#fd ??= await openForAppend(this.journal);
        await appendAll(this.#fd, batch.map((b) => b.line).join(''));
        await datasync(this.#fd);
        this.#sinceCompaction += batch.length;
        this.#journalBytes += batch.reduce((sum, b) => sum + Buffer.byteLength(b.line), 0);
        if (this.#dueForCompaction()) await this.#compact();
        for (const b of batch) b.resolve();
      } catch (error) {
        // Memory holds changes the disk may not: start again from what the disk holds.
        const waiting = [...batch, ...this.#pending];
        this.#pending = [];
        this.#recovering = this.#closeJournal()
          .then(() => this.#reload())
          .catch(() => undefined);
        await this.#recovering;
        this.#recovering = null;
        for (const b of waiting) b.reject(error);
      }
    }
    this.#writing = null;
  }

  #dueForCompaction(): boolean {
    if (this.spec.compactEvery !== undefined) return this.#sinceCompaction >= this.spec.compactEvery;
    return this.#journalBytes >= Math.max(MIN_COMPACTION_BYTES, this.#snapshotBytes);
  }

  /** Waits for the batch being written, then closes the journal; later changes are refused. */
  async #close(): Promise<void> {
    this.#closed = true;
    await this.#writing;
    await this.#closeJournal();
  }

  async #closeJournal(): Promise<void> {
    const fd = this.#fd;
    this.#fd = null;
    if (fd !== null) await new Promise<void>((resolve) => fsCallbacks.close(fd, () => resolve()));
  }

  /** Writes the whole state as the new snapshot, then empties the journal. */
  async #compact(): Promise<void> {
    await this.#closeJournal();
    await this.snapshot.update((s) => {
      s.lastSeq = this.#seq;
    });
    await fs.writeFile(this.journal, '');
    await syncFolder(path.dirname(this.journal));
    this.#sinceCompaction = 0;
    this.#journalBytes = 0;
    this.#snapshotBytes = (await fs.stat(this.snapshot.file)).size;
  }

  async #reload(): Promise<void> {
    await this.snapshot.reload();
    this.#seq = this.snapshot.data.lastSeq;
    await this.#replay();
  }

  async #replay(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.journal, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StoreFileError(this.journal, 'cannot be read', { cause: error });
    }
    // The part after the last newline is empty, or a torn line that was never acknowledged.
    const complete = text.split('\n').slice(0, -1);
    let applied = 0;
    for (const [index, raw] of complete.entries()) {
      let line: Line<Op>;
      try {
        line = JSON.parse(raw) as Line<Op>;
      } catch (error) {
        throw new StoreFileError(this.journal, `has a damaged line ${index + 1} before its end`, { cause: error });
      }
      if (line.seq <= this.#seq) continue;
      if (line.seq !== this.#seq + 1) throw new StoreFileError(this.journal, `skips from change ${this.#seq} to ${line.seq}`);
      this.spec.reduce(this.data, line.op);
      this.#seq = line.seq;
      applied++;
    }
    // Start every run from a fresh snapshot and an empty journal: replay cost stays bounded.
    if (text.length > 0) await this.#compact();
    else this.#snapshotBytes = (await fs.stat(this.snapshot.file)).size;
  }
}

// The journal's writes use fs's callback API: per call it costs half the CPU of fs/promises'
// FileHandle, and these calls run for every batch of changes.
function openForAppend(file: string): Promise<number> {
  return new Promise((resolve, reject) => fsCallbacks.open(file, 'a', (error, fd) => (error ? reject(error) : resolve(fd))));
}

function appendAll(fd: number, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  return new Promise((resolve, reject) => {
    const from = (offset: number) =>
      fsCallbacks.write(fd, bytes, offset, bytes.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < bytes.length) from(offset + written);
        else resolve();
      });
    from(0);
  });
}

// fdatasync: an append changes the file's size, which fdatasync flushes with the data; only
// timestamps are left to the kernel.
function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsCallbacks.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

function isSnapshot(value: unknown): value is Snapshot<unknown> {
  return typeof value === 'object' && value !== null && 'lastSeq' in value && 'state' in value;
}
