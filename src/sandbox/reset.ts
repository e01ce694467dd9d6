// Wipes the runtime data folder (DATA_DIR) so that the sandbox starts as fresh as a new clone:
// `npm run sandbox:reset`, or `tsx src/sandbox/reset.ts --data-dir DIR` for a folder elsewhere.
//
// Deleting a folder's contents is the one thing here that can do real harm, so it refuses unless
// the folder is plainly runtime data: inside the project's data/runtime, or named explicitly and
// looking like a data folder; never the project's own content, the project, the home folder or the
// root; never while a server holds the folder's lock.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../store/store.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Files the store writes; a folder named on the command line must hold one (or nothing at all). */
const STORE_MARKERS = ['.lock', 'applications.json', 'staff.json', 'sessions.json', 'conversations.json', 'wechat-inbox.json', 'catalog.json', 'notify.json'];

export interface ResetCheck {
  /** Absolute, symlinks resolved. */
  target: string;
  /** Absolute, symlinks resolved. */
  projectRoot: string;
  home: string;
  /** Named on the command line (--data-dir), not taken from DATA_DIR or the default. */
  explicit: boolean;
  /** The folder's entries, or null when it does not exist. */
  entries: string[] | null;
  /** The pid in the folder's .lock when that process is alive, else null. */
  lockHolder: number | null;
}

export class ResetRefused extends Error {
  override readonly name = 'ResetRefused';
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Why this folder must not be wiped, or null when it may. Pure: the caller gathers the facts. */
export function resetRefusal(check: ResetCheck): string | null {
  const { target, projectRoot, home, explicit, entries, lockHolder } = check;
  const dataDir = path.join(projectRoot, 'data');
  const runtimeDir = path.join(dataDir, 'runtime');

  if (!path.isAbsolute(target)) return `${target} is not an absolute path`;
  if (target === path.parse(target).root) return `${target} is the root of the file system`;
  if (isInside(projectRoot, target)) return `${target} contains the project itself`;
  if (isInside(home, target)) return `${target} is the home folder or contains it`;
  if (isInside(target, dataDir) && !isInside(target, runtimeDir)) {
    return `${target} holds the office's own content (data/), not runtime data; only data/runtime may be reset`;
  }
  if (!isInside(target, runtimeDir) && !explicit) {
    return `DATA_DIR (${target}) is outside the project's data/runtime folder; name it with --data-dir to reset it anyway`;
  }
  if (entries !== null && entries.length > 0 && !isInside(target, runtimeDir) && !entries.some((e) => STORE_MARKERS.includes(e))) {
    return `${target} does not look like a Gongkai data folder (none of ${STORE_MARKERS.join(', ')} is in it)`;
  }
  if (lockHolder !== null) return `a server (process ${lockHolder}) is using ${target}; stop it first`;
  return null;
}

async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return p;
  }
}


/** Gathers the facts about `target` and removes everything in it, or throws ResetRefused. */
export async function resetDataDir(options: { target: string; explicit: boolean; projectRoot?: string; home?: string }): Promise<{ dir: string; removed: string[] }> {
  const target = await realpathOrSelf(path.resolve(options.target));
  const projectRoot = await realpathOrSelf(path.resolve(options.projectRoot ?? PROJECT_ROOT));
  const home = await realpathOrSelf(options.home ?? os.homedir());
  const entries = await fs.readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  const lockPid = entries?.includes('.lock') ? Number(await fs.readFile(path.join(target, '.lock'), 'utf8').catch(() => '')) : 0;
  const lockHolder = lockPid > 0 && isProcessAlive(lockPid) ? lockPid : null;

  const refusal = resetRefusal({ target, projectRoot, home, explicit: options.explicit, entries, lockHolder });
  if (refusal) throw new ResetRefused(refusal);
  for (const entry of entries ?? []) await fs.rm(path.join(target, entry), { recursive: true, force: true });
  return { dir: target, removed: entries ?? [] };
}

/** Command line: [--data-dir DIR]; otherwise DATA_DIR, or data/runtime, as the server reads it. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const flag = argv.indexOf('--data-dir');
  const named = flag >= 0 ? argv[flag + 1] : undefined;
  if (flag >= 0 && !named) {
    process.stderr.write('--data-dir needs a folder\n');
    return 2;
  }
  const fromEnv = env.DATA_DIR?.trim() || 'data/runtime';
  try {
    const { dir, removed } = await resetDataDir({ target: path.resolve(cwd, named ?? fromEnv), explicit: named !== undefined });
    process.stdout.write(`Reset ${dir}: removed ${removed.length} ${removed.length === 1 ? 'entry' : 'entries'}. The next start seeds the demo data again.\n`);
    return 0;
  } catch (error) {
    if (error instanceof ResetRefused) {
      process.stderr.write(`Not reset: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2), process.env, process.cwd());
}
