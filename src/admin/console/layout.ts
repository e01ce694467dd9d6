// The frame of every console page: header with the menu the role may use, the message left by the
// last form, the title and the content. Pages supply only their own part.
import type { StaffPrincipal } from '../../accounts/staff-accounts.js';
import { ROLE_LABELS } from '../../domain/roles.js';
import type { Flash } from './flash.js';
import { html, type SafeHtml } from '../../http/html.js';
import type { NavEntry } from './nav.js';

export const CONSOLE_NAME = '政府信息公开工作台';

export interface PageParts {
  title: string;
  /** The menu entry to mark as current. */
  current?: string;
  body: SafeHtml;
  /** A wide page (tables) may use the whole screen width. */
  wide?: boolean;
}

export interface PageFrame {
  officeName: string | null;
  css: string;
  js: string;
  staff: StaffPrincipal | null;
  nav: readonly NavEntry[];
  flash: Flash | null;
}

export function flashBlock(flash: Flash | null): SafeHtml | null {
  if (!flash) return null;
  return html`<div class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">
<p>${flash.text}</p>
${flash.details && flash.details.length > 0 && html`<ul>${flash.details.map((d) => html`<li>${d}</li>`)}</ul>`}
</div>`;
}

export function renderPage(frame: PageFrame, parts: PageParts): string {
  const { staff } = frame;
  const heading = frame.officeName ? `${frame.officeName} · ${CONSOLE_NAME}` : CONSOLE_NAME;
  return `<!doctype html>\n${html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${parts.title} · ${CONSOLE_NAME}</title>
<link rel="stylesheet" href="${frame.css}">
<script src="${frame.js}" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/admin">${heading}</a>
${staff &&
html`<nav aria-label="主菜单"><ul>${frame.nav.map(
  (entry) => html`<li><a href="${entry.href}"${entry.id === parts.current ? html` aria-current="page"` : ''}>${entry.label}</a></li>`,
)}</ul></nav>
<div class="who"><span title="${staff.roles.map((r) => ROLE_LABELS[r]).join('、')}">${staff.displayName}</span>
<form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="${staff.csrf}"><button type="submit" class="link">退出</button></form></div>`}
</header>
<main class="${parts.wide ? 'wide' : ''}">
${flashBlock(frame.flash)}
<h1>${parts.title}</h1>
${parts.body}
</main>
</body>
</html>`}\n`;
}
