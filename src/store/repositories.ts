// The repositories of one server, on the engine the configuration picks: the embedded store (a data
// folder of lowdb files with journals, one process; the default) or PostgreSQL (DATABASE_URL; any
// number of instances). Services receive repositories and never learn which engine holds them;
// each concern's repository interface is declared beside its embedded implementation
// (src/store/<concern>-repo.ts), and the PostgreSQL one implements the same interface
// (src/store/pg/<concern>-repo.ts).
import type { Store } from './store.js';
import type { WriteHealth } from './write-faults.js';
import { AccountsRepo } from './accounts-repo.js';
import { ApplicationsRepo } from './applications-repo.js';
import { AuditRepo } from './audit-repo.js';
import { CatalogRepo } from './catalog-repo.js';
import { ConversationsRepo } from './conversations-repo.js';
import { GuideAdditionsRepo } from './guide-additions-repo.js';
import { IdentitiesRepo } from './identities-repo.js';
import { NotifyRepo, type NotifyRepository } from './notify-repo.js';
import { ReportRepo } from './report-repo.js';
import { PushLedgerRepo, SubscribersRepo } from './subscribers-repo.js';

export type EngineName = 'embedded' | 'postgres';

export interface Repositories {
  engine: EngineName;
  accounts: AccountsRepo;
  applications: ApplicationsRepo;
  audit: AuditRepo;
  catalog: CatalogRepo;
  conversations: ConversationsRepo;
  guideAdditions: GuideAdditionsRepo;
  identities: IdentitiesRepo;
  notify: NotifyRepository;
  report: ReportRepo;
  subscribers: SubscribersRepo;
  pushLedger: PushLedgerRepo;
  /** Whether writes work (a full disk, a database that went away); the log says when this changes. */
  health: WriteHealth;
  /** Reports the duration of every durable write (the metrics). */
  onWrite(listener: (write: { file: string; seconds: number; ok: boolean }) => void): void;
}

/** Opens every repository of the embedded store in `store` (its data folder, already locked). */
export async function openEmbeddedRepositories(store: Store, clock: () => Date): Promise<Repositories> {
  const [accounts, applications, audit, catalog, conversations, guideAdditions, identities, notify, report, subscribers, pushLedger] = await Promise.all([
    AccountsRepo.open(store),
    ApplicationsRepo.open(store),
    AuditRepo.open(store),
    CatalogRepo.open(store),
    ConversationsRepo.open(store),
    GuideAdditionsRepo.open(store),
    IdentitiesRepo.open(store),
    NotifyRepo.open(store),
    ReportRepo.open(store, clock),
    SubscribersRepo.open(store),
    PushLedgerRepo.open(store),
  ]);
  return {
    engine: 'embedded',
    accounts,
    applications,
    audit,
    catalog,
    conversations,
    guideAdditions,
    identities,
    notify,
    report,
    subscribers,
    pushLedger,
    health: store.health,
    onWrite: (listener) => store.onWrite(listener),
  };
}
