// Push: one run of the push job to 10,000 subscribers (both channels) through the fake WeChat API
// over HTTP, with the fake limited to R sends per second and the job set to the same R.
// Baseline: 10,000 / R seconds, the least time the limit allows. Target: within 10% of it.
// R defaults to 500 (BENCH_PUSH_RATE to change it). The job runs min(R, 100) digests at once: each
// waits for its ledger entry to be on disk (group commit every 50 ms) before it may go out.

import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { loadAgency } from '../src/agency.js';
import { createLogger } from '../src/log.js';
import { Store } from '../src/store/store.js';
import { WechatApiClient } from '../src/wechat/api-client.js';
import { createFakeWechatApi } from '../src/wechat/fake-api.js';
import { openCatalog } from '../src/catalog/index.js';
import type { Actor } from '../src/catalog/review.js';

const SUBSCRIBERS = 10_000;
const RATE = Number(process.env.BENCH_PUSH_RATE ?? 500);
const CREDENTIALS = { appid: 'wxsandbox0000000', secret: 'oa-secret', mpAppid: 'wxminiprogram000', mpSecret: 'mp-secret' };

export interface BenchResult {
  name: string;
  figure: number;
  unit: string;
  baseline: number;
  ratio: number;
  target?: number;
}

export async function run(): Promise<BenchResult> {
  const fake = createFakeWechatApi({ ...CREDENTIALS, prefix: '/wx', sendsPerSecond: RATE });
  const app = new Koa();
  app.use(fake.router.routes());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gongkai-push-bench-'));
  const store = await Store.open(dir);
  try {
    const contentDir = path.resolve('data');
    const agency = await loadAgency(contentDir);
    const wechat = new WechatApiClient({ baseUrl, ...CREDENTIALS });
    const catalog = await openCatalog({
      store,
      agency,
      contentDir,
      wechat: () => wechat,
      mpAppid: CREDENTIALS.mpAppid,
      logger: createLogger('warn'),
      push: { sendsPerSecond: RATE, concurrency: Number(process.env.BENCH_PUSH_CONCURRENCY ?? Math.min(RATE, 100)), dailyQuota: { 'official-account': null, miniprogram: null } },
    });

    // Subscribed first: a digest carries only what was published after its subscriber subscribed.
    const sets = [['budgets'], ['procurement', 'budgets'], ['emergency'], ['budgets', 'emergency', 'procurement']];
    const subscriptions = Array.from({ length: SUBSCRIBERS }, (_, i) =>
      i % 10 < 7
        ? catalog.subscriptions.replace('official-account', `oa-${i}`, sets[i % sets.length])
        : catalog.subscriptions.replace('miniprogram', `mp-${i}`, sets[i % sets.length]),
    );
    await Promise.all(subscriptions);
    const staff = (username: string, role: Actor['roles'][number]): Actor => ({ username, roles: [role] });
    for (const [title, category] of [['2026年部门预算公开', 'budgets'], ['人防工程维护采购意向', 'procurement'], ['人防警报试鸣公告', 'emergency']]) {
      const item = await catalog.service.draft({ title, category }, 'clerk');
      await catalog.service.review(item.id, { type: 'submit' }, staff('clerk', 'submitter'));
      await catalog.service.review(item.id, { type: 'approve' }, staff('secrecy', 'reviewer'));
      await catalog.service.review(item.id, { type: 'approve' }, staff('chief', 'leader'));
    }

    const start = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await catalog.push.run();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;

    const delivered = fake.outbox.list().length;
    const summary = result.runs[0];
    if (delivered !== SUBSCRIBERS || summary?.state !== 'finished' || summary.totals.sent !== SUBSCRIBERS) {
      throw new Error(`push bench: ${delivered} digests delivered, run ${JSON.stringify(summary)}`);
    }
    const baseline = SUBSCRIBERS / RATE;
    return {
      name:
        `push: one digest to each of ${SUBSCRIBERS} subscribers at ${RATE} sends/s (fake WeChat API over HTTP, same process), ` +
        `${summary.pauses} pauses, ${cpuSeconds.toFixed(1)} s CPU`,
      figure: Math.round(seconds * 100) / 100,
      unit: 's',
      baseline,
      ratio: Math.round((seconds / baseline) * 1000) / 1000,
      target: Math.round(baseline * 1.1 * 100) / 100,
    };
  } finally {
    await store.close();
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
