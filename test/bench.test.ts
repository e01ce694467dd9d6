// Smoke test of the benchmarks: the runner's rows and table, and a quick run of each bench that
// starts servers, so a broken bench is found by `npm test` rather than on the day of a full run.
// No figure is compared with a time or a size: machines differ; only the behaviour is checked.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { normalise, renderMarkdown, type Machine, type Row } from '../bench/lib/result.js';
import { parseArgs, runBenches, writeReport } from '../bench/lib/runner.js';
import { ROOT } from '../bench/lib/paths.js';
import { idNumber, personApplication } from '../bench/lib/identities.js';
import { validateIdNumber } from '../src/domain/identity.js';
import { validateApplicationInput } from '../src/domain/application-form.js';
import { run as runWebhook } from '../bench/webhook.bench.js';
import { run as runSubmit } from '../bench/submit.bench.js';
import { run as runStartup } from '../bench/startup.bench.js';
import { run as runMemory } from '../bench/memory.bench.js';
import { tempDir } from './helpers/temp.js';

const MACHINE: Machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.0.0', os: 'Linux', date: '2026-01-02T03:04:05Z', loadAverage: 0.5 };

// The older benches' shape: a numeric target in the figure's unit, lower is better.
const legacy = { name: 'guide: ask()', figure: 0.5, unit: 'ms', baseline: 0.1, ratio: 5, target: 2, p99: 1.2 };

test('normalise reads both result shapes and decides whether a target was met', (t) => {
  const cases: Array<{ raw: unknown; expect: Partial<Row>[] }> = [
    { raw: legacy, expect: [{ target: '≤ 2 ms', met: true, baseline: 0.1, machineDependent: true, details: { p99: 1.2 } }] },
    { raw: { ...legacy, figure: 3 }, expect: [{ met: false }] },
    { raw: { name: 'no target', figure: 1, unit: 'MiB', baseline: 2, ratio: 0.5 }, expect: [{ target: null, met: null }] },
    {
      raw: [
        { name: 'throughput', figure: 400, unit: 'req/s', baseline: 1000, ratio: 0.4, targetText: '≥ 0.5 × baseline', met: false },
        { name: 'files', figure: 0, unit: 'files', baseline: null, ratio: null, targetText: '0', met: true, machineDependent: false },
      ],
      expect: [
        { target: '≥ 0.5 × baseline', met: false },
        { target: '0', met: true, baseline: null, ratio: null, machineDependent: false },
      ],
    },
  ];
  for (const { raw, expect } of cases) {
    const rows = normalise('b', raw);
    t.is(rows.length, expect.length);
    expect.forEach((e, i) => t.like(rows[i]!, e));
  }
  t.throws(() => normalise('b', { name: 'x', figure: Number.NaN, unit: 'ms' }), { message: /finite figure/ });
  t.throws(() => normalise('b', 'nothing'), { message: /not an object/ });
});

test('the table has one row per figure, the machine line, and lists every missed target with its notes', (t) => {
  const rows = [
    ...normalise('guide', legacy),
    ...normalise('webhook', { name: 'answers/s', figure: 400, unit: 'req/s', baseline: 1000, ratio: 0.4, baselineName: 'bare Koa', targetText: '≥ 0.5 × baseline', met: false, notes: ['Slow because of | fsync.'] }),
    ...normalise('push', { name: 'fan-out', figure: 25, unit: 's', baseline: 20, ratio: 1.25, target: 22 }),
    ...normalise('submit', { name: 'files', figure: 0, unit: 'files', baseline: null, ratio: null, targetText: '0', met: true, notes: ['Only its own file.'] }),
  ];
  const markdown = renderMarkdown(rows, MACHINE, { skipped: [{ bench: 'push', reason: 'absent' }], failed: [{ bench: 'submit', error: 'boom\nstack' }] });
  const lines = markdown.split('\n');
  t.true(lines.includes('| what | figure | baseline | ratio | target | machine-dependent |'));
  t.true(lines.includes('| guide: ask() | 0.5 ms | 0.1 ms | 5× | ≤ 2 ms ✅ met | yes |'));
  t.true(lines.includes('| answers/s | 400 req/s | 1,000 req/s (bare Koa) | 0.4× | ≥ 0.5 × baseline ❌ missed | yes |'));
  t.true(lines.some((l) => l.startsWith('Machine: Test CPU, 2 cores, 4 GiB RAM, Linux, Node v20.0.0, 2026-01-02T03:04:05Z, load average 0.5')));
  // A missed target carries its explanation right under it; the other notes come after.
  const missedAt = lines.indexOf('- **answers/s**: 400 req/s, target ≥ 0.5 × baseline.');
  t.true(missedAt > 0);
  t.is(lines[missedAt + 1], '  - Slow because of | fsync.');
  const pushAt = lines.indexOf('- **fan-out**: 25 s, target ≤ 22 s.');
  t.is(lines[pushAt + 1], '  - The bench gives no explanation.');
  t.true(lines.indexOf('- submit: Only its own file.') > lines.indexOf('## Notes'));
  t.true(lines.includes('- push: absent'));
  t.true(lines.includes('- submit: boom'));
});

test('arguments: a quick or partial run writes beside, not over, the committed results', (t) => {
  t.is(parseArgs([]).outDir, path.join(ROOT, 'bench'));
  t.is(parseArgs(['--quick']).outDir, path.join(ROOT, 'bench/output'));
  t.deepEqual(parseArgs(['--only', 'guide,submit']).only, ['guide', 'submit']);
  t.is(parseArgs(['--only=guide', '--out', '/tmp/x']).outDir, '/tmp/x');
  t.throws(() => parseArgs(['--only', 'nope']), { message: /unknown bench nope/ });
});

test('invented applicants are distinct and pass the product’s own checks', (t) => {
  const TODAY = '2026-06-15';
  const numbers = new Set<string>();
  for (const n of [0, 1, 9, 10, 999, 1000, 12_345, 50_000_000, 50_100_000]) {
    const id = idNumber(n);
    t.true(validateIdNumber(id, TODAY).ok, id);
    numbers.add(id);
    t.notThrows(() => validateApplicationInput(personApplication(n), TODAY));
  }
  t.is(numbers.size, 9);
});

test.serial('the runner runs a bench and writes both files', async (t) => {
  const report = await runBenches({ only: ['guide'], outDir: '', log: () => {} });
  t.deepEqual(report.failed, []);
  t.true(report.rows.length >= 1);
  t.true(report.rows.every((r) => r.bench === 'guide' && Number.isFinite(r.figure)));
  const dir = await tempDir(t);
  const written = await writeReport(report, dir, 'npm run bench -- --only guide');
  t.regex(await readFile(written.markdown, 'utf8'), /\| guide: ask\(\) per question/);
  t.deepEqual(JSON.parse(await readFile(written.json, 'utf8')).rows.length, report.rows.length);
});

test.serial('webhook --quick: every push comes back as a guide answer, on the product and the bare route', async (t) => {
  const rows = normalise('webhook', await runWebhook({ quick: true }));
  t.is(rows.length, 2);
  for (const row of rows) t.true(row.figure > 0 && row.baseline! > 0, row.name);
  const details = rows[0]!.details as { product: { completed: number; failed: number }; bare: { failed: number } };
  t.true(details.product.completed > 0);
  t.is(details.product.failed, 0);
  t.is(details.bare.failed, 0);
  t.is((rows[1]!.details as { product: { failed: number } }).product.failed, 0);
  // The work every push must do is timed part by part, and turned into a bound on the ratio (which
  // can exceed 1 when the bare route is held back by the load generator on a busy machine).
  const floor = rows[0]!.details as { mandatoryWorkMicrosPerPush: Array<{ what: string; micros: number }>; ratioCeiling: number };
  t.deepEqual(floor.mandatoryWorkMicrosPerPush.map((p) => p.micros > 0), [true, true, true, true]);
  t.true(Number.isFinite(floor.ratioCeiling) && floor.ratioCeiling > 0);
});

test.serial('submit --quick: submits succeed on a seeded store and rewrite no unrelated file', async (t) => {
  const rows = normalise('submit', await runSubmit({ quick: true }));
  const latency = rows.find((r) => r.unit === 'ms')!;
  t.true(latency.figure > 0 && latency.baseline! > 0);
  t.is((latency.details as { stored: number }).stored, 1000);
  const files = rows.find((r) => r.unit === 'files')!;
  t.is(files.figure, 0);
  t.true(files.met);
});

test.serial('startup --quick: the product and the minimal server both answer /healthz', async (t) => {
  const rows = normalise('startup', await runStartup({ quick: true }));
  t.is(rows.length, 2);
  for (const row of rows) t.true(row.figure > 0 && row.baseline! > 0, row.name);
  t.deepEqual(rows.map((row) => row.target), ['≤ 5,000 ms', '≤ 1,000 ms'], 'first start within 5 s, a restart within 1 s');
});

test.serial('memory --quick: RSS is read from /proc before and after the load', async (t) => {
  const rows = normalise('memory', await runMemory({ quick: true }));
  t.is(rows.length, 2);
  for (const row of rows) t.true(row.figure > 0 && row.baseline! > 0, row.name);
  t.true((rows[1]!.details as { pushes: number }).pushes > 0);
});
