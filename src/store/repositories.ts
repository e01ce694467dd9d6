// The repositories of one server, on the engine the configuration picks: the embedded store (a data
// folder of lowdb files with journals, one process; the default) or PostgreSQL (DATABASE_URL; any
// number of instances). Services receive repositories and never learn which engine holds them;
// each concern's repository interface is declared beside its embedded implementation
// (src/store/<concern>-repo.ts), and the PostgreSQL one implements the same interface
// (src/store/pg/<concern>-repo.ts).
import type { Store } from './store.js';
import type { WriteHealth } from './write-faults.js';
import { LocalCoordination, type Coordination } from './coordination.js';
import { AccountsRepo, type AccountsRepository } from './accounts-repo.js';
import { ApplicationsRepo, type ApplicationsRepository } from './applications-repo.js';
import { AuditRepo, type AuditRepository } from './audit-repo.js';
import { CatalogRepo, type CatalogRepository } from './catalog-repo.js';
import { ConversationsRepo, type ConversationsRepository } from './conversations-repo.js';
import { GuideAdditionsRepo, type GuideAdditionsRepository } from './guide-additions-repo.js';
import { IdentitiesRepo, type IdentitiesRepository } from './identities-repo.js';
import { NotifyRepo, type NotifyRepository } from './notify-repo.js';
import { ReportRepo, type ReportRepository } from './report-repo.js';
import { PushLedgerRepo, SubscribersRepo, type PushLedgerRepository, type SubscribersRepository } from './subscribers-repo.js';

export type EngineName = 'embedded' | 'postgres';

export interface Repositories {
  engine: EngineName;
  accounts: AccountsRepository;
  applications: ApplicationsRepository;
  audit: AuditRepository;
  catalog: CatalogRepository;
  conversations: ConversationsRepository;
  guideAdditions: GuideAdditionsRepository;
  identities: IdentitiesRepository;
  notify: NotifyRepository;
  report: ReportRepository;
  subscribers: SubscribersRepository;
  pushLedger: PushLedgerRepository;
  /** What several instances agree on: job runs, the WeChat access token, shared secrets. */
  coordination: Coordination;
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
    coordination: new LocalCoordination(),
    health: store.health,
    onWrite: (listener) => store.onWrite(listener),
  };
}
