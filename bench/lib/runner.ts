// Runs the benchmarks one after another in this process, turns what each returns into table rows,
// and writes RESULTS.md and results.json. A bench that fails is reported, and the others still run.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { describeMachine } from './machine.js';
import { ROOT } from './paths.js';
import { normalise, renderMarkdown, type BenchOptions, type Failed, type Machine, type Row, type Skipped } from './result.js';

export interface BenchEntry {
  key: string;
  /** File name under bench/. */
  file: string;
  /** Why --quick leaves it out, if it does. */
  notInQuick?: string;
}

export const BENCHES: readonly BenchEntry[] = [
  { key: 'guide', file: 'guide.bench.ts' },
  { key: 'report', file: 'report.bench.ts' },
  { key: 'webhook', file: 'webhook.bench.ts' },
  { key: 'submit', file: 'submit.bench.ts' },
  { key: 'push', file: 'push.bench.ts', notInQuick: 'takes half a minute at its fixed 10,000 subscribers; run `npm run bench -- --only push`' },
  { key: 'startup', file: 'startup.bench.ts' },
  { key: 'memory', file: 'memory.bench.ts' },
  { key: 'engines', file: 'engines.bench.ts' },
];

export interface RunOptions extends BenchOptions {
  /** Only these keys (all when empty). */
  only?: string[];
  /** Where RESULTS.md and results.json go. */
  outDir: string;
  log?: (line: string) => void;
}

export interface RunReport {
  machine: Machine;
  quick: boolean;
  durationSeconds: number;
  rows: Row[];
  skipped: Skipped[];
  failed: Failed[];
}

export interface CliOptions {
  quick: boolean;
  only: string[];
  outDir: string;
}

/** `--quick`, `--only guide,webhook`, `--out DIR`. A quick run writes to bench/output/ unless told. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const quick = argv.includes('--quick');
  const valueOf = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const only = (valueOf('--only') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((k) => !BENCHES.some((b) => b.key === k));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.key).join(', ')}`);
  const out = valueOf('--out');
  return { quick, only, outDir: path.resolve(out ?? path.join(ROOT, quick || only.length ? 'bench/output' : 'bench')) };
}

type RunFunction = (options: BenchOptions) => Promise<unknown>;

export async function runBenches(options: RunOptions): Promise<RunReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const machine = describeMachine();
  if (machine.loadAverage > machine.cores / 2) {
    log(`warning: load average ${machine.loadAverage} on ${machine.cores} cores — other work on this machine will skew the figures`);
  }
  const started = performance.now();
  const rows: Row[] = [];
  const skipped: Skipped[] = [];
  const failed: Failed[] = [];
  for (const entry of BENCHES) {
    if (options.only?.length && !options.only.includes(entry.key)) continue;
    if (options.quick && entry.notInQuick && !options.only?.includes(entry.key)) {
      skipped.push({ bench: entry.key, reason: `left out of --quick: ${entry.notInQuick}` });
      continue;
    }
    const file = path.join(ROOT, 'bench', entry.file);
    if (!existsSync(file)) {
      skipped.push({ bench: entry.key, reason: `bench/${entry.file} does not exist yet` });
      log(`[${entry.key}] skipped: bench/${entry.file} is absent`);
      continue;
    }
    log(`[${entry.key}] running…`);
    const benchStarted = performance.now();
    try {
      const module = (await import(pathToFileURL(file).href)) as { run?: RunFunction };
      if (typeof module.run !== 'function') throw new Error(`bench/${entry.file} exports no run()`);
      const produced = normalise(entry.key, await module.run({ quick: options.quick }));
      rows.push(...produced);
      const seconds = (performance.now() - benchStarted) / 1000;
      for (const row of produced) log(`[${entry.key}] ${row.name}: ${row.figure} ${row.unit}${row.ratio === null ? '' : ` (${row.ratio}× baseline)`}${row.met === false ? ' — target missed' : ''}`);
      log(`[${entry.key}] done in ${seconds.toFixed(1)} s`);
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      failed.push({ bench: entry.key, error: message });
      log(`[${entry.key}] FAILED: ${message}`);
    }
  }
  return { machine, quick: options.quick === true, durationSeconds: (performance.now() - started) / 1000, rows, skipped, failed };
}

export async function writeReport(report: RunReport, outDir: string, command: string): Promise<{ markdown: string; json: string }> {
  await mkdir(outDir, { recursive: true });
  const markdown = path.join(outDir, 'RESULTS.md');
  const json = path.join(outDir, 'results.json');
  await writeFile(markdown, renderMarkdown(report.rows, report.machine, { quick: report.quick, skipped: report.skipped, failed: report.failed, command, durationSeconds: report.durationSeconds }));
  await writeFile(json, `${JSON.stringify({ ...report, durationSeconds: Math.round(report.durationSeconds) }, null, 2)}\n`);
  return { markdown, json };
}
