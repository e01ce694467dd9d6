// The staff API, /admin/v1: login, users, requests and their events, historical import, jobs.
// Each route asks the role table (domain/roles.ts) whether the caller may act.
import { Router } from '@koa/router';
import { parseBody, bodyObject } from '../http/body.js';
import { permit, requireStaff, STAFF_COOKIE } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { can } from '../domain/roles.js';
import { STAFF_EVENT_TYPES } from '../domain/applications/index.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { ApplicationsService } from '../applications/service.js';
import { listApplications } from './application-list.js';

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

  router.post('/session', async (ctx) => {
    const body = bodyObject(ctx.request.body);
    const { token, principal } = await deps.accounts.login(body.username, body.password);
    // Secure cookies whenever the browser reached us over HTTPS (directly, or through a trusted proxy).
    ctx.cookies.set(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, overwrite: true });
    ctx.body = { token, username: principal.username, roles: principal.roles, csrf: principal.csrf };
  });

  // Everything but the login needs a staff session (extensions included).
  const staff = requireStaff(deps.accounts);
  router.use((ctx, next) => (ctx.path === '/admin/v1/session' ? next() : staff(ctx, next)));

  router.get('/me', (ctx) => {
    ctx.body = ctx.state.staff;
  });

  router.post('/users', async (ctx) => {
    const admin = permit(ctx, 'users.manage');
    ctx.status = 201;
    ctx.body = await deps.accounts.createUser(admin.username, ctx.request.body);
  });

  router.get('/users', (ctx) => {
    permit(ctx, 'users.manage');
    ctx.body = { users: deps.accounts.users() };
  });

  router.get('/applications', (ctx) => {
    const who = permit(ctx, 'applications.view');
    ctx.body = listApplications(deps.applications, ctx.query, who);
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

  router.get('/applications/:id', (ctx) => {
    const who = permit(ctx, 'applications.view');
    const audience = can(who.roles, 'applications.viewPersonalData') ? 'staff-full' : 'staff';
    ctx.body = deps.applications.view(deps.applications.get(ctx.params.id!), audience);
  });

  router.post('/applications/:id/events', async (ctx) => {
    const body = bodyObject(ctx.request.body);
    const type = typeof body.type === 'string' ? body.type : '';
    // An unknown type is a malformed request (400 from validation), not a question of permission.
    const who = permit(ctx, (STAFF_EVENT_TYPES as readonly string[]).includes(type) ? `applications.event.${type}` : 'applications.view');
    const app = await deps.applications.record(ctx.params.id!, body, who.username);
    const audience = can(who.roles, 'applications.viewPersonalData') ? 'staff-full' : 'staff';
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
