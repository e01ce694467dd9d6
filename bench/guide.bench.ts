// Disclosure guide: time per question of guide.ask() over the dev set (test/fixtures/faq-dev.json),
// after warm-up, many rounds. Target: under 2 ms per question.
// Baseline, measured in the same run: a plain jieba.cut of the same question on the same jieba
// instance — the segmentation every Chinese retrieval has to pay for anyway.

import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { loadGuide } from '../src/guide/load.js';
import { sharedJieba } from '../src/guide/jieba.js';
import type { BenchResult } from './lib/result.js';
import { round } from './lib/stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const WARM_UP_ROUNDS = 3;
const ROUNDS = 30;

export interface GuideBenchResult extends BenchResult {
  /** 99th percentile of the per-question times, same unit. */
  p99: number;
  baselineP99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function timeEach(questions: string[], rounds: number, fn: (q: string) => unknown): number[] {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const q of questions) {
      const start = performance.now();
      fn(q);
      samples.push(performance.now() - start);
    }
  }
  return samples.sort((a, b) => a - b);
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

export async function run(): Promise<GuideBenchResult> {
  const guide = await loadGuide(resolve(ROOT, 'data'));
  const jieba = sharedJieba();
  const dev = JSON.parse(await readFile(resolve(ROOT, 'test/fixtures/faq-dev.json'), 'utf8')) as { questions: { question: string }[] };
  const questions = dev.questions.map((q) => q.question);

  // Warm-up: JIT, the sub-word cache, jieba's own caches.
  timeEach(questions, WARM_UP_ROUNDS, (q) => guide.ask(q));
  timeEach(questions, WARM_UP_ROUNDS, (q) => jieba.cut(q, false));

  const asks = timeEach(questions, ROUNDS, (q) => guide.ask(q));
  const cuts = timeEach(questions, ROUNDS, (q) => jieba.cut(q, false));
  const figure = mean(asks);
  const baseline = mean(cuts);
  return {
    name: `guide: ask() per question, mean over ${questions.length} dev-set questions × ${ROUNDS} rounds`,
    figure: round(figure, 4),
    unit: 'ms',
    baseline: round(baseline, 4),
    ratio: round(figure / baseline, 1),
    target: 2,
    p99: round(percentile(asks, 99), 4),
    baselineP99: round(percentile(cuts, 99), 4),
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
