// What the resilience suites share: the fake WeChat API on a real port of the test process (so it
// outlives the server under test and remembers every message it was sent), the environment that
// starts the server in production mode against it, a look at the data folder (or the database)
// from outside, and a seeded random source so a failing run can be repeated.
//
// The suites about the server's behaviour (crash, outage, hostile) declare each test once per
// engine: on the embedded store, and again with the server on PostgreSQL when it answers (always in
// CI, GONGKAI_REQUIRE_PG=1: test/helpers/pg.ts). The suites about the data folder itself (backup,
// full-disk) stay on the embedded store.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import { createFakeWechatApi, type FakeOutboxRecord, type FakeWechatApi } from '../../src/wechat/fake-api.js';
import { Store } from '../../src/store/store.js';
import { copyDataFolder } from '../../src/store/folder-copy.js';
import { ApplicationsRepo, type ApplicationsRepository } from '../../src/store/applications-repo.js';
import { NotifyRepo, type Delivery, type NotifyRepository } from '../../src/store/notify-repo.js';
import { Database } from '../../src/store/pg/database.js';
import { PgApplicationsRepo } from '../../src/store/pg/applications-repo.js';
import { PgNotifyRepo } from '../../src/store/pg/notify-repo.js';
import type { EngineName } from '../helpers/pg.js';
import { ADMIN } from '../helpers/app.js';
import { APPID, TOKEN } from '../helpers/wechat-client.js';

export const CREDENTIALS = { appid: APPID, secret: 'resilience-oa-secret', mpAppid: 'wxresiliencemp01', mpSecret: 'resilience-mp-secret' };

/** Template ids of data/notify/templates.json that the suites look for in the fake's outbox. */
export const TEMPLATES = {
  mpReceipt: 'GK_MP_RECEIPT',
  mpResult: 'GK_MP_RESULT',
  oaProgress: 'GK_OA_APPLICATION_PROGRESS',
  staffTask: 'GK_OA_STAFF_TASK',
} as const;

export interface FakeWechatServer {
  fake: FakeWechatApi;
  /** WECHAT_API_BASE for the server under test. */
  url: string;
  /** Stops answering: connections are refused until `open()`. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
}

/** The fake WeChat API on 127.0.0.1 in this process; `clock` drives its tokens, faults and quotas. */
export async function fakeWechatServer(options: { clock?: () => number } = {}): Promise<FakeWechatServer> {
  const fake = createFakeWechatApi({ ...CREDENTIALS, clock: options.clock });
  const app = new Koa();
  app.use(fake.router.routes());
  let server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    fake,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async open() {
      server = app.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
  };
}

/** The WeChat settings of a production-mode server whose WeChat is the fake at `apiBase`. */
export function wechatEnv(apiBase: string): NodeJS.ProcessEnv {
  return {
    WECHAT_APPID: CREDENTIALS.appid,
    WECHAT_SECRET: CREDENTIALS.secret,
    WECHAT_TOKEN: TOKEN,
    WECHAT_API_BASE: apiBase,
    MP_APPID: CREDENTIALS.mpAppid,
    MP_SECRET: CREDENTIALS.mpSecret,
  };
}

/** The whole environment of such a server started as its own process. */
export function productionEnv(apiBase: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...wechatEnv(apiBase),
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    DEMO_DATA: 'off',
  };
}

/** The data files at the top of the data folder (temporary files start with a dot). */
export async function dataFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
}

/** Every data file parsed; a file that does not parse is reported by name with the parser's words. */
export async function readDataFiles(dir: string): Promise<{ parsed: Map<string, any>; corrupt: string[] }> {
  const parsed = new Map<string, any>();
  const corrupt: string[] = [];
  for (const name of await dataFiles(dir)) {
    const text = await readFile(path.join(dir, name), 'utf8');
    try {
      parsed.set(name, JSON.parse(text));
    } catch (error) {
      corrupt.push(`${name}: ${(error as Error).message} (${text.length} bytes)`);
    }
  }
  return { parsed, corrupt };
}

/** sha256 of each data file's bytes, by file name. */
export async function hashDataFiles(dir: string, normalise: (name: string, text: string) => string = (_, text) => text): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const name of await dataFiles(dir)) {
    const text = await readFile(path.join(dir, name), 'utf8');
    hashes[name] = createHash('sha256').update(normalise(name, text)).digest('hex');
  }
  return hashes;
}

/** The files whose hash differs between two snapshots (added and removed files too). */
export function changedFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

/** mulberry32: small, fast and good enough to pick test inputs; the same seed gives the same run. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

export type Random = ReturnType<typeof seededRandom>;

/** A message in the fake's outbox as the recipient sees it: who, which template, which words. */
export interface SentMessage {
  api: string;
  touser: string;
  templateId: string;
  trackingNo: string | null;
  status: string | null;
  clientMsgId: string | null;
  /** Identifies what the message says to whom: two records with the same key are the same message twice. */
  key: string;
}

export function sentMessages(outbox: readonly FakeOutboxRecord[]): SentMessage[] {
  return outbox
    .filter((r) => r.api === 'template_send' || r.api === 'subscribe_send' || r.api === 'subscribe_bizsend')
    .map((r) => {
      const payload = r.payload as { template_id: string; data: Record<string, { value: string }>; client_msg_id?: string; page?: string };
      const data = Object.fromEntries(Object.entries(payload.data).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.value]));
      const trackingNo = Object.entries(data).find(([k]) => k.startsWith('character_string'))?.[1] ?? null;
      const status = Object.entries(data).find(([k]) => k.startsWith('phrase'))?.[1] ?? null;
      return {
        api: r.api,
        touser: r.touser,
        templateId: payload.template_id,
        trackingNo,
        status,
        clientMsgId: payload.client_msg_id ?? null,
        key: JSON.stringify([r.api, r.touser, payload.template_id, payload.page ?? null, data]),
      };
    });
}

/** A message the applications call for: its delivery in notify.json and what WeChat should receive. */
export interface Expected {
  what: string;
  deliveryKey: string;
  channel: 'oa-template' | 'mp-subscribe';
  touser: string;
  templateId: string;
  trackingNo: string;
  status: string | null;
}

/**
 * The messages stored applications call for, with one staff member bound to `staff.openid`: the
 * new-request alert to staff, the receipt, and the decision, each on the applicant's first channel.
 */
export function expectedMessages(applications: readonly any[], staff: { openid: string; username: string }): Expected[] {
  const expected: Expected[] = [];
  for (const app of applications) {
    const receive = app.events.findIndex((e: any) => e.type === 'receive');
    const decide = app.events.findIndex((e: any) => e.type === 'decide');
    const mp = app.channel === 'miniprogram';
    const applicant = (index: number, status: string, templateId: string): Expected => ({
      what: `${status} of ${app.trackingNo} to ${app.openid}`,
      deliveryKey: `${app.id}:${index}:applicant`,
      channel: mp ? 'mp-subscribe' : 'oa-template',
      touser: app.openid,
      templateId,
      trackingNo: app.trackingNo,
      status,
    });
    expected.push({
      what: `new request ${app.trackingNo} to staff`,
      deliveryKey: `${app.id}:0:staff>staff:${staff.username}`,
      channel: 'oa-template',
      touser: staff.openid,
      templateId: TEMPLATES.staffTask,
      trackingNo: app.trackingNo,
      status: null,
    });
    if (receive >= 0) expected.push(applicant(receive, '已受理', mp ? TEMPLATES.mpReceipt : TEMPLATES.oaProgress));
    if (decide >= 0) expected.push(applicant(decide, '已答复', mp ? TEMPLATES.mpResult : TEMPLATES.oaProgress));
  }
  return expected;
}

export function matches(s: SentMessage, e: Expected): boolean {
  return s.touser === e.touser && s.templateId === e.templateId && s.trackingNo === e.trackingNo && (e.status === null || s.status === e.status);
}

/** Keys that occur more than once, with their counts. */
export function repeated<T>(items: readonly T[], keyOf: (item: T) => string): Array<{ key: string; count: number }> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([key, count]) => ({ key, count }));
}

/** Today in China, as the server computes it for event dates. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A test's name, said to be on PostgreSQL in its PostgreSQL variant. */
export function onEngine(name: string, engine: EngineName): string {
  return engine === 'postgres' ? `${name} (PostgreSQL)` : name;
}

/** Where a server keeps its records: its data folder, or the database DATABASE_URL names. */
export interface StoreAt {
  dir: string;
  databaseUrl: string | null;
}

/**
 * The applications and the notifications' deliveries as the next start will find them. Embedded:
 * the product's own store opened on a copy of the folder (snapshot plus journal replayed), so a
 * damaged journal fails here as it would there. PostgreSQL: the repositories on the database.
 */
export async function storedRecords(at: StoreAt): Promise<{ applications: any[]; deliveries: Delivery[] }> {
  if (at.databaseUrl) {
    const db = new Database(at.databaseUrl, { max: 2, applicationName: 'gongkai-resilience-check' });
    try {
      return await readRecords(await PgApplicationsRepo.open(db), await PgNotifyRepo.open(db));
    } finally {
      await db.close();
    }
  }
  const copy = await copyDataFolder(at.dir);
  try {
    const store = await Store.open(copy.dir);
    try {
      return await readRecords(await ApplicationsRepo.open(store), await NotifyRepo.open(store));
    } finally {
      await store.close();
    }
  } finally {
    await copy.remove();
  }
}

async function readRecords(applications: ApplicationsRepository, notify: NotifyRepository): Promise<{ applications: any[]; deliveries: Delivery[] }> {
  return {
    applications: (await applications.page({ order: 'stored', limit: await applications.count(), offset: 0 })).applications,
    deliveries: await storedDeliveries(notify),
  };
}

/** Every delivery of the notifications' repository, on either engine. */
export async function storedDeliveries(notify: NotifyRepository): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  for await (const record of notify.exportRecords()) if (record.kind === 'delivery') deliveries.push(record.data as Delivery);
  return deliveries;
}
