// The catalog as a module of the server: its staff and mini-program routes, the console's review,
// editing and push pages, and its two jobs (push-new-items, feed-import).
import type { Module } from '../module.js';
import type { MiniProgramSessions } from '../accounts/mp-sessions.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import { openCatalog, type Catalog, type CatalogDeps } from './index.js';
import { mountCatalogAdminRoutes, mountCatalogMiniProgramRoutes } from './routes.js';

export interface CatalogModuleDeps extends CatalogDeps {
  accounts: StaffAccounts;
  sessions: MiniProgramSessions;
}

export interface CatalogModule extends Module {
  catalog: Catalog;
}

export async function openCatalogModule(deps: CatalogModuleDeps): Promise<CatalogModule> {
  const catalog = await openCatalog(deps);
  const { service, subscriptions, push, subscribers } = catalog;
  return {
    name: 'catalog',
    catalog,
    adminRoutes: (router) => mountCatalogAdminRoutes(router, { accounts: deps.accounts, catalog: service, push, subscribers }),
    miniProgramRoutes: (router) =>
      mountCatalogMiniProgramRoutes(router, { sessions: deps.sessions, catalog: service, subscriptions, digestItems: (runId) => push.runItemIds(runId) }),
    consolePages: { catalog: catalog.service, push: catalog.push },
    jobs: catalog.jobs().map((job) => ({ name: job.name, cron: job.schedules, run: job.run })),
  };
}
