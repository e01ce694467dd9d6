// The applicant's own copy of each formal document of their request (补正 notice, reply letter...):
// printable HTML and Word, opened by the unguessable expiring link their message carries
// (GET /letters/:token) or by their mini-program session (GET /mp/v1/applications/:id/documents/:index).
// The applicant's copy prints their ID number masked, as everything the applicant is sent does.
import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Agency } from '../agency.js';
import type { ApplicationsService } from '../applications/service.js';
import type { Calendar } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import type { StoredApplication } from '../store/applications-repo.js';
import { escapeHtml } from '../http/html.js';
import { HttpError } from '../http/errors.js';
import { LINK_VALID_DAYS, type ApplicantLinks } from './applicant-links.js';
import { isToApplicant, kindForEvent } from './kinds.js';
import { documentKindsFor, renderDocument, type AvailableDocument } from './render.js';
import type { DocumentTemplates } from './templates.js';
import { documentHtml } from './html.js';
import { documentDocx } from './index.js';

export interface ApplicantDocumentsDeps {
  applications: Pick<ApplicationsService, 'get' | 'view'>;
  calendar: () => Calendar;
  agency: Agency;
  templates: DocumentTemplates;
  links: ApplicantLinks;
}

export interface ApplicantDocument extends AvailableDocument {
  /** The link that opens it without a login, or null when the server has no PUBLIC_URL. */
  url: string | null;
}

export class ApplicantDocuments {
  constructor(private readonly deps: ApplicantDocumentsDeps) {}

  /** The documents addressed to the applicant that the request's history has produced so far. */
  list(app: StoredApplication): ApplicantDocument[] {
    const view = this.deps.applications.view(app, 'applicant');
    return documentKindsFor(this.deps.templates, view)
      .filter((d) => isToApplicant(d.kind))
      .map((d) => ({ ...d, url: this.deps.links.url({ applicationId: app.id, eventIndex: d.eventIndex }) }));
  }

  /** The link to the document of the step at `eventIndex`, if that step has one for the applicant. */
  urlFor(app: StoredApplication, eventIndex: number): string | null {
    const event = app.events[eventIndex];
    const kind = event ? kindForEvent(event.type) : null;
    if (!kind || !isToApplicant(kind)) return null;
    return this.deps.links.url({ applicationId: app.id, eventIndex });
  }

  /** Sends one document as HTML (with a Word download) or DOCX. */
  async send(ctx: Context, app: StoredApplication, eventIndex: number, format: unknown, docxHref: string): Promise<void> {
    if (format !== undefined && format !== 'html' && format !== 'docx') throw new HttpError(400, 'bad-request', 'format 应为 html 或 docx');
    const event = app.events[eventIndex];
    const kind = event ? kindForEvent(event.type) : null;
    if (!kind || !isToApplicant(kind)) throw new DomainError('not-found', '没有这份文书');
    const view = this.deps.applications.view(app, 'applicant');
    const doc = renderDocument(this.deps.templates, kind, { view, agency: this.deps.agency, calendar: this.deps.calendar(), eventIndex });
    // A letter about a person's request: never kept by a proxy, never indexed, never leaked by Referer.
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('X-Robots-Tag', 'noindex, nofollow');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (format === 'docx') {
      const filename = `${doc.title}-${view.trackingNo}.docx`;
      ctx.type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
      ctx.set('Content-Disposition', `attachment; filename="${view.trackingNo}.docx"; filename*=UTF-8''${encodeURIComponent(filename)}`);
      ctx.body = await documentDocx(doc);
      return;
    }
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = withToolbar(documentHtml(doc), docxHref);
  }
}

const TOOLBAR_STYLE =
  '.toolbar{font:14px/1.6 system-ui,sans-serif;background:#f3f6f4;border:1px solid #cfd8d3;padding:8px 12px;margin:0 0 8mm;text-indent:0}' +
  '.toolbar a{color:#06622d}@media print{.toolbar{display:none}}';

function withToolbar(page: string, docxHref: string): string {
  const bar =
    `<div class="toolbar" role="navigation"><a href="${escapeHtml(docxHref)}" download>下载 Word 版（.docx）</a>` +
    ' · 打印：用浏览器菜单中的“打印”，本栏不会打印出来</div>\n';
  return page.replace('</style>', `${TOOLBAR_STYLE}</style>`).replace('<body>\n', `<body>\n${bar}`);
}

/** GET /letters/:token: the document a message links to, for whoever holds the link until it expires. */
export function createLetterRouter(documents: ApplicantDocuments, deps: Pick<ApplicantDocumentsDeps, 'applications' | 'links'>): Router {
  const router = new Router();
  router.get('/letters/:token', async (ctx) => {
    const checked = deps.links.check(ctx.params.token!);
    const app = checked.ok ? await findApplication(deps.applications, checked.applicationId) : undefined;
    if (!checked.ok || !app) {
      const expired = !checked.ok && checked.reason === 'expired';
      ctx.status = expired ? 410 : 404;
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = notice(
        expired ? '链接已过期' : '链接无效',
        expired
          ? `为保护您的信息，文书链接${LINK_VALID_DAYS}日后失效。请在公众号回复“查询进度”获取新的链接，或在小程序“我的申请”中查看。`
          : '没有找到这份文书。请核对链接是否完整，或在公众号回复“查询进度”获取新的链接。',
      );
      return;
    }
    await documents.send(ctx, app, checked.eventIndex, ctx.query.format, `/letters/${ctx.params.token}?format=docx`);
  });
  return router;
}

async function findApplication(applications: Pick<ApplicationsService, 'get'>, id: string): Promise<StoredApplication | undefined> {
  try {
    return await applications.get(id);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not-found') return undefined;
    throw error;
  }
}

function notice(title: string, text: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.7 system-ui,sans-serif;max-width:32em;margin:15vh auto;padding:0 1em;color:#222}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>
`;
}
