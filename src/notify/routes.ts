// HTTP routes of notify, mounted by the mini-program API (/mp/v1) and the staff API (/admin/v1)
// through their `extensions`. Both routers parse JSON bodies already.
import type { Router } from '@koa/router';
import { bodyObject } from '../http/body.js';
import { permit, requireMiniProgramUser, requireStaff, staffOf } from '../http/auth.js';
import { can } from '../domain/roles.js';
import { DomainError } from '../domain/errors.js';
import { maskAddress, maskEmail, maskName, maskPhone } from '../domain/masking.js';
import type { MiniProgramSessions } from '../accounts/mp-sessions.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { ApplicationsService } from '../applications/service.js';
import type { Delivery } from '../store/notify-repo.js';
import { channelLabel, type Outbox } from './outbox.js';
import { renderMessage, type NotifyTemplates } from './templates.js';
import type { SubscribeConsents } from './consents.js';
import type { StaffBinding } from './staff-binding.js';

export function mountNotifyMiniProgramRoutes(router: Router, deps: { sessions: MiniProgramSessions; notify: { consents: SubscribeConsents } }): void {
  const user = requireMiniProgramUser(deps.sessions);

  // The templates the mini-program should pass to wx.requestSubscribeMessage (at most 3 per call).
  router.get('/notify/templates', user, (ctx) => {
    ctx.body = { templates: deps.notify.consents.templatesOf('mp').map(({ id, purpose }) => ({ id, purpose })) };
  });

  router.post('/notify/consents', user, async (ctx) => {
    const body = bodyObject(ctx.request.body);
    const state = await deps.notify.consents.record(ctx.state.openid, 'mp', { accepted: body.accepted, rejected: body.rejected });
    ctx.body = { templates: state.map(({ id, purpose, credits, longTerm }) => ({ id, purpose, credits, longTerm })) };
  });
}

export interface NotifyAdminDeps {
  accounts: StaffAccounts;
  applications: ApplicationsService;
  /** The parts of the Notify service (index.ts) these routes use; named here so routes need not import the service. */
  notify: { outbox: Outbox; binding: StaffBinding; nudge(): void };
  /** The message wording (notify.templates): to show staff what an applicant should be told. */
  templates: NotifyTemplates;
}

export function mountNotifyAdminRoutes(router: Router, deps: NotifyAdminDeps): void {
  const staff = requireStaff(deps.accounts);

  router.get('/notify/dead-letters', staff, async (ctx) => {
    permit(ctx, 'notify.view');
    const { total, deliveries } = await deps.notify.outbox.deadLetters();
    ctx.body = { deadLetters: deliveries.map((d) => describe(d, deps.templates)), total };
  });

  router.post('/notify/dead-letters/:key/retry', staff, async (ctx) => {
    const who = permit(ctx, 'notify.view');
    const delivery = await deps.notify.outbox.retry(ctx.params.key!, who.username);
    deps.notify.nudge();
    ctx.body = delivery ? describe(delivery, deps.templates) : { key: ctx.params.key, status: 'replanned' };
  });

  router.get('/notify/needs-contact', staff, async (ctx) => {
    const who = permit(ctx, 'notify.view');
    const full = can(who.roles, 'applications.viewPersonalData');
    const { total, deliveries } = await deps.notify.outbox.needsContact();
    ctx.body = {
      entries: await Promise.all(
        deliveries.map(async (d) => ({
          ...describe(d, deps.templates),
          // What to tell the applicant, and how to reach them.
          text: renderMessage(deps.templates, d.kind, d.vars).text,
          applicant: await contactOf(d, deps.applications, full),
        })),
      ),
      total,
    };
  });

  router.post('/notify/needs-contact/:key/contacted', staff, async (ctx) => {
    const who = permit(ctx, 'notify.view');
    const note = bodyObject(ctx.request.body).note;
    if (note !== undefined && (typeof note !== 'string' || note.length > 500)) {
      throw new DomainError('validation', '备注应为 500 字以内的文字', { note: '应为 500 字以内的文字' });
    }
    ctx.body = describe(await deps.notify.outbox.markContacted(ctx.params.key!, who.username, note?.trim() || null), deps.templates);
  });

  // Any staff member may bind their own WeChat: it only decides where their reminders go.
  router.post('/notify/binding-code', staff, async (ctx) => {
    ctx.body = await deps.notify.binding.issueCode(staffOf(ctx).username);
  });
}

function describe(d: Delivery, templates: NotifyTemplates) {
  return {
    key: d.key,
    kind: d.kind,
    label: templates.messages[d.kind]?.label ?? d.kind,
    applicationId: d.applicationId,
    trackingNo: d.vars.trackingNo && d.vars.trackingNo !== '-' ? d.vars.trackingNo : null,
    recipient: d.recipient.type === 'staff' ? `staff:${d.recipient.username}` : d.recipient.type,
    status: d.status,
    reason: d.reason,
    attempts: d.attempts,
    channels: d.channels.map((c) => ({ channel: c, label: channelLabel(c) })),
    history: d.history,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

async function contactOf(d: Delivery, applications: ApplicationsService, full: boolean) {
  if (!d.applicationId) return null;
  let app;
  try {
    app = await applications.get(d.applicationId);
  } catch {
    return null;
  }
  const a = app.applicant;
  return {
    name: full || a.type === 'organization' ? a.name : maskName(a.name),
    contactName: a.contactName ?? null,
    phone: full ? a.phone : maskPhone(a.phone),
    email: a.email ? (full ? a.email : maskEmail(a.email)) : null,
    address: a.address ? (full ? a.address : maskAddress(a.address)) : null,
    postcode: a.postcode ?? null,
  };
}
