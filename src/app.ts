// createApp(deps): the Koa app with every router mounted. No globals: everything the routes need
// arrives in `deps`, so tests build the same app on a temporary store and an ephemeral port.
import Koa from 'koa';
import { Router } from '@koa/router';
import type { Logger } from './log.js';
import type { Config } from './config.js';
import { errorHandler } from './http/errors.js';
import { requestContext } from './http/request-context.js';
import { securityHeaders } from './http/security-headers.js';
import type { Metrics } from './metrics/metrics.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** Routers of the adapters (webhook, mini-program API, staff API, sandbox), mounted in order. */
  routers?: Router[];
  /** Times the webhook's answers; its GET /metrics router comes with the other routers. */
  metrics?: Metrics;
}

export function createApp(deps: AppDeps): Koa {
  // Only behind a proxy the operator declared do X-Forwarded-* headers count (HTTPS, client IP).
  const app = new Koa({ proxy: deps.config.trustProxy });
  // One proxy in front: the client's address is the last X-Forwarded-For entry, the one our proxy
  // added. Earlier entries come from the client and would let anyone choose their address, and with
  // it their own login limits.
  app.maxIpsCount = 1;
  app.silent = true; // errors are logged by errorHandler with the request id, not by koa's default

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  app.use(requestContext(deps.logger));
  app.use(securityHeaders());
  if (deps.metrics) app.use(deps.metrics.webhookTimer());
  app.use(errorHandler());
  for (const router of [health, ...(deps.routers ?? [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  return app;
}
