// Logging in and out of the console (the guard in front of every other page is guard.ts). The
// session is the staff API's own (StaffAccounts tokens in the HttpOnly STAFF_COOKIE), checked by the
// same requireStaff, which also demands the session's CSRF token on every form post. The login form
// has its own CSRF token (double-submit cookie), so no other site can log a browser in as someone else.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import { presentedStaffToken, STAFF_COOKIE } from '../../http/auth.js';
import { describeError } from '../../http/errors.js';
import type { ConsoleKit } from './kit.js';
import { field } from './form-fields.js';
import { html } from '../../http/html.js';

const LOGIN_CSRF_COOKIE = 'gk_login';

/** Only paths inside the console: `next` must not send anyone to another site after login. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(?:[/?]|$)/.test(next) && !next.startsWith('/admin/login') && !/[\\\r\n]/.test(next) ? next : '/admin';
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function mountSession(router: Router, kit: ConsoleKit): void {
  const { accounts } = kit.deps;

  const loginForm = (ctx: Context, message: string | null, username = '', status = 200) => {
    const token = randomBytes(24).toString('base64url');
    ctx.cookies.set(LOGIN_CSRF_COOKIE, token, { path: '/admin/login', httpOnly: true, sameSite: 'strict', secure: ctx.secure, overwrite: true });
    const next = safeNext(ctx.query.next ?? field((ctx.request.body ?? {}) as Record<string, unknown>, 'next'));
    kit.page(
      ctx,
      {
        title: '登录',
        body: html`<form method="post" action="/admin/login" class="login">
${message && html`<div class="flash error" role="alert"><p>${message}</p></div>`}
<input type="hidden" name="_csrf" value="${token}">
<input type="hidden" name="next" value="${next}">
<label>用户名 <input name="username" autocomplete="username" value="${username}" required autofocus></label>
<label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">登录</button>
<p class="hint">连续输错 5 次密码后需等待 1 分钟再试，再错等待时间加倍（最长 15 分钟）；忘记密码请联系系统管理员重置。</p>
</form>`,
      },
      status,
    );
  };

  router.get('/login', async (ctx) => {
    const cookie = ctx.cookies.get(STAFF_COOKIE);
    if (cookie && (await accounts.authenticate(cookie))) return ctx.redirect(safeNext(ctx.query.next));
    loginForm(ctx, null);
  });

  router.post('/login', async (ctx) => {
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    const expected = ctx.cookies.get(LOGIN_CSRF_COOKIE) ?? '';
    const username = field(form, 'username');
    if (!expected || !sameToken(expected, field(form, '_csrf'))) {
      return loginForm(ctx, '页面已过期，请重新输入用户名和密码', username, 403);
    }
    let session;
    try {
      session = await accounts.login(username, typeof form.password === 'string' ? form.password : '', { address: ctx.ip });
    } catch (error) {
      const described = describeError(error);
      if (!described) throw error;
      return loginForm(ctx, described.message, username, described.status);
    }
    ctx.cookies.set(LOGIN_CSRF_COOKIE, null, { path: '/admin/login', overwrite: true });
    ctx.cookies.set(STAFF_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.secure, overwrite: true });
    ctx.status = 303;
    ctx.redirect(safeNext(field(form, 'next')));
  });

  router.post('/logout', kit.staff, async (ctx) => {
    // Whatever token the request presented (the cookie, or a bearer token) stops working now.
    const token = presentedStaffToken(ctx);
    if (token) await accounts.logout(token);
    ctx.cookies.set(STAFF_COOKIE, null, { path: '/', overwrite: true });
    kit.back(ctx, '/admin/login', { kind: 'ok', text: '已退出登录' });
  });
}
