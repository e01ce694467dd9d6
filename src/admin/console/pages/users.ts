// 用户: the staff accounts and their roles, and a form to add one (admin only). Roles decide every
// button the console shows, so they are spelled out next to each name.
import type { Router } from '@koa/router';
import { ROLES, ROLE_LABELS } from '../../../domain/roles.js';
import type { ConsoleKit } from '../kit.js';
import { html } from '../../../http/html.js';
import { chinaDateTime } from '../format.js';
import { field, fieldValues } from '../event-form.js';

const ROLE_DUTIES: Record<(typeof ROLES)[number], string> = {
  registrar: '登记申请、确认收到、补正、送达',
  handler: '办理申请的全部环节',
  submitter: '起草并报送主动公开条目',
  reviewer: '主动公开的保密审查',
  leader: '主动公开的领导审核；批准延期、作出答复',
  admin: '用户、节假日、年度报告及全部办理',
};

export function mountUsersPage(router: Router, kit: ConsoleKit): void {
  const { accounts } = kit.deps;

  router.get('/users', kit.staff, (ctx) => {
    kit.open(ctx, 'users');
    const now = (kit.deps.clock ?? (() => new Date()))().toISOString();
    kit.page(ctx, {
      title: '用户',
      current: 'users',
      wide: true,
      body: html`<table class="users cards"><thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>微信提醒</th><th>状态</th><th>创建</th></tr></thead>
<tbody>${accounts.users().map(
        (u) => html`<tr>
<td data-label="用户名">${u.username}</td>
<td data-label="姓名">${u.displayName}</td>
<td data-label="角色">${u.roles.map((r) => ROLE_LABELS[r]).join('、')}</td>
<td data-label="微信提醒">${u.wechatOpenid ? '已绑定' : '未绑定'}</td>
<td data-label="状态">${u.disabled ? '已停用' : u.lockedUntil && u.lockedUntil > now ? `锁定至 ${chinaDateTime(u.lockedUntil)}` : '正常'}</td>
<td data-label="创建">${chinaDateTime(u.createdAt)}（${u.createdBy}）</td>
</tr>`,
      )}</tbody></table>
<section aria-labelledby="h-new"><h2 id="h-new">新增用户</h2>
<form method="post" action="/admin/users" class="stacked">
${kit.csrf(ctx)}
<label>用户名（字母、数字、点、横线或下划线）<input name="username" required pattern="[A-Za-z0-9_.\\-]{2,32}" autocomplete="off"></label>
<label>姓名 <input name="displayName" maxlength="40"></label>
<label>初始密码（至少 10 位）<input name="password" type="password" minlength="10" required autocomplete="new-password"></label>
<fieldset><legend>角色</legend>${ROLES.map(
        (r) => html`<label class="check"><input type="checkbox" name="roles" value="${r}"> ${ROLE_LABELS[r]}<span class="hint">：${ROLE_DUTIES[r]}</span></label>`,
      )}</fieldset>
<button type="submit">新增</button>
</form></section>`,
    });
  });

  router.post('/users', kit.staff, async (ctx) => {
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    await kit.act(ctx, '/admin/users', async () => {
      const admin = kit.open(ctx, 'users');
      const created = await accounts.createUser(admin.username, {
        username: field(form, 'username'),
        displayName: field(form, 'displayName'),
        password: typeof form.password === 'string' ? form.password : '',
        roles: fieldValues(form, 'roles'),
      });
      return `已新增用户 ${created.username}（${created.roles.map((r) => ROLE_LABELS[r]).join('、')}）`;
    });
  });
}
