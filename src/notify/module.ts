// Notifications as a module of the server: the outbox and its jobs, the staff routes for failed
// deliveries, the mini-program's subscribe consents, and the console's 消息异常 page and answers to
// unanswered questions.
import type { Module } from '../module.js';
import type { MiniProgramSessions } from '../accounts/mp-sessions.js';
import { notifyJobs } from '../jobs/jobs.js';
import { createNotify, type Notify, type NotifyDeps } from './index.js';
import { mountNotifyAdminRoutes, mountNotifyMiniProgramRoutes } from './routes.js';

export interface NotifyModuleDeps extends NotifyDeps {
  accounts: NotifyDeps['accounts'] & Parameters<typeof mountNotifyAdminRoutes>[1]['accounts'];
  sessions: MiniProgramSessions;
}

export interface NotifyModule extends Module {
  notify: Notify;
}

export function createNotifyModule(deps: NotifyModuleDeps): NotifyModule {
  const notify = createNotify(deps);
  const { accounts, applications, sessions } = deps;
  return {
    name: 'notify',
    notify,
    adminRoutes: (router) => mountNotifyAdminRoutes(router, { accounts, applications, notify, templates: notify.templates }),
    miniProgramRoutes: (router) => mountNotifyMiniProgramRoutes(router, { sessions, notify }),
    consolePages: { notify: { notify, templates: notify.templates }, questionReplies: notify },
    jobs: notifyJobs(notify),
  };
}
