// Starts the whole product (src/main.ts start()) on a temporary data folder and a free port, as the
// real server runs, with a clock the test can move.
import type { ExecutionContext } from 'ava';
import { Writable } from 'node:stream';
import { start, type Running } from '../../src/main.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { tempDir } from './temp.js';
import type { WriteFaults } from '../../src/store/write-faults.js';
import { testDatabase, type EngineName } from './pg.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface TestClock {
  now: Date;
  (): Date;
  set(iso: string): void;
  advance(ms: number): void;
}

/**
 * A clock that stands still until a test moves it. It starts on a whole second: the push job's
 * send window does not begin a send in a second's last 100 ms and waits for the next second, which
 * a clock that stands still there never reaches (a test started from `new Date()` hung one run in
 * ten that way).
 */
export function testClock(iso: string): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = new Date(Math.floor(new Date(iso).getTime() / 1000) * 1000);
  clock.set = (value) => (clock.now = new Date(value));
  clock.advance = (ms) => (clock.now = new Date(clock.now.getTime() + ms));
  return clock;
}

export async function startApp(
  t: ExecutionContext,
  options: {
    env?: NodeJS.ProcessEnv;
    clock?: TestClock;
    dataDir?: string;
    storeFaults?: WriteFaults;
    /** The engine of this server; by default the pass's (GONGKAI_TEST_ENGINE, embedded when unset). */
    engine?: EngineName;
  } = {},
): Promise<Running & { logs: string[] }> {
  const dataDir = options.dataDir ?? (await tempDir(t));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    ...(await testEngineEnv(t, dataDir, options.engine)),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    DEMO_DATA: 'off',
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const running = await start(config, { logger: createLogger('info', sink), clock: options.clock, storeFaults: options.storeFaults });
  t.teardown(() => running.stop());
  return Object.assign(running, { logs });
}

/**
 * The PostgreSQL pass of `npm test` (GONGKAI_TEST_ENGINE=postgres, test/support/postgres-pass.ts)
 * runs the same tests with the server on PostgreSQL: a throwaway database per data folder, so a test
 * that restarts the server on its data folder finds its data again.
 */
const databases = new Map<string, string>();
async function testEngineEnv(t: ExecutionContext, dataDir: string, engine?: EngineName): Promise<NodeJS.ProcessEnv> {
  if ((engine ?? (process.env.GONGKAI_TEST_ENGINE === 'postgres' ? 'postgres' : 'embedded')) !== 'postgres') return {};
  let url = databases.get(dataDir);
  if (!url) databases.set(dataDir, (url = await testDatabase(t)));
  return { DATABASE_URL: url };
}

/** JSON request helper bound to a base URL. */
export function client(base: string) {
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { raw: text };
    }
    return { status: response.status, body: json, headers: response.headers };
  };
}

export async function mpLogin(base: string, openid: string): Promise<Record<string, string>> {
  const { status, body } = await client(base)('POST', '/mp/v1/session', { code: `dev:${openid}` });
  if (status !== 200) throw new Error(`mp login failed: ${status} ${JSON.stringify(body)}`);
  return { Authorization: `Bearer ${body.token}` };
}

export async function staffLogin(base: string, username = ADMIN.username, password = ADMIN.password): Promise<Record<string, string>> {
  const { status, body } = await client(base)('POST', '/admin/v1/session', { username, password });
  if (status !== 200) throw new Error(`staff login failed: ${status} ${JSON.stringify(body)}`);
  return { Authorization: `Bearer ${body.token}` };
}

/** A valid person application body (the ID number's check digit is correct). */
export function personApplication(overrides: Record<string, unknown> = {}) {
  return {
    applicant: {
      type: 'person',
      name: '张三',
      idNumber: '11010519491231002X',
      phone: '13800138000',
      email: 'zhangsan@example.com',
      ...(overrides.applicant as object),
    },
    request: { description: '请公开2025年度本市人防工程建设审批事项的办理结果清单', ...(overrides.request as object) },
    delivery: { form: 'electronic', method: 'email', ...(overrides.delivery as object) },
  };
}
