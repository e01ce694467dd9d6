// The guard in front of every console page but the login page: the staff API's own session check
// (requireStaff, with its CSRF check on form posts), answering a browser with a redirect instead of a 401.
import type { Context, Middleware, Next } from 'koa';
import type { StaffAccounts } from '../../accounts/staff-accounts.js';
import { requireStaff } from '../../http/auth.js';
import { HttpError } from '../../http/errors.js';

/**
 * Lets a logged-in staff member through (ctx.state.staff); sends anyone else to the login page,
 * remembering where they were going. A form posted with a wrong CSRF token is refused (403).
 */
export function staffPage(accounts: StaffAccounts): Middleware {
  const authenticate = requireStaff(accounts);
  return async function consoleStaff(ctx: Context, next: Next) {
    try {
      await authenticate(ctx, next);
    } catch (error) {
      // Errors from the page itself (after authentication) are the page's, not the guard's.
      if (ctx.state.staff || !(error instanceof HttpError) || error.status !== 401) throw error;
      ctx.status = 303;
      ctx.redirect(`/admin/login?next=${encodeURIComponent(ctx.method === 'GET' ? ctx.originalUrl : '/admin')}`);
    }
  };
}
