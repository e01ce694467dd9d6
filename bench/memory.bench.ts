// Memory: the resident set size (VmRSS from /proc) of the server as `npm start` runs it
// (`node --import=tsx src/main.ts`) in sandbox mode with the demo data, once it answers /healthz
// and has settled, and again after a burst of load through the signed WeChat webhook (guide
// questions from many users); the peak (VmHWM) is kept in the details.
// Baseline, in the same run: a minimal `node --import=tsx -e` HTTP server, after it answers.
// No target is set for memory; the figure is for watching it grow.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LoadGenerator } from './lib/load.js';
import { MINIMAL_ARGS, PRODUCT_ARGS, freePort, memoryOf, spawnNode, untilOk, type NodeProcess } from './lib/processes.js';
import { answeredQuestions } from './lib/questions.js';
import type { BenchOptions, BenchResult } from './lib/result.js';
import { BENCH_ADMIN, tempFolder } from './lib/servers.js';
import { round } from './lib/stats.js';

const SETTLE_MS = 1000;
const CONNECTIONS = 16;

async function started(args: string[], env: NodeJS.ProcessEnv): Promise<{ server: NodeProcess; url: string }> {
  const port = await freePort();
  const server = spawnNode(args, { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilOk(server, `${url}/healthz`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  await sleep(SETTLE_MS);
  return { server, url };
}

export async function run(options: BenchOptions = {}): Promise<BenchResult[]> {
  const loadMs = options.quick ? 1000 : 5000;
  const minimal = await started(MINIMAL_ARGS, {});
  const baseline = await memoryOf(minimal.server.child.pid!).finally(() => minimal.server.stop());

  const folder = await tempFolder('memory');
  const load = await LoadGenerator.start();
  try {
    const { server, url } = await started(PRODUCT_ARGS, { DATA_DIR: folder.dir, DEMO_DATA: 'on', ...BENCH_ADMIN, LOG_LEVEL: 'warn' });
    try {
      const idle = await memoryOf(server.child.pid!);
      const questions = (await answeredQuestions()).map((a) => a.question);
      const burst = await load.run(
        { url, requests: { kind: 'wechat-text', token: 'sandbox-token', questions, userPrefix: 'o-memory', questionsPerUser: 3, expect: '<xml>' } },
        { mode: 'closed', connections: CONNECTIONS, durationMs: loadMs },
      );
      if (burst.completed === 0) throw new Error(`no push was answered: ${burst.failures.join('; ')}`);
      await sleep(SETTLE_MS);
      const loaded = await memoryOf(server.child.pid!);
      const users = Math.ceil((burst.completed + burst.failed) / 3);
      const row = (name: string, figure: number, details: Record<string, unknown>): BenchResult => ({
        name,
        figure,
        unit: 'MiB',
        baseline: baseline.rssMiB,
        baselineName: 'minimal node --import=tsx -e HTTP server',
        ratio: round(figure / baseline.rssMiB, 1),
        details: { ...details, baselinePeakMiB: baseline.peakMiB },
      });
      return [
        row('memory: RSS of the running server with the demo data, idle after start', idle.rssMiB, { peakMiB: idle.peakMiB }),
        row(
          `memory: RSS after ${burst.completed.toLocaleString('en-US')} webhook pushes from ${users.toLocaleString('en-US')} users in ${loadMs / 1000} s`,
          loaded.rssMiB,
          { peakMiB: loaded.peakMiB, pushes: burst.completed, failed: burst.failed, throughput: round(burst.throughput, 0) },
        ),
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await load.close();
    await folder.remove();
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
}
