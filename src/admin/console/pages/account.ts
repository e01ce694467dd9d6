// 我的账号: who is logged in and what their roles let them do, a form to change one's password, and —
// when notifications are wired —
// the one-time code that binds their WeChat, so new requests and deadline reminders reach them.
import type { Router } from '@koa/router';
import { ROLE_LABELS } from '../../../domain/roles.js';
import type { ConsoleKit } from '../kit.js';
import { html } from '../../../http/html.js';
import { chinaDateTime } from '../format.js';
import { STAFF_COOKIE } from '../../../http/auth.js';

export function mountAccountPage(router: Router, kit: ConsoleKit): void {
  const { accounts } = kit.deps;
  const binding = kit.deps.notify?.notify.binding;

  router.get('/account', kit.staff, async (ctx) => {
    const who = kit.open(ctx, 'account');
    const bound = (await accounts.user(who.username))?.wechatOpenid != null;
    kit.page(ctx, {
      title: '我的账号',
      current: 'account',
      body: html`<dl class="facts"><dt>用户名</dt><dd>${who.username}</dd><dt>姓名</dt><dd>${who.displayName}</dd><dt>角色</dt><dd>${who.roles.map((r) => ROLE_LABELS[r]).join('、')}</dd>
<dt>微信提醒</dt><dd>${bound ? '已绑定：新申请和期限提醒会发到您的微信' : '未绑定'}</dd></dl>
<section aria-labelledby="h-password"><h2 id="h-password">修改密码</h2>
<form method="post" action="/admin/account/password" class="stacked">${kit.csrf(ctx)}
<label>当前密码 <input name="currentPassword" type="password" required autocomplete="current-password"></label>
<label>新密码（至少 10 位，不能是常见密码或重复字符）<input name="password" type="password" minlength="10" maxlength="128" required autocomplete="new-password"></label>
<button type="submit">修改密码</button>
<p class="hint">修改后，您在所有设备上的登录都会失效，需要用新密码重新登录。</p>
</form></section>
${
  binding &&
  html`<section aria-labelledby="h-bind"><h2 id="h-bind">绑定微信</h2>
<p>点击下面的按钮获取 6 位绑定码，10 分钟内用自己的微信向本机关公众号发送“绑定 绑定码”。${bound ? '重新绑定会替换原来的微信。' : ''}发送“解除绑定”可随时解除。</p>
<form method="post" action="/admin/account/binding-code">${kit.csrf(ctx)}<button type="submit">获取绑定码</button></form></section>`
}`,
    });
  });

  router.post('/account/password', kit.staff, async (ctx) => {
    const who = kit.open(ctx, 'account');
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    let changed = false;
    await kit.act(ctx, '/admin/account', async () => {
      await accounts.changeOwnPassword(who, text('currentPassword'), text('password'), { address: ctx.ip });
      changed = true;
      return '密码已修改';
    });
    // Every session ended with the change, this one included: log in again with the new password.
    if (changed) {
      ctx.cookies.set(STAFF_COOKIE, null, { path: '/', overwrite: true });
      kit.back(ctx, '/admin/login', { kind: 'ok', text: '密码已修改，请用新密码重新登录' });
    }
  });

  if (binding) {
    router.post('/account/binding-code', kit.staff, async (ctx) => {
      await kit.act(ctx, '/admin/account', async () => {
        const who = kit.open(ctx, 'account');
        const { code, expiresAt } = await binding.issueCode(who.username);
        return `绑定码：${code}。请在 ${chinaDateTime(expiresAt)} 前用微信向公众号发送“绑定 ${code}”。`;
      });
    });
  }
}
