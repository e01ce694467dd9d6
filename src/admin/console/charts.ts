// Two small charts drawn as inline SVG on the server: no script, no library, nothing for the
// Content-Security-Policy to allow. Colours come from console.css through class names, and each
// chart carries a <title> and is followed on its page by the same numbers as a table.
import { html, type SafeHtml } from '../../http/html.js';

/** A round upper bound for an axis and its step: 0–5 ticks of 1, 2 or 5 × 10^k. */
export function axisScale(max: number): { top: number; step: number } {
  if (max <= 5) return { top: 5, step: 1 };
  const magnitude = 10 ** Math.floor(Math.log10(max / 5));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s * 5 >= max)!;
  return { top: Math.ceil(max / step) * step, step };
}

export interface ColumnChart {
  id: string;
  title: string;
  labels: readonly string[];
  values: readonly number[];
  /** Columns from this index on are drawn muted (months still to come). */
  mutedFrom?: number;
}

export function columnChart(chart: ColumnChart): SafeHtml {
  const width = 600;
  const height = 240;
  const left = 36;
  const right = 8;
  const top = 20;
  const bottom = 30;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const { top: yMax, step } = axisScale(Math.max(0, ...chart.values));
  const slot = plotW / chart.values.length;
  const barW = Math.min(32, slot * 0.6);
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const ticks = Array.from({ length: yMax / step + 1 }, (_, i) => i * step);
  const fixed = (n: number) => Number(n.toFixed(1));

  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${chart.id}-title">
<title id="${chart.id}-title">${chart.title}</title>
${ticks.map(
  (t) => html`<line class="chart-grid" x1="${left}" x2="${width - right}" y1="${fixed(y(t))}" y2="${fixed(y(t))}"/>
<text class="chart-axis" x="${left - 6}" y="${fixed(y(t) + 4)}" text-anchor="end">${t}</text>
`,
)}${chart.values.map((v, i) => {
    const x = left + slot * i + (slot - barW) / 2;
    const muted = chart.mutedFrom !== undefined && i >= chart.mutedFrom;
    return html`<rect class="${muted ? 'chart-bar muted' : 'chart-bar'}" x="${fixed(x)}" y="${fixed(y(v))}" width="${fixed(barW)}" height="${fixed(top + plotH - y(v))}"><title>${chart.labels[i]}：${v}</title></rect>
${v > 0 && html`<text class="chart-value" x="${fixed(x + barW / 2)}" y="${fixed(y(v) - 4)}" text-anchor="middle">${v}</text>`}
<text class="chart-label" x="${fixed(left + slot * i + slot / 2)}" y="${height - 8}" text-anchor="middle">${chart.labels[i]}</text>
`;
  })}</svg>`;
}

export interface BarListChart {
  id: string;
  title: string;
  rows: ReadonlyArray<{ id: string; label: string; count: number }>;
}

/** Horizontal bars, one per row, with the count and its share of the total. */
export function barListChart(chart: BarListChart): SafeHtml {
  const width = 600;
  const rowH = 32;
  const left = 76;
  const right = 100;
  const height = chart.rows.length * rowH + 8;
  const total = chart.rows.reduce((a, r) => a + r.count, 0);
  const max = Math.max(1, ...chart.rows.map((r) => r.count));
  const plotW = width - left - right;
  const fixed = (n: number) => Number(n.toFixed(1));

  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${chart.id}-title">
<title id="${chart.id}-title">${chart.title}</title>
${chart.rows.map((r, i) => {
    const yTop = 4 + i * rowH;
    const w = (r.count / max) * plotW;
    const share = total ? Math.round((r.count / total) * 100) : 0;
    return html`<text class="chart-label" x="${left - 8}" y="${yTop + 21}" text-anchor="end">${r.label}</text>
<rect class="chart-bar outcome-${r.id}" x="${left}" y="${yTop + 5}" width="${fixed(w)}" height="${rowH - 10}"><title>${r.label}：${r.count}</title></rect>
<text class="chart-value" x="${fixed(left + w + 6)}" y="${yTop + 21}">${r.count}（${share}%）</text>
`;
  })}</svg>`;
}
