// Sandbox-only pages and routes (never mounted in production mode).
import { Router } from '@koa/router';
import type { FakeWechatApi } from '../wechat/fake-api.js';
import type { Config } from '../config.js';
import type { Agency } from '../agency.js';

export interface SandboxDeps {
  config: Config;
  fakeWechat: FakeWechatApi;
  agency: Agency;
}

export function createSandboxRouter(deps: SandboxDeps): Router {
  const router = new Router();
  // What the fake WeChat API received, as the design's contract lists it: [{api, touser, payload, at}].
  router.get('/__sandbox/outbox', (ctx) => {
    ctx.body = deps.fakeWechat.outbox.list();
  });
  return router;
}
