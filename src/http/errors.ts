// Every error leaves the server as JSON {error:{code, message, fields?}} with a 4xx status. A 5xx
// means a bug: it is logged with its stack and the client learns only the request id. The one
// exception is 503: WeChat not answering, or the data folder not taking writes (full disk).
import type { Middleware } from 'koa';
import { isStoreWriteError } from '../store/write-faults.js';
import { isConflictError } from '../store/conflict.js';

/** An error the HTTP layer answers as-is. Domain code throws DomainError; adapters may throw this. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

// Domain error codes and the status each one means on the wire.
const STATUS_BY_CODE: Record<string, number> = {
  validation: 400,
  'invalid-date': 400,
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'invalid-transition': 409,
  duplicate: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  // WeChat itself did not answer: the client may retry later; not a fault of this server.
  'upstream-unavailable': 503,
};

// What koa and its body parser throw, in words a client can act on.
const MESSAGE_BY_STATUS: Record<number, [string, string]> = {
  400: ['bad-request', '请求格式不正确'],
  401: ['unauthorized', '需要登录'],
  403: ['forbidden', '没有权限'],
  404: ['not-found', '找不到请求的内容'],
  405: ['method-not-allowed', '不支持该请求方法'],
  413: ['too-large', '请求内容过大'],
  415: ['unsupported-media-type', '不支持的内容类型'],
  422: ['validation', '请求内容无法处理'],
};

interface Described {
  status: number;
  code: string;
  message: string;
  fields?: Record<string, string>;
}

export function describeError(error: unknown): Described | null {
  if (error instanceof HttpError) {
    return { status: error.status, code: error.code, message: error.message, fields: error.fields };
  }
  // The data folder cannot be written (full disk, I/O error): nothing was saved, and the store has
  // logged it once; the client may try again later.
  if (isStoreWriteError(error)) return { status: 503, code: 'storage-unavailable', message: error.message };
  // Two writers raced for one record and this one lost (src/store/conflict.ts): nothing was saved.
  if (isConflictError(error)) return { status: 409, code: 'conflict', message: error.message };
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; message?: unknown; fields?: unknown; expose?: unknown; name?: unknown };
  if (e && typeof e === 'object' && e.name === 'DomainError' && typeof e.code === 'string') {
    return {
      status: STATUS_BY_CODE[e.code] ?? 400,
      code: e.code,
      message: String(e.message),
      fields: e.fields as Record<string, string> | undefined,
    };
  }
  let status = Number(e?.status ?? e?.statusCode);
  if (status === 501) status = 405; // the router's answer to a method no route knows, e.g. PROPFIND
  if (status >= 400 && status < 500) {
    const [code, message] = MESSAGE_BY_STATUS[status] ?? ['bad-request', '请求不正确'];
    return { status, code, message: e.expose && typeof e.message === 'string' && /[\u4e00-\u9fff]/.test(e.message) ? e.message : message };
  }
  return null;
}

export function errorHandler(): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not-found', '找不到请求的内容');
      }
    } catch (error) {
      const described = describeError(error);
      if (described) {
        ctx.status = described.status;
        ctx.body = { error: { code: described.code, message: described.message, ...(described.fields ? { fields: described.fields } : {}) } };
        // A storm of refusals while the disk is full would bury the store's one line about it.
        if (described.code !== 'storage-unavailable') ctx.state.log?.info({ status: described.status, code: described.code }, 'request refused');
        if (described.status === 503) ctx.set('Retry-After', '60');
      } else {
        ctx.status = 500;
        ctx.body = { error: { code: 'internal', message: `服务器内部错误，请稍后再试（请求编号 ${ctx.state.requestId ?? '-'}）` } };
        ctx.state.log?.error({ err: error }, 'unhandled error');
      }
      ctx.set('Cache-Control', 'no-store');
    }
  };
}
