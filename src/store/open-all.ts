// Every data file the server opens, opened the way the server opens it (migrations, checks, journal
// replay). A backup is verified, and a restore tried, by opening its copy with this before anyone
// relies on it. It opens what the server opens (openEmbeddedRepositories); a file nobody opens there
// is still copied, checksummed and counted, just not replayed.
import path from 'node:path';
import type { Store } from './store.js';
import { takeBackup } from './backup.js';
import { openEmbeddedRepositories } from './repositories.js';

export async function openEveryFile(store: Store): Promise<void> {
  await openEmbeddedRepositories(store, () => new Date());
}

/**
 * Writes a verified backup with its manifest into the data folder's backups/<stamp>/ and returns
 * that folder (the nightly job and POST /admin/v1/jobs/backup/run).
 */
export async function backupStore(store: Store, now: Date): Promise<string> {
  return (await takeBackup(store.dir, path.join(store.dir, 'backups'), { now, openAll: openEveryFile })).folder;
}
