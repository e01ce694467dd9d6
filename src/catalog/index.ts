// The catalog, assembled: repositories, services, jobs and the bot's subscription handler, from the
// store, the agency and the settings. The server opens it through openCatalogModule (module.ts).
import type { Agency } from '../agency.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Repositories } from '../store/repositories.js';
import { CatalogRepo } from '../store/catalog-repo.js';
import { PushLedgerRepo, SubscribersRepo, type SubscribersRepository } from '../store/subscribers-repo.js';
import { CatalogService } from './service.js';
import { SubscriptionsService, type LinkedIdentities } from './subscriptions.js';
import { createSubscriptionChat, type SubscriptionsHandler } from './subscription-chat.js';
import { FeedImporter } from './feed-import.js';
import { PushJob, type DigestSender } from './push.js';
import { loadPushConfig, pushCronExpressions, type PushConfig } from './push-config.js';

export { CatalogService, type PublishedItem, type PublicItemView, type StaffItemView } from './service.js';
export { SubscriptionsService } from './subscriptions.js';
export { createSubscriptionChat, parseSubscriptionCommand, type SubscriptionsHandler } from './subscription-chat.js';
export { FeedImporter, type FeedImportOptions, type FeedImportResult } from './feed-import.js';
export { PushJob, type DigestSender, type PushResult, type PushSettings } from './push.js';
export { loadPushConfig, checkPushConfig, pushCronExpressions, DEFAULT_PUSH_CONFIG, type PushConfig } from './push-config.js';
export { mountCatalogAdminRoutes, mountCatalogMiniProgramRoutes } from './routes.js';

export interface CatalogDeps {
  /** The server's repositories; or a data folder to open the catalog's own from (tools, tests). */
  repos?: Pick<Repositories, 'catalog' | 'subscribers' | 'pushLedger'>;
  store?: Store;
  agency: Agency;
  /** CONTENT_DIR: data/catalog/push.json is read from here. */
  contentDir: string;
  /** The WeChat client; a function because main.ts builds it once the server listens. */
  wechat: () => DigestSender;
  /** The mini-program linked to the official account (template digests open it). */
  mpAppid?: string | null;
  /** FEED_URL and FEED_REVIEWED_AT_SOURCE. */
  feedUrl?: string | null;
  feedReviewedAtSource?: boolean;
  /** The identities of one person (accounts/identity-links.ts): linked identities share one subscription. */
  identities?: { identitiesOf: LinkedIdentities };
  /** Overrides of data/catalog/push.json (tests, benchmarks). */
  push?: Partial<PushConfig>;
  logger?: Logger;
  clock?: () => Date;
}

export interface CatalogJob {
  name: 'push-new-items' | 'feed-import';
  run: () => Promise<unknown>;
  /** Cron expressions, China time (schedule with timezone 'Asia/Shanghai'). */
  schedules: string[];
}

export interface Catalog {
  service: CatalogService;
  subscriptions: SubscriptionsService;
  subscribers: SubscribersRepository;
  /** For bot/dialog.ts: DialogDeps.subscriptions. */
  chat: SubscriptionsHandler;
  push: PushJob;
  feed: FeedImporter;
  config: PushConfig;
  jobs(): CatalogJob[];
  /** Published items and the category → 条例 article map, for the annual report. */
  publishedItems: CatalogService['publishedItems'];
}

/** 索引号 prefix: the office's own code if agency.json gives one, else its short name. */
function indexPrefix(agency: Agency): string {
  for (const key of ['catalogIndexPrefix', 'organizationCode']) {
    const value = agency[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return agency.shortName;
}

async function catalogRepos(deps: CatalogDeps): Promise<Pick<Repositories, 'catalog' | 'subscribers' | 'pushLedger'>> {
  if (deps.repos) return deps.repos;
  if (!deps.store) throw new Error('openCatalog needs the repositories or a store');
  const [catalog, subscribers, pushLedger] = await Promise.all([CatalogRepo.open(deps.store), SubscribersRepo.open(deps.store), PushLedgerRepo.open(deps.store)]);
  return { catalog, subscribers, pushLedger };
}

export async function openCatalog(deps: CatalogDeps): Promise<Catalog> {
  const [{ catalog: repo, subscribers, pushLedger: ledger }, fileConfig] = await Promise.all([catalogRepos(deps), loadPushConfig(deps.contentDir)]);
  const config: PushConfig = { ...fileConfig, ...deps.push };
  const categories = deps.agency.catalogCategories;
  const service = new CatalogService(repo, { categories, indexPrefix: indexPrefix(deps.agency), clock: deps.clock });
  const identities = deps.identities;
  const linked: LinkedIdentities | null = identities ? (channel, openid) => identities.identitiesOf(channel, openid) : null;
  const subscriptions = new SubscriptionsService(subscribers, categories, deps.clock, linked);
  const push = new PushJob({
    catalog: service,
    subscribers,
    ledger,
    sender: deps.wechat,
    settings: config,
    agencyName: deps.agency.name,
    mpAppid: deps.mpAppid ?? null,
    portalUrl: deps.agency.portalUrl,
    logger: deps.logger,
    clock: deps.clock,
  });
  const feed = new FeedImporter(service, {
    feedUrl: deps.feedUrl,
    feedReviewedAtSource: deps.feedReviewedAtSource,
    logger: deps.logger,
    clock: deps.clock,
  });
  return {
    service,
    subscriptions,
    subscribers,
    chat: createSubscriptionChat(subscriptions),
    push,
    feed,
    config,
    jobs: () => [
      { name: 'push-new-items', run: () => push.run(), schedules: pushCronExpressions(config.times) },
      { name: 'feed-import', run: () => feed.run(), schedules: [config.feedSchedule] },
    ],
    publishedItems: () => service.publishedItems(),
  };
}
