/**
 * Errors of the WeChat platform layer, typed so that callers can decide without reading messages:
 * fall back to another channel, refresh the token, slow down, retry, or retry with the same
 * idempotency key because nobody knows whether the message went out.
 */

/** The WeChat server APIs this project calls; also the `api` of outbox records in the fake API. */
export type WechatApiName =
  | 'stable_token'
  | 'custom_send'
  | 'template_send'
  | 'subscribe_bizsend'
  | 'subscribe_send'
  | 'jscode2session'
  | 'user_info'
  | 'menu_create'
  | 'msg_sec_check';

/** 45015: outside the 48-hour window or unfollowed; 45047: the window's 5 messages are used up; 43101: the user refused. */
export const CHANNEL_UNAVAILABLE_CODES: ReadonlySet<number> = new Set([45015, 45047, 43101]);
/** 40001 invalid or not latest, 40014 illegal, 42001 expired: refresh the token and retry once. */
export const TOKEN_ERROR_CODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);
/** 45009: the API's quota (daily, or the fake's per-second limit) is used up. */
export const RATE_LIMITED_CODES: ReadonlySet<number> = new Set([45009]);
/** -1: 系统繁忙, WeChat asks to try again later. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([-1]);

/** WeChat answered with a non-zero errcode. */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  constructor(
    readonly api: WechatApiName,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat ${api} failed: ${errcode} ${errmsg}`);
  }

  /** The user cannot be reached on this channel now; send through another one (template, subscribe message). */
  get isChannelUnavailable(): boolean {
    return CHANNEL_UNAVAILABLE_CODES.has(this.errcode);
  }

  get isTokenError(): boolean {
    return TOKEN_ERROR_CODES.has(this.errcode);
  }

  get isRateLimited(): boolean {
    return RATE_LIMITED_CODES.has(this.errcode);
  }

  /** WeChat itself says nothing was done and a later try may work. */
  get isRetryable(): boolean {
    return RETRYABLE_CODES.has(this.errcode);
  }
}

/** The request never reached WeChat (refused, DNS, unreachable): nothing was sent, so retrying is always safe. */
export class WechatNetworkError extends Error {
  override readonly name = 'WechatNetworkError';
  readonly isRetryable = true;
  constructor(
    readonly api: WechatApiName,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${api} unreachable: ${code}`, options);
  }
}

export type UnknownOutcomeReason = 'timeout' | 'connection-lost' | 'bad-response';

/**
 * The request left but no usable answer came back (timeout, dropped connection, an answer that is
 * not WeChat JSON). The message may or may not have been delivered: retry only with the same
 * client_msg_id, or accept the risk of a duplicate.
 */
export class WechatUnknownOutcomeError extends Error {
  override readonly name = 'WechatUnknownOutcomeError';
  readonly isRetryable = true;
  constructor(
    readonly api: WechatApiName,
    readonly reason: UnknownOutcomeReason,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${api}: outcome unknown (${reason})`, options);
  }
}

/** Whether a later attempt of the same call may succeed. */
export function isRetryableWechatError(error: unknown): boolean {
  if (error instanceof WechatApiError) return error.isRetryable;
  return error instanceof WechatNetworkError || error instanceof WechatUnknownOutcomeError;
}
