// Backups of the embedded store that can be trusted, and their restore.
//
// A backup is taken while the server runs, without its lock: the data files are copied in an order
// that makes the copy replayable (folder-copy.ts), and the copy is then opened exactly as the server
// opens it (every repository: migrations, checks, journal replay, compaction). A copy caught in the
// middle of a compaction does not replay, and another is taken. What is kept is the opened copy
// (fresh snapshots, empty journals) with a manifest: format and program version, each file's
// schema version, size, SHA-256 and record counts. It holds every change acknowledged before the
// backup started.
//
// A restore checks every file against the manifest, copies the backup next to the data, opens that
// copy as the server would (a newer schema is refused there, an older one migrated after a backup of
// its bytes, as at any start), and only then swaps it in, under the data folder's lock, with a
// marker on disk for the duration (restore-marker.ts). What the folder held before is moved, never
// deleted, to DATA_DIR/backups/before-restore-<time>/.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreFileError, syncFolder, writeFileDurably } from './durable-json-file.js';
import { copyDataFiles } from './folder-copy.js';
import { makePrivateDir } from './permissions.js';
import { readRestoreMarker, refuseHalfRestored, removeRestoreMarker, RESTORE_MARKER, writeRestoreMarker, type RestoreMarker } from './restore-marker.js';
import { releaseLock, Store, takeLock } from './store.js';

export const MANIFEST = 'manifest.json';
const FORMAT = 'gongkai-backup';
const FORMAT_VERSION = 1;
const COPY_ATTEMPTS = 8;

export interface BackupFile {
  bytes: number;
  sha256: string;
  /** For a data file: its schema version and how many records each of its collections holds. */
  schemaVersion?: number;
  counts?: Record<string, number>;
}

export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  /** The program version that took the backup (package.json). */
  appVersion: string;
  createdAt: string;
  /** The data folder it was taken from. */
  source: string;
  /** Every file of the backup but the manifest, by its path inside the backup folder. */
  files: Record<string, BackupFile>;
}

/** Opens every data file of a store as the server does; see open-all.ts. */
export type OpenEveryFile = (store: Store) => Promise<void>;

/** A backup that cannot be trusted, or a restore that was refused; `problems` say what and why. */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'BackupError';
  }
}

export interface TakenBackup {
  folder: string;
  manifest: BackupManifest;
}

/** Takes a verified backup of `dataDir` into a new folder `<into>/<time>` and returns it. */
export async function takeBackup(dataDir: string, into: string, options: { openAll: OpenEveryFile; now?: Date }): Promise<TakenBackup> {
  const now = options.now ?? new Date();
  if (!existsSync(dataDir)) throw new BackupError(`The data folder ${dataDir} does not exist (check DATA_DIR)`);
  await refuseHalfRestored(dataDir);
  await makePrivateDir(into);
  let lastProblem: unknown;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    // Built in a hidden folder beside its final place, then renamed: a backup folder without a
    // dot is complete.
    const partial = await fs.mkdtemp(path.join(into, '.partial-'));
    try {
      await copyDataFiles(dataDir, partial, { holidays: true, keys: true });
      await openCopy(partial, options.openAll);
    } catch (error) {
      await fs.rm(partial, { recursive: true, force: true });
      // The copy met a compaction half-way (a gap in a journal's sequence, a file renamed away):
      // another copy a moment later will not.
      if (error instanceof StoreFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        lastProblem = error;
        await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
        continue;
      }
      throw error;
    }
    try {
      const manifest = await describe(partial, { createdAt: now.toISOString(), source: path.resolve(dataDir) });
      for (const file of Object.keys(manifest.files)) await syncFile(path.join(partial, file));
      if (existsSync(path.join(partial, 'holidays'))) await syncFolder(path.join(partial, 'holidays'));
      await writeFileDurably(path.join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      const folder = await freeName(into, stampOf(now));
      await fs.rename(partial, folder);
      await syncFolder(into);
      return { folder, manifest };
    } catch (error) {
      await fs.rm(partial, { recursive: true, force: true });
      throw error;
    }
  }
  throw new BackupError(`No consistent copy of ${dataDir} after ${COPY_ATTEMPTS} attempts`, [String((lastProblem as Error)?.message ?? lastProblem)]);
}

/** Checks a backup folder against its manifest; returns the manifest or throws BackupError listing every problem. */
export async function verifyBackup(folder: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(folder, MANIFEST), 'utf8')) as BackupManifest;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BackupError(
      code === 'ENOENT' ? `${folder} is not a backup: it has no ${MANIFEST}` : `${path.join(folder, MANIFEST)} cannot be read (${code ?? 'not valid JSON'})`,
    );
  }
  if (manifest?.format !== FORMAT || typeof manifest.files !== 'object' || manifest.files === null) {
    throw new BackupError(`${path.join(folder, MANIFEST)} is not a Gongkai backup manifest`);
  }
  if (!Number.isInteger(manifest.formatVersion) || manifest.formatVersion > FORMAT_VERSION) {
    throw new BackupError(
      `${folder} was written in backup format ${manifest.formatVersion} by version ${manifest.appVersion}, newer than this program knows (${FORMAT_VERSION}); restore it with that version or a newer one`,
    );
  }
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(manifest.files)) {
    if (name.includes('..') || path.isAbsolute(name)) {
      problems.push(`${name}: not a path inside the backup`);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path.join(folder, name));
    } catch (error) {
      problems.push(`${name}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot be read (${(error as NodeJS.ErrnoException).code})`}`);
      continue;
    }
    if (bytes.length !== expected.bytes) problems.push(`${name}: ${bytes.length} bytes, the manifest says ${expected.bytes}`);
    else if (sha256(bytes) !== expected.sha256) problems.push(`${name}: its SHA-256 differs from the manifest's (changed or damaged)`);
  }
  for (const name of await dataFilesIn(folder)) {
    if (!(name in manifest.files)) problems.push(`${name}: not in the manifest (added after the backup was taken)`);
  }
  if (problems.length) throw new BackupError(`The backup ${folder} does not match its manifest; nothing was restored`, problems);
  return manifest;
}

export interface Restored {
  manifest: BackupManifest;
  /** Where the folder's previous files went (absent when it held none). */
  previous: string | null;
}

/** Restores the backup in `backupDir` into `dataDir` (see the note at the top). The server must be stopped. */
export async function restoreBackup(backupDir: string, dataDir: string, options: { openAll: OpenEveryFile; now?: Date }): Promise<Restored> {
  const now = options.now ?? new Date();
  const manifest = await verifyBackup(backupDir);
  await makePrivateDir(dataDir);
  try {
    await takeLock(dataDir);
  } catch (error) {
    throw new BackupError(`${(error as Error).message}. Stop the server (systemctl stop gongkai) before restoring, then start it again`);
  }
  let staging: string | null = null;
  try {
    // The backup is copied next to the data (the same disk, so the swap is renames) and opened
    // there as the server would open it, before anything in the data folder is touched.
    staging = await fs.mkdtemp(path.join(dataDir, '.restore-staging-'));
    for (const name of Object.keys(manifest.files)) {
      await fs.mkdir(path.dirname(path.join(staging, name)), { recursive: true });
      await fs.copyFile(path.join(backupDir, name), path.join(staging, name));
    }
    await checkCopy(staging, manifest);
    try {
      await openCopy(staging, options.openAll);
    } catch (error) {
      throw new BackupError(`The backup ${backupDir} cannot be opened by this version of the program; nothing was restored`, [(error as Error).message]);
    }

    const stamp = stampOf(now);
    const earlier = await readRestoreMarker(dataDir);
    const previousName = path.join('backups', earlier === undefined ? `before-restore-${stamp}` : `interrupted-restore-${stamp}`);
    const marker: RestoreMarker = {
      backup: path.resolve(backupDir),
      startedAt: now.toISOString(),
      previous: earlier?.previous ?? previousName,
    };
    await writeRestoreMarker(dataDir, marker);

    const current = await swappable(dataDir);
    let previous: string | null = null;
    if (current.length) {
      previous = await freeName(path.join(dataDir, 'backups'), path.basename(previousName), true);
      await makePrivateDir(previous);
      for (const name of current) await fs.rename(path.join(dataDir, name), path.join(previous, name));
      await syncFolder(previous);
    }
    for (const name of await fs.readdir(staging)) {
      if (name.startsWith('.')) continue; // the trial's lock
      await fs.rename(path.join(staging, name), path.join(dataDir, name));
    }
    await syncFolder(dataDir);
    await removeRestoreMarker(dataDir);
    return { manifest, previous: earlier?.previous ? path.join(dataDir, earlier.previous) : previous };
  } finally {
    if (staging) await fs.rm(staging, { recursive: true, force: true });
    await releaseLock(dataDir);
  }
}

async function openCopy(dir: string, openAll: OpenEveryFile): Promise<void> {
  const store = await Store.open(dir);
  try {
    await openAll(store);
  } finally {
    await store.close();
  }
}

/** What a restore moves aside: the data files and uploaded calendars, not backups or the lock. */
async function swappable(dataDir: string): Promise<string[]> {
  return (await fs.readdir(dataDir)).filter((name) => name !== 'backups' && !name.startsWith('.'));
}

async function checkCopy(staging: string, manifest: BackupManifest): Promise<void> {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(manifest.files)) {
    if (sha256(await fs.readFile(path.join(staging, name))) !== expected.sha256) problems.push(`${name}: changed while it was copied`);
  }
  if (problems.length) throw new BackupError('The backup could not be copied faithfully; nothing was restored', problems);
}

/** The files of a backup folder (or a copy of the data), relative, without hidden files and the manifest. */
async function dataFilesIn(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === MANIFEST) continue;
    if (entry.isFile()) out.push(entry.name);
    else if (entry.isDirectory()) for (const inner of await fs.readdir(path.join(folder, entry.name))) out.push(`${entry.name}/${inner}`);
  }
  return out.sort();
}

async function describe(folder: string, about: { createdAt: string; source: string }): Promise<BackupManifest> {
  const files: Record<string, BackupFile> = {};
  for (const name of await dataFilesIn(folder)) {
    const bytes = await fs.readFile(path.join(folder, name));
    files[name] = { bytes: bytes.length, sha256: sha256(bytes), ...contentOf(name, bytes) };
  }
  return { format: FORMAT, formatVersion: FORMAT_VERSION, appVersion: appVersion(), ...about, files };
}

/** A data file's schema version and its collections' sizes (list lengths, map sizes). */
function contentOf(name: string, bytes: Buffer): Pick<BackupFile, 'schemaVersion' | 'counts'> {
  if (!name.endsWith('.json') || name.includes('/')) return {};
  let envelope: { schemaVersion?: unknown; data?: unknown };
  try {
    envelope = JSON.parse(bytes.toString('utf8'));
  } catch {
    return {};
  }
  if (typeof envelope?.schemaVersion !== 'number') return {};
  // A journaled file's snapshot wraps the state: {lastSeq, state}.
  const data = envelope.data as Record<string, unknown> | null;
  const state = (data && typeof data === 'object' && 'lastSeq' in data && 'state' in data ? data.state : data) as Record<string, unknown> | null;
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(state ?? {})) {
    if (Array.isArray(value)) counts[key] = value.length;
    else if (value && typeof value === 'object') counts[key] = Object.keys(value).length;
  }
  return { schemaVersion: envelope.schemaVersion, counts };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function syncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function stampOf(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** `<parent>/<name>`, or `<name>-2`, `-3`… if taken (two backups within one second). */
async function freeName(parent: string, name: string, create = false): Promise<string> {
  if (create) await makePrivateDir(parent);
  for (let n = 1; ; n++) {
    const candidate = path.join(parent, n === 1 ? name : `${name}-${n}`);
    if (!existsSync(candidate)) return candidate;
  }
}

let version: string | undefined;
/** This program's version, from the package.json above this file (also from the compiled build). */
function appVersion(): string {
  if (version) return version;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gongkai' && pkg.version) return (version = pkg.version);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (version = 'unknown');
    dir = parent;
  }
}

export { RESTORE_MARKER };
