// A consistent copy of a data folder that another process may be writing, for readers that must not
// take the lock (the report command, backups) and for checks. Set-aside journals are copied first,
// then journals, then snapshots: if the writer compacts in between, the newer snapshot already holds
// every journal line, and lines it holds are skipped on replay by their sequence numbers. One race
// is left, and its copy does not replay (a gap in the sequence): a journal set aside after the copy
// looked for it, whose snapshot was not yet written when the copy read the snapshot. Callers that
// replay the copy take another one then (backup.ts does). A file that vanishes while the copy is
// made (a journal set aside, a set-aside journal removed) fails the copy with ENOENT: skipping it
// could silently leave out acknowledged changes.
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface FolderCopy {
  dir: string;
  /** The data files copied (snapshots and journals). */
  files: string[];
  remove(): Promise<void>;
}

/** Copies the data files of `dir` (not backups, locks or temporary files) into a new temporary folder. */
export async function copyDataFolder(dir: string): Promise<FolderCopy> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'gongkai-copy-'));
  const files = await copyDataFiles(dir, copy);
  return { dir: copy, files, remove: () => rm(copy, { recursive: true, force: true }) };
}

/**
 * Copies the data files of `dir` into the existing folder `into`, in the order above; with
 * `holidays`, also the calendars staff uploaded (DATA_DIR/holidays); with `keys`, the keys made in
 * the folder (document-link.key: links already sent to applicants keep working after a restore).
 * Returns the paths copied.
 */
export async function copyDataFiles(dir: string, into: string, options: { holidays?: boolean; keys?: boolean } = {}): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
  const retired = names.filter((n) => n.endsWith('.journal.old'));
  const journals = names.filter((n) => n.endsWith('.journal'));
  const snapshots = names.filter((n) => n.endsWith('.json'));
  const keys = options.keys ? names.filter((n) => n.endsWith('.key')) : [];
  const copied = [...retired, ...journals, ...snapshots, ...keys];
  for (const name of copied) await copyFile(path.join(dir, name), path.join(into, name));
  if (options.holidays && entries.some((e) => e.isDirectory() && e.name === 'holidays')) {
    await mkdir(path.join(into, 'holidays'), { recursive: true });
    for (const name of (await readdir(path.join(dir, 'holidays'))).filter((n) => /^\d{4}\.json$/.test(n))) {
      await copyFile(path.join(dir, 'holidays', name), path.join(into, 'holidays', name));
      copied.push(`holidays/${name}`);
    }
  }
  return copied;
}
