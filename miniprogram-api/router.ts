// The mini-program's REST API, /mp/v1. Every route but the login needs the bearer token that
// POST /mp/v1/session hands out; a user only ever sees their own requests.
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { parseBody, bodyObject } from '../src/http/body.js';
import { requireMiniProgramUser } from '../src/http/auth.js';
import { HttpError } from '../src/http/errors.js';
import type { MiniProgramSessions } from '../src/accounts/mp-sessions.js';
import type { ApplicationsService } from '../src/applications/service.js';
import type { ApplicationView } from '../src/applications/view.js';
import { isOutcomeId } from '../src/domain/outcomes.js';
import { remedyFor, type Remedy, type RemedyAgency } from '../src/domain/remedies.js';
import { tellApplicant } from '../src/applications/applicant-text.js';
import type { ApplicantDocuments } from '../src/documents/applicant-routes.js';

export interface MiniProgramApiDeps {
  sessions: MiniProgramSessions;
  applications: ApplicationsService;
  /**
   * Routes of other concerns (guide, catalog, subscriptions, notify) mounted under /mp/v1; `user`
   * is the login guard that puts the caller's openid in ctx.state.openid.
   */
  extensions?: Array<(router: Router, user: Middleware) => void>;
  /** The office, for the remedy the applicant has (its 复议机关); absent: 本级人民政府. */
  agency?: RemedyAgency;
  /** The applicant's copies of the request's documents (补正 notice, reply letter...). */
  documents?: ApplicantDocuments;
}

/**
 * What the applicant can do now, if anything: against a decision (the one its letter names), or
 * against no answer in time (行政复议法 第二十三条第一款第（三）项: 复议 first). A withdrawal has none.
 */
function remedyOf(view: ApplicationView, agency: RemedyAgency): Remedy | null {
  if (view.overdue) return remedyFor('overdue', agency);
  const withdrawn = view.timeline.at(-1)?.type === 'withdraw';
  return view.outcome && isOutcomeId(view.outcome) && !withdrawn ? remedyFor(view.outcome, agency) : null;
}

export function createMiniProgramApi(deps: MiniProgramApiDeps): Router {
  const router = new Router({ prefix: '/mp/v1' });
  router.use(parseBody());

  router.post('/session', async (ctx) => {
    ctx.body = await deps.sessions.login(bodyObject(ctx.request.body).code);
  });

  const user = requireMiniProgramUser(deps.sessions);

  router.post('/applications', user, async (ctx) => {
    const key = ctx.get('Idempotency-Key');
    if (key && !/^[\w.:-]{8,128}$/.test(key)) {
      throw new HttpError(400, 'bad-request', 'Idempotency-Key 应为 8–128 位字母、数字或 - _ . :');
    }
    const { application, created } = await deps.applications.submit(ctx.request.body, {
      channel: 'miniprogram',
      openid: ctx.state.openid,
      by: 'applicant',
      idempotencyKey: key || undefined,
    });
    ctx.status = created ? 201 : 200;
    ctx.body = deps.applications.view(application, 'applicant');
  });

  // statusText: the same sentence the chat's 查询进度 says (src/applications/applicant-text.ts).
  router.get('/applications', user, async (ctx) => {
    const mine = await deps.applications.listMine(ctx.state.openid);
    ctx.body = {
      applications: mine.map((app) => {
        const view = deps.applications.view(app, 'applicant');
        return { ...view, statusText: tellApplicant(view).line };
      }),
    };
  });

  router.get('/applications/:id', user, async (ctx) => {
    const app = await deps.applications.mine(ctx.params.id!, ctx.state.openid);
    const view = deps.applications.view(app, 'applicant');
    ctx.body = {
      ...view,
      statusText: tellApplicant(view).line,
      remedy: remedyOf(view, deps.agency ?? {}),
      documents: deps.documents?.list(app) ?? [],
    };
  });

  // The document of one step (its timeline index), for the applicant's session only.
  router.get('/applications/:id/documents/:index', user, async (ctx) => {
    if (!deps.documents) throw new HttpError(404, 'not-found', '没有这份文书');
    const index = ctx.params.index!;
    if (!/^\d{1,5}$/.test(index)) throw new HttpError(400, 'bad-request', '文书序号应为非负整数');
    const app = await deps.applications.mine(ctx.params.id!, ctx.state.openid);
    await deps.documents.send(ctx, app, Number(index), ctx.query.format, `/mp/v1/applications/${app.id}/documents/${index}?format=docx`);
  });

  router.post('/applications/:id/supplement', user, async (ctx) => {
    const app = await deps.applications.supplementByApplicant(ctx.params.id!, ctx.state.openid, bodyObject(ctx.request.body).text);
    ctx.body = deps.applications.view(app, 'applicant');
  });

  router.post('/applications/:id/withdraw', user, async (ctx) => {
    const app = await deps.applications.withdrawByApplicant(ctx.params.id!, ctx.state.openid);
    ctx.body = deps.applications.view(app, 'applicant');
  });

  for (const extend of deps.extensions ?? []) extend(router, user);
  return router;
}
