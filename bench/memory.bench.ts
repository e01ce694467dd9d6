// Memory: the resident set size (VmRSS from /proc) of the server as `npm start` runs it (the
// compiled build, with npm start's environment) in sandbox mode with the demo data, once it answers
// /healthz, has answered one guide question through the webhook (the guide's index and Wechaty load
// behind the listening server: the answer says they are in memory) and has settled, and again after a burst of load through the signed WeChat webhook
// (guide questions from many users); the peak (VmHWM) is kept in the details.
// Baseline, in the same run: Wechaty's own footprint, a bare node process that imports wechaty and
// answers HTTP; the details also hold a minimal `node --import=tsx -e` HTTP server.
// Target (issue 20): idle RSS at most twice Wechaty's own footprint.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LoadGenerator } from './lib/load.js';
import { MINIMAL_ARGS, PRODUCT, PRODUCT_ARGS, WECHATY_ARGS, freePort, memoryOf, spawnNode, untilAnswered, untilOk, type NodeProcess } from './lib/processes.js';
import { ensureBuilt } from './lib/build.js';
import { answeredQuestions } from './lib/questions.js';
import type { BenchOptions, BenchResult } from './lib/result.js';
import { BENCH_ADMIN, tempFolder } from './lib/servers.js';
import { round } from './lib/stats.js';

const SETTLE_MS = 1000;
const CONNECTIONS = 16;
const IDLE_TARGET_RATIO = 2;

async function started(args: string[], env: NodeJS.ProcessEnv): Promise<{ server: NodeProcess; url: string }> {
  const port = await freePort();
  const server = spawnNode(args, { ...(args === PRODUCT_ARGS ? PRODUCT.env : {}), ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilOk(server, `${url}/healthz`);
    if (args === PRODUCT_ARGS) await untilAnswered(server, url, '申请公开要多久');
  } catch (error) {
    await server.stop();
    throw error;
  }
  await sleep(SETTLE_MS);
  return { server, url };
}

export async function run(options: BenchOptions = {}): Promise<BenchResult[]> {
  const loadMs = options.quick ? 1000 : 5000;
  await ensureBuilt();
  const minimalProcess = await started(MINIMAL_ARGS, {});
  const minimal = await memoryOf(minimalProcess.server.child.pid!).finally(() => minimalProcess.server.stop());
  const wechaty = await started(WECHATY_ARGS, {});
  const baseline = await memoryOf(wechaty.server.child.pid!).finally(() => wechaty.server.stop());

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
        baselineName: 'bare node process importing wechaty',
        ratio: round(figure / baseline.rssMiB, 1),
        details: { ...details, baselinePeakMiB: baseline.peakMiB, minimalTsxMiB: minimal.rssMiB },
      });
      const idleMet = idle.rssMiB <= IDLE_TARGET_RATIO * baseline.rssMiB;
      return [
        {
          ...row('memory: RSS of the running server with the demo data, idle after start', idle.rssMiB, { peakMiB: idle.peakMiB }),
          targetText: `≤ ${IDLE_TARGET_RATIO} × baseline`,
          met: idleMet,
          notes: idleMet ? [] : [`Idle RSS ${idle.rssMiB} MiB is over twice Wechaty's own footprint (${baseline.rssMiB} MiB).`],
        },
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
