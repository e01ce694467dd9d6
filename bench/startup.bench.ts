// Cold start: from spawning `node --import=tsx src/main.ts` (what `npm start` runs, through tsx)
// to the first 200 from GET /healthz, polled every few milliseconds. Two cases, median of 5 each:
// the first start on an empty data folder in sandbox mode (which seeds the demo data), and a
// restart on the folder that start left behind.
// Baseline, in the same run, interleaved with the figure's runs: the same spawn of a minimal
// `node --import=tsx -e` HTTP server to its first 200 — what Node and tsx cost before any code of ours.
// Target (the foundation issue): /healthz answers within 5 s of the start.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MINIMAL_ARGS, PRODUCT_ARGS, freePort, spawnNode, untilOk } from './lib/processes.js';
import type { BenchOptions, BenchResult } from './lib/result.js';
import { BENCH_ADMIN, tempFolder } from './lib/servers.js';
import { median, round } from './lib/stats.js';

const TARGET_MS = 5000;

async function timeToOk(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const server = spawnNode(args, { ...env, PORT: String(port), HOST: '127.0.0.1' });
  try {
    return await untilOk(server, `http://127.0.0.1:${port}/healthz`);
  } finally {
    await server.stop();
  }
}

export async function run(options: BenchOptions = {}): Promise<BenchResult[]> {
  const runs = options.quick ? 1 : 5;
  const first: number[] = [];
  const again: number[] = [];
  const minimal: number[] = [];
  if (!options.quick) {
    // One unmeasured spawn of each warms the OS file cache, as any second start would find it.
    await timeToOk(MINIMAL_ARGS, {});
    const warm = await tempFolder('startup');
    await timeToOk(PRODUCT_ARGS, { DATA_DIR: warm.dir, ...BENCH_ADMIN, LOG_LEVEL: 'warn' });
    await warm.remove();
  }

  for (let i = 0; i < runs; i++) {
    minimal.push(await timeToOk(MINIMAL_ARGS, {}));
    const folder = await tempFolder('startup');
    try {
      const env = { DATA_DIR: folder.dir, ...BENCH_ADMIN, LOG_LEVEL: 'warn' };
      first.push(await timeToOk(PRODUCT_ARGS, env));
      again.push(await timeToOk(PRODUCT_ARGS, env));
    } finally {
      await folder.remove();
    }
  }
  const baseline = median(minimal);
  const row = (what: string, samples: number[]): BenchResult => {
    const figure = median(samples);
    return {
      name: `cold start to first 200 on /healthz, ${what}, median of ${runs} (node --import=tsx src/main.ts)`,
      figure: round(figure, 0),
      unit: 'ms',
      baseline: round(baseline, 0),
      baselineName: 'minimal node --import=tsx -e HTTP server',
      ratio: round(figure / baseline, 1),
      target: TARGET_MS,
      notes: figure > TARGET_MS ? [`${what}: /healthz first answered after ${round(figure, 0)} ms, over the 5 s target.`] : [],
      details: { samples: samples.map((s) => round(s, 0)), baselineSamples: minimal.map((s) => round(s, 0)) },
    };
  };
  return [row('first start, empty data folder, sandbox demo data seeded', first), row('restart on existing data', again)];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
}
