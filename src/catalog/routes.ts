// The catalog's HTTP routes. Mini-program (/mp/v1): the public catalog and the user's
// subscriptions. Staff (/admin/v1): drafts, the review queue, review decisions, push runs.
import type { Router } from '@koa/router';
import { bodyObject } from '../http/body.js';
import { permit, requireMiniProgramUser, requireStaff } from '../http/auth.js';
import type { MiniProgramSessions } from '../accounts/mp-sessions.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { SubscribersRepository } from '../store/subscribers-repo.js';
import type { CatalogService } from './service.js';
import type { SubscriptionsService } from './subscriptions.js';
import type { PushJob } from './push.js';
import { DomainError } from '../domain/errors.js';
import { parseCutoffs, publishedSince } from './digest.js';
import { publicationOf } from './review.js';

export interface CatalogMiniProgramRouteDeps {
  sessions: MiniProgramSessions;
  catalog: CatalogService;
  subscriptions: SubscriptionsService;
  /** The items a push run announced, for the digest's link (?digest=); null for an unknown run. */
  digestItems?: (runId: string) => Promise<readonly string[] | null>;
}

/**
 * The items of one digest, as its link names them: the run's items in the given categories, and
 * for a category with a cutoff only those published after it (digest.ts withQuery). In the order
 * they were published, as the digest counted them.
 */
async function digestPage(deps: CatalogMiniProgramRouteDeps, query: Record<string, unknown>) {
  const id = typeof query.digest === 'string' ? query.digest : '';
  if (!/^[\w-]{1,64}$/.test(id)) throw new DomainError('validation', '推送编号 digest 格式不正确', { digest: '应为推送通知链接中的编号' });
  const ids = (await deps.digestItems?.(id)) ?? null;
  if (!ids) throw new DomainError('not-found', '找不到这次推送：链接可能有误或已过期，请在目录中查看最新公开的信息');
  const categories = typeof query.categories === 'string' && query.categories !== '' ? new Set(query.categories.split(',')) : null;
  const cutoffs = parseCutoffs(typeof query.since === 'string' ? query.since : '');
  if (!cutoffs) throw new DomainError('validation', 'since 格式不正确', { since: '应为推送通知链接中的内容' });
  const { catalog } = deps;
  const found = await Promise.all(ids.map((itemId) => catalog.getPublishedOrNull(itemId)));
  const items = found
    .filter((item) => item !== null)
    .filter((item) => !categories || categories.has(item.category))
    .filter((item) => {
      const since = cutoffs[item.category];
      return !since || publishedSince({ publishedAt: publicationOf(item)?.at, publishedOn: publicationOf(item)?.on }, since);
    })
    .map((item) => catalog.publicView(item));
  return { items, total: items.length, page: 1, pageSize: items.length, digest: { id }, categories: catalog.categories().map((c) => ({ id: c.id, name: c.name })) };
}

/** On the '/mp/v1' router (body parser already applied). */
export function mountCatalogMiniProgramRoutes(router: Router, deps: CatalogMiniProgramRouteDeps): void {
  const { catalog, subscriptions } = deps;
  const user = requireMiniProgramUser(deps.sessions);

  // Public: what is published needs no login.
  router.get('/catalog', async (ctx) => {
    // A digest's link: exactly the items that digest told of.
    if (ctx.query.digest !== undefined) {
      ctx.body = await digestPage(deps, ctx.query);
      return;
    }
    const page = await catalog.searchPublished(ctx.query);
    ctx.body = {
      items: page.items.map((item) => catalog.publicView(item)),
      total: page.total,
      page: page.page,
      pageSize: page.pageSize,
      categories: catalog.categories().map((c) => ({ id: c.id, name: c.name })),
    };
  });

  router.get('/catalog/:id', async (ctx) => {
    ctx.body = catalog.publicView(await catalog.getPublished(ctx.params.id!));
  });

  router.get('/subscriptions', user, async (ctx) => {
    ctx.body = await subscriptions.view('miniprogram', ctx.state.openid);
  });

  router.put('/subscriptions', user, async (ctx) => {
    await subscriptions.replace('miniprogram', ctx.state.openid, bodyObject(ctx.request.body).categories);
    ctx.body = await subscriptions.view('miniprogram', ctx.state.openid);
  });
}

export interface CatalogAdminRouteDeps {
  accounts: StaffAccounts;
  catalog: CatalogService;
  push: PushJob;
  subscribers: SubscribersRepository;
}

/** On the '/admin/v1' router (body parser already applied). */
export function mountCatalogAdminRoutes(router: Router, deps: CatalogAdminRouteDeps): void {
  const { catalog, push } = deps;
  const staff = requireStaff(deps.accounts);

  router.get('/catalog/categories', staff, (ctx) => {
    permit(ctx, 'catalog.view');
    ctx.body = { categories: catalog.categories() };
  });

  router.post('/catalog/items', staff, async (ctx) => {
    const who = permit(ctx, 'catalog.draft');
    const item = await catalog.draft(bodyObject(ctx.request.body), who.username);
    ctx.status = 201;
    ctx.body = catalog.staffView(item);
  });

  // The review queue with ?state=confidentiality-review etc.; also ?category=&q=&page=.
  router.get('/catalog/items', staff, async (ctx) => {
    permit(ctx, 'catalog.view');
    const page = await catalog.list(ctx.query);
    ctx.body = { items: page.items.map((item) => catalog.staffView(item)), total: page.total, page: page.page, pageSize: page.pageSize };
  });

  router.get('/catalog/items/:id', staff, async (ctx) => {
    permit(ctx, 'catalog.view');
    ctx.body = catalog.staffView(await catalog.get(ctx.params.id!));
  });

  router.patch('/catalog/items/:id', staff, async (ctx) => {
    const who = permit(ctx, 'catalog.draft');
    ctx.body = catalog.staffView(await catalog.edit(ctx.params.id!, bodyObject(ctx.request.body), who.username));
  });

  // submit / approve / reject: which role may act is decided by the item's stage (review.ts).
  router.post('/catalog/items/:id/events', staff, async (ctx) => {
    const who = permit(ctx, 'catalog.view');
    const item = await catalog.review(ctx.params.id!, bodyObject(ctx.request.body), who);
    ctx.body = catalog.staffView(item);
  });

  router.get('/catalog/push-runs', staff, async (ctx) => {
    permit(ctx, 'catalog.view');
    ctx.body = { runs: await push.runs() };
  });

  router.get('/catalog/subscribers', staff, async (ctx) => {
    permit(ctx, 'catalog.view');
    const stats = await deps.subscribers.stats();
    const byCategory: Record<string, number> = { ...Object.fromEntries(catalog.categories().map((c) => [c.id, 0])), ...stats.byCategory };
    const byChannel: Record<string, number> = { 'official-account': 0, miniprogram: 0, ...stats.byChannel };
    ctx.body = { total: stats.total, byChannel, byCategory };
  });

  router.get('/catalog/feed', staff, async (ctx) => {
    permit(ctx, 'catalog.view');
    ctx.body = { lastImport: await catalog.lastFeedImport() };
  });
}
