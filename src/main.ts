// Composition root: config → store → services → Koa app → bot → jobs, and a graceful shutdown that
// stops taking work, lets running requests and jobs finish, and closes the store last.
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Router } from '@koa/router';
import type { Wechaty } from 'wechaty';
import { loadConfig, ConfigError, securityWarnings, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { Store } from './store/store.js';
import { backupStore } from './store/open-all.js';
import { isStoreWriteError, type WriteFaults } from './store/write-faults.js';
import { createApp } from './app.js';
import { HttpError } from './http/errors.js';
import { AccountsRepo } from './store/accounts-repo.js';
import { AuditRepo } from './store/audit-repo.js';
import { ApplicationsRepo } from './store/applications-repo.js';
import { ConversationsRepo } from './store/conversations-repo.js';
import { GuideAdditionsRepo } from './store/guide-additions-repo.js';
import { ReportRepo } from './store/report-repo.js';
import { mountReportAdminRoutes } from './report/admin-routes.js';
import { StaffAccounts } from './accounts/staff-accounts.js';
import { MiniProgramSessions } from './accounts/mp-sessions.js';
import { IdentityLinks } from './accounts/identity-links.js';
import { createIdentityLinkChat, mountIdentityMiniProgramRoutes } from './accounts/identity-routes.js';
import { IdentitiesRepo } from './store/identities-repo.js';
import { ApplicationsService } from './applications/service.js';
import { CalendarSource } from './applications/calendar-source.js';
import { WechatApiClient } from './wechat/api-client.js';
import { createFakeWechatApi, type FakeWechatApi } from './wechat/fake-api.js';
import { createWechatWebhook } from './wechat/webhook.js';
import { createWaitingPuppet } from './wechat/waiting-puppet.js';
import { loadAgency, type Agency } from './agency.js';
import { startGuideService, type GuideService } from './guide/service.js';
import { createMiniProgramApi } from '../miniprogram-api/router.js';
import { createAdminApi } from './admin/api.js';
import { mountDocumentRoutes } from './admin/document-routes.js';
import { mountCalendarRoutes } from './admin/calendar-routes.js';
import { createConsoleRouter } from './admin/console/index.js';
import { loadDocumentTemplates } from './documents/index.js';
import { ApplicantLinks, loadLinkKey } from './documents/applicant-links.js';
import { ApplicantDocuments, createLetterRouter } from './documents/applicant-routes.js';
import { createDialog } from '../bot/dialog.js';
import { createSandboxRouter } from './sandbox/router.js';
import { NotifyRepo } from './store/notify-repo.js';
import { createNotify, loadNotifyTemplates, officeInfo, mountNotifyAdminRoutes, mountNotifyMiniProgramRoutes, type Notify } from './notify/index.js';
import { createJobs, type Jobs } from './jobs/jobs.js';
import { openCatalog, type Catalog } from './catalog/index.js';
import type { WechatInbound } from './wechat/xml.js';
import { seedDemo } from './sandbox/demo.js';
import { sandboxStartBanner } from './sandbox/banner.js';
import { Metrics } from './metrics/metrics.js';
import { createMetricsRouter } from './metrics/route.js';
import { cachedFor, openRequests } from './metrics/requests.js';

export const SANDBOX_SECRET = 'sandbox-secret';
/** How long a push waits for the bot's answer before it is answered "success": WeChat waits 5 s. */
const PASSIVE_WINDOW_MS = 4000;
export const SANDBOX_API_PREFIX = '/__sandbox/wechat-api';

export interface Running {
  config: Config;
  server: Server;
  url: string;
  store: Store;
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
  /** Repositories tests look into directly. */
  repos: { conversations: ConversationsRepo; notify: NotifyRepo };
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

  const store = await Store.open(config.dataDir, clock, { faults: options.storeFaults });
  // A full or failing disk: one line when writes start failing and one when they work again,
  // however many requests were refused in between (each got a 503 or a kind chat message).
  store.health.onChange((change) => {
    if (change.state === 'failing') {
      logger.error(
        { dataDir: config.dataDir, file: change.file, code: change.code, error: change.message },
        `DATA_DIR cannot be written (${change.code}): changes are refused with 503 until a write works again; reads and chat answers go on`,
      );
    } else {
      logger.warn({ dataDir: config.dataDir, refused: change.refused, seconds: Math.round(change.seconds) }, 'DATA_DIR can be written again');
    }
  });
  if (store.tightened.files || store.tightened.folders) {
    logger.warn({ dataDir: config.dataDir, ...store.tightened }, 'data files and folders were readable by other users: made private (0600 files, 0700 folders)');
  }
  try {
    const [accountsRepo, applicationsRepo, conversations] = await Promise.all([
      AccountsRepo.open(store),
      ApplicationsRepo.open(store),
      ConversationsRepo.open(store),
    ]);
    const reportRepo = await ReportRepo.open(store, clock);
    const metrics = new Metrics({
      deliveries: () => notifyRepo.deliveries(),
      openRequests: cachedFor(1000, () => openRequests(applications.all(), calendar.current(), applications.today())),
    });
    store.onWrite((write) => metrics.storeWrite(write));
    const notifyRepo = await NotifyRepo.open(store);
    const agency = await loadAgency(config.contentDir);
    const calendar = await CalendarSource.open(config.contentDir, config.dataDir);
    // With what staff added from the console's 未答问题 page (under DATA_DIR) merged in.
    // Built behind the listening server (about half a second); its readers wait for `guide.ready`.
    let listened!: () => void;
    const listenedOnce = new Promise<void>((resolve) => (listened = resolve));
    const warmUp = options.holdWarmUp ? Promise.all([listenedOnce, options.holdWarmUp]) : listenedOnce;
    const guide = startGuideService(config.contentDir, agency, await GuideAdditionsRepo.open(store), clock, warmUp);
    const documentTemplates = await loadDocumentTemplates(config.contentDir);

    const fakeWechat = sandbox
      ? createFakeWechatApi({
          appid: config.wechat.appid,
          secret: SANDBOX_SECRET,
          mpAppid: config.miniProgram.appid,
          mpSecret: SANDBOX_SECRET,
          prefix: SANDBOX_API_PREFIX,
        })
      : null;
    // Built once the server listens: in sandbox mode its base URL is our own port.
    let wechat!: WechatApiClient;

    const accounts = new StaffAccounts(accountsRepo, clock, { audit: await AuditRepo.open(store) });
    const firstAdmin = await accounts.ensureFirstAdmin(config.admin, sandbox);
    const mpSessions = new MiniProgramSessions(accountsRepo, (code) => {
      // Sandbox logins: "dev:<openid>" logs in as that openid, as documented for developers, with the
      // UnionID the fake WeChat API was given for it, if any.
      if (sandbox && code.startsWith('dev:') && code.length > 4) {
        const openid = code.slice(4);
        return Promise.resolve({ openid, unionid: fakeWechat?.unionIdOf(openid) });
      }
      return wechat.code2Session(code);
    }, clock);
    // One citizen, two identities: the chat's and the mini-program's openids, linked by UnionID or a link code.
    const identities = new IdentityLinks(await IdentitiesRepo.open(store), { clock });
    mpSessions.onLogin = (openid, unionid) =>
      identities.note('miniprogram', openid, unionid).catch((error: unknown) => logger.warn({ err: error }, 'noting a mini-program identity failed'));
    const applications = new ApplicationsService(applicationsRepo, () => calendar.current(), clock, {
      supplementPeriodWorkingDays: officeInfo(agency).supplementPeriodWorkingDays,
    });
    applications.linkedOpenids = (openid) => identities.openidsOf(openid);
    // Links in citizens' messages: the public address, or in sandbox mode the server's own once it listens.
    let ownUrl: string | null = null;
    const links = new ApplicantLinks(await loadLinkKey(config.dataDir), () => config.publicUrl ?? (sandbox ? ownUrl : null), clock);
    const applicantDocuments = new ApplicantDocuments({ applications, calendar: () => calendar.current(), agency, templates: documentTemplates, links });
    const catalog = await openCatalog({
      store,
      agency,
      contentDir: config.contentDir,
      wechat: () => wechat,
      mpAppid: config.miniProgram.secret ? config.miniProgram.appid : null,
      feedUrl: config.feed.url,
      feedReviewedAtSource: config.feed.reviewedAtSource,
      logger,
      clock,
    });
    catalog.subscriptions.linked = (channel, openid) => identities.identitiesOf(channel, openid);
    identities.onLink = (linked) => catalog.subscriptions.mergePerson(linked);
    if (config.demoData) await seedDemo({ applications, accounts, catalog: catalog.service, clock, sandbox, logger });

    const notify = createNotify({
      repo: notifyRepo,
      applications,
      intents: () => applicationsRepo.intents(),
      accounts,
      unanswered: () => conversations.unanswered(),
      wechat: () => wechat,
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
    applications.onChange = () => notify.nudge();
    const jobs = createJobs({
      notify,
      store: { backup: () => backupStore(store, clock()) },
      logger,
      onRun: (job, seconds, ok) => metrics.jobRun(job, seconds, ok),
      extra: catalog.jobs().map((job) => ({ name: job.name, cron: job.schedules, run: job.run })),
    });

    const dialog = createDialog({
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
    });
    // The official account's UnionID of a chat user, asked once (again a day later when there was
    // none): it links their chat and mini-program identities. Not waited for: the reply to a push
    // never depends on a second call to WeChat, which may be slow or down; the link counts from the
    // user's next message.
    const lookups = new Map<string, Promise<void>>();
    const unionidLookup = (openid: string): void => {
      if (!identities.needsUnionid('official-account', openid)) return;
      let lookup = lookups.get(openid);
      if (!lookup) {
        lookup = wechat
          .userUnionId(openid)
          .then(
            (unionid) => identities.note('official-account', openid, unionid),
            // Unverified accounts may not call user info (48001): noted as checked, asked again tomorrow.
            (error: unknown) => {
              logger.warn({ err: error }, 'official-account user info failed');
              return identities.note('official-account', openid, undefined);
            },
          )
          .catch((error: unknown) => logger.warn({ err: error }, 'noting an official-account identity failed'))
          .finally(() => lookups.delete(openid));
        lookups.set(openid, lookup);
      }
    };
    // Wechaty and its puppet library take about a second to load, most of a restart, so they load
    // once the server listens (startBot below); a push that comes meanwhile waits for the bot.
    let bot: Wechaty | null = null;
    const pushes = createWaitingPuppet(PASSIVE_WINDOW_MS);
    const startBot = async () => {
      const [{ OfficialAccountPuppet }, { createBot }] = await Promise.all([import('./wechat/puppet.js'), import('../bot/bot.js')]);
      const puppet = new OfficialAccountPuppet({
        selfId: config.wechat.appid,
        passiveWindowMs: PASSIVE_WINDOW_MS,
        sendText: (openid, text) =>
          wechat.sendCustomText(openid, text).then(
            () => metrics.customerServiceSend(true),
            (error: unknown) => {
              metrics.customerServiceSend(false);
              throw error;
            },
          ),
        onSendError: (error, openid) => logger.warn({ err: error, openid }, 'customer-service send failed'),
      });
      bot = createBot({
        puppet,
        dialog,
        // A refused write was logged once by the store (above), not again per message.
        onError: (error) => void (isStoreWriteError(error) || logger.error({ err: error }, 'bot error')),
      });
      // Messages are handed over only once the puppet has logged in: Wechaty reads the account's
      // own id while taking a message in.
      const loggedIn = new Promise((resolve) => bot!.once('login', resolve));
      await bot.start();
      await loggedIn;
      return puppet;
    };

    const reportDeps = { accounts, applications, calendar: () => calendar.current(), reportRepo, agency, clock, catalog };
    const routers: Router[] = [
      createMetricsRouter(metrics, config.metricsToken),
      createWechatWebhook({
        token: config.wechat.token,
        appid: config.wechat.appid,
        aesKey: config.wechat.aesKey,
        puppet: pushes,
        logger,
        clock,
        // The 48-hour window is worth noting, but not worth failing the answer over when the disk is full.
        onInbound: async (inbound) => {
          await noteInbound(notify, inbound).catch((error: unknown) => {
            if (!isStoreWriteError(error)) throw error;
          });
          if (inbound.type !== 'event' || inbound.event !== 'unsubscribe') unionidLookup(inbound.fromUserName);
        },
      }),
      createMiniProgramApi({
        sessions: mpSessions,
        applications,
        agency,
        documents: applicantDocuments,
        extensions: [
          (router, user) => guide.mountMiniProgram(router, user),
          (router) => mountNotifyMiniProgramRoutes(router, { sessions: mpSessions, notify }),
          (router) => catalog.mountMiniProgram(router, mpSessions),
          (router, user) => mountIdentityMiniProgramRoutes(router, user, identities),
        ],
      }),
      createAdminApi({
        accounts,
        applications,
        jobs: () => jobs.jobs,
        extensions: [
          (router) => mountNotifyAdminRoutes(router, { accounts, applications, notify, templates: notify.templates }),
          (router) => catalog.mountAdmin(router, accounts),
          mountDocumentRoutes({ applications, calendar, agency, templates: documentTemplates }),
          mountCalendarRoutes(calendar),
          (router) => mountReportAdminRoutes(router, reportDeps),
        ],
      }),
    ];
    routers.push(createLetterRouter(applicantDocuments, { applications, links }));
    routers.push(
      createConsoleRouter({
        accounts,
        applications,
        calendar,
        documentTemplates,
        agency,
        conversations,
        guide,
        questionReplies: notify,
        report: reportDeps,
        catalog: catalog.service,
        push: catalog.push,
        notify: { notify, templates: notify.templates },
        clock,
      }),
    );
    if (fakeWechat) routers.push(fakeWechat.router, createSandboxRouter({ config, fakeWechat, agency, clock, accounts }));

    const app = createApp({ config, logger, routers, metrics });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
    // WeChat waits 5 s for an answer; nothing we serve should hold a socket much longer than that.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    ownUrl = url;
    wechat = new WechatApiClient({
      baseUrl: config.wechat.apiBase || `${url}${SANDBOX_API_PREFIX}`,
      appid: config.wechat.appid,
      secret: config.wechat.secret ?? SANDBOX_SECRET,
      mpAppid: config.miniProgram.appid,
      mpSecret: config.miniProgram.secret ?? SANDBOX_SECRET,
    });

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
      pushes.loaded(await startBot());
      logger.info({ guideMs: Math.round(guideMs), botMs: Math.round(performance.now() - listening - guideMs) }, 'guide and bot ready');
    })();
    ready.catch(pushes.failed);
    jobs.start();
    // A push run that a crash interrupted resumes now rather than at its next scheduled time, while
    // WeChat still remembers the client_msg_id of its last sends.
    if (catalog.push.hasUnfinishedRun()) {
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
        if (!botLoading) pushes.failed(new HttpError(503, 'shutting-down', '服务正在重启，请稍后再试'));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await jobs.stop();
        await notify.idle();
        // A bot already loading is let finish, so that it is not left running on a closed store.
        await ready.catch(() => undefined);
        await bot?.stop().catch((error: unknown) => logger.warn({ err: error }, 'bot stop failed'));
        await store.close();
        logger.info('stopped');
      })());

    const running: Running = {
      config,
      server,
      url,
      store,
      logger,
      services: { accounts, applications, calendar, guide, agency, notify, jobs, catalog },
      repos: { conversations, notify: notifyRepo },
      metrics,
      wechat,
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
    await store.close();
    throw error;
  }
}

/**
 * What the notifications need to know of each new push: a user who writes to the account opens the
 * customer-service window; a subscribe-message popup records the user's consent.
 */
async function noteInbound(notify: Notify, inbound: WechatInbound): Promise<void> {
  if (inbound.type !== 'event') {
    await notify.noteInteraction(inbound.fromUserName);
  } else if (inbound.event === 'subscribe_msg_popup_event' || inbound.event === 'subscribe_msg_change_event') {
    await notify.consents.record(inbound.fromUserName, 'oa', {
      accepted: inbound.items.filter((i) => i.status === 'accept').map((i) => i.templateId),
      rejected: inbound.items.filter((i) => i.status === 'reject').map((i) => i.templateId),
    });
  }
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
