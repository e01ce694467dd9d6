// The servers the benches measure: the real product, started in this process exactly as main.ts
// starts it, on a temporary data folder; and the bare Koa route it is compared with.
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { Router } from '@koa/router';
import { start, type Running } from '../../src/main.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ROOT } from './paths.js';

export async function tempFolder(prefix: string, root = os.tmpdir()): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(root, `gongkai-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Set so that a sandbox start does not print a generated admin password to the terminal. */
export const BENCH_ADMIN = { ADMIN_USERNAME: 'bench-admin', ADMIN_PASSWORD: 'bench-admin-password' };

/**
 * The whole product on a data folder, logging nothing. The folder is a fresh temporary one, under
 * `tempRoot` when given (e.g. a tmpfs, to see what the disk costs), unless `dataDir` names one.
 */
export async function startProduct(
  options: { dataDir?: string; tempRoot?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Running & { dispose: () => Promise<void> }> {
  const temp = options.dataDir ? null : await tempFolder('data', options.tempRoot);
  const config = loadConfig({ PORT: '0', DATA_DIR: options.dataDir ?? temp!.dir, DEMO_DATA: 'off', ...BENCH_ADMIN, ...options.env }, ROOT);
  const running = await start(config, { logger: createLogger('silent') });
  return Object.assign(running, {
    dispose: async () => {
      await running.stop();
      await temp?.remove();
    },
  });
}

export interface BareServer {
  url: string;
  close: () => Promise<void>;
}

/** A Koa app with nothing but the given routes, on a free loopback port. */
export async function startBareKoa(mount: (router: Router) => void): Promise<BareServer> {
  const app = new Koa();
  const router = new Router();
  mount(router);
  app.use(router.routes());
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
