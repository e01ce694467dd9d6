// A consistent copy of a data folder that another process may be writing, for readers that must not
// take the lock (the report command) and for checks. Journals are copied before snapshots: if the
// writer compacts in between, the newer snapshot already holds every journal line, and lines it
// holds are skipped on replay by their sequence numbers.
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
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
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
  const journals = names.filter((n) => n.endsWith('.journal'));
  const snapshots = names.filter((n) => n.endsWith('.json'));
  const copy = await mkdtemp(path.join(os.tmpdir(), 'gongkai-copy-'));
  for (const name of [...journals, ...snapshots]) await copyFile(path.join(dir, name), path.join(copy, name));
  return { dir: copy, files: [...journals, ...snapshots], remove: () => rm(copy, { recursive: true, force: true }) };
}
