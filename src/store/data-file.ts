// One data file = one collection group = one lowdb instance = one writer. A file carries its schema
// version; older files are migrated at open, after a dated backup of the old bytes is on disk.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, StoreFileError, writeFileDurably } from './durable-json-file.js';
import { makePrivateDir } from './permissions.js';
import type { WriteFaults } from './write-faults.js';

export interface FileSpec<T> {
  /** File name without extension, e.g. "applications". */
  name: string;
  /** Current schema version of this file. */
  version: number;
  defaults: () => T;
  /** migrations[v] turns the data of version v-1 into version v. */
  migrations?: Record<number, (data: any) => any>;
  /** Shape check after load; returns a problem or null. */
  check?: (data: T) => string | null;
}

/** Runs one write of `file` (its collection name), e.g. to time it for the metrics. */
export type WriteTimer = <R>(file: string, write: () => Promise<R>) => Promise<R>;

const untimed: WriteTimer = (_file, write) => write();

interface Envelope<T> {
  schemaVersion: number;
  data: T;
}

export class DataFile<T> {
  /** While memory is read back from disk after a failed write: a change made meanwhile would be lost with it. */
  #recovering: Promise<void> | null = null;

  private constructor(
    readonly spec: FileSpec<T>,
    private readonly low: Low<Envelope<T>>,
    private readonly adapter: DurableJsonFile<Envelope<T>>,
    private readonly timed: WriteTimer,
    private readonly faults?: WriteFaults,
  ) {}

  static async open<T>(
    dir: string,
    spec: FileSpec<T>,
    clock: () => Date = () => new Date(),
    timed: WriteTimer = untimed,
    faults?: WriteFaults,
  ): Promise<DataFile<T>> {
    const file = path.join(dir, `${spec.name}.json`);
    const adapter = new DurableJsonFile<Envelope<T>>(file, faults);
    const fresh: Envelope<T> = { schemaVersion: spec.version, data: spec.defaults() };
    const low = new Low<Envelope<T>>(adapter, fresh);
    await low.read();
    const found = low.data as unknown;
    const dataFile = new DataFile(spec, low, adapter, timed, faults);

    if (found === fresh) {
      await low.write();
      return dataFile;
    }
    if (!isEnvelope(found)) {
      throw new StoreFileError(file, 'does not have the expected {schemaVersion, data} layout');
    }
    if (found.schemaVersion > spec.version) {
      throw new StoreFileError(
        file,
        `has schema version ${found.schemaVersion}, newer than this program knows (${spec.version}); ` +
          'run the newer version of the program or restore a backup',
      );
    }
    if (found.schemaVersion < spec.version) {
      await backup(file, `v${found.schemaVersion}`, clock());
      let data: any = found.data;
      for (let v = found.schemaVersion + 1; v <= spec.version; v++) {
        const migrate = spec.migrations?.[v];
        if (!migrate) throw new StoreFileError(file, `has no migration to schema version ${v}`);
        data = migrate(data);
      }
      low.data = { schemaVersion: spec.version, data };
      await low.write();
    }
    const problem = spec.check?.(low.data.data);
    if (problem) throw new StoreFileError(file, `has unexpected content: ${problem}`);
    return dataFile;
  }

  get file(): string {
    return this.adapter.file;
  }

  /** The in-memory data. Callers read it; only `update` changes it. */
  get data(): T {
    return this.low.data.data;
  }

  /**
   * Applies `change` to the data and resolves once the result is on disk. If the write fails, the
   * in-memory data is reloaded from the file, so memory never claims what the disk does not hold.
   */
  async update<R>(change: (data: T) => R): Promise<R> {
    while (this.#recovering) await this.#recovering;
    const result = change(this.low.data.data);
    try {
      await this.timed(this.spec.name, () => this.low.write());
    } catch (error) {
      // Every change that shared the failed write fails with it (durable-json-file.ts) and waits
      // for one reload; changes that arrive meanwhile wait for it too.
      this.#recovering ??= this.low.read().finally(() => (this.#recovering = null));
      await this.#recovering;
      throw error;
    }
    return result;
  }

  /**
   * Writes the data as it is at this moment (it is serialised before this returns) and resolves once
   * it is on disk. Memory is left alone whatever happens: for an owner that keeps its own record of
   * the changes (a journal), which a failed write must not throw away. The owner makes sure no
   * other write of this file runs at the same time.
   */
  persistNow(): Promise<void> {
    const text = JSON.stringify(this.low.data);
    return this.timed(this.spec.name, () => writeFileDurably(this.file, text, this.faults));
  }

  /** Reads the file again, dropping in-memory changes that were never written. */
  async reload(): Promise<void> {
    await this.low.read();
  }

  /** Copies the current file to `dir` durably; for the nightly backup job. */
  async backupTo(dir: string): Promise<string> {
    await makePrivateDir(dir);
    const target = path.join(dir, path.basename(this.file));
    await writeFileDurably(target, JSON.stringify(this.low.data));
    return target;
  }
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isInteger((value as Envelope<unknown>).schemaVersion) &&
    'data' in value
  );
}

async function backup(file: string, label: string, now: Date): Promise<void> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const target = `${file}.${stamp}.${label}.bak`;
  await writeFileDurably(target, await fs.readFile(file, 'utf8'));
}
