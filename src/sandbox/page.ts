// The simulator page, rendered on the server: a WeChat chat with the official account (its custom
// menu from data/menu.json) beside a panel that walks through the mini-program API. Everything
// dynamic happens in /sandbox/app.js; this markup only carries what the server already knows.
import { html, type SafeHtml } from '../http/html.js';
import {
  APPLICANT_TYPE_LABELS,
  DELIVERY_FORM_LABELS,
  DELIVERY_METHOD_LABELS,
  ORG_KIND_LABELS,
} from '../domain/application-form.js';
import type { Menu, MenuButton } from '../wechat/api-client.js';
import { SANDBOX_BANNER } from './banner.js';

export interface SandboxPageModel {
  /** The name users see at the top of the chat. */
  accountName: string;
  menu: Menu | null;
  /** Why the menu could not be built (data/menu.json breaks WeChat's rules), for the developer. */
  menuProblem: string | null;
  users: ReadonlyArray<{ openid: string; label: string }>;
  safeMode: boolean;
  /** Demo staff accounts that exist in this store (sandbox only: their passwords are public). */
  staffLogins: ReadonlyArray<{ username: string; password: string; displayName: string }>;
}

export function renderSandboxPage(model: SandboxPageModel): string {
  const page = html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>微信模拟器 · ${model.accountName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/sandbox/app.css">
<script src="/sandbox/app.js" defer></script>
</head>
<body>
<header class="banner" role="status">${SANDBOX_BANNER}</header>
<main class="layout">
  <section class="phone" aria-label="微信对话模拟">
    <div class="phone-bar">
      <label>当前用户
        <select id="user-switch">
          ${model.users.map((u) => html`<option value="${u.openid}">${u.label}（${u.openid}）</option>`)}
        </select>
      </label>
      <span class="mode">${model.safeMode ? '安全模式（消息加密）' : '明文模式'}</span>
    </div>
    <div class="chat-title">${model.accountName}</div>
    <ol id="messages" class="messages" aria-live="polite" aria-label="聊天记录"></ol>
    <form id="composer" class="composer" autocomplete="off">
      <input id="composer-text" name="text" type="text" maxlength="600" placeholder="输入消息，如：申请公开要多久" aria-label="消息">
      <button type="submit">发送</button>
    </form>
    ${model.menu ? renderMenu(model.menu) : html`<p class="menu-problem">自定义菜单不可用：${model.menuProblem ?? '未配置'}</p>`}
  </section>

  <section class="panel" id="miniprogram" aria-label="小程序接口演示">
    <h2>小程序接口演示 <small>/mp/v1，以当前用户的身份</small></h2>

    <div class="step">
      <h3>1. 登录</h3>
      <p>沙盒里用 <code>dev:&lt;openid&gt;</code> 作为 wx.login 的 code，即以该用户登录。</p>
      <button type="button" id="mp-login">登录（POST /mp/v1/session）</button>
      <p id="mp-session" class="result" aria-live="polite"></p>
    </div>

    <div class="step">
      <h3>2. 提交申请</h3>
      <form id="mp-apply" class="apply-form" novalidate>
        ${selectField('applicant.type', '申请人类型', APPLICANT_TYPE_LABELS)}
        ${selectField('applicant.orgKind', '单位类型', ORG_KIND_LABELS, 'org-only')}
        ${inputField('applicant.name', '姓名 / 单位名称')}
        ${inputField('applicant.idNumber', '身份证号', 'person-only')}
        ${inputField('applicant.creditCode', '统一社会信用代码', 'org-only')}
        ${inputField('applicant.contactName', '联系人', 'org-only')}
        ${inputField('applicant.phone', '联系电话')}
        ${inputField('applicant.email', '电子邮箱')}
        ${inputField('applicant.address', '通信地址')}
        ${inputField('applicant.postcode', '邮政编码')}
        <label class="field wide"><span>所需信息描述</span><textarea name="request.description" rows="3"></textarea><em class="field-error" data-error-for="request.description"></em></label>
        ${inputField('request.documentNumber', '文号（可不填）')}
        ${selectField('delivery.form', '提供形式', DELIVERY_FORM_LABELS)}
        ${selectField('delivery.method', '获取方式', DELIVERY_METHOD_LABELS)}
        <div class="actions">
          <button type="button" id="mp-sample">填入示例</button>
          <button type="submit">提交（POST /mp/v1/applications）</button>
        </div>
      </form>
      <p id="mp-apply-result" class="result" aria-live="polite"></p>
    </div>

    <div class="step">
      <h3>3. 我的申请</h3>
      <button type="button" id="mp-list">刷新（GET /mp/v1/applications）</button>
      <ul id="mp-applications" class="applications"></ul>
      <div id="mp-detail" class="detail" aria-live="polite"></div>
    </div>

    <div class="step">
      <h3>4. 订阅公开信息</h3>
      <button type="button" id="mp-subscriptions">查看（GET /mp/v1/subscriptions）</button>
      <form id="mp-subscriptions-form" class="subscriptions" hidden>
        <div id="mp-categories" class="categories"></div>
        <button type="submit">保存（PUT /mp/v1/subscriptions）</button>
      </form>
      <p id="mp-subscriptions-result" class="result" aria-live="polite"></p>
    </div>

    <details class="step">
      <summary>最近一次接口调用</summary>
      <pre id="mp-last-call" class="last-call"></pre>
    </details>
  </section>

  <aside class="links" aria-label="其他入口">
    <h2>其他入口</h2>
    <ul>
      <li><a href="/admin">员工后台 /admin</a></li>
      <li><a href="/__sandbox/outbox">模拟微信接口收到的消息 /__sandbox/outbox</a></li>
      <li><a href="/healthz">健康检查 /healthz</a></li>
    </ul>
    ${model.staffLogins.length > 0
      ? html`<h3>演示员工账号</h3>
    <table class="logins">
      <thead><tr><th>用户名</th><th>密码</th><th>角色</th></tr></thead>
      <tbody>${model.staffLogins.map((s) => html`<tr><td><code>${s.username}</code></td><td><code>${s.password}</code></td><td>${s.displayName}</td></tr>`)}</tbody>
    </table>`
      : null}
    <p class="hint">管理员账号的密码在服务器启动时打印在终端里。</p>
    <p class="hint">申请编号、答复期限等演示数据每次全新启动都相同；<code>npm run sandbox:reset</code> 可清空运行数据。</p>
  </aside>
</main>
</body>
</html>
`;
  return page.toString();
}

function renderMenu(menu: Menu): SafeHtml {
  return html`<nav class="menu" aria-label="公众号菜单">
      ${menu.button.map((button, i) =>
        button.sub_button
          ? html`<div class="menu-group">
        <button type="button" class="menu-parent" aria-expanded="false" aria-controls="submenu-${i}">${button.name}</button>
        <ul class="submenu" id="submenu-${i}" hidden>${button.sub_button.map((sub) => html`<li>${menuLeaf(sub)}</li>`)}</ul>
      </div>`
          : html`<div class="menu-group">${menuLeaf(button)}</div>`,
      )}
    </nav>`;
}

function menuLeaf(button: MenuButton): SafeHtml {
  return html`<button type="button" class="menu-leaf" data-type="${button.type ?? ''}" data-key="${button.key ?? ''}" data-url="${button.url ?? ''}" data-pagepath="${button.pagepath ?? ''}">${button.name}</button>`;
}

function inputField(name: string, label: string, only = ''): SafeHtml {
  return html`<label class="field ${only}"><span>${label}</span><input name="${name}" type="text"><em class="field-error" data-error-for="${name}"></em></label>`;
}

function selectField(name: string, label: string, options: Record<string, string>, only = ''): SafeHtml {
  return html`<label class="field ${only}"><span>${label}</span><select name="${name}">${Object.entries(options).map(
    ([value, text]) => html`<option value="${value}">${text}</option>`,
  )}</select><em class="field-error" data-error-for="${name}"></em></label>`;
}
