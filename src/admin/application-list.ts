// The staff inbox as data: open requests first, by due date; filters; counts for the header.
import type { ParsedUrlQuery } from 'node:querystring';
import type { ApplicationsService } from '../applications/service.js';
import type { StaffPrincipal } from '../accounts/staff-accounts.js';
import { APPLICATION_STATUSES, FINISHED_STATUSES as FINAL } from '../domain/applications/index.js';
import { can } from '../domain/roles.js';

const PAGE_SIZE = 50;

export function listApplications(service: ApplicationsService, query: ParsedUrlQuery, who: StaffPrincipal) {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v) as string | undefined;
  const status = one(query.status);
  const filter = one(query.filter); // open | overdue | due-soon | paused | all
  const handler = one(query.handler);
  const q = one(query.q)?.trim();
  const page = Math.max(1, Number(one(query.page)) || 1);

  // Reviewers and leaders see who applied masked, as on the notifications page.
  const audience = can(who.roles, 'applications.viewPersonalData') ? 'staff' : 'staff-restricted';
  const views = service.all().map((app) => service.view(app, audience));
  const today = service.today();
  const soon = (due: string | null) => due !== null && due >= today && service.workingDaysBetween(today, due) <= 5;

  const counts = {
    open: views.filter((v) => !FINAL.has(v.status)).length,
    overdue: views.filter((v) => v.overdue).length,
    dueSoon: views.filter((v) => !FINAL.has(v.status) && !v.overdue && soon(v.dueDate)).length,
    paused: views.filter((v) => v.paused).length,
    unreceived: views.filter((v) => v.status === 'submitted').length,
    total: views.length,
  };

  let list = views;
  if (status && (APPLICATION_STATUSES as readonly string[]).includes(status)) list = list.filter((v) => v.status === status);
  if (filter === 'overdue') list = list.filter((v) => v.overdue);
  else if (filter === 'due-soon') list = list.filter((v) => !FINAL.has(v.status) && !v.overdue && soon(v.dueDate));
  else if (filter === 'paused') list = list.filter((v) => v.paused);
  else if (filter !== 'all' && !status) list = list.filter((v) => !FINAL.has(v.status));
  if (handler) list = list.filter((v) => v.timeline.some((e) => e.by === handler));
  if (q) list = list.filter((v) => v.trackingNo.includes(q) || v.applicant.name.includes(q) || v.request.description.includes(q));

  // Overdue first, then by due date (open ones without a date — paused or unreceived — after).
  list = [...list].sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    const da = a.dueDate ?? '9999-12-31';
    const db = b.dueDate ?? '9999-12-31';
    return da === db ? a.trackingNo.localeCompare(b.trackingNo) : da < db ? -1 : 1;
  });

  return {
    counts,
    total: list.length,
    page,
    pageSize: PAGE_SIZE,
    applications: list.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(({ timeline: _t, explanation: _e, ...rest }) => ({
      ...rest,
      dueSoon: !rest.overdue && !FINAL.has(rest.status) && soon(rest.dueDate),
    })),
  };
}
