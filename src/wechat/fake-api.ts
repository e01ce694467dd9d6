/**
 * The fake WeChat API: the endpoints this project calls, with WeChat's JSON shapes and error codes,
 * for sandbox mode and tests. It records every accepted send (the sandbox outbox) and can be told
 * to misbehave: answer an errcode, answer slowly, drop the connection, or rate-limit sends.
 *
 * Tokens follow stable_token's rules: normal mode returns the current token while it has more
 * than 5 minutes left, then a new one (the old one stays valid until its own expiry); force_refresh
 * invalidates the old token at once, but is ignored within 30 s of the previous one and refused
 * after 20 a day.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Router, type RouterContext } from '@koa/router';
import type { WechatApiName } from './errors.js';
import {
  DATA_FORMAT_ERROR,
  checkBizSubscribeMessage,
  checkCustomMessage,
  checkMenu,
  checkMiniProgramSubscribeMessage,
  checkMsgSecCheck,
  checkTemplateMessage,
  type WechatErrorBody,
} from './fake-api-rules.js';

export interface FakeOutboxRecord {
  api: WechatApiName;
  touser: string;
  /** The request body as sent. */
  payload: unknown;
  /** ISO time of the fake's clock. */
  at: string;
}

/**
 * A misbehaviour for the next `times` calls (default 1), or for all calls during `durationMs` of
 * the fake's clock. `delayMs` alone makes the call slow but successful (the send is recorded
 * before the wait, as when WeChat delivers and the answer is late); with `errcode` it is slow and
 * fails. `drop: 'before'` closes the connection without doing anything; `'after'` does the work
 * (and records the send) and then closes it.
 */
export interface FakeFault {
  errcode?: number;
  errmsg?: string;
  delayMs?: number;
  drop?: 'before' | 'after';
  times?: number;
  durationMs?: number;
}

export interface FakeWechatApiOptions {
  appid: string;
  secret: string;
  mpAppid: string;
  mpSecret: string;
  /** ms since the epoch; drives token expiry, fault durations, the rate limiter and `at`. */
  clock?: () => number;
  /** Router prefix, when the router is used on its own rather than nested. */
  prefix?: string;
  /** At most this many sends per second (of the clock), beyond which sends answer 45009. */
  sendsPerSecond?: number;
  /** msg_sec_check answers `risky` for content containing any of these. */
  riskyWords?: string[];
  /**
   * Enforce the customer-service window: custom/send answers 45015 unless `noteInteraction` opened
   * one for the user, and 45047 once its quota is used. Off by default.
   */
  enforceCustomWindow?: boolean;
  /**
   * openid → UnionID, for users whose official account and mini-program are bound to one Open
   * Platform account: jscode2session and user info then answer with `unionid`. Also setUnionId().
   */
  unionids?: Record<string, string>;
}

/** What opens a customer-service window, and how big it is (rules since June 2023). */
export type InteractionKind = 'message' | 'click' | 'subscribe' | 'scan';

export interface FakeWechatApi {
  router: Router;
  outbox: { list(): FakeOutboxRecord[]; clear(): void };
  /** Adds a fault for one API, or for every API with 'all'. */
  inject(api: WechatApiName | 'all', fault: FakeFault): void;
  /** Forgets tokens, faults, outbox, menu, windows and counters. */
  reset(): void;
  setRateLimit(sendsPerSecond: number | undefined): void;
  /** Opens a customer-service window (only matters with enforceCustomWindow). */
  noteInteraction(openid: string, kind: InteractionKind): void;
  /** Requests received per API, faults and errors included. */
  calls(api: WechatApiName): number;
  /** The menu last created. */
  menu(): unknown;
  /** Gives an openid (of either app) a UnionID, as binding both apps to one Open Platform account does. */
  setUnionId(openid: string, unionid: string): void;
  unionIdOf(openid: string): string | undefined;
}

const SEND_APIS: ReadonlySet<WechatApiName> = new Set(['custom_send', 'template_send', 'subscribe_bizsend', 'subscribe_send']);
const TOKEN_TTL_SECONDS = 7200;
const EARLY_RENEW_MS = 5 * 60_000;
const FORCE_MIN_INTERVAL_MS = 30_000;
const FORCE_PER_DAY = 20;
const CLIENT_MSG_ID_TTL_MS = 10 * 60_000;
const WINDOWS: Record<InteractionKind, { quota: number; ms: number }> = {
  message: { quota: 5, ms: 48 * 3_600_000 },
  click: { quota: 3, ms: 60_000 },
  subscribe: { quota: 3, ms: 60_000 },
  scan: { quota: 3, ms: 60_000 },
};
const MAX_BODY_BYTES = 1 << 20;

interface IssuedToken {
  appid: string;
  expiresAt: number;
}

interface AppTokenState {
  current?: string;
  lastForceAt?: number;
  forceDay?: string;
  forceCount: number;
}

interface ActiveFault extends FakeFault {
  api: WechatApiName | 'all';
  remaining: number;
  until?: number;
}

type Ctx = RouterContext;

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** WeChat answers JSON with HTTP 200 even for errors. */
function answer(ctx: Ctx, body: object | string): void {
  ctx.status = 200;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = typeof body === 'string' ? body : JSON.stringify(body);
}

// An injected delay must not keep the process alive after the client gave up and the server closed.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createFakeWechatApi(options: FakeWechatApiOptions): FakeWechatApi {
  const clock = options.clock ?? Date.now;
  const riskyWords = options.riskyWords ?? ['违禁词'];
  let sendsPerSecond = options.sendsPerSecond;

  let tokens = new Map<string, IssuedToken>();
  let appTokens = new Map<string, AppTokenState>();
  let outbox: FakeOutboxRecord[] = [];
  let faults: ActiveFault[] = [];
  let callCounts = new Map<WechatApiName, number>();
  let menu: unknown;
  let clientMsgIds = new Map<string, { msgid: string; at: number }>();
  let windows = new Map<string, { until: number; remaining: number }>();
  let rateWindow = { second: -1, count: 0 };
  const unionids = new Map(Object.entries(options.unionids ?? {}));
  let nextMsgId = 3_147_483_648_000_000_000n;

  const credentials = new Map([
    [options.appid, options.secret],
    [options.mpAppid, options.mpSecret],
  ]);

  function reset(): void {
    tokens = new Map();
    appTokens = new Map();
    outbox = [];
    faults = [];
    callCounts = new Map();
    menu = undefined;
    clientMsgIds = new Map();
    windows = new Map();
    rateWindow = { second: -1, count: 0 };
  }

  function takeFault(api: WechatApiName): ActiveFault | undefined {
    const now = clock();
    faults = faults.filter((f) => f.remaining > 0 && (f.until === undefined || now < f.until));
    const fault = faults.find((f) => f.api === api || f.api === 'all');
    if (fault && fault.until === undefined) fault.remaining--;
    return fault;
  }

  function issueToken(appid: string, state: AppTokenState): string {
    const token = `FAKE_${randomBytes(48).toString('base64url')}`;
    tokens.set(token, { appid, expiresAt: clock() + TOKEN_TTL_SECONDS * 1000 });
    state.current = token;
    return token;
  }

  function stableToken(body: Record<string, unknown>): object {
    const { grant_type: grantType, appid, secret, force_refresh: force } = body;
    if (grantType !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
    if (typeof appid !== 'string' || !credentials.has(appid)) return { errcode: 40013, errmsg: 'invalid appid' };
    if (secret !== credentials.get(appid)) return { errcode: 40125, errmsg: 'invalid appsecret' };
    const now = clock();
    const state = appTokens.get(appid) ?? { forceCount: 0 };
    appTokens.set(appid, state);
    const current = state.current ? tokens.get(state.current) : undefined;
    let token: string;
    if (force === true) {
      const day = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
      if (state.forceDay !== day) {
        state.forceDay = day;
        state.forceCount = 0;
      }
      if (current && state.lastForceAt !== undefined && now - state.lastForceAt < FORCE_MIN_INTERVAL_MS) {
        token = state.current!;
      } else if (state.forceCount >= FORCE_PER_DAY) {
        return { errcode: 45009, errmsg: 'reach max api daily quota limit' };
      } else {
        state.forceCount++;
        state.lastForceAt = now;
        if (state.current) tokens.delete(state.current);
        token = issueToken(appid, state);
      }
    } else if (current && current.expiresAt - now > EARLY_RENEW_MS) {
      token = state.current!;
    } else {
      token = issueToken(appid, state);
    }
    const expiresIn = Math.floor((tokens.get(token)!.expiresAt - now) / 1000);
    return { access_token: token, expires_in: expiresIn };
  }

  function checkToken(ctx: Ctx, appid: string): WechatErrorBody | undefined {
    const token = ctx.query.access_token;
    if (typeof token !== 'string' || token === '') return { errcode: 41001, errmsg: 'access_token missing' };
    const issued = tokens.get(token);
    if (!issued) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
    if (clock() >= issued.expiresAt) return { errcode: 42001, errmsg: 'access_token expired' };
    if (issued.appid !== appid) return { errcode: 48001, errmsg: 'api unauthorized' };
    return undefined;
  }

  function rateLimited(): boolean {
    if (sendsPerSecond === undefined) return false;
    const second = Math.floor(clock() / 1000);
    if (rateWindow.second !== second) rateWindow = { second, count: 0 };
    if (rateWindow.count >= sendsPerSecond) return true;
    rateWindow.count++;
    return false;
  }

  function useWindow(openid: string): WechatErrorBody | undefined {
    if (!options.enforceCustomWindow) return undefined;
    const window = windows.get(openid);
    if (!window || clock() >= window.until) return { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' };
    if (window.remaining <= 0) return { errcode: 45047, errmsg: 'out of response count limit' };
    window.remaining--;
    return undefined;
  }

  function record(api: WechatApiName, payload: Record<string, unknown>): void {
    outbox.push({ api, touser: String(payload.touser), payload, at: new Date(clock()).toISOString() });
  }

  function sendTemplate(body: Record<string, unknown>): string {
    const key = typeof body.client_msg_id === 'string' && body.client_msg_id !== '' ? `${body.touser}\u0000${body.client_msg_id}` : undefined;
    const now = clock();
    const earlier = key ? clientMsgIds.get(key) : undefined;
    let msgid: string;
    if (earlier && now - earlier.at < CLIENT_MSG_ID_TTL_MS) {
      msgid = earlier.msgid;
    } else {
      msgid = String(nextMsgId++);
      if (key) clientMsgIds.set(key, { msgid, at: now });
      record('template_send', body);
    }
    // The msgid is a 64-bit integer, written as a bare JSON number like WeChat does.
    return `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`;
  }

  /** The work of one API once faults, token and quota are passed: an error, or the answer. */
  type Handler = (ctx: Ctx, body: Record<string, unknown>) => object | string;

  const handlers: Record<WechatApiName, { method: 'get' | 'post'; path: string; tokenOf?: string; handle: Handler }> = {
    stable_token: { method: 'post', path: '/cgi-bin/stable_token', handle: (_ctx, body) => stableToken(body) },
    custom_send: {
      method: 'post',
      path: '/cgi-bin/message/custom/send',
      tokenOf: options.appid,
      handle: (_ctx, body) => {
        const problem = checkCustomMessage(body) ?? useWindow(String(body.touser));
        if (problem) return problem;
        record('custom_send', body);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    template_send: {
      method: 'post',
      path: '/cgi-bin/message/template/send',
      tokenOf: options.appid,
      handle: (_ctx, body) => checkTemplateMessage(body) ?? sendTemplate(body),
    },
    subscribe_bizsend: {
      method: 'post',
      path: '/cgi-bin/message/subscribe/bizsend',
      tokenOf: options.appid,
      handle: (_ctx, body) => {
        const problem = checkBizSubscribeMessage(body);
        if (problem) return problem;
        record('subscribe_bizsend', body);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    subscribe_send: {
      method: 'post',
      path: '/cgi-bin/message/subscribe/send',
      tokenOf: options.mpAppid,
      handle: (_ctx, body) => {
        const problem = checkMiniProgramSubscribeMessage(body);
        if (problem) return problem;
        record('subscribe_send', body);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    jscode2session: {
      method: 'get',
      path: '/sns/jscode2session',
      handle: (ctx) => {
        const { appid, secret, js_code: code, grant_type: grantType } = ctx.query;
        if (appid !== options.mpAppid) return { errcode: 40013, errmsg: 'invalid appid' };
        if (secret !== options.mpSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
        if (grantType !== 'authorization_code') return { errcode: 40002, errmsg: 'invalid grant_type' };
        if (typeof code !== 'string' || code === '') return { errcode: 41008, errmsg: 'missing code' };
        const match = /^dev:([A-Za-z0-9_-]{1,64})$/.exec(code);
        if (!match) return { errcode: 40029, errmsg: 'invalid code' };
        const unionid = unionids.get(match[1]!);
        return { openid: match[1], session_key: randomBytes(16).toString('base64'), ...(unionid ? { unionid } : {}) };
      },
    },
    user_info: {
      method: 'get',
      path: '/cgi-bin/user/info',
      tokenOf: options.appid,
      handle: (ctx) => {
        const openid = ctx.query.openid;
        if (typeof openid !== 'string' || !/^[\w-]{1,64}$/.test(openid)) return { errcode: 40003, errmsg: 'invalid openid' };
        // Since December 2021 user info no longer returns nickname or avatar; subscribe and unionid remain.
        const unionid = unionids.get(openid);
        return { subscribe: 1, openid, language: 'zh_CN', subscribe_time: Math.floor(clock() / 1000), remark: '', groupid: 0, tagid_list: [], subscribe_scene: 'ADD_SCENE_SEARCH', qr_scene: 0, qr_scene_str: '', ...(unionid ? { unionid } : {}) };
      },
    },
    menu_create: {
      method: 'post',
      path: '/cgi-bin/menu/create',
      tokenOf: options.appid,
      handle: (_ctx, body) => {
        const problem = checkMenu(body);
        if (problem) return problem;
        menu = body;
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    msg_sec_check: {
      method: 'post',
      path: '/wxa/msg_sec_check',
      tokenOf: options.mpAppid,
      handle: (_ctx, body) => {
        const problem = checkMsgSecCheck(body);
        if (problem) return problem;
        const risky = riskyWords.some((word) => String(body.content).includes(word));
        const verdict = risky ? { suggest: 'risky', label: 20006 } : { suggest: 'pass', label: 100 };
        return {
          errcode: 0,
          errmsg: 'ok',
          result: verdict,
          detail: [{ strategy: 'content_model', errcode: 0, ...verdict, prob: risky ? 90 : 0 }],
          trace_id: randomBytes(8).toString('hex'),
        };
      },
    },
  };

  const router = new Router(options.prefix ? { prefix: options.prefix } : {});

  for (const [api, spec] of Object.entries(handlers) as [WechatApiName, (typeof handlers)[WechatApiName]][]) {
    router[spec.method](spec.path, async (ctx: Ctx) => {
      callCounts.set(api, (callCounts.get(api) ?? 0) + 1);
      const fault = takeFault(api);
      if (fault?.drop === 'before') {
        ctx.respond = false;
        ctx.req.socket.destroy();
        return;
      }
      let result: object | string;
      if (fault?.errcode !== undefined) {
        result = { errcode: fault.errcode, errmsg: fault.errmsg ?? 'injected fault' };
      } else {
        let body: Record<string, unknown> = {};
        if (spec.method === 'post') {
          try {
            // A body parser mounted in front of this router may have read the stream already.
            const preParsed = (ctx.request as { body?: unknown }).body;
            const parsed: unknown = preParsed !== undefined ? preParsed : JSON.parse(await readBody(ctx.req));
            if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('not an object');
            body = parsed as Record<string, unknown>;
          } catch (error) {
            result = error instanceof BodyTooLarge ? { errcode: 45002, errmsg: 'content size out of limit' } : DATA_FORMAT_ERROR;
            answer(ctx, result);
            return;
          }
        }
        const tokenProblem = spec.tokenOf ? checkToken(ctx, spec.tokenOf) : undefined;
        if (tokenProblem) result = tokenProblem;
        else if (SEND_APIS.has(api) && rateLimited()) result = { errcode: 45009, errmsg: 'reach max api daily quota limit' };
        else result = spec.handle(ctx, body);
      }
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.drop === 'after') {
        ctx.respond = false;
        ctx.req.socket.destroy();
        return;
      }
      answer(ctx, result);
    });
  }

  return {
    router,
    outbox: {
      list: () => outbox.map((entry) => ({ ...entry })),
      clear: () => {
        outbox = [];
      },
    },
    inject(api, fault) {
      const remaining = fault.durationMs !== undefined ? Number.POSITIVE_INFINITY : (fault.times ?? 1);
      const until = fault.durationMs !== undefined ? clock() + fault.durationMs : undefined;
      faults.push({ ...fault, api, remaining, until });
    },
    reset,
    setRateLimit(limit) {
      sendsPerSecond = limit;
      rateWindow = { second: -1, count: 0 };
    },
    noteInteraction(openid, kind) {
      // Simplified: one window per user. A trigger opens its own window unless an open one lasts
      // longer, which then keeps its end but gets at least the new trigger's quota.
      const rule = WINDOWS[kind];
      const now = clock();
      const existing = windows.get(openid);
      if (existing && now < existing.until && existing.until >= now + rule.ms) {
        existing.remaining = Math.max(existing.remaining, rule.quota);
      } else {
        windows.set(openid, { until: now + rule.ms, remaining: rule.quota });
      }
    },
    calls: (api) => callCounts.get(api) ?? 0,
    menu: () => menu,
    setUnionId(openid, unionid) {
      unionids.set(openid, unionid);
    },
    unionIdOf: (openid) => unionids.get(openid),
  };
}
