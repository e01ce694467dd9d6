/**
 * Turns Chinese text into the terms the index and the questions are compared on:
 * fold width and traditional characters (OpenCC) → fix known typos, then homophone slips of domain
 * words (补怔, 覆议, 达复: same pinyin, not a word) → segment with jieba (domain words kept whole) →
 * map synonyms to one canonical word → drop stop words and punctuation → add the dictionary
 * sub-words of long words, so 人防工程 also meets a question that only says 人防.
 */
import type { Jieba } from '@node-rs/jieba';
import * as OpenCC from 'opencc-js/t2cn';
import { pinyin } from 'pinyin-pro';
import type { DictionaryData, StopwordData, SynonymData } from './types.js';

export interface AnalyzerResources {
  dictionary: DictionaryData;
  synonyms: SynonymData;
  stopwords?: StopwordData;
}

/** One word of the text: its term, jieba's part-of-speech tag ("n", "v", "m", …) and its sub-words. */
export interface Token {
  term: string;
  pos: string;
  /** Dictionary words inside a long word (人防工程 → 人防, 工程): as written, and in canonical form. */
  parts: Part[];
  /** Stop words inside a long word (具体步骤 → 具体): they need no match. */
  fillers: string[];
}

export interface Part {
  surface: string;
  term: string;
}

export interface Analyzer {
  /** Terms of a text, in order, repeats kept (the index counts them). */
  terms(text: string): string[];
  /** The words with their part of speech and parts, for weighing words the guide does not know. */
  tokens(text: string): Token[];
  /** The canonical form of one word (itself when it belongs to no synonym group). */
  canonical(word: string): string;
  /** Whether a word is one of the domain words. */
  isDomainWord(word: string): boolean;
  /** The text as it is segmented: width, case, simplified characters, typos and homophones fixed. */
  normalise(text: string): string;
}

/** High enough that jieba keeps our words whole, low enough not to swallow neighbouring words. */
const USER_WORD_FREQUENCY = 20000;
/** Sub-words are only worth adding for words this long. */
const SUBWORD_MIN_LENGTH = 3;
/** A public endpoint sees endless new words; the sub-word cache is dropped when it grows past this. */
const SUBWORD_CACHE_LIMIT = 20000;

const WORDLIKE = /[\p{L}\p{N}]/u;
interface Subwords {
  parts: Part[];
  fillers: string[];
}
const NO_SUBWORDS: Subwords = { parts: [], fillers: [] };

export function createAnalyzer(resources: AnalyzerResources, jieba: Jieba): Analyzer {
  const toCanonical = synonymMap(resources.synonyms);
  const domainWords = new Set(Object.values(resources.dictionary.groups).flat().map(foldCase));
  const stopwords = new Set((resources.stopwords?.words ?? []).map(foldCase));
  const fixTypos = typoFixer({ ...(resources.synonyms.misspellings ?? {}), ...(resources.synonyms.english ?? {}) });
  const vocabulary = [...domainWords, ...toCanonical.keys(), ...toCanonical.values()];

  jieba.loadDict(userDictionary(vocabulary));
  // Slips are read as domain words and the canonical words of synonym groups, never as colloquial
  // variants (去哪, 我妈), which would turn ordinary words into others.
  const fixHomophones = homophoneFixer([...domainWords, ...toCanonical.values()], (text) => jieba.cut(text, false));

  const subwordCache = new Map<string, Subwords>();
  function subwords(word: string): Subwords {
    let cached = subwordCache.get(word);
    if (cached === undefined) {
      if (subwordCache.size >= SUBWORD_CACHE_LIMIT) subwordCache.clear();
      const inner = jieba.cutForSearch(word, false).filter((w) => w !== word && w.length >= 2);
      cached = {
        parts: inner.filter((w) => !stopwords.has(w)).map((w) => ({ surface: w, term: toCanonical.get(w) ?? w })),
        fillers: inner.filter((w) => stopwords.has(w)),
      };
      subwordCache.set(word, cached);
    }
    return cached;
  }

  function normalise(text: string): string {
    return fixHomophones(fixTypos(toSimplified(foldCase(text.normalize('NFKC')))));
  }

  // HMM is off: guessing new words glues fragments like 金在 or 能延 together, which then match
  // nothing; without it an unknown stretch falls apart into characters that weigh little.
  function tokens(text: string): Token[] {
    const out: Token[] = [];
    for (const { word, tag } of jieba.tag(normalise(text), false)) {
      const token = word.trim();
      if (token === '' || !WORDLIKE.test(token)) continue;
      const canonical = toCanonical.get(token);
      const term = canonical ?? token;
      if (canonical === undefined && stopwords.has(token)) continue;
      // A synonym is a curated unit: its parts would only add noise (小程序 → 程序 → 流程).
      const inner = canonical === undefined && term.length >= SUBWORD_MIN_LENGTH ? subwords(term) : NO_SUBWORDS;
      out.push({ term, pos: tag, parts: inner.parts, fillers: inner.fillers });
    }
    return out;
  }

  return {
    tokens,
    terms(text) {
      return tokens(text).flatMap((t) => [t.term, ...t.parts.map((p) => p.term)]);
    },
    canonical(word) {
      const folded = foldCase(word);
      return toCanonical.get(folded) ?? folded;
    },
    isDomainWord(word) {
      return domainWords.has(word);
    },
    normalise,
  };
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

function synonymMap(synonyms: SynonymData): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of synonyms.groups) {
    const canonical = foldCase(group[0] ?? '');
    if (canonical === '') continue;
    for (const word of group) {
      const variant = foldCase(word);
      const earlier = map.get(variant);
      if (earlier !== undefined && earlier !== canonical) {
        throw new Error(`synonym "${word}" is in two groups ("${earlier}" and "${canonical}")`);
      }
      map.set(variant, canonical);
    }
  }
  return map;
}

/** Traditional → simplified characters, by OpenCC's character table (no phrase rewriting). */
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/**
 * Homophone slips of domain words, the commonest error of pinyin input and voice input: a stretch
 * of two to five characters that begins and ends where jieba's words do but is not one word (so no
 * part of a word: 工作机构 must not become 工座机构), that reads like a domain word without tones and
 * shares a character with it in the same place (补怔 → 补正, 付议 → 复议, 易地建设废 → 易地建设费) is
 * read as that word. A reading two domain words share is ambiguous and left alone.
 */
function homophoneFixer(words: Iterable<string>, segment: (text: string) => string[]): (text: string) => string {
  const byReading = new Map<string, string | null>();
  for (const word of new Set(words)) {
    const chars = Array.from(word);
    if (chars.length < 2 || chars.length > 5 || !chars.every(isHan)) continue;
    const reading = readingOf(word);
    byReading.set(reading, byReading.has(reading) && byReading.get(reading) !== word ? null : word);
  }
  return (text) => {
    if (!/\p{Script=Han}{2}/u.test(text)) return text;
    const chars = Array.from(text);
    // One reading per character: pinyin-pro reads each run of Han characters in context (多音字),
    // and groups anything else, so runs are read one by one and the rest kept as it is.
    const perChar: string[] = [];
    for (const run of text.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) ?? []) {
      if (isHan(run.charAt(0))) perChar.push(...pinyin(run, { toneType: 'none', type: 'array', v: true }));
      else perChar.push(...Array.from(run));
    }
    // Where jieba's words begin (and so the previous ones end), by character position.
    const boundary = new Set<number>([0]);
    const single = new Set<string>();
    let at = 0;
    for (const word of segment(text)) {
      at += Array.from(word).length;
      boundary.add(at);
      single.add(`${at - Array.from(word).length}:${at}`);
    }
    let changed = false;
    for (let i = 0; i < chars.length; i++) {
      for (let n = 5; n >= 2; n--) {
        if (i + n > chars.length) continue;
        const stretch = chars.slice(i, i + n);
        if (!stretch.every(isHan) || !boundary.has(i) || !boundary.has(i + n) || single.has(`${i}:${i + n}`)) continue;
        const word = byReading.get(perChar.slice(i, i + n).join(' '));
        if (!word) continue;
        const target = Array.from(word);
        if (target.join('') === stretch.join('') || !target.some((ch, k) => ch === stretch[k])) continue;
        chars.splice(i, n, ...target);
        changed = true;
        i += n - 1;
        break;
      }
    }
    return changed ? chars.join('') : text;
  };
}

function readingOf(text: string): string {
  return pinyin(text, { toneType: 'none', type: 'array', v: true }).join(' ');
}

function isHan(ch: string): boolean {
  return /\p{Script=Han}/u.test(ch);
}

/**
 * One pass of longest-first replacement, so a fix never feeds another fix. A key that begins or ends
 * with a Latin letter or digit matches whole words only there ("limit" not inside "unlimited", "id"
 * not inside "did").
 */
function typoFixer(misspellings: Record<string, string>): (text: string) => string {
  const keys = Object.keys(misspellings).map(foldCase).sort((a, b) => b.length - a.length);
  if (keys.length === 0) return (text) => text;
  const lookup = new Map(Object.entries(misspellings).map(([k, v]) => [foldCase(k), v]));
  const latin = /[a-z0-9]/;
  const pattern = new RegExp(keys.map((k) =>
    (latin.test(k.charAt(0)) ? '(?<![a-z0-9])' : '') + escapeRegExp(k) + (latin.test(k.charAt(k.length - 1)) ? '(?![a-z0-9])' : ''),
  ).join('|'), 'g');
  return (text) => text.replace(pattern, (m) => lookup.get(m) ?? m);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function userDictionary(words: Iterable<string>): Buffer {
  const lines = [...new Set(words)]
    .filter((w) => Array.from(w).length >= 2 && !/\s/.test(w))
    .map((w) => `${w} ${USER_WORD_FREQUENCY}`);
  return Buffer.from(lines.join('\n') + '\n');
}
