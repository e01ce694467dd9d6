// JSON (and console form) bodies for the REST routers, with a size cap. The WeChat webhook reads its
// raw XML body itself and never passes through this parser.
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { HttpError } from './errors.js';

export const JSON_LIMIT = '256kb';

export function parseBody(): Middleware {
  const parse = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: JSON_LIMIT,
    formLimit: JSON_LIMIT,
    encoding: 'utf-8',
    onError(error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new HttpError(413, 'too-large', `请求内容过大（上限 ${JSON_LIMIT}）`);
      if (status === 415) throw new HttpError(415, 'unsupported-media-type', '请以 JSON 格式提交');
      throw new HttpError(400, 'bad-request', '请求内容不是有效的 JSON');
    },
  });
  return async function parseRequestBody(ctx, next) {
    if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') {
      const length = Number(ctx.get('Content-Length') || 0);
      if (length > 0 && !ctx.is('json', 'urlencoded')) {
        throw new HttpError(415, 'unsupported-media-type', '请以 JSON 格式提交（Content-Type: application/json）');
      }
    }
    return parse(ctx, next);
  };
}

/** The parsed body as an object; anything else (an array, a string, null) is a client error. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'bad-request', '请求内容应为 JSON 对象');
  }
  return body as Record<string, unknown>;
}

/**
 * The body of a request that replaces something (PUT): a request with no body at all is refused,
 * so a client that lost its payload on the way cannot blank what is saved.
 */
export function requiredBodyObject(ctx: { request: { length?: number; body?: unknown }; get(name: string): string }): Record<string, unknown> {
  if (!ctx.request.length && !ctx.get('Transfer-Encoding')) {
    throw new HttpError(400, 'bad-request', '请求内容为空：请提交 JSON 对象');
  }
  return bodyObject(ctx.request.body);
}
