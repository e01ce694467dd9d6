// The staff API, /admin/v1: login and logout, users and their lifecycle, the audit log, requests and
// their events, historical import, jobs.
// Each route asks the role table (domain/roles.ts) whether the caller may act.
import { Router } from '@koa/router';
import { parseBody, bodyObject } from '../http/body.js';
import { permit, presentedStaffToken, requireStaff, staffOf, STAFF_COOKIE } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { can } from '../domain/roles.js';
import { STAFF_EVENT_TYPES } from '../domain/applications/index.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { ApplicationsService } from '../applications/service.js';
import { listApplications } from './application-list.js';

/** For HTML the staff API serves: its own inline styles and data: images, nothing else; framed only by the console. */
export const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export interface Job {
  name: string;
  run: () => Promise<unknown>;
}

export interface AdminApiDeps {
  accounts: StaffAccounts;
  applications: ApplicationsService;
  jobs?: () => Job[];
  extensions?: Array<(router: Router) => void>;
}

export function createAdminApi(deps: AdminApiDeps): Router {
  const router = new Router({ prefix: '/admin/v1' });
  router.use(parseBody());

  // The staff API's login takes JSON only and answers with a bearer token; it never sets the console's
  // cookie. A form (or text/plain) post from another site could otherwise log a browser in without
  // the console login form's CSRF token (issue 19, finding 7).
  router.post('/session', async (ctx) => {
    if ((ctx.request.length || ctx.get('Transfer-Encoding')) && !ctx.is('json')) {
      throw new HttpError(415, 'unsupported-media-type', '请以 JSON 格式提交（Content-Type: application/json）');
    }
    const body = bodyObject(ctx.request.body);
    const { token, principal } = await deps.accounts.login(body.username, body.password, { address: ctx.ip });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token, username: principal.username, roles: principal.roles, csrf: principal.csrf };
  });

  // Everything but the login needs a staff session (extensions included).
  const staff = requireStaff(deps.accounts);
  router.use((ctx, next) => (ctx.path === '/admin/v1/session' && ctx.method === 'POST' ? next() : staff(ctx, next)));
  // Staff answers carry personal data: no browser or proxy may keep a copy. Documents (reply letters,
  // the report preview) are HTML built from what citizens typed: no script may run in them at all.
  router.use(async (ctx, next) => {
    await next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.response.is('html')) ctx.set('Content-Security-Policy', DOCUMENT_CSP);
  });

  // Logging out: the presented token (bearer, or the console cookie) stops working at once.
  router.delete('/session', async (ctx) => {
    const token = presentedStaffToken(ctx);
    if (token) await deps.accounts.logout(token);
    if (ctx.cookies.get(STAFF_COOKIE)) ctx.cookies.set(STAFF_COOKIE, null, { path: '/', overwrite: true });
    ctx.status = 204;
  });

  router.get('/me', (ctx) => {
    ctx.body = ctx.state.staff;
  });

  // Changing one's own password ends every session of the user, this one included.
  router.post('/me/password', async (ctx) => {
    const who = staffOf(ctx);
    const body = bodyObject(ctx.request.body);
    await deps.accounts.changeOwnPassword(who, body.currentPassword, body.password, { address: ctx.ip });
    ctx.body = { ok: true, sessionsRevoked: true };
  });

  router.post('/users', async (ctx) => {
    const admin = permit(ctx, 'users.manage');
    ctx.status = 201;
    ctx.body = await deps.accounts.createUser(admin.username, ctx.request.body, { address: ctx.ip });
  });

  router.get('/users', async (ctx) => {
    permit(ctx, 'users.manage');
    ctx.body = { users: await deps.accounts.users() };
  });

  router.get('/users/:username', async (ctx) => {
    permit(ctx, 'users.manage');
    const user = await deps.accounts.user(ctx.params.username!);
    if (!user) throw new HttpError(404, 'not-found', `没有用户 ${ctx.params.username}`);
    ctx.body = user;
  });

  // {roles?, disabled?, displayName?}: changing roles or disabling ends the user's sessions.
  router.patch('/users/:username', async (ctx) => {
    const admin = permit(ctx, 'users.manage');
    ctx.body = await deps.accounts.updateUser(admin, ctx.params.username!, bodyObject(ctx.request.body), { address: ctx.ip });
  });

  router.post('/users/:username/password', async (ctx) => {
    const admin = permit(ctx, 'users.manage');
    await deps.accounts.resetPassword(admin, ctx.params.username!, bodyObject(ctx.request.body).password, { address: ctx.ip });
    ctx.body = await deps.accounts.user(ctx.params.username!);
  });

  router.post('/users/:username/unlock', async (ctx) => {
    const admin = permit(ctx, 'users.manage');
    await deps.accounts.unlock(admin, ctx.params.username!, { address: ctx.ip });
    ctx.body = await deps.accounts.user(ctx.params.username!);
  });

  router.delete('/users/:username/sessions', async (ctx) => {
    const admin = permit(ctx, 'users.manage');
    const revoked = await deps.accounts.revokeSessions(admin, ctx.params.username!, { address: ctx.ip });
    ctx.body = { revoked };
  });

  router.get('/audit', async (ctx) => {
    permit(ctx, 'users.manage');
    const limit = Number(typeof ctx.query.limit === 'string' ? ctx.query.limit : 200) || 200;
    const target = typeof ctx.query.username === 'string' ? ctx.query.username : undefined;
    ctx.body = { entries: await deps.accounts.audit(limit, target) };
  });

  router.get('/applications', async (ctx) => {
    const who = permit(ctx, 'applications.view');
    ctx.body = await listApplications(deps.applications, ctx.query, who);
  });

  router.post('/applications', async (ctx) => {
    // Paper, fax, e-mail and on-site requests, entered by the registrar.
    const who = permit(ctx, 'applications.import');
    const { application } = await deps.applications.submit(ctx.request.body, { channel: 'staff', openid: null, by: who.username });
    ctx.status = 201;
    ctx.body = deps.applications.view(application, 'staff-full');
  });

  router.post('/applications/import', async (ctx) => {
    const who = permit(ctx, 'applications.import');
    const imported = await deps.applications.import(bodyObject(ctx.request.body).records, who.username, {
      event: (type) => can(who.roles, `applications.event.${type}`),
      decisions: can(who.roles, 'applications.importDecisions'),
    });
    ctx.body = { imported: imported.length, ids: imported.map((a) => a.id) };
  });

  router.get('/applications/:id', async (ctx) => {
    const who = permit(ctx, 'applications.view');
    const audience = can(who.roles, 'applications.viewPersonalData') ? 'staff-full' : 'staff-restricted';
    ctx.body = deps.applications.view(await deps.applications.get(ctx.params.id!), audience);
  });

  router.post('/applications/:id/events', async (ctx) => {
    const body = bodyObject(ctx.request.body);
    const type = typeof body.type === 'string' ? body.type : '';
    // An unknown type is a malformed request (400 from validation), not a question of permission.
    const who = permit(ctx, (STAFF_EVENT_TYPES as readonly string[]).includes(type) ? `applications.event.${type}` : 'applications.view');
    const app = await deps.applications.record(ctx.params.id!, body, who.username);
    const audience = can(who.roles, 'applications.viewPersonalData') ? 'staff-full' : 'staff-restricted';
    ctx.body = deps.applications.view(app, audience);
  });

  router.post('/jobs/:name/run', async (ctx) => {
    permit(ctx, 'jobs.run');
    const job = deps.jobs?.().find((j) => j.name === ctx.params.name);
    if (!job) throw new HttpError(404, 'not-found', `没有名为 ${ctx.params.name} 的任务`);
    const started = Date.now();
    const result = await job.run();
    ctx.body = { job: job.name, ms: Date.now() - started, result: result ?? null };
  });

  for (const extend of deps.extensions ?? []) extend(router);
  return router;
}
