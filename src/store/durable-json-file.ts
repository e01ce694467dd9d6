// A lowdb adapter whose writes survive a crash or a power cut: the bytes go to a temporary file,
// are fsynced, renamed over the old file, and the folder is fsynced so the rename itself is on disk.
// lowdb's own JSONFile (steno) renames without any fsync, so an acknowledged write can vanish.
//
// Reading never "repairs" anything: an unreadable or corrupt file is reported and left untouched,
// because overwriting it would destroy the only copy of the data.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { PRIVATE_FILE } from './permissions.js';
import type { WriteFaults } from './write-faults.js';

export class StoreFileError extends Error {
  constructor(readonly file: string, reason: string, options?: { cause?: unknown }) {
    super(`Data file ${file} ${reason}. It was left untouched; restore it from a backup or fix it by hand.`, options);
    this.name = 'StoreFileError';
  }
}

export class DurableJsonFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #temp: string;
  // Writes are serialised; while one is in flight only the newest data waits, and everyone who
  // asked meanwhile is answered when that newer write is on disk.
  #inFlight: Promise<void> | null = null;
  #next: { data: T; waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> } | null = null;

  constructor(
    file: string,
    private readonly faults?: WriteFaults,
  ) {
    this.#file = file;
    this.#temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  }

  get file(): string {
    return this.#file;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreFileError(this.#file, 'cannot be read', { cause: error });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new StoreFileError(this.#file, 'is not valid JSON (corrupt or truncated)', { cause: error });
    }
  }

  write(data: T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#next) {
        this.#next.data = data;
        this.#next.waiters.push({ resolve, reject });
      } else {
        this.#next = { data, waiters: [{ resolve, reject }] };
      }
      if (!this.#inFlight) this.#inFlight = this.#drain();
    });
  }

  async #drain(): Promise<void> {
    while (this.#next) {
      const { data, waiters } = this.#next;
      this.#next = null;
      try {
        await writeThroughTemp(this.#temp, this.#file, JSON.stringify(data), this.faults);
        for (const w of waiters) w.resolve();
      } catch (error) {
        // The data waiting for the next write holds the change that just failed (it is the same
        // in-memory object): writing it would save what its caller was told was not saved, and race
        // with the caller's reload of memory from disk. It fails with this write.
        const queued = (this.#next as { waiters: typeof waiters } | null)?.waiters ?? [];
        this.#next = null;
        for (const w of [...waiters, ...queued]) w.reject(error);
      }
    }
    this.#inFlight = null;
  }

}

export async function syncFolder(folder: string): Promise<void> {
  const dir = await fs.open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Writes a whole file durably (temp, fsync, rename, fsync folder); for backups and one-off files. */
export async function writeFileDurably(file: string, text: string, faults?: WriteFaults): Promise<void> {
  await writeThroughTemp(path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`), file, text, faults);
}

async function writeThroughTemp(temp: string, file: string, text: string, faults?: WriteFaults): Promise<void> {
  const handle = await fs.open(temp, 'w', PRIVATE_FILE);
  try {
    const fault = await faults?.before('file-write', file);
    if (fault) {
      await handle.writeFile(Buffer.from(text, 'utf8').subarray(0, fault.afterBytes ?? 0));
      throw fault.error;
    }
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    // A half-written temporary file would only take the space a full disk needs back.
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  const fault = await faults?.before('file-rename', file);
  if (fault) throw fault.error;
  await fs.rename(temp, file);
  await syncFolder(path.dirname(file));
}
