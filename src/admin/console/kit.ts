// What every console page needs, made once per router: the dependencies, the guard, the page frame,
// and the Post/Redirect/Get helpers that turn a refused action into a message on the page.
import type { Context, Middleware } from 'koa';
import type { Agency } from '../../agency.js';
import type { StaffAccounts, StaffPrincipal } from '../../accounts/staff-accounts.js';
import type { ApplicationsService } from '../../applications/service.js';
import type { CalendarSource } from '../../applications/calendar-source.js';
import type { CatalogService } from '../../catalog/service.js';
import type { DocumentTemplates } from '../../documents/index.js';
import type { NotifyAdminDeps } from '../../notify/routes.js';
import type { ReportEditingDeps } from '../../report/store-inputs.js';
import type { PushJob } from '../../catalog/push.js';
import type { ConversationsRepository } from '../../store/conversations-repo.js';
import type { GuideService } from '../../guide/service.js';
import type { Notify } from '../../notify/index.js';
import { staffOf } from '../../http/auth.js';
import { describeError, HttpError } from '../../http/errors.js';
import type { Assets } from './assets.js';
import { setFlash, takeFlash, type Flash } from './flash.js';
import { html, type SafeHtml } from '../../http/html.js';
import { renderPage, type PageParts } from './layout.js';
import { mayOpen, navEntry, navFor, type Feature } from './nav.js';
import { staffPage } from './guard.js';

export interface ConsoleDeps {
  accounts: StaffAccounts;
  applications: ApplicationsService;
  calendar: CalendarSource;
  /** The reply-document wording (data/documents), to list the documents of a request. */
  documentTemplates: DocumentTemplates;
  agency?: Pick<Agency, 'name'> & { supplementPeriodWorkingDays?: unknown };
  /** The bot's unanswered questions; without it the page is not offered. */
  conversations?: Pick<ConversationsRepository, 'listUnanswered' | 'unansweredCounts' | 'unansweredQuestion' | 'setUnansweredStatus'>;
  /** The guide, for topic titles on the 未答问题 page and for staff to add phrasings and entries. */
  guide?: Pick<GuideService, 'ready' | 'guide' | 'addPhrasing' | 'addEntry'>;
  /** Answers to the askers of unanswered questions, through the notify outbox. */
  questionReplies?: Pick<Notify, 'replyToQuestion' | 'questionReply'>;
  /** What the annual report is built from (as for the report's staff routes), and the records staff type in; without it, no report page. */
  report?: ReportEditingDeps;
  /** The catalog service, for the publication review queue; without it, no review page. */
  catalog?: Pick<CatalogService, 'list' | 'staffView' | 'review' | 'get' | 'draft' | 'edit' | 'categories'>;
  /** The push job of new items to subscribers: run now, and its last runs; without it, no push page. */
  push?: Pick<PushJob, 'run' | 'runs'>;
  /** Notifications: failed deliveries, applicants to contact by hand, the staff WeChat binding code. */
  notify?: Pick<NotifyAdminDeps, 'notify' | 'templates'>;
  /** Session and message cookies only over HTTPS (production). */
  /** The time, for lockouts shown on the users page (default: the system clock). */
  clock?: () => Date;
}

export interface ConsoleKit {
  deps: ConsoleDeps;
  features: ReadonlySet<Feature>;
  /** The guard: a logged-in staff member, or a redirect to the login page. */
  staff: Middleware;
  page(ctx: Context, parts: PageParts, status?: number): void;
  /** Redirects (303) with a message for the next page. */
  back(ctx: Context, url: string, flash: Flash): void;
  /** The staff member on a page that is theirs to open (by menu entry); 403 otherwise. */
  open(ctx: Context, page: string): StaffPrincipal;
  /** The hidden CSRF field every form carries. */
  csrf(ctx: Context): SafeHtml;
  /** Runs a form's action; a refusal (4xx) becomes the message on the page it returns to. */
  act(ctx: Context, url: string, run: () => Promise<string | Flash>): Promise<void>;
  /** username → display name, for timelines and lists. */
  names(): Promise<Map<string, string>>;
}

export function createKit(deps: ConsoleDeps, assets: Assets): ConsoleKit {
  const features = new Set<Feature>();
  if (deps.report) features.add('report');
  if (deps.catalog) features.add('catalog');
  if (deps.notify) features.add('notify');
  if (deps.conversations) features.add('questions');

  const kit: ConsoleKit = {
    deps,
    features,
    staff: staffPage(deps.accounts),
    page(ctx, parts, status = 200) {
      const staff = (ctx.state.staff as StaffPrincipal | undefined) ?? null;
      ctx.status = status;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = renderPage(
        {
          officeName: deps.agency?.name ?? null,
          css: assets.url('console.css'),
          js: assets.url('console.js'),
          staff,
          nav: staff ? navFor(staff.roles, features) : [],
          flash: takeFlash(ctx),
        },
        parts,
      );
    },
    back(ctx, url, flash) {
      setFlash(ctx, flash, ctx.secure);
      ctx.status = 303;
      ctx.redirect(url);
    },
    open(ctx, page) {
      const staff = staffOf(ctx);
      if (!mayOpen(navEntry(page), staff.roles, features)) throw new HttpError(403, 'forbidden', '当前账号的角色无权打开此页面');
      return staff;
    },
    csrf(ctx) {
      return html`<input type="hidden" name="_csrf" value="${staffOf(ctx).csrf}">`;
    },
    async act(ctx, url, run) {
      let flash: Flash;
      try {
        const done = await run();
        flash = typeof done === 'string' ? { kind: 'ok', text: done } : done;
      } catch (error) {
        const described = describeError(error);
        if (!described || described.status >= 500) throw error;
        const details = Object.values(described.fields ?? {}).filter((d) => d !== described.message);
        flash = { kind: 'error', text: described.message, details };
      }
      kit.back(ctx, url, flash);
    },
    async names() {
      return new Map((await deps.accounts.directory()).map((u) => [u.username, u.displayName]));
    },
  };
  return kit;
}

// The policy of console pages: scripts and styles from our own files only, forms post only to us,
// frames only of our own documents (the report preview), and nothing kept in caches, since pages
// carry personal data.
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
].join('; ');

export function consoleHeaders(): Middleware {
  return async function setConsoleHeaders(ctx, next) {
    await next();
    if (ctx.response.is('html')) {
      ctx.set('Content-Security-Policy', CONSOLE_CSP);
      ctx.set('Cache-Control', 'no-store');
    }
  };
}

/**
 * Refusals on console pages answer as pages, not as the API's JSON: the reason, and a way back.
 * Anything else is a bug: logged here with its stack, answered with the request id.
 */
export function consoleErrors(kit: ConsoleKit): Middleware {
  return async function renderConsoleErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      const described = describeError(error);
      const status = described?.status ?? 500;
      if (!described) ctx.state.log?.error({ err: error }, 'console page failed');
      const message = described?.message ?? `服务器内部错误，请稍后再试（请求编号 ${ctx.state.requestId ?? '-'}）`;
      kit.page(
        ctx,
        {
          title: status === 404 ? '找不到页面' : status === 403 ? '无法进行此操作' : '出错了',
          body: html`<p class="error-text">${message}</p><p><a href="/admin">返回工作台</a></p>`,
        },
        status,
      );
    }
  };
}
