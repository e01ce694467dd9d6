// The staff inbox as data: open requests first, by due date, then finished ones when asked for;
// filters; counts for the header.
import type { ParsedUrlQuery } from 'node:querystring';
import type { ApplicationsService } from '../applications/service.js';
import type { StaffPrincipal } from '../accounts/staff-accounts.js';
import { APPLICATION_STATUSES, FINISHED_STATUSES as FINAL, type ApplicationStatus } from '../domain/applications/index.js';
import { can } from '../domain/roles.js';

const PAGE_SIZE = 50;

export async function listApplications(service: ApplicationsService, query: ParsedUrlQuery, who: StaffPrincipal) {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v) as string | undefined;
  const status = one(query.status);
  const filter = one(query.filter); // open | overdue | due-soon | paused | all
  const handler = one(query.handler);
  const q = one(query.q)?.trim();
  const page = Math.max(1, Number(one(query.page)) || 1);

  // Reviewers and leaders see who applied masked, as on the notifications page.
  const audience = can(who.roles, 'applications.viewPersonalData') ? 'staff' : 'staff-restricted';
  // The open requests, derived in full (their due dates order the list); finished ones are read a
  // page at a time below, only when the list asks for them.
  const views = (await service.open()).map((app) => service.view(app, audience));
  const today = service.today();
  const soon = (due: string | null) => due !== null && due >= today && service.workingDaysBetween(today, due) <= 5;

  const counts = {
    open: views.length,
    overdue: views.filter((v) => v.overdue).length,
    dueSoon: views.filter((v) => !v.overdue && soon(v.dueDate)).length,
    paused: views.filter((v) => v.paused).length,
    unreceived: views.filter((v) => v.status === 'submitted').length,
    total: await service.count(),
  };

  const knownStatus = status && (APPLICATION_STATUSES as readonly string[]).includes(status) ? (status as ApplicationStatus) : undefined;
  let list = views;
  if (knownStatus) list = list.filter((v) => v.status === knownStatus);
  if (filter === 'overdue') list = list.filter((v) => v.overdue);
  else if (filter === 'due-soon') list = list.filter((v) => !v.overdue && soon(v.dueDate));
  else if (filter === 'paused') list = list.filter((v) => v.paused);
  if (handler) list = list.filter((v) => v.timeline.some((e) => e.by === handler));
  if (q) list = list.filter((v) => v.trackingNo.includes(q) || v.applicant.name.includes(q) || v.request.description.includes(q));
  // Finished requests are searched in the store: by name only for readers who see names unmasked.
  const matchName = audience === 'staff';

  // Overdue first, then by due date (open ones without a date — paused or unreceived — after).
  list = [...list].sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    const da = a.dueDate ?? '9999-12-31';
    const db = b.dueDate ?? '9999-12-31';
    return da === db ? a.trackingNo.localeCompare(b.trackingNo) : da < db ? -1 : 1;
  });

  // Finished requests (delivered, closed) come after the open ones, latest first: only for 全部 or a
  // finished status (the urgency filters and the default list are open requests only).
  const wantsFinished = (filter === 'all' || (knownStatus !== undefined && FINAL.has(knownStatus))) && !['overdue', 'due-soon', 'paused'].includes(filter ?? '');
  const start = (page - 1) * PAGE_SIZE;
  const shown = list.slice(start, start + PAGE_SIZE);
  let finishedTotal = 0;
  if (wantsFinished) {
    const finished = await service.page({
      closed: true,
      ...(knownStatus ? { status: knownStatus } : {}),
      ...(q ? { text: q, matchName } : {}),
      ...(handler ? { handledBy: handler } : {}),
      order: 'newest',
      offset: Math.max(0, start - list.length),
      limit: PAGE_SIZE - shown.length,
    });
    finishedTotal = finished.total;
    if (shown.length < PAGE_SIZE) shown.push(...finished.applications.map((app) => service.view(app, audience)));
  }

  return {
    counts,
    total: list.length + finishedTotal,
    page,
    pageSize: PAGE_SIZE,
    applications: shown.map(({ timeline: _t, explanation: _e, ...rest }) => ({
      ...rest,
      dueSoon: !rest.overdue && !FINAL.has(rest.status) && soon(rest.dueDate),
    })),
  };
}
