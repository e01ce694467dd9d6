/**
 * A typed client for the WeChat server APIs this project uses.
 *
 * Retry rules, in one place:
 * - a token error (40001/40014/42001) invalidates exactly the token that failed and retries once;
 * - WeChat's -1 and failures before the request left are retried with exponential backoff;
 * - a timeout or lost connection after the request left is retried only for calls that are safe to
 *   repeat (reads, and template sends that carry client_msg_id); otherwise, and when the attempts
 *   run out, WechatUnknownOutcomeError reaches the caller, whose outbox decides;
 * - quota (45009) and channel errors (45015/45047/43101) are never retried here.
 */
import { AccessTokenManager, type AccessTokenPersistence } from './access-token.js';
import {
  WechatApiError,
  WechatUnknownOutcomeError,
  isRetryableWechatError,
  type WechatApiName,
} from './errors.js';
import { requestWechat, type FetchLike } from './http.js';

export const DEFAULT_WECHAT_API_BASE = 'https://api.weixin.qq.com';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

export interface WechatApiClientOptions {
  /** WECHAT_API_BASE; default https://api.weixin.qq.com. */
  baseUrl?: string;
  /** The official account. */
  appid: string;
  secret: string;
  /** The mini-program (jscode2session, its subscribe messages, msg_sec_check). */
  mpAppid?: string;
  mpSecret?: string;
  fetch?: FetchLike;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per HTTP attempt. Default 8 s: a passive reply must be decided within WeChat's 5 s anyway. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  tokenPersistence?: { oa?: AccessTokenPersistence; mp?: AccessTokenPersistence };
  /** Injected token managers (else built from the credentials above). */
  oaTokens?: AccessTokenManager;
  mpTokens?: AccessTokenManager;
}

/** A customer-service message as WeChat takes it: {touser, msgtype, <msgtype>: {...}}. */
export type CustomMessage =
  | { touser: string; msgtype: 'text'; text: { content: string } }
  | { touser: string; msgtype: 'image'; image: { media_id: string } }
  | { touser: string; msgtype: 'news'; news: { articles: [{ title: string; description?: string; url: string; picurl?: string }] } }
  | {
      touser: string;
      msgtype: 'miniprogrampage';
      miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string };
    };

export type TemplateData = Record<string, { value: string }>;

export interface TemplateMessage {
  touser: string;
  template_id: string;
  url?: string;
  miniprogram?: { appid: string; pagepath?: string };
  /** WeChat sends one message per openid + client_msg_id within 10 minutes: the idempotency key. */
  client_msg_id?: string;
  data: TemplateData;
}

/** Official-account subscribe notification (订阅通知, cgi-bin/message/subscribe/bizsend). */
export interface BizSubscribeMessage {
  touser: string;
  template_id: string;
  page?: string;
  miniprogram?: { appid: string; pagepath: string };
  data: TemplateData;
}

/** Mini-program subscribe message (cgi-bin/message/subscribe/send). */
export interface MiniProgramSubscribeMessage {
  touser: string;
  template_id: string;
  page?: string;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
  data: TemplateData;
}

export interface MenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  appid?: string;
  pagepath?: string;
  media_id?: string;
  article_id?: string;
  sub_button?: MenuButton[];
}

export interface Menu {
  button: MenuButton[];
}

export interface Code2SessionResult {
  openid: string;
  /** Stays on the server; never send it to the mini-program. */
  sessionKey: string;
  unionid?: string;
}

/** 1 资料, 2 评论, 3 论坛, 4 社交日志. */
export type MsgSecScene = 1 | 2 | 3 | 4;

export interface MsgSecCheckInput {
  /** Must have used the mini-program within the last 2 hours. */
  openid: string;
  scene: MsgSecScene;
  /** At most 2500 characters. */
  content: string;
  title?: string;
  nickname?: string;
  signature?: string;
}

export interface MsgSecCheckResult {
  suggest: 'pass' | 'review' | 'risky';
  /** 100 normal; 10001 ad, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 20008 fraud, … */
  label: number;
  traceId?: string;
}

type TokenKind = 'oa' | 'mp';

interface CallSpec {
  api: WechatApiName;
  method: 'GET' | 'POST';
  path: string;
  token?: TokenKind;
  query?: Record<string, string>;
  body?: unknown;
  /** Safe to repeat when the outcome of an attempt is unknown. */
  idempotent: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WechatApiClient {
  readonly oaTokens: AccessTokenManager;
  readonly mpTokens: AccessTokenManager | undefined;
  readonly #base: string;
  readonly #mpAppid: string | undefined;
  readonly #mpSecret: string | undefined;
  readonly #fetch: FetchLike | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;

  constructor(options: WechatApiClientOptions) {
    this.#base = (options.baseUrl ?? DEFAULT_WECHAT_API_BASE).replace(/\/+$/, '');
    this.#fetch = options.fetch;
    this.#sleep = options.sleep ?? realSleep;
    this.#timeoutMs = options.timeoutMs ?? 8_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#mpAppid = options.mpAppid;
    this.#mpSecret = options.mpSecret;
    const tokenOptions = { baseUrl: this.#base, fetch: options.fetch, now: options.now, timeoutMs: this.#timeoutMs };
    this.oaTokens =
      options.oaTokens ??
      new AccessTokenManager({ ...tokenOptions, appid: options.appid, secret: options.secret, persistence: options.tokenPersistence?.oa });
    this.mpTokens =
      options.mpTokens ??
      (options.mpAppid && options.mpSecret
        ? new AccessTokenManager({ ...tokenOptions, appid: options.mpAppid, secret: options.mpSecret, persistence: options.tokenPersistence?.mp })
        : undefined);
  }

  /** Customer-service text (客服消息); only inside the user's 48-hour window (5 messages). */
  async sendCustomText(touser: string, content: string): Promise<void> {
    await this.sendCustomMessage({ touser, msgtype: 'text', text: { content } });
  }

  async sendCustomMessage(message: CustomMessage): Promise<void> {
    await this.#call({ api: 'custom_send', method: 'POST', path: '/cgi-bin/message/custom/send', token: 'oa', body: message, idempotent: false });
  }

  /** Template message; with client_msg_id, retries after an unknown outcome cannot duplicate it. */
  async sendTemplate(message: TemplateMessage): Promise<{ msgid: string }> {
    const body = await this.#call({
      api: 'template_send',
      method: 'POST',
      path: '/cgi-bin/message/template/send',
      token: 'oa',
      body: message,
      idempotent: Boolean(message.client_msg_id),
    });
    return { msgid: String(body.msgid ?? '') };
  }

  /** Official-account subscribe notification (订阅通知). */
  async sendBizSubscribe(message: BizSubscribeMessage): Promise<void> {
    await this.#call({ api: 'subscribe_bizsend', method: 'POST', path: '/cgi-bin/message/subscribe/bizsend', token: 'oa', body: message, idempotent: false });
  }

  /** Mini-program subscribe message, with the mini-program's own token. */
  async sendMiniProgramSubscribe(message: MiniProgramSubscribeMessage): Promise<void> {
    await this.#call({ api: 'subscribe_send', method: 'POST', path: '/cgi-bin/message/subscribe/send', token: 'mp', body: message, idempotent: false });
  }

  /** Exchanges a wx.login code (single use, hence not repeated after an unknown outcome). */
  async code2Session(code: string): Promise<Code2SessionResult> {
    const [appid, secret] = this.#mpCredentials();
    const body = await this.#call({
      api: 'jscode2session',
      method: 'GET',
      path: '/sns/jscode2session',
      query: { appid, secret, js_code: code, grant_type: 'authorization_code' },
      idempotent: false,
    });
    if (typeof body.openid !== 'string' || typeof body.session_key !== 'string') {
      throw new WechatUnknownOutcomeError('jscode2session', 'bad-response', { cause: new Error('no openid in answer') });
    }
    const result: Code2SessionResult = { openid: body.openid, sessionKey: body.session_key };
    if (typeof body.unionid === 'string') result.unionid = body.unionid;
    return result;
  }

  /**
   * An official-account follower's UnionID, when the account is bound to an Open Platform account
   * (user info; nickname and avatar are no longer given since 2021). Undefined without one.
   */
  async userUnionId(openid: string): Promise<string | undefined> {
    const body = await this.#call({
      api: 'user_info',
      method: 'GET',
      path: '/cgi-bin/user/info',
      token: 'oa',
      query: { openid, lang: 'zh_CN' },
      idempotent: true,
    });
    return typeof body.unionid === 'string' && body.unionid !== '' ? body.unionid : undefined;
  }

  async createMenu(menu: Menu): Promise<void> {
    await this.#call({ api: 'menu_create', method: 'POST', path: '/cgi-bin/menu/create', token: 'oa', body: menu, idempotent: true });
  }

  /** Content security check v2 of user text, with the mini-program's token. */
  async msgSecCheck(input: MsgSecCheckInput): Promise<MsgSecCheckResult> {
    const body = await this.#call({
      api: 'msg_sec_check',
      method: 'POST',
      path: '/wxa/msg_sec_check',
      token: 'mp',
      body: { version: 2, ...input },
      idempotent: true,
    });
    const result = (body.result ?? {}) as { suggest?: unknown; label?: unknown };
    const suggest = result.suggest === 'pass' || result.suggest === 'review' || result.suggest === 'risky' ? result.suggest : undefined;
    if (!suggest) throw new WechatUnknownOutcomeError('msg_sec_check', 'bad-response', { cause: new Error('no result.suggest') });
    const checked: MsgSecCheckResult = { suggest, label: Number(result.label ?? 0) };
    if (typeof body.trace_id === 'string') checked.traceId = body.trace_id;
    return checked;
  }

  #mpCredentials(): [string, string] {
    if (!this.#mpAppid || !this.#mpSecret) throw new Error('mini-program appid/secret are not configured');
    return [this.#mpAppid, this.#mpSecret];
  }

  #tokens(kind: TokenKind): AccessTokenManager {
    if (kind === 'oa') return this.oaTokens;
    if (!this.mpTokens) throw new Error('mini-program appid/secret are not configured');
    return this.mpTokens;
  }

  #backoff(retryIndex: number): number {
    return Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** retryIndex);
  }

  async #call(spec: CallSpec): Promise<Record<string, unknown>> {
    let tokenRetried = false;
    let retries = 0;
    for (;;) {
      const manager = spec.token ? this.#tokens(spec.token) : undefined;
      let token: string | undefined;
      try {
        token = manager ? await manager.get() : undefined;
        const query = new URLSearchParams({ ...spec.query, ...(token ? { access_token: token } : {}) });
        return await requestWechat({
          api: spec.api,
          method: spec.method,
          url: `${this.#base}${spec.path}?${query}`,
          body: spec.body,
          timeoutMs: this.#timeoutMs,
          fetch: this.#fetch,
        });
      } catch (error) {
        if (manager && token && !tokenRetried && error instanceof WechatApiError && error.api === spec.api && error.isTokenError) {
          tokenRetried = true;
          manager.invalidate(token);
          continue;
        }
        // Fetching the token is always safe to repeat, whatever the call it serves.
        const retryable =
          error instanceof WechatUnknownOutcomeError
            ? spec.idempotent || error.api !== spec.api
            : isRetryableWechatError(error);
        if (!retryable || retries + 1 >= this.#retry.attempts) throw error;
        await this.#sleep(this.#backoff(retries));
        retries++;
      }
    }
  }
}
