// Who is calling: a mini-program user (bearer token → openid) or a staff member (bearer token, or
// the console's session cookie with a CSRF token on every state change).
import type { Middleware, Context } from 'koa';
import { HttpError } from './errors.js';
import type { MiniProgramSessions } from '../accounts/mp-sessions.js';
import type { StaffAccounts, StaffPrincipal } from '../accounts/staff-accounts.js';
import { can, type Action } from '../domain/roles.js';

export const STAFF_COOKIE = 'gk_staff';

function bearer(ctx: Context): string | null {
  const match = /^Bearer\s+([\w-]{20,200})$/.exec(ctx.get('Authorization'));
  return match ? match[1]! : null;
}

/** The staff token this request presents: the bearer token, or else the console's cookie. */
export function presentedStaffToken(ctx: Context): string | null {
  return bearer(ctx) ?? ctx.cookies.get(STAFF_COOKIE) ?? null;
}

export function requireMiniProgramUser(sessions: MiniProgramSessions): Middleware {
  return async function authenticateMiniProgramUser(ctx, next) {
    const token = bearer(ctx);
    const openid = token ? await sessions.authenticate(token) : null;
    if (!openid) throw new HttpError(401, 'unauthorized', '登录已失效，请重新登录');
    ctx.state.openid = openid;
    await next();
  };
}

export function requireStaff(accounts: StaffAccounts): Middleware {
  return async function authenticateStaff(ctx, next) {
    const token = bearer(ctx);
    let principal: StaffPrincipal | null = null;
    if (token) {
      principal = await accounts.authenticate(token);
    } else {
      const cookie = ctx.cookies.get(STAFF_COOKIE);
      principal = cookie ? await accounts.authenticate(cookie) : null;
      // A cookie rides along on any request the browser makes, so state changes must also prove
      // they come from our own pages.
      if (principal && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) {
        const sent = ctx.get('X-CSRF-Token') || (ctx.request.body as Record<string, unknown> | undefined)?._csrf;
        if (sent !== principal.csrf) throw new HttpError(403, 'csrf', '页面已过期，请刷新后重试');
      }
    }
    if (!principal) throw new HttpError(401, 'unauthorized', '请先登录');
    ctx.state.staff = principal;
    await next();
  };
}

export function staffOf(ctx: Context): StaffPrincipal {
  const staff = ctx.state.staff as StaffPrincipal | undefined;
  if (!staff) throw new HttpError(401, 'unauthorized', '请先登录');
  return staff;
}

export function permit(ctx: Context, action: Action): StaffPrincipal {
  const staff = staffOf(ctx);
  if (!can(staff.roles, action)) throw new HttpError(403, 'forbidden', '当前账号的角色无权进行此操作');
  return staff;
}
