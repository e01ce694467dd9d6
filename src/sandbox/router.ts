// Sandbox-only pages and routes (never mounted in production mode): the WeChat simulator at
// /sandbox, its script and style, the settings it needs to play WeChat's server, and the list of
// what the fake WeChat API received.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from '@koa/router';
import type { FakeWechatApi } from '../wechat/fake-api.js';
import type { Config } from '../config.js';
import type { Agency } from '../agency.js';
import { loadMenu } from '../wechat/menu.js';
import { SANDBOX_USERS } from './banner.js';
import { loadDemoStaff } from './demo.js';
import { renderSandboxPage } from './page.js';

export interface SandboxDeps {
  config: Config;
  fakeWechat: FakeWechatApi;
  agency: Agency;
  /** The server's clock: the simulator stamps its pushes with it, as WeChat's clock agrees with ours. */
  clock?: () => Date;
  /** To list on the page the demo staff accounts that exist in this store. */
  accounts?: { directory(): Promise<ReadonlyArray<{ username: string }>> };
}

/** The official account's own id (gh_…) as the simulator writes it into ToUserName. */
export const SANDBOX_GH_ID = 'gh_sandbox000001';

const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

// Only our own script, style and API; nothing inline, nothing from elsewhere.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export function createSandboxRouter(deps: SandboxDeps): Router {
  const router = new Router();
  const clock = deps.clock ?? (() => new Date());
  const assetsDir = new URL('./assets/', import.meta.url);
  let templateNames: Promise<Record<string, string>> | null = null;

  router.get('/sandbox', async (ctx) => {
    let menu = null;
    let menuProblem: string | null = null;
    try {
      menu = await loadMenu(deps.config.contentDir, { miniProgramAppid: deps.config.miniProgram.appid, portalUrl: deps.agency.portalUrl });
    } catch (error) {
      menuProblem = (error as Error).message;
    }
    const existing = new Set(((await deps.accounts?.directory()) ?? []).map((u) => u.username));
    const staffLogins = (await loadDemoStaff()).filter((s) => existing.has(s.username));
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = renderSandboxPage({
      accountName: deps.agency.wechatAccountName ?? deps.agency.name,
      menu,
      menuProblem,
      users: SANDBOX_USERS,
      safeMode: deps.config.wechat.aesKey !== null,
      staffLogins,
    });
  });

  router.get('/sandbox/:asset', async (ctx) => {
    // Own names only: "__proto__" or "constructor" must be a 404, not an inherited object (a 500).
    const asset = Object.hasOwn(ASSETS, ctx.params.asset!) ? ASSETS[ctx.params.asset!] : undefined;
    if (!asset) return; // falls through to 404
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = asset.type;
    ctx.body = await readFile(new URL(asset.file, assetsDir));
  });

  // What the simulator needs to play WeChat's server. In sandbox mode none of it is secret: the
  // token and appid are the documented defaults, and an AES key set here protects no real user.
  router.get('/__sandbox/config', async (ctx) => {
    templateNames ??= loadTemplateNames(deps.config.contentDir);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      token: deps.config.wechat.token,
      appid: deps.config.wechat.appid,
      ghId: SANDBOX_GH_ID,
      safeMode: deps.config.wechat.aesKey !== null,
      encodingAESKey: deps.config.wechat.aesKey,
      now: clock().getTime(),
      users: SANDBOX_USERS,
      templates: await templateNames,
    };
  });

  // What the fake WeChat API received, as the design's contract lists it: [{api, touser, payload, at}];
  // ?touser= keeps one user's messages, in the order they were sent.
  router.get('/__sandbox/outbox', (ctx) => {
    const touser = typeof ctx.query.touser === 'string' ? ctx.query.touser : null;
    const all = deps.fakeWechat.outbox.list();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = touser === null ? all : all.filter((record) => record.touser === touser);
  });

  return router;
}

/**
 * templateId → what the message is for, from the office's notification and push settings, so a
 * template message reads in the simulator as WeChat shows it: under its title, not its id.
 */
async function loadTemplateNames(contentDir: string): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  const readJson = async (file: string): Promise<any> => JSON.parse(await readFile(path.join(contentDir, file), 'utf8').catch(() => 'null'));
  const notify = await readJson('notify/templates.json').catch(() => null);
  for (const channel of Object.values<Record<string, { templateId?: unknown; purpose?: unknown }>>(notify?.templates ?? {})) {
    for (const template of Object.values(channel ?? {})) {
      if (typeof template?.templateId === 'string' && typeof template.purpose === 'string') names[template.templateId] = template.purpose;
    }
  }
  const push = await readJson('catalog/push.json').catch(() => null);
  for (const template of Object.values<{ templateId?: unknown }>(push?.templates ?? {})) {
    if (typeof template?.templateId === 'string') names[template.templateId] ??= '新公开信息提醒';
  }
  return names;
}
