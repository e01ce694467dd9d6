// What every benchmark hands back, and how the runner turns it into one row of the results table.
//
// The older benches (guide, report, push) return one object {name, figure, unit, baseline, ratio,
// target?} where the target is a number in the figure's unit and lower is better. The newer ones may
// return several rows, and say themselves what their target is and whether it was met, because
// "at least half the baseline's throughput" is not a number in the figure's unit.

export interface BenchOptions {
  /** A fast smoke run: fewer samples, shorter phases; the figures are indicative only. */
  quick?: boolean;
}

export interface BenchResult {
  name: string;
  figure: number;
  unit: string;
  /** Measured in the same run, in `baselineUnit` (default: `unit`); null when nothing fair compares. */
  baseline: number | null;
  ratio: number | null;
  /** A number in `unit`, lower is better (the older benches' convention). */
  target?: number;
  /** The target in words when it is not an upper bound in `unit`, e.g. "≥ 0.5 × baseline". */
  targetText?: string;
  /** Whether the target was met; when absent and `target` is a number, figure ≤ target decides. */
  met?: boolean;
  /** What the baseline is, in a few words. */
  baselineName?: string;
  baselineUnit?: string;
  /** False for figures the machine does not change (a file's size, a count). */
  machineDependent?: boolean;
  /** Short remarks for the notes under the table: why a target was missed, what would fix it. */
  notes?: string[];
  /** Everything else the bench measured; kept in results.json. */
  details?: Record<string, unknown>;
}

export interface Row {
  bench: string;
  name: string;
  figure: number;
  unit: string;
  baseline: number | null;
  baselineUnit: string;
  baselineName: string | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  machineDependent: boolean;
  notes: string[];
  details: Record<string, unknown>;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** The 1-minute load average when the run began: other work on the machine skews every figure. */
  loadAverage: number;
}

const KNOWN_KEYS = new Set([
  'name', 'figure', 'unit', 'baseline', 'ratio', 'target', 'targetText', 'met', 'baselineName', 'baselineUnit', 'machineDependent', 'notes', 'details',
]);

/** Turns what a bench's run() returned (one result or a list) into table rows; unknown fields go to details. */
export function normalise(bench: string, raw: unknown): Row[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item, index) => {
    if (typeof item !== 'object' || item === null) throw new Error(`${bench}: result ${index} is not an object`);
    const r = item as Record<string, unknown>;
    if (typeof r.name !== 'string' || typeof r.figure !== 'number' || !Number.isFinite(r.figure) || typeof r.unit !== 'string') {
      throw new Error(`${bench}: result ${index} lacks a name, a finite figure or a unit: ${JSON.stringify(item)}`);
    }
    const baseline = typeof r.baseline === 'number' && Number.isFinite(r.baseline) ? r.baseline : null;
    const ratio = typeof r.ratio === 'number' && Number.isFinite(r.ratio) ? r.ratio : null;
    const numericTarget = typeof r.target === 'number' ? r.target : null;
    const target = typeof r.targetText === 'string' ? r.targetText : numericTarget !== null ? `≤ ${formatNumber(numericTarget)} ${r.unit}` : null;
    const met = typeof r.met === 'boolean' ? r.met : numericTarget !== null ? r.figure <= numericTarget : null;
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r)) if (!KNOWN_KEYS.has(key)) extra[key] = value;
    return {
      bench,
      name: r.name,
      figure: r.figure,
      unit: r.unit,
      baseline,
      baselineUnit: typeof r.baselineUnit === 'string' ? r.baselineUnit : r.unit,
      baselineName: typeof r.baselineName === 'string' ? r.baselineName : null,
      ratio,
      target,
      met,
      machineDependent: r.machineDependent !== false,
      notes: Array.isArray(r.notes) ? r.notes.filter((n): n is string => typeof n === 'string') : [],
      details: { ...extra, ...(typeof r.details === 'object' && r.details !== null ? (r.details as Record<string, unknown>) : {}) },
    };
  });
}

/** Three significant digits at most, thousands grouped: 0.116, 12.3, 1,234. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function machineLine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}, ${machine.date}, load average ${machine.loadAverage} at the start`;
}

export interface Skipped {
  bench: string;
  reason: string;
}

export interface Failed {
  bench: string;
  error: string;
}

/** RESULTS.md: the machine, one table row per figure, then what missed its target and every note. */
export function renderMarkdown(
  rows: Row[],
  machine: Machine,
  options: { quick?: boolean; skipped?: Skipped[]; failed?: Failed[]; command?: string; durationSeconds?: number } = {},
): string {
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(`Machine: ${machineLine(machine)}.`, '');
  lines.push(
    `Produced by \`${options.command ?? 'npm run bench'}\`${options.quick ? ' (quick mode: short phases, few samples; indicative only)' : ''}. ` +
      'Every figure that depends on the machine is compared with a baseline measured in the same run on the same machine; ' +
      'the ratio is figure ÷ baseline. Full figures and details are in results.json.' +
      (options.durationSeconds === undefined ? '' : ` The run took ${Math.round(options.durationSeconds)} s.`),
    '',
  );
  lines.push('| what | figure | baseline | ratio | target | machine-dependent |');
  lines.push('|---|---:|---|---:|---|---|');
  for (const row of rows) {
    const figure = `${formatNumber(row.figure)} ${row.unit}`;
    const baseline = row.baseline === null ? '—' : `${formatNumber(row.baseline)} ${row.baselineUnit}${row.baselineName ? ` (${row.baselineName})` : ''}`;
    const ratio = row.ratio === null ? '—' : `${formatNumber(row.ratio)}×`;
    const target = row.target === null ? '—' : `${row.target} ${row.met === null ? '' : row.met ? '✅ met' : '❌ missed'}`.trim();
    lines.push(`| ${cell(row.name)} | ${figure} | ${cell(baseline)} | ${ratio} | ${cell(target)} | ${row.machineDependent ? 'yes' : 'no'} |`);
  }
  lines.push('');

  // Each missed target with the bench's own account of why, right under it.
  const missed = rows.filter((r) => r.met === false);
  lines.push('## Targets missed', '');
  if (missed.length === 0) lines.push('None.');
  for (const row of missed) {
    lines.push(`- **${row.name}**: ${formatNumber(row.figure)} ${row.unit}, target ${row.target}.`);
    if (row.notes.length === 0) lines.push('  - The bench gives no explanation.');
    for (const note of row.notes) lines.push(`  - ${note}`);
  }
  lines.push('');

  if (options.failed?.length) {
    lines.push('## Failed', '');
    for (const f of options.failed) lines.push(`- ${f.bench}: ${cell(f.error.split('\n')[0] ?? '')}`);
    lines.push('');
  }

  if (options.skipped?.length) {
    lines.push('## Not run', '');
    for (const s of options.skipped) lines.push(`- ${s.bench}: ${s.reason}`);
    lines.push('');
  }

  const notes = rows.filter((r) => r.met !== false).flatMap((r) => r.notes.map((note) => ({ bench: r.bench, note })));
  if (notes.length) {
    lines.push('## Notes', '');
    for (const { bench, note } of notes) lines.push(`- ${bench}: ${note}`);
    lines.push('');
  }
  return lines.join('\n');
}
