// A collection group that changes often and grows large (requests, chat turns): a lowdb snapshot
// plus an append-only journal of changes. A change costs one appended line and one fdatasync, shared by
// every change waiting at that moment (group commit), whatever the size of the collection; the
// snapshot is rewritten only now and then (compaction), and at every start.
//
// Crash safety: a line is acknowledged only after its fdatasync; a torn last line (the process died
// while writing it) was never acknowledged and is dropped. Every line carries a sequence number and
// the snapshot records the last one it contains, so a crash between writing a snapshot and emptying
// the journal cannot apply a change twice.
//
// Compaction does not hold up the changes that follow it: the journal is set aside (renamed to
// NAME.journal.old), a fresh one takes the next lines at once, and the snapshot is written in the
// background. Until it is on disk the set-aside journal stays, and a start replays both, in order.
//
// A failed write (full disk, I/O error): the batch's bytes may be partly in the journal, so the
// journal is cut back to its last acknowledged byte before anything else is appended (or a torn
// line would end up in the middle, and the next start would refuse the file), and memory is read
// back from what the disk holds. A snapshot written in the background may already hold the failed
// batch's changes (they were in memory when it was serialised): recovery waits for it and answers
// each change by what the disk holds afterwards, saved or not, whichever way that race went.
import fsCallbacks, { promises as fs } from 'node:fs';
import { PRIVATE_FILE } from './permissions.js';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataFile, type FileSpec } from './data-file.js';
import { StoreFileError, syncFolder } from './durable-json-file.js';
import type { Store } from './store.js';
import type { WriteFaults } from './write-faults.js';

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
/** A batch that starts this soon after the last one ended is part of a steady stream of changes… */
const STREAM_GAP_MS = 5;
/** …and waits this long for more changes to join it (PostgreSQL's commit_delay, in effect). */
const COMMIT_DELAY_MS = 1;

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
  #pending: Array<{ seq: number; line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  #writing: Promise<void> | null = null;
  // Kept open between batches: opening and closing the journal for every batch cost as much CPU as
  // writing it. Closed when the journal is emptied, after a failed write, and when the store closes.
  #fd: number | null = null;
  /** While the data is reloaded after a failed write: changes wait, or they would be lost with it. */
  #recovering: Promise<void> | null = null;
  #closed = false;
  #lastBatchEnd = -Infinity;
  /** The snapshot being written in the background, with the set-aside journal removed after it. */
  #compacting: Promise<void> | null = null;
  /** A set-aside journal is still on disk (its snapshot failed): the next compaction is a full one. */
  #retiredLeft = false;
  /** A failed append left bytes after the last acknowledged line that could not be cut off yet. */
  #mustCutBack = false;

  readonly #retired: string;

  private constructor(
    private readonly store: Store,
    private readonly spec: JournalSpec<T, Op>,
    private readonly snapshot: DataFile<Snapshot<T>>,
    private readonly journal: string,
  ) {
    this.#seq = snapshot.data.lastSeq;
    this.#retired = `${journal}.old`;
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
    const file = new JournaledFile(store, spec, snapshot, path.join(store.dir, `${spec.name}.journal`));
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
      this.#pending.push({ seq, line, resolve, reject });
      this.#writing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    // Changes made in the rest of this turn of the event loop (by the other requests that arrived
    // with this one) join the batch: one write and one fdatasync for all of them. In a steady stream
    // a little more waiting gathers more: an fdatasync costs the kernel about as much CPU as
    // answering a request, while one alone in a quiet hour costs nothing worth waiting for.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (performance.now() - this.#lastBatchEnd < STREAM_GAP_MS) await new Promise<void>((resolve) => setTimeout(resolve, COMMIT_DELAY_MS));
    while (this.#pending.length) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.store.timeWrite(this.spec.name, async () => {
          if (this.#mustCutBack) await this.#cutBack();
          this.#fd ??= await openForAppend(this.journal, this.#faults);
          await appendAll(this.#fd, batch.map((b) => b.line).join(''), this.journal, this.#faults);
          await datasync(this.#fd, this.journal, this.#faults);
        });
        this.#sinceCompaction += batch.length;
        this.#journalBytes += batch.reduce((sum, b) => sum + Buffer.byteLength(b.line), 0);
        for (const b of batch) b.resolve();
        this.#lastBatchEnd = performance.now();
        if (this.#dueForCompaction() && !this.#compacting) {
          if (this.#retiredLeft) await this.#compact();
          else await this.#setAside();
        }
      } catch (error) {
        // Memory holds changes the disk may not: start again from what the disk holds, and answer
        // each change by whether the disk holds it (see the note at the top).
        const waiting = [...batch, ...this.#pending];
        this.#pending = [];
        let saved = 0;
        this.#recovering = this.#recover().then(
          (seq) => void (saved = seq),
          () => undefined,
        );
        await this.#recovering;
        this.#recovering = null;
        for (const b of waiting) {
          if (b.seq <= saved) b.resolve();
          else b.reject(error);
        }
      }
    }
    this.#writing = null;
  }

  #dueForCompaction(): boolean {
    if (this.spec.compactEvery !== undefined) return this.#sinceCompaction >= this.spec.compactEvery;
    return this.#journalBytes >= Math.max(MIN_COMPACTION_BYTES, this.#snapshotBytes);
  }

  /** Waits for the batch and the snapshot being written, then closes the journal; later changes are refused. */
  async #close(): Promise<void> {
    this.#closed = true;
    await this.#writing;
    await this.#compacting;
    await this.#closeJournal();
  }

  async #closeJournal(): Promise<void> {
    const fd = this.#fd;
    this.#fd = null;
    if (fd !== null) await new Promise<void>((resolve) => fsCallbacks.close(fd, () => resolve()));
  }

  /**
   * Sets the journal aside and starts a fresh one, then writes the snapshot in the background. The
   * state holds every change up to #seq, some of whose lines may still be waiting to be written:
   * they go to the fresh journal and are skipped on replay once the snapshot says it holds them.
   */
  async #setAside(): Promise<void> {
    const folder = path.dirname(this.journal);
    await this.#closeJournal();
    await fs.rename(this.journal, this.#retired);
    // From here the journal's acknowledged length is 0, whatever fails next (a cut-back must not
    // lengthen the fresh file to the old one's size).
    this.#sinceCompaction = 0;
    this.#journalBytes = 0;
    this.#fd = await openForAppend(this.journal, this.#faults);
    // The rename and the fresh journal's name are on disk before any line is acknowledged in it.
    await syncFolder(folder);
    this.snapshot.data.lastSeq = this.#seq;
    const written = this.snapshot.persistNow();
    this.#compacting = (async () => {
      try {
        await written;
        await fs.rm(this.#retired, { force: true });
        await syncFolder(folder);
        this.#snapshotBytes = (await fs.stat(this.snapshot.file)).size;
      } catch {
        // Nothing is lost: the set-aside journal stays and is replayed; the next compaction is a
        // full one, and if the disk is still failing the next write says so.
        this.#retiredLeft = true;
      } finally {
        this.#compacting = null;
      }
    })();
  }

  /** Writes the whole state as the new snapshot, then empties the journal (and any set-aside one). */
  async #compact(): Promise<void> {
    await this.#compacting;
    await this.#closeJournal();
    this.snapshot.data.lastSeq = this.#seq;
    await this.snapshot.persistNow();
    await fs.writeFile(this.journal, '', { mode: PRIVATE_FILE });
    this.#journalBytes = 0;
    await fs.rm(this.#retired, { force: true });
    await syncFolder(path.dirname(this.journal));
    this.#retiredLeft = false;
    this.#sinceCompaction = 0;
    this.#journalBytes = 0;
    this.#snapshotBytes = (await fs.stat(this.snapshot.file)).size;
  }

  get #faults(): WriteFaults | undefined {
    return this.store.faults;
  }

  /**
   * After a failed write: lets a background snapshot finish, cuts the journal back to its last
   * acknowledged line if it can, and reloads memory from the snapshot and the acknowledged lines,
   * without writing anything else to a disk that just failed. Returns the last change the disk holds.
   */
  async #recover(): Promise<number> {
    await this.#closeJournal();
    await this.#compacting;
    try {
      await this.#cutBack();
    } catch {
      this.#mustCutBack = true; // before the next append, or replay would meet the torn line
    }
    await this.snapshot.reload();
    this.#seq = this.snapshot.data.lastSeq;
    await this.#replay({ journalBytes: this.#journalBytes, compact: false });
    // A journal set aside whose snapshot never came: the next compaction must be a full one, or
    // setting the journal aside again would overwrite it.
    this.#retiredLeft ||= await fs.access(this.#retired).then(
      () => true,
      () => false,
    );
    return this.#seq;
  }

  /** Cuts the journal back to its acknowledged bytes and makes that durable. */
  async #cutBack(): Promise<void> {
    const fault = await this.#faults?.before('journal-truncate', this.journal);
    if (fault) throw fault.error;
    const handle = await fs.open(this.journal, 'r+').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null; // nothing was appended, nothing to cut
      throw error;
    });
    if (handle) {
      try {
        await handle.truncate(this.#journalBytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    this.#mustCutBack = false;
  }

  /**
   * Applies the journal lines after the snapshot. `journalBytes` reads only that much of the
   * journal (its acknowledged part, during recovery); `compact: false` leaves the files as they are.
   */
  async #replay(options: { journalBytes?: number; compact?: boolean } = {}): Promise<void> {
    // A journal set aside by a compaction that was cut short comes first: its lines precede the
    // journal's. Either may be missing.
    let found = false;
    for (const file of [this.#retired, this.journal]) {
      let text: string;
      try {
        const bytes = await fs.readFile(file);
        text = (file === this.journal && options.journalBytes !== undefined ? bytes.subarray(0, options.journalBytes) : bytes).toString('utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new StoreFileError(file, 'cannot be read', { cause: error });
      }
      found ||= text.length > 0 || file === this.#retired;
      // The part after the last newline is empty, or a torn line that was never acknowledged.
      for (const [index, raw] of text.split('\n').slice(0, -1).entries()) {
        let line: Line<Op>;
        try {
          line = JSON.parse(raw) as Line<Op>;
        } catch (error) {
          throw new StoreFileError(file, `has a damaged line ${index + 1} before its end`, { cause: error });
        }
        if (line.seq <= this.#seq) continue;
        if (line.seq !== this.#seq + 1) throw new StoreFileError(file, `skips from change ${this.#seq} to ${line.seq}`);
        this.spec.reduce(this.data, line.op);
        this.#seq = line.seq;
      }
    }
    if (options.compact === false) return;
    // Start every run from a fresh snapshot and an empty journal: replay cost stays bounded.
    if (found) await this.#compact();
    else this.#snapshotBytes = (await fs.stat(this.snapshot.file)).size;
  }

}

// The journal's writes use fs's callback API: per call it costs half the CPU of fs/promises'
// FileHandle, and these calls run for every batch of changes.
// Without a fault seam (production) each goes straight to its fs call, as before the seam existed.
async function openForAppend(file: string, faults?: WriteFaults): Promise<number> {
  const fault = faults && (await faults.before('journal-open', file));
  if (fault) throw fault.error;
  return new Promise((resolve, reject) => fsCallbacks.open(file, 'a', PRIVATE_FILE, (error, fd) => (error ? reject(error) : resolve(fd))));
}

async function appendAll(fd: number, text: string, file: string, faults?: WriteFaults): Promise<void> {
  let bytes = Buffer.from(text, 'utf8');
  const fault = faults && (await faults.before('journal-append', file));
  if (fault) bytes = bytes.subarray(0, fault.afterBytes ?? 0);
  await new Promise<void>((resolve, reject) => {
    if (bytes.length === 0) return resolve();
    const from = (offset: number) =>
      fsCallbacks.write(fd, bytes, offset, bytes.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < bytes.length) from(offset + written);
        else resolve();
      });
    from(0);
  });
  if (fault) throw fault.error;
}

// fdatasync: an append changes the file's size, which fdatasync flushes with the data; only
// timestamps are left to the kernel.
async function datasync(fd: number, file: string, faults?: WriteFaults): Promise<void> {
  const fault = faults && (await faults.before('journal-sync', file));
  if (fault) throw fault.error;
  return new Promise((resolve, reject) => fsCallbacks.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

function isSnapshot(value: unknown): value is Snapshot<unknown> {
  return typeof value === 'object' && value !== null && 'lastSeq' in value && 'state' in value;
}
