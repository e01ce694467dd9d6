// 我的账号: who is logged in and what their roles let them do, and — when notifications are wired —
// the one-time code that binds their WeChat, so new requests and deadline reminders reach them.
import type { Router } from '@koa/router';
import { ROLE_LABELS } from '../../../domain/roles.js';
import type { ConsoleKit } from '../kit.js';
import { html } from '../../../http/html.js';
import { chinaDateTime } from '../format.js';

export function mountAccountPage(router: Router, kit: ConsoleKit): void {
  const { accounts } = kit.deps;
  const binding = kit.deps.notify?.notify.binding;

  router.get('/account', kit.staff, (ctx) => {
    const who = kit.open(ctx, 'account');
    const bound = accounts.users().find((u) => u.username === who.username)?.wechatOpenid != null;
    kit.page(ctx, {
      title: '我的账号',
      current: 'account',
      body: html`<dl class="facts"><dt>用户名</dt><dd>${who.username}</dd><dt>姓名</dt><dd>${who.displayName}</dd><dt>角色</dt><dd>${who.roles.map((r) => ROLE_LABELS[r]).join('、')}</dd>
<dt>微信提醒</dt><dd>${bound ? '已绑定：新申请和期限提醒会发到您的微信' : '未绑定'}</dd></dl>
${
  binding &&
  html`<section aria-labelledby="h-bind"><h2 id="h-bind">绑定微信</h2>
<p>点击下面的按钮获取 6 位绑定码，10 分钟内用自己的微信向本机关公众号发送“绑定 绑定码”。${bound ? '重新绑定会替换原来的微信。' : ''}发送“解除绑定”可随时解除。</p>
<form method="post" action="/admin/account/binding-code">${kit.csrf(ctx)}<button type="submit">获取绑定码</button></form></section>`
}`,
    });
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
