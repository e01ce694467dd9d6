// The repositories of one server, on the engine the configuration picks: the embedded store (a data
// folder of lowdb files with journals, one process; the default) or PostgreSQL (DATABASE_URL; any
// number of instances). Services receive repositories and never learn which engine holds them;
// each concern's repository interface is declared beside its embedded implementation
// (src/store/<concern>-repo.ts), and the PostgreSQL one implements the same interface
// (src/store/pg/<concern>-repo.ts).
import { Store } from './store.js';
import type { WriteFaults, WriteHealth } from './write-faults.js';
import { maskPassword } from '../config.js';
import { Database } from './pg/database.js';
import { migrate } from './pg/migrate.js';
import { PgCoordination } from './pg/coordination.js';
import { Heartbeat } from './pg/instance.js';
import { pgUploadedCalendars } from './pg/holiday-calendars.js';
import { uploadedCalendarsIn, type UploadedCalendars } from './holiday-files.js';
import { PgAccountsRepo } from './pg/accounts-repo.js';
import { PgApplicationsRepo } from './pg/applications-repo.js';
import { PgAuditRepo } from './pg/audit-repo.js';
import { PgCatalogRepo } from './pg/catalog-repo.js';
import { PgConversationsRepo } from './pg/conversations-repo.js';
import { PgGuideAdditionsRepo } from './pg/guide-additions-repo.js';
import { PgIdentitiesRepo } from './pg/identities-repo.js';
import { PgNotifyRepo } from './pg/notify-repo.js';
import { PgReportRepo } from './pg/report-repo.js';
import { PgPushLedgerRepo, PgSubscribersRepo } from './pg/subscribers-repo.js';
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
  /** Holiday calendars staff uploaded (next year's, once announced). */
  calendars: UploadedCalendars;
  /** Whether writes work (a full disk, a database that went away); the log says when this changes. */
  health: WriteHealth;
  /** Reports the duration of every durable write (the metrics). */
  onWrite(listener: (write: { file: string; seconds: number; ok: boolean }) => void): void;
}

/** The repositories a server opened, and what closes them. */
export interface OpenedRepositories extends Repositories {
  /** The embedded engine's data folder (null on PostgreSQL, where backups are pg_dump's). */
  store: Store | null;
  /** PostgreSQL only: the database connection. */
  database: Database | null;
  /** What the start log says about the engine (never a password). */
  describe: Record<string, unknown>;
  close(): Promise<void>;
}

export interface OpenOptions {
  dataDir: string;
  /** DATABASE_URL: PostgreSQL when set. */
  databaseUrl: string | null;
  clock: () => Date;
  /** Test seam of the embedded store (src/store/write-faults.ts). */
  faults?: WriteFaults;
}

/**
 * Opens the repositories on the engine the configuration picks. PostgreSQL: the schema is brought
 * up to date first (under an advisory lock, refusing a newer schema: src/store/pg/migrate.ts), and
 * the server beats as an instance until it closes them (src/store/pg/instance.ts).
 */
export async function openRepositories(options: OpenOptions): Promise<OpenedRepositories> {
  if (options.databaseUrl) {
    const database = new Database(options.databaseUrl);
    // While this server runs the others see it alive, and take over what it held once it is not.
    const heartbeat = new Heartbeat(database);
    try {
      const applied = await migrate(database);
      const repos = await openPostgresRepositories(database, options.clock);
      await heartbeat.start();
      return {
        ...repos,
        store: null,
        database,
        describe: { engine: 'postgres', database: maskPassword(options.databaseUrl), migrationsApplied: applied, instance: database.instance.id },
        close: async () => {
          await heartbeat.stop();
          await database.close();
        },
      };
    } catch (error) {
      await heartbeat.stop().catch(() => {});
      await database.close().catch(() => {});
      throw error;
    }
  }
  const store = await Store.open(options.dataDir, options.clock, { faults: options.faults });
  try {
    const repos = await openEmbeddedRepositories(store, options.clock);
    return { ...repos, store, database: null, describe: { engine: 'embedded', dataDir: options.dataDir }, close: () => store.close() };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

/** The repositories proper: what each engine implements once per concern (and moves, store:migrate). */
export const CONCERNS = ['accounts', 'applications', 'audit', 'catalog', 'conversations', 'guideAdditions', 'identities', 'notify', 'report', 'subscribers', 'pushLedger'] as const;
export type ConcernName = (typeof CONCERNS)[number];

/** Opens each concern's repository, all at once. */
async function openEach(openers: { [K in ConcernName]: () => Promise<Repositories[K]> }): Promise<Pick<Repositories, ConcernName>> {
  const names = Object.keys(openers) as ConcernName[];
  const opened = await Promise.all(names.map((name) => openers[name]()));
  return Object.fromEntries(names.map((name, i) => [name, opened[i]])) as Pick<Repositories, ConcernName>;
}

/** Opens every repository of the PostgreSQL engine on `database` (already migrated). */
export async function openPostgresRepositories(database: Database, clock: () => Date): Promise<Repositories> {
  const concerns = await openEach({
    accounts: () => PgAccountsRepo.open(database),
    applications: () => PgApplicationsRepo.open(database),
    audit: () => PgAuditRepo.open(database),
    catalog: () => PgCatalogRepo.open(database),
    conversations: () => PgConversationsRepo.open(database),
    guideAdditions: () => PgGuideAdditionsRepo.open(database),
    identities: () => PgIdentitiesRepo.open(database),
    notify: () => PgNotifyRepo.open(database),
    report: () => PgReportRepo.open(database, clock),
    subscribers: () => PgSubscribersRepo.open(database),
    pushLedger: () => PgPushLedgerRepo.open(database),
  });
  return {
    engine: 'postgres',
    ...concerns,
    coordination: new PgCoordination(database),
    calendars: pgUploadedCalendars(database),
    health: database.health,
    onWrite: (listener) => database.onWrite(listener),
  };
}

/** Opens every repository of the embedded store in `store` (its data folder, already locked). */
export async function openEmbeddedRepositories(store: Store, clock: () => Date): Promise<Repositories> {
  const concerns = await openEach({
    accounts: () => AccountsRepo.open(store),
    applications: () => ApplicationsRepo.open(store),
    audit: () => AuditRepo.open(store),
    catalog: () => CatalogRepo.open(store),
    conversations: () => ConversationsRepo.open(store),
    guideAdditions: () => GuideAdditionsRepo.open(store),
    identities: () => IdentitiesRepo.open(store),
    notify: () => NotifyRepo.open(store),
    report: () => ReportRepo.open(store, clock),
    subscribers: () => SubscribersRepo.open(store),
    pushLedger: () => PushLedgerRepo.open(store),
  });
  return {
    engine: 'embedded',
    ...concerns,
    coordination: new LocalCoordination(),
    calendars: uploadedCalendarsIn(store.dir),
    health: store.health,
    onWrite: (listener) => store.onWrite(listener),
  };
}
