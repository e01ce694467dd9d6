// Reply documents of a request, as printable HTML or DOCX for the clerk.
import type { Router } from '@koa/router';
import { permit } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { ApplicationsService } from '../applications/service.js';
import type { CalendarSource } from '../applications/calendar-source.js';
import type { Agency } from '../agency.js';
import { documentDocx, documentHtml, documentKindsFor, renderDocument, type DocumentTemplates } from '../documents/index.js';

export interface DocumentRoutesDeps {
  applications: ApplicationsService;
  calendar: CalendarSource;
  agency: Agency;
  templates: DocumentTemplates;
}

export function mountDocumentRoutes(deps: DocumentRoutesDeps) {
  return (router: Router) => {
    router.get('/applications/:id/documents', async (ctx) => {
      permit(ctx, 'applications.viewPersonalData');
      const view = deps.applications.view(await deps.applications.get(ctx.params.id!), 'staff-full');
      ctx.body = { documents: documentKindsFor(deps.templates, view) };
    });

    router.get('/applications/:id/documents/:kind', async (ctx) => {
      permit(ctx, 'applications.viewPersonalData');
      const view = deps.applications.view(await deps.applications.get(ctx.params.id!), 'staff-full');
      const eventText = ctx.query.event;
      if (eventText !== undefined && (typeof eventText !== 'string' || !/^\d{1,5}$/.test(eventText))) {
        throw new HttpError(400, 'bad-request', 'event 应为事件序号（非负整数）');
      }
      const format = ctx.query.format ?? 'html';
      if (format !== 'html' && format !== 'docx') throw new HttpError(400, 'bad-request', 'format 应为 html 或 docx');
      const doc = renderDocument(deps.templates, ctx.params.kind!, {
        view,
        agency: deps.agency,
        calendar: deps.calendar.current(),
        eventIndex: eventText === undefined ? undefined : Number(eventText),
      });
      if (format === 'html') {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = documentHtml(doc);
        return;
      }
      const filename = `${doc.title}-${view.trackingNo}.docx`;
      ctx.type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
      ctx.set('Content-Disposition', `attachment; filename="${view.trackingNo}.docx"; filename*=UTF-8''${encodeURIComponent(filename)}`);
      ctx.body = await documentDocx(doc);
    });
  };
}
