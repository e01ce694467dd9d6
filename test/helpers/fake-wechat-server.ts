// The fake WeChat API (src/wechat/fake-api.ts) on a real HTTP server on an ephemeral port, as the
// platform tests use it; closed when the test ends.
import type { ExecutionContext } from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa, { type Middleware } from 'koa';
import { createFakeWechatApi, type FakeWechatApi, type FakeWechatApiOptions } from '../../src/wechat/fake-api.js';

export const CREDENTIALS = { appid: 'wxsandbox0000000', secret: 'oa-secret', mpAppid: 'wxminiprogram000', mpSecret: 'mp-secret' };
export const PREFIX = '/__sandbox/wechat-api';

/** `before` runs ahead of the fake's routes, e.g. to act once it has answered some calls. */
export async function serveFakeWechat(
  t: ExecutionContext,
  options: Partial<FakeWechatApiOptions> = {},
  before?: (fake: FakeWechatApi) => Middleware,
): Promise<{ fake: FakeWechatApi; baseUrl: string }> {
  const fake = createFakeWechatApi({ ...CREDENTIALS, prefix: PREFIX, ...options });
  const app = new Koa();
  if (before) app.use(before(fake));
  app.use(fake.router.routes());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { fake, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.prefix ?? PREFIX}` };
}
