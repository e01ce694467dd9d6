// The staff console: server-rendered pages under /admin, next to the staff API (/admin/v1) whose
// session, CSRF check, roles and document and report routes it shares. No front-end build: one
// stylesheet, one small script, and HTML that works in an office browser and in WeChat's.
import { Router } from '@koa/router';
import { parseBody } from '../../http/body.js';
import { HttpError } from '../../http/errors.js';
import { loadAssets } from './assets.js';
import { consoleErrors, consoleHeaders, createKit, type ConsoleDeps } from './kit.js';
import { mountSession } from './session.js';
import { mountInbox } from './pages/inbox.js';
import { mountApplicationPage } from './pages/application.js';
import { mountRegisterPage } from './pages/register.js';
import { mountStatsPage } from './pages/stats.js';
import { mountReportPage } from './pages/report.js';
import { mountCatalogPage } from './pages/catalog.js';
import { mountCatalogEditPages } from './pages/catalog-edit.js';
import { mountCatalogPushPage } from './pages/catalog-push.js';
import { mountNotifyPage } from './pages/notify.js';
import { mountQuestionsPage } from './pages/questions.js';
import { mountCalendarPage } from './pages/calendar.js';
import { mountUsersPage } from './pages/users.js';
import { mountAccountPage } from './pages/account.js';

export type { ConsoleDeps } from './kit.js';

export function createConsoleRouter(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: '/admin' });
  const assets = loadAssets();
  const kit = createKit(deps, assets);

  router.use(consoleHeaders());
  router.use(consoleErrors(kit));
  router.use(parseBody());

  assets.mount(router);
  mountSession(router, kit);
  mountInbox(router, kit);
  // Before the request page, whose /applications/:id would take /applications/new.
  mountRegisterPage(router, kit);
  mountApplicationPage(router, kit);
  mountStatsPage(router, kit);
  // Pages of optional modules exist only when the module is wired in; the menu hides them otherwise.
  if (deps.report) mountReportPage(router, kit, deps.report);
  if (deps.catalog) {
    // Before the review queue's POST /catalog/:id, which would take /catalog/new and /catalog/push.
    if (deps.push) mountCatalogPushPage(router, kit, deps.push);
    mountCatalogEditPages(router, kit, deps.catalog);
    mountCatalogPage(router, kit, deps.catalog);
  }
  if (deps.notify) mountNotifyPage(router, kit, deps.notify);
  if (deps.conversations) mountQuestionsPage(router, kit, deps.conversations);
  mountCalendarPage(router, kit);
  mountUsersPage(router, kit);
  mountAccountPage(router, kit);
  // Last: any other page under /admin is a "找不到页面" page in the console's frame, not the API's
  // JSON. Paths of the staff API's shape (/admin/v1, and any /admin/v<n> a client guesses) keep
  // JSON answers: a program calling them reads an error it can parse.
  router.get('/{*rest}', async (ctx, next) => {
    if (/^\/admin\/v\d+(\/|$)/.test(ctx.path)) return next();
    await kit.staff(ctx, () => {
      throw new HttpError(404, 'not-found', '找不到这个页面：地址可能有误，或页面已经不存在。');
    });
  });
  return router;
}
