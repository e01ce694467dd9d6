// npm run bench [-- --quick] [-- --only guide,webhook] [-- --out DIR]
// Runs every benchmark and writes bench/RESULTS.md and bench/results.json (a quick or partial run
// writes to bench/output/ instead, so the committed results are only ever those of a full run).
import { ROOT } from './lib/paths.js';
import { parseArgs, runBenches, writeReport } from './lib/runner.js';

const args = process.argv.slice(2);
const options = parseArgs(args);
// The benches read the office's data from data/, relative to the repository.
process.chdir(ROOT);
const report = await runBenches(options);
const command = ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ');
const written = await writeReport(report, options.outDir, command);
process.stderr.write(`\nWrote ${written.markdown} and ${written.json} (${Math.round(report.durationSeconds)} s).\n`);
if (report.failed.length) process.exitCode = 1;
