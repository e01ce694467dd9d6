// Which files in a folder a piece of work wrote: modification time and size of each, before and after.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export type FileStates = Map<string, string>;

/** Every file under `dir` (relative path → "mtime:size"). */
export async function fileStates(dir: string): Promise<FileStates> {
  const states: FileStates = new Map();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.relative(dir, path.join(entry.parentPath, entry.name));
    try {
      const s = await stat(path.join(dir, file));
      states.set(file, `${s.mtimeMs}:${s.size}`);
    } catch {
      // A temporary file renamed away between the listing and the stat.
    }
  }
  return states;
}

/** The files created, changed or removed between two snapshots, sorted. */
export function changedFiles(before: FileStates, after: FileStates): string[] {
  const files = new Set([...before.keys(), ...after.keys()]);
  return [...files].filter((f) => before.get(f) !== after.get(f)).sort();
}
