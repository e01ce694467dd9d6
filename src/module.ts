// The one shape every concern (notifications, catalog, report, documents, identities, the chat...)
// takes to join the server: its routes under the two APIs, what it brings to the staff console, its
// scheduled jobs and any router of its own. A concern builds its Module in a factory that takes its
// dependencies as arguments; src/main.ts lists the modules and hands each part to its host.
import type { Middleware } from 'koa';
import type { Router } from '@koa/router';
import type { ConsoleDeps } from './admin/console/kit.js';
import type { JobDefinition } from './jobs/jobs.js';

/** The console's optional pages: a page (and its menu entry, nav.ts) exists when a module gives its part. */
export type ConsolePages = Partial<Pick<ConsoleDeps, 'conversations' | 'guide' | 'questionReplies' | 'report' | 'catalog' | 'push' | 'notify'>>;

export interface Module {
  /** For logs and for reading the composition. */
  name: string;
  /** Routes under /admin/v1: JSON bodies are parsed and a staff session is required already. */
  adminRoutes?(router: Router): void;
  /** Routes under /mp/v1; `user` is the login guard that puts the caller's openid in ctx.state.openid. */
  miniProgramRoutes?(router: Router, user: Middleware): void;
  consolePages?: ConsolePages;
  /** Scheduled (Asia/Shanghai) and runnable on demand: POST /admin/v1/jobs/:name/run. */
  jobs?: JobDefinition[];
  /** Routers of its own, beside the two APIs and the console (the webhook, letters, metrics, the sandbox). */
  routers?: Router[];
}

/** The modules' parts, gathered for their hosts, in the order the modules are listed. */
export function gatherModules(modules: readonly Module[]) {
  return {
    adminRoutes: modules.flatMap((m) => (m.adminRoutes ? [(router: Router) => m.adminRoutes!(router)] : [])),
    miniProgramRoutes: modules.flatMap((m) => (m.miniProgramRoutes ? [(router: Router, user: Middleware) => m.miniProgramRoutes!(router, user)] : [])),
    consolePages: Object.assign({}, ...modules.map((m) => m.consolePages ?? {})) as ConsolePages,
    jobs: modules.flatMap((m) => m.jobs ?? []),
    routers: modules.flatMap((m) => m.routers ?? []),
  };
}
