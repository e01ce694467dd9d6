// Gives every request an id (echoed as X-Request-Id) and a child logger that carries it, and logs
// one line per request when it ends (at debug level).
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../log.js';

export function requestContext(logger: Logger): Middleware {
  return async function withRequestContext(ctx, next) {
    const incoming = ctx.get('X-Request-Id');
    const requestId = /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // Most requests log nothing: the child logger is made on first use, not for every webhook push.
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      get: () => (log ??= logger.child({ requestId })),
      set: (value: Logger) => void (log = value),
      enumerable: true,
      configurable: true,
    });
    ctx.set('X-Request-Id', requestId);
    if (!logger.isLevelEnabled('debug')) return next();
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      ctx.state.log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}
