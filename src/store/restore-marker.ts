// A restore swaps a backup's files into the data folder one rename at a time. A marker is on disk
// before the first rename and removed after the last, so a restore cut short (a crash, a power cut,
// Ctrl-C) leaves a folder no server starts on: half the files from the backup and half from before
// would look like data, but be neither.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { syncFolder, writeFileDurably } from './durable-json-file.js';

export const RESTORE_MARKER = '.restore-in-progress';

export interface RestoreMarker {
  /** The backup folder being restored. */
  backup: string;
  startedAt: string;
  /** Where the folder's previous files were moved (relative to the data folder). */
  previous: string;
}

export class HalfRestoredError extends Error {
  constructor(
    readonly dir: string,
    readonly marker: RestoreMarker | null,
  ) {
    const from = marker ? ` from ${marker.backup} (started ${marker.startedAt})` : '';
    const previous = marker ? ` The files the folder held before are in ${path.join(dir, marker.previous)}.` : '';
    const again = marker ? `npm run restore -- ${marker.backup}` : 'npm run restore -- <backup folder>';
    super(
      `DATA_DIR ${dir} is half-restored: a restore${from} did not finish, so the folder holds part of the backup ` +
        `and part of what was there before. The server will not start on it. Run "${again}" again to finish the restore ` +
        `(it checks the backup first).${previous}`,
    );
    this.name = 'HalfRestoredError';
  }
}

export async function readRestoreMarker(dir: string): Promise<RestoreMarker | null | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, RESTORE_MARKER), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as RestoreMarker;
  } catch {
    return null; // torn by the crash that stopped the restore: still a half-restored folder
  }
}

/** Throws HalfRestoredError if a restore into `dir` was started and not finished. */
export async function refuseHalfRestored(dir: string): Promise<void> {
  const marker = await readRestoreMarker(dir);
  if (marker !== undefined) throw new HalfRestoredError(dir, marker);
}

export async function writeRestoreMarker(dir: string, marker: RestoreMarker): Promise<void> {
  await writeFileDurably(path.join(dir, RESTORE_MARKER), JSON.stringify(marker));
}

export async function removeRestoreMarker(dir: string): Promise<void> {
  await fs.rm(path.join(dir, RESTORE_MARKER), { force: true });
  await syncFolder(dir);
}
