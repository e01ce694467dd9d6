// 用户: the staff accounts and their roles, a form to add one, and for each account the lifecycle an
// admin needs: change roles, disable or enable, set a new password, lift a login backoff, end every
// session; below, the audit log of these changes. Roles decide every button the console shows, so
// they are spelled out next to each name.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { ROLES, ROLE_LABELS, type Role } from '../../../domain/roles.js';
import type { StaffPrincipal, StaffUserView } from '../../../accounts/staff-accounts.js';
import type { AuditEntry } from '../../../store/audit-repo.js';
import type { ConsoleKit } from '../kit.js';
import { html, type SafeHtml } from '../../../http/html.js';
import { actorName, chinaDateTime } from '../format.js';
import { field, fieldValues } from '../form-fields.js';

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

  router.get('/users', kit.staff, async (ctx) => {
    kit.open(ctx, 'users');
    const now = (kit.deps.clock ?? (() => new Date()))().toISOString();
    const [names, users, audit] = await Promise.all([kit.names(), accounts.users(), accounts.audit(50)]);
    kit.page(ctx, {
      title: '用户',
      current: 'users',
      wide: true,
      body: html`<table class="users cards"><thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>微信提醒</th><th>状态</th><th>创建</th><th>管理</th></tr></thead>
<tbody>${users.map(
        (u) => html`<tr>
<td data-label="用户名">${u.username}</td>
<td data-label="姓名">${u.displayName}</td>
<td data-label="角色">${u.roles.map((r) => ROLE_LABELS[r]).join('、')}</td>
<td data-label="微信提醒">${u.wechatOpenid ? '已绑定' : '未绑定'}</td>
<td data-label="状态">${u.disabled ? '已停用' : u.lockedUntil && u.lockedUntil > now ? `登录受限至 ${chinaDateTime(u.lockedUntil)}` : '正常'}${u.sessions ? `（${u.sessions} 个登录中）` : ''}</td>
<td data-label="创建">${chinaDateTime(u.createdAt)}（${actorName(u.createdBy, names)}）</td>
<td data-label="管理">${manageForms(ctx, u)}</td>
</tr>`,
      )}</tbody></table>
<section aria-labelledby="h-new"><h2 id="h-new">新增用户</h2>
<form method="post" action="/admin/users" class="stacked">
${kit.csrf(ctx)}
<label>用户名（字母、数字、点、横线或下划线）<input name="username" required pattern="[A-Za-z0-9_.\\-]{2,32}" autocomplete="off"></label>
<label>姓名 <input name="displayName" maxlength="40"></label>
<label>初始密码（至少 10 位，不能是常见密码或重复字符）<input name="password" type="password" minlength="10" maxlength="128" required autocomplete="new-password"></label>
<fieldset><legend>角色</legend>${ROLES.map(
        (r) => html`<label class="check"><input type="checkbox" name="roles" value="${r}"> ${ROLE_LABELS[r]}<span class="hint">：${ROLE_DUTIES[r]}</span></label>`,
      )}</fieldset>
<button type="submit">新增</button>
</form></section>
<section aria-labelledby="h-audit"><h2 id="h-audit">账号变更记录</h2>${auditTable(audit, names)}</section>`,
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

  // Each action answers on the users page; a refusal (e.g. the last admin) becomes its message.
  const manage = (path: string, run: (admin: StaffPrincipal, username: string, form: Record<string, unknown>, ctx: Context) => Promise<string>) =>
    router.post(`/users/:username/${path}`, kit.staff, async (ctx) => {
      const form = (ctx.request.body ?? {}) as Record<string, unknown>;
      await kit.act(ctx, '/admin/users', async () => run(kit.open(ctx, 'users'), ctx.params.username!, form, ctx));
    });

  manage('roles', async (admin, username, form, ctx) => {
    const user = await accounts.updateUser(admin, username, { roles: fieldValues(form, 'roles') }, { address: ctx.ip });
    return `已将 ${username} 的角色改为 ${user.roles.map((r) => ROLE_LABELS[r]).join('、')}；其登录已全部失效`;
  });
  manage('disable', async (admin, username, _form, ctx) => {
    await accounts.updateUser(admin, username, { disabled: true }, { address: ctx.ip });
    return `已停用 ${username}，其登录已全部失效`;
  });
  manage('enable', async (admin, username, _form, ctx) => {
    await accounts.updateUser(admin, username, { disabled: false }, { address: ctx.ip });
    return `已启用 ${username}`;
  });
  manage('password', async (admin, username, form, ctx) => {
    await accounts.resetPassword(admin, username, typeof form.password === 'string' ? form.password : '', { address: ctx.ip });
    return `已为 ${username} 设置新密码，其原有登录已全部失效；请当面或电话告知新密码，并请其登录后自行修改`;
  });
  manage('unlock', async (admin, username, _form, ctx) => {
    await accounts.unlock(admin, username, { address: ctx.ip });
    return `已解除 ${username} 的登录限制`;
  });
  manage('sessions', async (admin, username, _form, ctx) => {
    const revoked = await accounts.revokeSessions(admin, username, { address: ctx.ip });
    return `已让 ${username} 的 ${revoked} 个登录失效`;
  });
}

function manageForms(ctx: Context & { state: { staff?: StaffPrincipal } }, u: StaffUserView): SafeHtml {
  const csrf = html`<input type="hidden" name="_csrf" value="${ctx.state.staff?.csrf ?? ''}">`;
  const action = (path: string) => `/admin/users/${encodeURIComponent(u.username)}/${path}`;
  return html`<details class="manage"><summary>管理</summary>
<form method="post" action="${action('roles')}">${csrf}<fieldset><legend>角色（修改后其登录全部失效）</legend>${ROLES.map(
    (r) => html`<label class="check"><input type="checkbox" name="roles" value="${r}"${u.roles.includes(r) ? html` checked` : ''}> ${ROLE_LABELS[r]}</label>`,
  )}</fieldset><button type="submit">保存角色</button></form>
<form method="post" action="${action('password')}">${csrf}<label>新密码（至少 10 位，不能是常见密码）<input name="password" type="password" minlength="10" maxlength="128" required autocomplete="new-password"></label><button type="submit">重置密码</button></form>
${
  u.disabled
    ? html`<form method="post" action="${action('enable')}">${csrf}<button type="submit">启用账号</button></form>`
    : html`<form method="post" action="${action('disable')}" data-confirm="停用后该账号不能再登录，现有登录立即失效。确定停用？">${csrf}<button type="submit">停用账号</button></form>`
}
${u.lockedUntil && html`<form method="post" action="${action('unlock')}">${csrf}<button type="submit">解除登录限制</button></form>`}
<form method="post" action="${action('sessions')}">${csrf}<button type="submit">让其全部登录失效</button></form>
</details>`;
}

const AUDIT_LABELS: Record<string, string> = {
  'user.create': '新增用户',
  'user.update': '修改账号',
  'user.password-reset': '重置密码',
  'user.password-change': '修改本人密码',
  'user.unlock': '解除登录限制',
  'user.sessions-revoke': '登录全部失效',
};

function auditTable(entries: AuditEntry[], names: ReadonlyMap<string, string>): SafeHtml {
  if (entries.length === 0) return html`<p class="empty">还没有记录。</p>`;
  const describe = (e: AuditEntry): string => {
    const d = (e.detail ?? {}) as Record<string, any>;
    const parts: string[] = [];
    if (d.roles?.to) parts.push(`角色：${(d.roles.to as Role[]).map((r) => ROLE_LABELS[r] ?? r).join('、')}`);
    else if (Array.isArray(d.roles)) parts.push(`角色：${(d.roles as Role[]).map((r) => ROLE_LABELS[r] ?? r).join('、')}`);
    if (d.disabled === true) parts.push('停用');
    if (d.disabled === false) parts.push('启用');
    if (typeof d.displayName === 'string') parts.push(`姓名：${d.displayName}`);
    if (typeof d.sessionsRevoked === 'number' && d.sessionsRevoked > 0) parts.push(`${d.sessionsRevoked} 个登录失效`);
    return parts.join('；');
  };
  return html`<table class="audit cards"><thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>账号</th><th>内容</th><th>来源地址</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr><td data-label="时间">${chinaDateTime(e.at)}</td><td data-label="操作人">${actorName(e.by, names)}</td><td data-label="操作">${AUDIT_LABELS[e.action] ?? e.action}</td><td data-label="账号">${e.target}</td><td data-label="内容">${describe(e)}</td><td data-label="来源地址">${e.address ?? '—'}</td></tr>`,
  )}</tbody></table>`;
}
