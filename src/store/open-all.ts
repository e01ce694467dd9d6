// Every data file the server opens, opened the way the server opens it (migrations, checks, journal
// replay). A backup is verified, and a restore tried, by opening its copy with this before anyone
// relies on it. A repository added to main.ts belongs here too; a file nobody opens here is still
// copied, checksummed and counted, just not replayed.
import path from 'node:path';
import type { Store } from './store.js';
import { takeBackup } from './backup.js';
import { IdentitiesRepo } from './identities-repo.js';
import { AccountsRepo } from './accounts-repo.js';
import { ApplicationsRepo } from './applications-repo.js';
import { AuditRepo } from './audit-repo.js';
import { CatalogRepo } from './catalog-repo.js';
import { ConversationsRepo } from './conversations-repo.js';
import { GuideAdditionsRepo } from './guide-additions-repo.js';
import { NotifyRepo } from './notify-repo.js';
import { ReportRepo } from './report-repo.js';
import { PushLedgerRepo, SubscribersRepo } from './subscribers-repo.js';

export async function openEveryFile(store: Store): Promise<void> {
  await Promise.all([
    AccountsRepo.open(store),
    ApplicationsRepo.open(store),
    AuditRepo.open(store),
    CatalogRepo.open(store),
    ConversationsRepo.open(store),
    GuideAdditionsRepo.open(store),
    NotifyRepo.open(store),
    ReportRepo.open(store),
    SubscribersRepo.open(store),
    PushLedgerRepo.open(store),
    IdentitiesRepo.open(store),
  ]);
}

/**
 * Writes a verified backup with its manifest into the data folder's backups/<stamp>/ and returns
 * that folder (the nightly job and POST /admin/v1/jobs/backup/run).
 */
export async function backupStore(store: Store, now: Date): Promise<string> {
  return (await takeBackup(store.dir, path.join(store.dir, 'backups'), { now, openAll: openEveryFile })).folder;
}
