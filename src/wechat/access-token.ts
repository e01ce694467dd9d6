/**
 * The access_token of one WeChat account (official account or mini-program), from the stable_token
 * endpoint.
 *
 * Why stable_token: in its normal mode repeated calls return the same token while it is valid, so a
 * second process or a restart does not kill the token the others hold (the classic 40001 "not
 * latest" of /cgi-bin/token). force_refresh does invalidate the old token, so it is used only when
 * WeChat rejected a token that normal mode hands back again.
 *
 * Why single-flight: a hundred sends that find the token expired must cause one refresh, not a
 * hundred. Why compare-and-invalidate: a caller holding an old token that failed must not throw
 * away the new one another caller already fetched.
 */
import { WechatUnknownOutcomeError } from './errors.js';
import { requestWechat, type FetchLike } from './http.js';

export interface StoredAccessToken {
  accessToken: string;
  /** When WeChat says the token expires, ms since the epoch. */
  expiresAt: number;
}

/** Optional persistence, so that a restart does not need a new token. */
export interface AccessTokenPersistence {
  load(): Promise<StoredAccessToken | undefined>;
  save(token: StoredAccessToken): Promise<void>;
  /**
   * Shared by several instances (src/store/pg/coordination.ts): runs a renewal holding a lock all
   * instances take, so one of them fetches and the others, looking again under the lock, find its
   * token. With it the stored token is read at every renewal, not only the first.
   */
  exclusive?<T>(run: () => Promise<T>): Promise<T>;
}

export interface AccessTokenManagerOptions {
  appid: string;
  secret: string;
  /** e.g. https://api.weixin.qq.com, or the fake API's mount point. */
  baseUrl: string;
  fetch?: FetchLike;
  /** ms since the epoch. */
  now?: () => number;
  /** Renew this long before expiry (capped at half the remaining life). Default 5 minutes. */
  safetyMarginMs?: number;
  timeoutMs?: number;
  persistence?: AccessTokenPersistence;
}

interface Cached extends StoredAccessToken {
  refreshAt: number;
}

export const DEFAULT_TOKEN_SAFETY_MARGIN_MS = 5 * 60_000;

export class AccessTokenManager {
  readonly appid: string;
  readonly #secret: string;
  readonly #url: string;
  readonly #fetch: FetchLike | undefined;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #timeoutMs: number;
  readonly #persistence: AccessTokenPersistence | undefined;
  #cached: Cached | undefined;
  #inflight: Promise<string> | undefined;
  #loaded = false;
  /** A token WeChat rejected; if normal mode hands it back, force a new one. */
  #rejected: string | undefined;
  #refreshCount = 0;

  constructor(options: AccessTokenManagerOptions) {
    this.appid = options.appid;
    this.#secret = options.secret;
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/cgi-bin/stable_token`;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.safetyMarginMs ?? DEFAULT_TOKEN_SAFETY_MARGIN_MS;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#persistence = options.persistence;
  }

  /** A valid token: the cached one, or one refresh shared by every concurrent caller. */
  async get(): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAt) return cached.accessToken;
    this.#inflight ??= this.#renew().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * Reports that WeChat rejected `badToken` (40001/40014/42001). The cache is dropped only if it
   * still holds that token; answers whether it did.
   */
  invalidate(badToken: string): boolean {
    this.#rejected = badToken;
    if (this.#cached?.accessToken !== badToken) return false;
    this.#cached = undefined;
    return true;
  }

  /** How many times the token endpoint was called (for tests and metrics). */
  get refreshCount(): number {
    return this.#refreshCount;
  }

  #remember(token: StoredAccessToken, at: number): Cached {
    const margin = Math.min(this.#marginMs, Math.max(0, (token.expiresAt - at) / 2));
    this.#cached = { ...token, refreshAt: token.expiresAt - margin };
    return this.#cached;
  }

  async #renew(): Promise<string> {
    const persistence = this.#persistence;
    if (persistence?.exclusive) return persistence.exclusive(() => this.#renewFrom(persistence));
    if (!this.#loaded && persistence) {
      this.#loaded = true;
      return this.#renewFrom(persistence);
    }
    return this.#renewFrom(undefined);
  }

  /** Takes the stored token if it is still good and not the one WeChat rejected; else fetches one. */
  async #renewFrom(persistence: AccessTokenPersistence | undefined): Promise<string> {
    if (persistence) {
      const stored = await persistence.load();
      const at = this.#now();
      if (stored && stored.accessToken !== this.#rejected) {
        if (at < this.#remember(stored, at).refreshAt) return stored.accessToken;
        this.#cached = undefined;
      }
    }
    let fresh = await this.#fetchToken(false);
    if (fresh.token.accessToken === this.#rejected) fresh = await this.#fetchToken(true);
    this.#rejected = undefined;
    this.#remember(fresh.token, fresh.sentAt);
    await this.#persistence?.save(fresh.token);
    return fresh.token.accessToken;
  }

  async #fetchToken(forceRefresh: boolean): Promise<{ token: StoredAccessToken; sentAt: number }> {
    const sentAt = this.#now();
    this.#refreshCount++;
    const body = await requestWechat({
      api: 'stable_token',
      method: 'POST',
      url: this.#url,
      body: { grant_type: 'client_credential', appid: this.appid, secret: this.#secret, force_refresh: forceRefresh },
      timeoutMs: this.#timeoutMs,
      fetch: this.#fetch,
    });
    const { access_token: accessToken, expires_in: expiresIn } = body;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || expiresIn <= 0) {
      throw new WechatUnknownOutcomeError('stable_token', 'bad-response', { cause: new Error('no access_token in answer') });
    }
    // Expiry counts from when the request left: the conservative end of the round trip.
    return { token: { accessToken, expiresAt: sentAt + expiresIn * 1000 }, sentAt };
  }
}
