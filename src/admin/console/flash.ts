// The one-line message a console page shows after a form was posted and the browser redirected
// (Post/Redirect/Get): "已记录" or the Chinese reason the service refused. It travels in a short-lived
// HttpOnly cookie scoped to the console and is read once.
import type { Context } from 'koa';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
  /** Field-by-field reasons, or a holiday file's problems. */
  details?: string[];
}

const COOKIE = 'gk_flash';
const MAX_DETAILS = 20;

export function setFlash(ctx: Context, flash: Flash, secure: boolean): void {
  const kept: Flash = { kind: flash.kind, text: flash.text, ...(flash.details?.length ? { details: flash.details.slice(0, MAX_DETAILS) } : {}) };
  const value = Buffer.from(JSON.stringify(kept), 'utf8').toString('base64url');
  ctx.cookies.set(COOKIE, value, { path: '/admin', httpOnly: true, sameSite: 'strict', secure, maxAge: 60_000, overwrite: true });
}

/** The waiting message, if any; it is cleared so a reload does not show it again. */
export function takeFlash(ctx: Context): Flash | null {
  const value = ctx.cookies.get(COOKIE);
  if (!value) return null;
  ctx.cookies.set(COOKIE, null, { path: '/admin', overwrite: true });
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Flash>;
    if ((parsed.kind !== 'ok' && parsed.kind !== 'error') || typeof parsed.text !== 'string') return null;
    const details = Array.isArray(parsed.details) ? parsed.details.filter((d): d is string => typeof d === 'string') : undefined;
    return { kind: parsed.kind, text: parsed.text, ...(details?.length ? { details } : {}) };
  } catch {
    return null;
  }
}
