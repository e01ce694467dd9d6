// Data files hold full ID numbers, phone numbers and password hashes: only the server's own user
// may read them (issue 19, finding 9). Every file the store creates is 0600 and every folder 0700;
// at start, files and folders left more open by an older version (or a restored backup) are fixed.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

export interface Tightened {
  files: number;
  folders: number;
}

/** Takes group and other permissions away from `dir` and everything under it; says how many changed. */
export async function tightenDataFolder(dir: string): Promise<Tightened> {
  const fixed: Tightened = { files: 0, folders: 0 };
  const visit = async (target: string): Promise<void> => {
    let stat;
    try {
      stat = await fs.lstat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile
      throw error;
    }
    // A symbolic link is the operator's choice (e.g. backups on another disk): left alone.
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if (stat.mode & 0o077) {
        await fs.chmod(target, (stat.mode & 0o700) | PRIVATE_DIR);
        fixed.folders += 1;
      }
      for (const name of await fs.readdir(target)) await visit(path.join(target, name));
    } else if (stat.isFile() && stat.mode & 0o077) {
      await fs.chmod(target, (stat.mode & 0o700) | PRIVATE_FILE);
      fixed.files += 1;
    }
  };
  await visit(dir);
  return fixed;
}

/** mkdir -p with private folders (the mode applies to folders it creates). */
export async function makePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
}
