// Cold start: from spawning what `npm start` runs (`node src/start.mjs`: the compiled build, checked
// for staleness first) to the first 200 from GET /healthz, polled every few milliseconds. Two cases,
// median of 5 each: the first start on an empty data folder in sandbox mode (which seeds the demo
// data), and a restart on the folder that start left behind. The build is made before timing, as
// `npm ci && npm start` makes it once.
// Baseline, in the same run, interleaved with the figure's runs: the same spawn of a minimal
// `node --import=tsx -e` HTTP server to its first 200 — what Node and tsx cost before any code of
// ours; the details also hold a bare node process that imports wechaty (Wechaty's own start).
// Targets: /healthz within 5 s of the first start (the foundation issue), within 1 s of a restart
// (issue 20).
// The guide's index and the bot (Wechaty) load behind the listening server, and a question that
// comes meanwhile waits for them: the details also hold when the product first answered a guide
// question through the signed webhook (the same process, right after its first /healthz).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MINIMAL_ARGS, PRODUCT, PRODUCT_ARGS, WECHATY_ARGS, freePort, spawnNode, untilAnswered, untilOk } from './lib/processes.js';
import { ensureBuilt } from './lib/build.js';
import type { BenchOptions, BenchResult } from './lib/result.js';
import { BENCH_ADMIN, tempFolder } from './lib/servers.js';
import { median, round } from './lib/stats.js';

const FIRST_TARGET_MS = 5000;
const RESTART_TARGET_MS = 1000;

const QUESTION = '申请公开要多久';

async function timeToOk(args: string[], env: NodeJS.ProcessEnv, answered?: number[]): Promise<number> {
  const port = await freePort();
  const server = spawnNode(args, { ...(args === PRODUCT_ARGS ? PRODUCT.env : {}), ...env, PORT: String(port), HOST: '127.0.0.1' });
  try {
    const ok = await untilOk(server, `http://127.0.0.1:${port}/healthz`);
    if (answered) answered.push(await untilAnswered(server, `http://127.0.0.1:${port}`, QUESTION));
    return ok;
  } finally {
    await server.stop();
  }
}

export async function run(options: BenchOptions = {}): Promise<BenchResult[]> {
  const runs = options.quick ? 1 : 5;
  const first: number[] = [];
  const again: number[] = [];
  const minimal: number[] = [];
  const wechaty: number[] = [];
  const firstAnswered: number[] = [];
  const againAnswered: number[] = [];
  await ensureBuilt();
  if (!options.quick) {
    // One unmeasured spawn of each warms the OS file cache, as any second start would find it.
    await timeToOk(MINIMAL_ARGS, {});
    const warm = await tempFolder('startup');
    await timeToOk(PRODUCT_ARGS, { DATA_DIR: warm.dir, ...BENCH_ADMIN, LOG_LEVEL: 'warn' });
    await warm.remove();
  }

  for (let i = 0; i < runs; i++) {
    minimal.push(await timeToOk(MINIMAL_ARGS, {}));
    wechaty.push(await timeToOk(WECHATY_ARGS, {}));
    const folder = await tempFolder('startup');
    try {
      const env = { DATA_DIR: folder.dir, ...BENCH_ADMIN, LOG_LEVEL: 'warn' };
      first.push(await timeToOk(PRODUCT_ARGS, env, firstAnswered));
      again.push(await timeToOk(PRODUCT_ARGS, env, againAnswered));
    } finally {
      await folder.remove();
    }
  }
  const baseline = median(minimal);
  const row = (what: string, samples: number[], answered: number[], target: number): BenchResult => {
    const figure = median(samples);
    return {
      name: `cold start to first 200 on /healthz, ${what}, median of ${runs} (npm start: node ${PRODUCT_ARGS.join(' ')}, compiled)`,
      figure: round(figure, 0),
      unit: 'ms',
      baseline: round(baseline, 0),
      baselineName: 'minimal node --import=tsx -e HTTP server',
      ratio: round(figure / baseline, 1),
      target,
      notes: [
        ...(figure > target ? [`${what}: /healthz first answered after ${round(figure, 0)} ms, over the ${target / 1000} s target; a bare node process that imports wechaty answers after ${round(median(wechaty), 0)} ms here.`] : []),
        `${what}: the first guide question through the webhook, sent right after the first /healthz, was answered ${round(median(answered), 0)} ms after the spawn (median), once the guide's index and Wechaty, which load behind the listening server, were up; a bare node process that imports wechaty answers HTTP after ${round(median(wechaty), 0)} ms.`,
      ],
      details: {
        samples: samples.map((s) => round(s, 0)),
        firstAnswerMs: round(median(answered), 0),
        firstAnswerSamples: answered.map((s) => round(s, 0)),
        baselineSamples: minimal.map((s) => round(s, 0)),
        wechatyMs: round(median(wechaty), 0),
        wechatySamples: wechaty.map((s) => round(s, 0)),
      },
    };
  };
  return [
    row('first start, empty data folder, sandbox demo data seeded', first, firstAnswered, FIRST_TARGET_MS),
    row('restart on existing data', again, againAnswered, RESTART_TARGET_MS),
  ];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
}
