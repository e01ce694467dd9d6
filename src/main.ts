// Composition root: config → store → services → modules → Koa app (listening) → guide and bot
// behind it → jobs, and a graceful shutdown that stops taking work, lets running requests and jobs
// finish, and closes the store last. Every concern joins the server as a Module (src/module.ts),
// built with its dependencies; this file lists them and hands each part to its host.
import type { Server } from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, securityWarnings, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { Store } from './store/store.js';
import { backupStore } from './store/open-all.js';
import { openRepositories, type OpenedRepositories } from './store/repositories.js';
import type { WriteFaults } from './store/write-faults.js';
import { createApp } from './app.js';
import { HttpError } from './http/errors.js';
import { Late } from './late.js';
import { gatherModules, type Module } from './module.js';
import { StaffAccounts } from './accounts/staff-accounts.js';
import { MiniProgramSessions, type CodeExchange } from './accounts/mp-sessions.js';
import { IdentityLinks } from './accounts/identity-links.js';
import { createIdentityLinkChat, identityModule } from './accounts/identity-routes.js';
import { ApplicationsService } from './applications/service.js';
import { CalendarSource } from './applications/calendar-source.js';
import { WechatApiClient } from './wechat/api-client.js';
import { createFakeWechatApi, type FakeWechatApi } from './wechat/fake-api.js';
import { loadAgency, type Agency } from './agency.js';
import { startGuideService, type GuideService } from './guide/service.js';
import { guideModule } from './guide/module.js';
import { createMiniProgramApi } from '../miniprogram-api/router.js';
import { createAdminApi } from './admin/api.js';
import { calendarModule } from './admin/calendar-routes.js';
import { createConsoleRouter } from './admin/console/index.js';
import { loadDocumentTemplates } from './documents/index.js';
import { ApplicantLinks, loadLinkKey } from './documents/applicant-links.js';
import { ApplicantDocuments } from './documents/applicant-routes.js';
import { documentsModule } from './documents/module.js';
import { createChatModule } from '../bot/module.js';
import { createSandboxRouter } from './sandbox/router.js';
import { loadNotifyTemplates, officeInfo, type Notify } from './notify/index.js';
import { createNotifyModule } from './notify/module.js';
import { backupJob, createJobs, type Jobs } from './jobs/jobs.js';
import type { Catalog } from './catalog/index.js';
import { openCatalogModule } from './catalog/module.js';
import { reportModule } from './report/module.js';
import { seedDemo } from './sandbox/demo.js';
import { sandboxStartBanner } from './sandbox/banner.js';
import { Metrics } from './metrics/metrics.js';
import { createMetricsRouter } from './metrics/route.js';
import { cachedFor, openRequests } from './metrics/requests.js';

export const SANDBOX_SECRET = 'sandbox-secret';
export const SANDBOX_API_PREFIX = '/__sandbox/wechat-api';

export interface Running {
  config: Config;
  server: Server;
  url: string;
  /** The embedded engine's data folder; null on PostgreSQL. */
  store: Store | null;
  logger: Logger;
  services: {
    accounts: StaffAccounts;
    applications: ApplicationsService;
    calendar: CalendarSource;
    guide: GuideService;
    agency: Agency;
    notify: Notify;
    jobs: Jobs;
    catalog: Catalog;
  };
  /** The repositories, on the engine the configuration picked (tests look into them directly). */
  repos: OpenedRepositories;
  metrics: Metrics;
  wechat: WechatApiClient;
  /** The in-process fake WeChat API; only in sandbox mode. */
  fakeWechat: FakeWechatApi | null;
  /** In sandbox mode without ADMIN_* variables: the generated first admin, shown once at start. */
  firstAdmin: { username: string; password: string } | null;
  /**
   * Settles when what loads behind the listening server is up: the guide's index and the bot
   * (Wechaty), or when a stop came before the bot began to load (it is then not loaded). Requests
   * that need them wait for them meanwhile. Rejects if either fails to load, which is a failed start.
   */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: () => Date;
  /** Test seam: writes of the store fail or wait where a test says (src/store/write-faults.ts). */
  storeFaults?: WriteFaults;
  /**
   * Resolve as soon as the server listens, with the guide and the bot still loading behind it
   * (`Running.ready`), as `npm start` does. By default start() resolves when everything is up.
   */
  returnWhenListening?: boolean;
  /** Tests: the guide and the bot start loading only once this settles (and the server listens). */
  holdWarmUp?: Promise<unknown>;
}

export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? (() => new Date());
  const sandbox = config.mode === 'sandbox';

  const repos = await openRepositories({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, clock, faults: options.storeFaults });
  logStoreHealth(repos, config, logger);
  try {
    // What exists only once the server listens: its own address, and the WeChat client whose
    // sandbox base URL is that address (src/late.ts).
    const ownUrl = new Late<string>('the server address');
    const wechat = new Late<WechatApiClient>('the WeChat client');
    // Two dependency cycles, each closed below once both ends exist. The outbox reads requests, and
    // a saved request rings the outbox: a ring before notify exists (the demo seed) is dropped, and
    // the outbox's first pass sends what it wrote. Subscriptions ask who a person is, and a new
    // identity link merges that person's subscriptions.
    const outbox = new Late<Notify>('the notifications');
    const subscriptions = new Late<Catalog['subscriptions']>('the subscriptions');

    const { accounts: accountsRepo, applications: applicationsRepo, conversations, notify: notifyRepo, identities: identitiesRepo, report: reportRepo } = repos;
    const agency = await loadAgency(config.contentDir);
    const calendar = await CalendarSource.open(config.contentDir, repos.calendars);
    const documentTemplates = await loadDocumentTemplates(config.contentDir);
    const metrics = new Metrics({
      outbox: () => notifyRepo.deliveryGauges(),
      openRequests: cachedFor(1000, async () => openRequests(await applications.open(), calendar.current(), applications.today())),
    });
    repos.onWrite((write) => metrics.storeWrite(write));

    // The guide's index is built behind the listening server (about half a second); its readers
    // wait for `guide.ready`. With what staff added from the console's 未答问题 page merged in.
    let listened!: () => void;
    const listenedOnce = new Promise<void>((resolve) => (listened = resolve));
    const warmUp = options.holdWarmUp ? Promise.all([listenedOnce, options.holdWarmUp]) : listenedOnce;
    const guide = startGuideService(config.contentDir, agency, repos.guideAdditions, clock, warmUp);

    const fakeWechat = sandbox
      ? createFakeWechatApi({
          appid: config.wechat.appid,
          secret: SANDBOX_SECRET,
          mpAppid: config.miniProgram.appid,
          mpSecret: SANDBOX_SECRET,
          prefix: SANDBOX_API_PREFIX,
        })
      : null;

    const accounts = new StaffAccounts(accountsRepo, clock, { audit: repos.audit });
    const firstAdmin = await accounts.ensureFirstAdmin(config.admin, sandbox);
    // One citizen, two identities: the chat's and the mini-program's openids, linked by UnionID or a link code.
    const identities = new IdentityLinks(identitiesRepo, { clock, onLink: (linked) => subscriptions.get().mergePerson(linked) });
    const sessions = new MiniProgramSessions(accountsRepo, miniProgramLogin(fakeWechat, wechat), clock, (openid, unionid) =>
      identities.note('miniprogram', openid, unionid).catch((error: unknown) => logger.warn({ err: error }, 'noting a mini-program identity failed')),
    );
    const applications = new ApplicationsService(
      applicationsRepo,
      () => calendar.current(),
      clock,
      { supplementPeriodWorkingDays: officeInfo(agency).supplementPeriodWorkingDays },
      { onChange: () => outbox.peek()?.nudge(), linkedOpenids: (openid) => identities.openidsOf(openid) },
    );
    // Links in citizens' messages: the public address, or in sandbox mode the server's own.
    const linkKey = await repos.coordination.sharedSecret('document-link', () => randomBytes(32), () => loadLinkKey(config.dataDir));
    const links = new ApplicantLinks(linkKey, () => config.publicUrl ?? (sandbox ? (ownUrl.peek() ?? null) : null), clock);
    const applicantDocuments = new ApplicantDocuments({ applications, calendar: () => calendar.current(), agency, templates: documentTemplates, links });

    const catalogModule = await openCatalogModule({
      repos,
      agency,
      contentDir: config.contentDir,
      wechat: () => wechat.get(),
      mpAppid: config.miniProgram.secret ? config.miniProgram.appid : null,
      feedUrl: config.feed.url,
      feedReviewedAtSource: config.feed.reviewedAtSource,
      identities,
      logger,
      clock,
      accounts,
      sessions,
    });
    const { catalog } = catalogModule;
    subscriptions.bind(catalog.subscriptions);
    if (config.demoData) await seedDemo({ applications, accounts, catalog: catalog.service, clock, sandbox, logger });

    const notifyModule = createNotifyModule({
      repo: notifyRepo,
      applications,
      intents: { pending: (limit) => applicationsRepo.pendingIntents(limit), markPlanned: (keys) => applicationsRepo.markIntentsPlanned(keys) },
      accounts,
      sessions,
      unanswered: async (after) => (await conversations.listUnanswered({ status: 'open', ...(after === null ? {} : { after }) }, { order: 'oldest' })).questions,
      wechat: () => wechat.get(),
      templates: await loadNotifyTemplates(config.contentDir),
      office: officeInfo(agency),
      calendar: () => calendar.current(),
      clock,
      wecomWebhookUrl: config.wecomRobotWebhook,
      // The fake WeChat API does not keep subscribe consents, so sandbox users count as consenting.
      assumeConsent: sandbox,
      logger,
      documents: applicantDocuments,
    });
    const notify = outbox.bind(notifyModule.notify);

    const chat = createChatModule({
      account: config.wechat,
      dialog: {
        guide,
        applications,
        conversations,
        agency: { name: agency.name, contact: agency.contactLine },
        subscriptions: catalog.chat,
        catalog: { related: (words, limit) => catalog.service.relatedPublished(words, limit), latest: (limit) => catalog.service.latestPublished(limit) },
        staffBinding: (openid, text) => notify.handleBindingMessage(openid, text),
        identityLink: createIdentityLinkChat(identities),
        documents: applicantDocuments,
        clock,
      },
      notify,
      identities,
      wechat: () => wechat.get(),
      metrics,
      sharedUrlUses: repos.coordination.urlUses,
      logger,
      clock,
    });

    // In this order their routes are mounted and their jobs listed.
    const modules: Module[] = [
      { name: 'metrics', routers: [createMetricsRouter(metrics, config.metricsToken)] },
      chat,
      guideModule(guide),
      notifyModule,
      // On PostgreSQL, backups are the database's (pg_dump; README, "Backups").
      ...(repos.store ? [{ name: 'store', jobs: [backupJob({ backup: () => backupStore(repos.store!, clock()) })] }] : []),
      catalogModule,
      identityModule(identities),
      documentsModule({ applications, calendar, agency, templates: documentTemplates, applicantDocuments, links }),
      calendarModule(calendar),
      reportModule({ accounts, applications, calendar: () => calendar.current(), reportRepo, agency, clock, catalog }),
      ...(fakeWechat ? [{ name: 'sandbox', routers: [fakeWechat.router, createSandboxRouter({ config, fakeWechat, agency, clock, accounts })] }] : []),
    ];
    const parts = gatherModules(modules);
    const jobs = createJobs({
      extra: parts.jobs,
      logger,
      onRun: (job, seconds, ok) => metrics.jobRun(job, seconds, ok),
      coordination: repos.coordination,
    });
    const app = createApp({
      config,
      logger,
      metrics,
      routers: [
        ...parts.routers,
        createMiniProgramApi({ sessions, applications, agency, documents: applicantDocuments, extensions: parts.miniProgramRoutes }),
        createAdminApi({ accounts, applications, jobs: () => jobs.jobs, extensions: parts.adminRoutes }),
        createConsoleRouter({ accounts, applications, calendar, documentTemplates, agency, clock, ...parts.consolePages }),
      ],
    });

    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
    // WeChat waits 5 s for an answer; nothing we serve should hold a socket much longer than that.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = ownUrl.bind(`http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);
    wechat.bind(
      new WechatApiClient({
        baseUrl: config.wechat.apiBase || `${url}${SANDBOX_API_PREFIX}`,
        appid: config.wechat.appid,
        secret: config.wechat.secret ?? SANDBOX_SECRET,
        mpAppid: config.miniProgram.appid,
        mpSecret: config.miniProgram.secret ?? SANDBOX_SECRET,
        // Instances on one database share the tokens and refresh them once for all.
        tokenPersistence: { oa: repos.coordination.accessToken(config.wechat.appid), mp: repos.coordination.accessToken(config.miniProgram.appid) },
      }),
    );

    // The guide first: the mini-program's and the console's guide pages need only it, and the
    // dialog needs it before the bot can answer anything.
    const listening = performance.now();
    listened();
    let stopping: Promise<void> | null = null;
    let botLoading = false;
    const ready = (async () => {
      await guide.ready;
      const guideMs = performance.now() - listening;
      // Stopped before Wechaty began to load (SIGTERM right after a start): it is not loaded just
      // to be stopped (stop() below).
      if (stopping) return;
      botLoading = true;
      await chat.load();
      logger.info({ guideMs: Math.round(guideMs), botMs: Math.round(performance.now() - listening - guideMs) }, 'guide and bot ready');
    })();
    ready.catch(chat.refuse);
    jobs.start();
    // Instances on one database: a calendar another instance took in counts here within a minute,
    // and what staff added to the guide there answers citizens here within a minute.
    const calendarRefresh =
      repos.engine === 'postgres'
        ? setInterval(() => {
            void calendar.refresh().catch((error: unknown) => logger.warn({ err: error }, 'reading the uploaded calendars failed'));
            void guide.ready
              .then(() => guide.refresh())
              .catch((error: unknown) => logger.warn({ err: error }, 'reading the guide additions failed'));
          }, 60_000).unref()
        : undefined;
    // A push run that a crash interrupted resumes now rather than at its next scheduled time, while
    // WeChat still remembers the client_msg_id of its last sends.
    if (await catalog.push.hasUnfinishedRun()) {
      void catalog.push.run().catch((error: unknown) => logger.error({ err: error }, 'resuming the push run failed'));
    }

    logger.info({ url, mode: config.mode, dataDir: config.dataDir }, 'server started');
    for (const warning of securityWarnings(config)) logger.warn(`SECURITY: ${warning}`);
    if (!sandbox && !config.publicUrl) {
      logger.warn('PUBLIC_URL is not set: messages to citizens carry no links to their 补正 notices and reply letters.');
    }
    if (sandbox) {
      logger.warn('SANDBOX MODE: no WeChat credentials are set; WeChat is simulated in-process. Do not use for real requests.');
    }

    const stop = () =>
      (stopping ??= (async () => {
        logger.info('shutting down');
        // Pushes still waiting for a bot that will not load now are refused, so that WeChat sends
        // them again, to the next start, rather than being told "success" and dropped.
        if (!botLoading) chat.refuse(new HttpError(503, 'shutting-down', '服务正在重启，请稍后再试'));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        clearInterval(calendarRefresh);
        await jobs.stop();
        await notify.idle();
        // A bot already loading is let finish, so that it is not left running on a closed store.
        await ready.catch(() => undefined);
        await chat.stop();
        await repos.close();
        logger.info('stopped');
      })());

    const running: Running = {
      config,
      server,
      url,
      store: repos.store,
      logger,
      services: { accounts, applications, calendar, guide, agency, notify, jobs, catalog },
      repos,
      metrics,
      wechat: wechat.get(),
      fakeWechat,
      firstAdmin,
      ready,
      stop,
    };
    if (!options.returnWhenListening) {
      try {
        await ready;
      } catch (error) {
        await stop();
        throw error;
      }
    }
    return running;
  } catch (error) {
    await repos.close();
    throw error;
  }
}

/**
 * A full or failing disk: one line when writes start failing and one when they work again, however
 * many requests were refused in between (each got a 503 or a kind chat message).
 */
function logStoreHealth(repos: OpenedRepositories, config: Config, logger: Logger): void {
  const where = repos.store ? 'DATA_DIR' : 'the database';
  const place = repos.store ? { dataDir: config.dataDir } : { database: repos.describe.database };
  repos.health.onChange((change) => {
    if (change.state === 'failing') {
      logger.error(
        { ...place, file: change.file, code: change.code, error: change.message },
        `${where} cannot be written (${change.code}): changes are refused with 503 until a write works again; reads and chat answers go on`,
      );
    } else {
      logger.warn({ ...place, refused: change.refused, seconds: Math.round(change.seconds) }, `${where} can be written again`);
    }
  });
  const tightened = repos.store?.tightened;
  if (tightened && (tightened.files || tightened.folders)) {
    logger.warn({ dataDir: config.dataDir, ...tightened }, 'data files and folders were readable by other users: made private (0600 files, 0700 folders)');
  }
  if (repos.database) logger.info(repos.describe, 'store: PostgreSQL');
}

/**
 * wx.login's code → openid. Sandbox logins: "dev:<openid>" logs in as that openid, as documented
 * for developers, with the UnionID the fake WeChat API was given for it, if any.
 */
function miniProgramLogin(fakeWechat: FakeWechatApi | null, wechat: Late<WechatApiClient>): CodeExchange {
  return (code) => {
    if (fakeWechat && code.startsWith('dev:') && code.length > 4) {
      const openid = code.slice(4);
      return Promise.resolve({ openid, unionid: fakeWechat.unionIdOf(openid) });
    }
    return wechat.get().code2Session(code);
  };
}

/** The process entry: `npm start` (through src/start.mjs) or `node src/main.ts`'s build directly. */
export async function main(): Promise<void> {
  // Anything this process creates is private to its user, also files written outside the store
  // (the store sets 0600/0700 explicitly as well; tests run start() without this).
  process.umask(0o077);
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: Running;
  try {
    running = await start(config, { logger, returnWhenListening: true });
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
  // The guide or the bot failing to load behind the listening server is a failed start too.
  running.ready.catch((error: unknown) => {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  });
  // For the person who ran `npm start`: where to go, and the first admin's password, shown once.
  if (config.mode === 'sandbox') process.stdout.write(sandboxStartBanner(running.url));
  if (running.firstAdmin) {
    process.stdout.write(
      `\n  Staff console: ${running.url}/admin   user: ${running.firstAdmin.username}   password: ${running.firstAdmin.password}\n` +
        '  (shown once; the password is stored only as a hash)\n\n',
    );
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'signal received');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
