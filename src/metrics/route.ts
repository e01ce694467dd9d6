// GET /metrics, for a Prometheus on this machine (a loopback connection) or one that presents
// METRICS_TOKEN as a bearer token. The figures say nothing personal, but they do tell an outsider
// how busy the office is and what fails, so they are not public.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/errors.js';
import type { Metrics } from './metrics.js';

export function createMetricsRouter(metrics: Metrics, token: string | null): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const presented = bearer(ctx);
    if (presented !== null) {
      if (token === null || !sameText(presented, token)) throw new HttpError(401, 'unauthorized', 'the metrics token is not valid');
    } else if (!fromThisMachine(ctx)) {
      throw new HttpError(
        403,
        'forbidden',
        token === null
          ? 'metrics are served to this machine only (set METRICS_TOKEN to scrape from elsewhere)'
          : 'metrics need Authorization: Bearer <METRICS_TOKEN> from outside this machine',
      );
    }
    const { contentType, body } = await metrics.text();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}

function bearer(ctx: Context): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'));
  return match ? match[1]! : null;
}

/**
 * A loopback connection that no proxy forwarded. A reverse proxy on the same machine connects from
 * 127.0.0.1 too, on behalf of anyone: its forwarding headers mark such a request as not local,
 * whether TRUST_PROXY is on or not.
 */
function fromThisMachine(ctx: Context): boolean {
  if (ctx.get('X-Forwarded-For') || ctx.get('Forwarded') || ctx.get('X-Real-IP')) return false;
  const address = (ctx.req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
