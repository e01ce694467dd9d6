// The staff console as the product runs it: the whole server (src/main.ts start()) on a temporary
// folder and a free port, with one staff account per role. Also a cookie-keeping client that uses
// the console like a browser.
import type { ExecutionContext } from 'ava';
import type { Role } from '../../src/domain/roles.js';
import { startApp, testClock, type TestClock } from './app.js';

export const PASSWORD = 'console-password-1';

/** One account per role the console treats differently. */
export const STAFF: Record<string, { roles: Role[]; displayName: string }> = {
  admin: { roles: ['admin'], displayName: '系统管理员' },
  han: { roles: ['handler'], displayName: '李承办' },
  reg: { roles: ['registrar'], displayName: '王登记' },
  rev: { roles: ['reviewer'], displayName: '赵保密' },
  chief: { roles: ['leader'], displayName: '孙主任' },
  clerk: { roles: ['submitter'], displayName: '周报送' },
};

export async function consoleApp(t: ExecutionContext, options: { clock?: TestClock } = {}) {
  const clock = options.clock ?? testClock('2026-03-16T02:00:00Z');
  // The first admin comes from ADMIN_USERNAME/ADMIN_PASSWORD, as in production.
  const running = await startApp(t, { clock, env: { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: PASSWORD } });
  const { accounts, applications, calendar, catalog, notify } = running.services;
  for (const [username, { roles, displayName }] of Object.entries(STAFF)) {
    if (username !== 'admin') await accounts.createUser('system', { username, password: PASSWORD, roles, displayName });
  }
  return {
    url: running.url,
    dir: running.config.dataDir,
    clock,
    store: running.store,
    accounts,
    applications,
    calendar,
    catalog,
    notify,
    notifyRepo: running.repos.notify,
    conversations: running.repos.conversations,
    guide: running.services.guide,
    logs: running.logs,
    /** Stops the server (for a restart on the same folder); the test's teardown stops it too. */
    stop: () => running.stop(),
  };
}

export type ConsoleApp = Awaited<ReturnType<typeof consoleApp>>;

/** A disclosure request from a person; the ID number's check digit is right. */
export function record(description: string, events: Array<Record<string, unknown>>, applicant: Record<string, unknown> = {}) {
  return {
    applicant: { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000', email: 'zhangsan@example.com', address: '湖北省武汉市江汉区新华路100号', ...applicant },
    request: { description },
    delivery: { form: 'electronic', method: 'email' },
    events,
  };
}

/**
 * One request in each situation the inbox tells apart, on Monday 16 March 2026 (the default clock):
 * overdue, due within 5 working days, normal, paused (consulting), not yet received, closed.
 * Handler "han" worked on the normal one.
 */
export async function seedInbox(app: ConsoleApp) {
  const [overdue, dueSoon, normal, paused, unreceived, closed] = await app.applications.import(
    [
      record('请公开2025年度人防工程建设审批事项清单', [{ type: 'receive', on: '2026-02-02' }]),
      record('请公开2025年度人防易地建设费收支明细', [{ type: 'receive', on: '2026-02-13' }], { name: '李四' }),
      record('请公开人防工程竣工验收备案材料目录', [{ type: 'receive', on: '2026-03-02' }], { name: '王五' }),
      record('请公开某地下停车场人防工程的平战转换方案', [
        { type: 'receive', on: '2026-03-02' },
        { type: 'consult-start', on: '2026-03-05', party: '某物业公司' },
      ]),
      record('请公开本单位2025年人防宣传教育活动经费', []),
      record('请公开2025年防空警报试鸣安排的通知', [
        { type: 'receive', on: '2026-01-05' },
        { type: 'decide', on: '2026-01-20', outcome: 'granted' },
        { type: 'deliver', on: '2026-01-21', method: 'email' },
      ]),
    ],
    'admin',
  );
  await app.applications.record(normal!.id, { type: 'extend', on: '2026-03-16', days: 5 }, 'han');
  return { overdue: overdue!, dueSoon: dueSoon!, normal: normal!, paused: paused!, unreceived: unreceived!, closed: closed! };
}

/** A fetch that keeps cookies, follows nothing by itself, and reads a page's CSRF field. */
export class Browserless {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(method: string, route: string, form?: Record<string, string | string[]>): Promise<Response> {
    const body = form ? new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]))) : undefined;
    const response = await fetch(`${this.base}${route}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async page(route: string): Promise<{ status: number; html: string; response: Response }> {
    const response = await this.request('GET', route);
    return { status: response.status, html: await response.text(), response };
  }

  /** Posts a form with the CSRF field of the page it was on. */
  async post(route: string, form: Record<string, string | string[]>, from: string): Promise<Response> {
    const { html } = await this.page(from);
    return this.request('POST', route, { _csrf: csrfOf(html), ...form });
  }

  async login(username: string, password = PASSWORD): Promise<Response> {
    const { html } = await this.page('/admin/login');
    return this.request('POST', '/admin/login', { _csrf: csrfOf(html), username, password });
  }
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1]!;
}

export async function loggedIn(app: ConsoleApp, username: string): Promise<Browserless> {
  const browser = new Browserless(app.url);
  const response = await browser.login(username);
  if (response.status !== 303) throw new Error(`console login of ${username} failed: ${response.status}`);
  return browser;
}
