/**
 * One HTTP exchange with the WeChat API, turned into a typed result: the JSON body, or a
 * WechatApiError (errcode ≠ 0), a WechatNetworkError (nothing was sent), or a
 * WechatUnknownOutcomeError (sent, but no usable answer). Retrying is the caller's business.
 */
import { WechatApiError, WechatNetworkError, WechatUnknownOutcomeError, type WechatApiName } from './errors.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface WechatRequest {
  api: WechatApiName;
  method: 'GET' | 'POST';
  /** Absolute URL with its query string. */
  url: string;
  body?: unknown;
  timeoutMs: number;
  fetch?: FetchLike;
}

// Failures in which the connection was never established, so the request cannot have been read.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

/** The first error code along an error's cause chain (fetch wraps the socket's ECONNRESET etc.). */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function classifyFailure(api: WechatApiName, error: unknown): Error {
  if (isTimeout(error)) return new WechatUnknownOutcomeError(api, 'timeout', { cause: error });
  const code = causeCode(error) ?? 'UNKNOWN';
  if (NOT_SENT_CODES.has(code)) return new WechatNetworkError(api, code, { cause: error });
  return new WechatUnknownOutcomeError(api, 'connection-lost', { cause: error });
}

/**
 * WeChat ids such as a template message's msgid are 64-bit integers written as bare JSON numbers;
 * JSON.parse would round them, so they are quoted before parsing.
 */
export function parseWechatJson(text: string): unknown {
  return JSON.parse(text.replace(/("(?:msgid|msg_id|msg_data_id)"\s*:\s*)(-?\d+)/g, '$1"$2"'));
}

export async function requestWechat(request: WechatRequest): Promise<Record<string, unknown>> {
  const doFetch = request.fetch ?? globalThis.fetch;
  const signal = AbortSignal.timeout(request.timeoutMs);
  let text: string;
  let status: number;
  try {
    const response = await doFetch(request.url, {
      method: request.method,
      headers: request.body === undefined ? undefined : { 'content-type': 'application/json' },
      // WeChat wants UTF-8 JSON with Chinese as is; JSON.stringify does not escape it.
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw classifyFailure(request.api, error);
  }
  let json: unknown;
  try {
    json = parseWechatJson(text);
  } catch (error) {
    throw new WechatUnknownOutcomeError(request.api, 'bad-response', { cause: new Error(`HTTP ${status}: ${text.slice(0, 200)}`, { cause: error }) });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new WechatUnknownOutcomeError(request.api, 'bad-response', { cause: new Error(`HTTP ${status}: not a JSON object`) });
  }
  const body = json as Record<string, unknown>;
  const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
  if (errcode !== 0) {
    throw new WechatApiError(request.api, errcode, typeof body.errmsg === 'string' ? body.errmsg : '');
  }
  if (status < 200 || status >= 300) {
    // WeChat answers 200 even for errors; anything else came from a proxy in between.
    throw new WechatUnknownOutcomeError(request.api, 'bad-response', { cause: new Error(`HTTP ${status}`) });
  }
  return body;
}
