// The guide's accuracy on questions written blind: by people who never saw data/guide, from a topic
// list only, each with the fact a right answer must carry (bench/guide-eval/README.md). A question
// is right when the reply a citizen reads carries every required fact; an off-topic question is
// right when it is declined; a question about the office's own business is right when it is not
// declined (it gets published items, a guide entry or the office's contact).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as OpenCC from 'opencc-js/t2cn';
import type { GuideReply } from '../../src/guide/service.js';
import { ROOT } from './paths.js';

export interface BlindQuestion {
  q: string;
  topic: string;
  voice: string;
  /** Every requirement must hold; a requirement holds when one of its alternatives occurs. */
  facts: string[][];
  /** Which writer wrote it (writer1…). */
  writer: string;
}

/** What a citizen got: the text of the reply, and whether it was a "not my business" decline. */
export interface Reply {
  declined: boolean;
  text: string;
  /** For the miss list: which entry or fallback produced the text. */
  source: string;
}

export interface EvalResult {
  set: string;
  /** In-scope questions (those with facts). */
  inScope: number;
  right: number;
  /** In-scope or office-business questions answered with "out of scope". */
  declinedInScope: number;
  offTopic: number;
  offTopicDeclined: number;
  business: number;
  businessHandled: number;
  misses: string[];
}

export type SetName = 'tune' | 'tune2' | 'tune3' | 'tune4' | 'tune5' | 'tune6' | 'tune7' | 'tune8' | 'tune9' | 'tune10' | 'locked';

/**
 * What the chat (bot/dialog.ts) makes of the guide's reply, without the catalog: an out-of-scope
 * question naming the office's business gets the office's contact, not a decline; an unsure one
 * gets the best guess.
 */
export function replyOf(result: GuideReply): Reply {
  const declined = result.status === 'out-of-scope' && result.business.length === 0;
  return { declined, text: result.answer ?? '', source: `${result.status}:${result.entry?.id ?? (result.business.length ? 'contact' : '—')}` };
}

export async function loadBlindSet(name: SetName): Promise<BlindQuestion[]> {
  return JSON.parse(await readFile(path.join(ROOT, 'bench/guide-eval', `${name}.json`), 'utf8')) as BlindQuestion[];
}

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 二十 → 20, 十五 → 15, 六十 → 60, 三 → 3: so "二十个工作日" and "20个工作日" compare equal. */
function arabic(text: string): string {
  return text.replace(/[零〇一二两三四五六七八九十百]+/g, (run) => {
    if (!/^[一二两三四五六七八九]?百?[零〇]?[一二两三四五六七八九]?十?[一二三四五六七八九]?$/.test(run) || run === '') return run;
    let total = 0;
    let digit = 0;
    for (const ch of run) {
      if (ch === '百') { total += (digit || 1) * 100; digit = 0; } else if (ch === '十') { total += (digit || 1) * 10; digit = 0; } else digit = DIGITS[ch] ?? 0;
    }
    return String(total + digit);
  });
}

/** How facts and replies are compared: width, case, traditional characters, numerals, spaces. */
export function normaliseForFacts(text: string): string {
  return arabic(toSimplified(text.normalize('NFKC').toLowerCase())).replace(/\s+/g, '');
}

export function carries(text: string, facts: string[][]): boolean {
  const t = normaliseForFacts(text);
  return facts.every((alternatives) => alternatives.some((a) => t.includes(normaliseForFacts(a))));
}

export function evaluate(set: string, questions: BlindQuestion[], reply: (q: string) => Reply): EvalResult {
  const r: EvalResult = { set, inScope: 0, right: 0, declinedInScope: 0, offTopic: 0, offTopicDeclined: 0, business: 0, businessHandled: 0, misses: [] };
  for (const question of questions) {
    const got = reply(question.q);
    const miss = (why: string) => r.misses.push(`${why.padEnd(14)} [${question.topic}] ${question.q} → ${got.source}`);
    if (question.topic === 'off-topic') {
      r.offTopic += 1;
      if (got.declined) r.offTopicDeclined += 1;
      else miss('answered');
    } else if (question.topic === 'office-business') {
      r.business += 1;
      if (got.declined) { r.declinedInScope += 1; miss('declined'); } else r.businessHandled += 1;
    } else {
      r.inScope += 1;
      if (got.declined) { r.declinedInScope += 1; miss('declined'); } else if (carries(got.text, question.facts)) r.right += 1;
      else miss(`lacks ${question.facts.map((f) => f[0]).join('+')}`);
    }
  }
  return r;
}

export function summary(r: EvalResult): string {
  const pct = (a: number, b: number) => (b === 0 ? '—' : `${(100 * a / b).toFixed(1)} %`);
  return `${r.set}: right ${r.right}/${r.inScope} (${pct(r.right, r.inScope)}); in-scope told "out of scope" ${r.declinedInScope}; ` +
    `off-topic declined ${r.offTopicDeclined}/${r.offTopic}; office business handled ${r.businessHandled}/${r.business}`;
}
