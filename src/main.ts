// Composition root: config → store → services → Koa app → bot → jobs, and a graceful shutdown that
// stops taking work, lets running requests and jobs finish, and closes the store last.
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { Store } from './store/store.js';
import { createApp } from './app.js';

export interface Running {
  config: Config;
  server: Server;
  url: string;
  store: Store;
  logger: Logger;
  stop(): Promise<void>;
}

export async function start(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Running> {
  const store = await Store.open(config.dataDir);
  const app = createApp({ config, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // WeChat waits 5 s for an answer; nothing we serve should hold a socket much longer than that.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, mode: config.mode, dataDir: config.dataDir }, 'server started');
  if (config.mode === 'sandbox') {
    logger.warn('SANDBOX MODE: no WeChat credentials are set; WeChat is simulated in-process. Do not use for real requests.');
  }

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await store.close();
      logger.info('stopped');
    })());

  return { config, server, url, store, logger, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: Running;
  try {
    running = await start(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'signal received');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      running.stop().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
