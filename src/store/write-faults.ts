// What the store does when the data folder's disk cannot take a write (full, read-only, failing):
// the error every caller sees, the one log-worthy change of state, and the seam through which tests
// make writes fail or wait at a chosen step.
//
// The seam is a constructor option of Store.open (start()'s `storeFaults` in tests); no
// environment variable or route reaches it, so a production process cannot turn it on.

/** The durable-write steps a test can make fail or hold up. */
export type WriteStep =
  /** Opening the journal for appending. */
  | 'journal-open'
  /** Appending a batch of lines to a journal. */
  | 'journal-append'
  /** fdatasync of the journal after an append. */
  | 'journal-sync'
  /** Cutting a journal back to its last acknowledged line after a failed append. */
  | 'journal-truncate'
  /** Writing a whole data file (snapshot) to its temporary file. */
  | 'file-write'
  /** Renaming a written temporary file over the data file. */
  | 'file-rename';

export interface InjectedFault {
  error: NodeJS.ErrnoException;
  /** For 'journal-append' and 'file-write': how many bytes reach the file before the error (a torn write). */
  afterBytes?: number;
}

export interface WriteFaults {
  /** How long writes must have worked before the store says so (WriteHealth's quietMs). */
  recoveryQuietMs?: number;
  /**
   * Called before each step with the file's path. Returns a fault to inject, or nothing to let the
   * step run; may also wait, to hold a step until a test has arranged what races with it.
   */
  before(step: WriteStep, file: string): InjectedFault | void | Promise<InjectedFault | void>;
}

/** An errno error as the kernel would report it, e.g. errnoError('ENOSPC'). */
export function errnoError(code: 'ENOSPC' | 'EIO' | 'EDQUOT' | 'EROFS', file = ''): NodeJS.ErrnoException {
  const text = { ENOSPC: 'no space left on device', EIO: 'i/o error', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system' }[code];
  return Object.assign(new Error(`${code}: ${text}, write '${file}'`), { code, syscall: 'write', path: file });
}

/**
 * A change could not be saved because the data folder cannot be written. Nothing of the change was
 * kept; what was saved before is intact. The HTTP layer answers 503 with `message`.
 */
export class StoreWriteError extends Error {
  readonly code = 'storage-unavailable';
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('服务器暂时无法保存数据，本次操作没有保存，请稍后再试。', options);
    this.name = 'StoreWriteError';
  }
}

export function isStoreWriteError(error: unknown): error is StoreWriteError {
  return error instanceof StoreWriteError || (error as { name?: unknown } | null)?.name === 'StoreWriteError';
}

/** The errno code of a failed write, for the log and the error ("ENOSPC", "EIO", …). */
export function errnoOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

export type WriteHealthChange =
  | { state: 'failing'; file: string; code: string; message: string }
  | { state: 'recovered'; refused: number; seconds: number };

/**
 * Whether writes currently work. A storm of refused requests is one change of state ("failing")
 * and one more when writes work again ("recovered"), so the log says it once, not per request.
 * Writes work again when one succeeds with no failure for `quietMs`: on a nearly full disk small
 * appends that fit in a page already allocated succeed between failures, and each would otherwise
 * end the state and start it anew.
 */
export class WriteHealth {
  constructor(private readonly quietMs = 5000) {}

  #failingSince: number | null = null;
  #refused = 0;
  readonly #listeners: Array<(change: WriteHealthChange) => void> = [];

  get failing(): boolean {
    return this.#failingSince !== null;
  }

  onChange(listener: (change: WriteHealthChange) => void): void {
    this.#listeners.push(listener);
  }

  #lastFailure = -Infinity;

  failed(file: string, error: unknown): void {
    this.#refused += 1;
    this.#lastFailure = performance.now();
    if (this.#failingSince !== null) return;
    this.#failingSince = this.#lastFailure;
    const change = { state: 'failing' as const, file, code: errnoOf(error), message: String((error as Error)?.message ?? error) };
    for (const listener of this.#listeners) listener(change);
  }

  /** A write that started at `startedAt` (performance.now()) is on disk. */
  succeeded(startedAt: number): void {
    // One that began before the last failure (e.g. got its bytes out just before the disk filled)
    // says nothing about the disk now.
    if (this.#failingSince === null || startedAt < this.#lastFailure) return;
    if (performance.now() - this.#lastFailure < this.quietMs) return;
    const change = { state: 'recovered' as const, refused: this.#refused, seconds: (performance.now() - this.#failingSince) / 1000 };
    this.#failingSince = null;
    this.#refused = 0;
    for (const listener of this.#listeners) listener(change);
  }
}
