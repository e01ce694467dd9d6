// The store: the data folder, its lock, and one DataFile per collection group. Repositories (one
// module per concern, e.g. applications-repo.ts) open their file through `file()` and are the only
// code that touches the data; everything else calls repositories.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataFile, type FileSpec, type WriteTimer } from './data-file.js';
import { StoreFileError } from './durable-json-file.js';
import { makePrivateDir, PRIVATE_FILE, tightenDataFolder, type Tightened } from './permissions.js';
import { StoreWriteError, WriteHealth, errnoOf, isStoreWriteError, type WriteFaults } from './write-faults.js';
import { refuseHalfRestored } from './restore-marker.js';

export interface StoreOptions {
  /** Test seam: makes chosen write steps fail or wait (write-faults.ts). Never set in production. */
  faults?: WriteFaults;
}

export class Store {
  readonly #files = new Map<string, Promise<DataFile<any>>>();
  readonly #closers: Array<() => Promise<void>> = [];
  readonly #writeListeners: Array<(write: { file: string; seconds: number; ok: boolean }) => void> = [];
  #closed = false;
  /** Whether writes work; its changes are what the log says about a full or failing disk. */
  readonly health: WriteHealth;

  private constructor(
    readonly dir: string,
    private readonly clock: () => Date,
    /** Files and folders found readable by others at open and made private (for the start log). */
    readonly tightened: Tightened,
    readonly faults: WriteFaults | undefined,
  ) {
    this.health = new WriteHealth(faults?.recoveryQuietMs);
  }

  static async open(dir: string, clock: () => Date = () => new Date(), options: StoreOptions = {}): Promise<Store> {
    await makePrivateDir(dir);
    await takeLock(dir);
    try {
      await refuseHalfRestored(dir);
    } catch (error) {
      await releaseLock(dir);
      throw error;
    }
    return new Store(dir, clock, await tightenDataFolder(dir), options.faults);
  }

  /** The one DataFile of a collection group; opening it twice returns the same instance. */
  file<T>(spec: FileSpec<T>): Promise<DataFile<T>> {
    if (this.#closed) throw new Error('store is closed');
    let opened = this.#files.get(spec.name);
    if (!opened) {
      opened = DataFile.open(this.dir, spec, this.clock, this.timeWrite, this.faults);
      this.#files.set(spec.name, opened);
    }
    return opened as Promise<DataFile<T>>;
  }

  /** Tells `listener` how long every durable write of a data file or journal took (the metrics). */
  onWrite(listener: (write: { file: string; seconds: number; ok: boolean }) => void): void {
    this.#writeListeners.push(listener);
  }

  /**
   * Runs one durable write of collection `file`: reports its duration to the listeners, and turns a
   * failure into a StoreWriteError (answered 503) while keeping track of whether writes work.
   */
  readonly timeWrite: WriteTimer = async (file, write) => {
    const started = performance.now();
    let ok = false;
    try {
      const result = await write();
      ok = true;
      this.health.succeeded(started);
      return result;
    } catch (error) {
      if (isStoreWriteError(error)) throw error;
      this.health.failed(file, error);
      throw new StoreWriteError(file, errnoOf(error), { cause: error });
    } finally {
      if (this.#writeListeners.length) {
        const seconds = (performance.now() - started) / 1000;
        for (const listener of this.#writeListeners) listener({ file, seconds, ok });
      }
    }
  };

  /** Runs `close` when the store closes, e.g. to close a file kept open between writes. */
  whenClosing(close: () => Promise<void>): void {
    this.#closers.push(close);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Each DataFile acknowledges a write only after it is on disk; waiting for the open promises
    // is enough to be sure nothing half-opened is left behind.
    await Promise.allSettled(this.#files.values());
    await Promise.allSettled(this.#closers.map((close) => close()));
    await releaseLock(this.dir);
  }
}

export async function releaseLock(dir: string): Promise<void> {
  await fs.rm(path.join(dir, '.lock'), { force: true });
}

// One process per data folder: a second server on the same folder would be a second writer (and a
// restore must not swap files under a running server).
export async function takeLock(dir: string): Promise<void> {
  const lock = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await fs.readFile(lock, 'utf8').catch(() => ''));
      if (pid && pid !== process.pid && isProcessAlive(pid)) {
        throw new StoreFileError(lock, `is held by the running process ${pid}: another server uses DATA_DIR ${dir}`);
      }
      await fs.rm(lock, { force: true }); // left by a process that died
    }
  }
  throw new StoreFileError(lock, 'could not be taken');
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
