import type { Middleware } from 'koa';

// Conservative defaults for every answer; the console's pages add their own CSP.
export function securityHeaders(): Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'SAMEORIGIN');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    await next();
  };
}
