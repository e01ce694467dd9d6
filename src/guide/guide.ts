/**
 * The disclosure guide: FAQ entries with agency facts filled in, and a retriever that picks the
 * entry a citizen's question is about — or declines when it is about something else.
 *
 * Pure: everything comes in as data; the only shared state is the process-wide jieba (see jieba.ts).
 */
import type { Jieba } from '@node-rs/jieba';
import type { Agency } from '../agency.js';
import { createAnalyzer, type Token } from './analyzer.js';
import { buildBm25Index, type FieldSpec } from './bm25.js';
import { sharedJieba } from './jieba.js';
import { MAX_ANSWER_LENGTH } from './limits.js';
import { renderTemplate, TemplateError } from './template.js';
import { remedyTexts, reviewAuthorityOf } from '../domain/remedies.js';
import { STATUTORY_PERIODS } from '../domain/applications/index.js';
import type {
  Alternative, AskResult, DictionaryData, GuideEntry, GuideSection, RenderedEntry, ScopeData, SearchHit, SectionWithEntries,
  StopwordData, SynonymData,
} from './types.js';

export interface GuideInput {
  entries: GuideEntry[];
  sections?: GuideSection[];
  dictionary: DictionaryData;
  synonyms: SynonymData;
  stopwords?: StopwordData;
  /** Without it, only the coverage tells in-scope from off-topic. */
  scope?: ScopeData;
  agency: Agency;
  options?: Partial<GuideOptions>;
  /** Defaults to the process-wide instance. */
  jieba?: Jieba;
}

export interface GuideOptions {
  /** Fields of the entry-level BM25F index. */
  fields: FieldSpec[];
  /** BM25 parameters of the index of single phrasings. */
  phrasing: { k1: number; b: number };
  k1: number;
  /** Weight of the best single phrasing's score in an entry's score. */
  phrasingWeight: number;
  /** Weight of the entry-level score (all questions, keywords, answer) in an entry's score. */
  entryWeight: number;
  /** Below this share of the question's weight matched by the best entry: out of scope. */
  minCoverage: number;
  /** From this share up (and with a clear margin) the best entry is given as the answer. */
  answerCoverage: number;
  /** The best entry must lead the second by this share of its own score to be answered. */
  minMargin: number;
  /** Weight in the coverage of a domain word no entry uses, relative to an unknown noun. */
  domainWordWeight: number;
  /** Weight in the coverage of an unknown word by part of speech (first letter of jieba's tag). */
  unknownWeightByPos: Record<string, number>;
  /** Weight of an unknown word whose part of speech is not listed. */
  unknownWeightOther: number;
  /** Factor for an unknown single character: often a fragment of a word jieba did not know. */
  singleCharWeight: number;
  /** Factor for a known word that is a number, time word, adverb, pronoun, particle or the like. */
  functionWordWeight: number;
  /** Weight of the character-bigram ranking against the word ranking (each scaled to its best). */
  charWeight: number;
  /** Fields of the character-bigram index. */
  charFields: FieldSpec[];
  /** A question with a weak anchor (申请, 收费, 你们…) is declined only below this coverage. */
  weakAnchorCoverage: number;
  /**
   * The ranking with the setting words (scope.json `setting`) is used only when its best entry
   * covers this much more of the question than the best entry of the ranking without them.
   */
  settingMargin: number;
}

export const DEFAULT_OPTIONS: GuideOptions = {
  fields: [
    { name: 'questions', weight: 1, b: 0.75 },
    { name: 'keywords', weight: 1.5, b: 0.3 },
    { name: 'answer', weight: 0.5, b: 0.75 },
  ],
  phrasing: { k1: 1.2, b: 0.75 },
  k1: 1.2,
  phrasingWeight: 1,
  entryWeight: 0.8,
  minCoverage: 0.42,
  answerCoverage: 0.45,
  minMargin: 0.1,
  domainWordWeight: 0.3,
  // Nouns (and places, idioms, abbreviations, Latin-letter words: s, i, l, j, eng) name the
  // subject of a question; an unknown one (公积金, 天气) is the surest sign the question is about
  // something else. Verbs and adjectives say less; numbers, time words, adverbs and particles say
  // almost nothing about the topic.
  unknownWeightByPos: { n: 1, s: 1, i: 1, l: 1, j: 1, e: 1, v: 0.6, a: 0.6 },
  unknownWeightOther: 0.2,
  singleCharWeight: 0.5,
  functionWordWeight: 0.5,
  charWeight: 0.5,
  charFields: [
    { name: 'questions', weight: 1, b: 0.75 },
    { name: 'keywords', weight: 1.5, b: 0.3 },
  ],
  weakAnchorCoverage: 0.05,
  settingMargin: 0.3,
};

/** jieba tags (first letter) of words that carry grammar rather than topic. */
const FUNCTION_POS = new Set(['m', 'q', 't', 'f', 'd', 'r', 'p', 'c', 'u', 'y', 'o']);

export { MAX_ANSWER_LENGTH };
/** Longer questions are cut: nobody types more in a chat, and it bounds the work per question. */
const MAX_QUESTION_LENGTH = 500;
const ALTERNATIVES = 3;
/** When unsure, the best guess is answered and this many more topics are offered as choices. */
const CHOICES = 2;

export interface Explanation {
  /** The question as it was read: width, characters, typos and homophones fixed. */
  normalised: string;
  /** The question's terms after normalisation, with their weight in the coverage. */
  terms: { term: string; pos: string; weight: number; known: boolean }[];
  /** Scope words found: strong anchors, weak anchors, the office's business, other services. */
  anchors: { strong: string[]; strongApart: string[]; weak: string[]; business: string[]; offTopic: string[]; offTopicAlways: string[]; appliedFor: string[] };
  /** The best entries with their fused score, its word and character parts, and coverage. */
  ranking: { id: string; title: string; score: number; words: number; chars: number; coverage: number }[];
  /** The status ask() gives and why. */
  status: AskResult['status'];
  reason: string;
}

export interface Guide {
  ask(question: string): AskResult;
  /** Why ask() decided what it did: for staff reviewing unanswered questions, and for tuning. */
  explain(question: string, limit?: number): Explanation;
  search(query: string, limit?: number): SearchHit[];
  entries(): RenderedEntry[];
  entry(id: string): RenderedEntry | undefined;
  sections(): SectionWithEntries[];
}

export function createGuide(input: GuideInput): Guide {
  const options: GuideOptions = { ...DEFAULT_OPTIONS, ...input.options };
  const rendered = renderEntries(input.entries, input.sections, input.agency);
  const names = agencyNames(input.agency);
  const analyzer = createAnalyzer({
    dictionary: { groups: { ...input.dictionary.groups, 本机关: names } },
    synonyms: input.synonyms,
    stopwords: input.stopwords,
  }, input.jieba ?? sharedJieba());
  // The office's own names say only that a question is about this office, which every entry is:
  // they are kept out of the scores and out of the coverage. The short names lend their parts too
  // (黄石民防 → 黄石, 民防), the long ones do not (…政务公开网 must not neutralise 政务公开).
  const neutral = new Set([
    ...names.map((n) => analyzer.canonical(n)),
    ...shortNames(input.agency).flatMap((n) => analyzer.terms(n)),
  ]);
  const terms = (text: string) => analyzer.terms(text).filter((t) => !neutral.has(t));
  const scope = scopeMatcher(input.scope, analyzer.normalise);
  // The office's business words (人防工程, 防空洞, 人防车位…) say which thing a question is about,
  // not what the citizen wants to know of it: any entry may concern a 人防工程. Left in the ranking
  // they pull every question that names one towards the entry about 人防工程 in general, however
  // plainly it asks about a time limit or a fee. So they are ranked on only when nothing else is.
  const businessWords = (input.scope?.business ?? []).map((w) => analyzer.normalise(w));
  const businessTerms = new Set(businessWords.flatMap((w) => analyzer.terms(w)));
  // So are the words of a setting (拆迁, 补偿): they say where the citizen comes from. But a question
  // may ask about the setting itself (拆迁补偿的事找人防办对不对): it is ranked both ways, and the
  // ranking with them wins when its best entry covers much more of the question (settingMargin).
  const settingWords = (input.scope?.setting ?? []).map((w) => analyzer.normalise(w));
  const subjectWords = [...businessWords, ...settingWords];
  const subjectTerms = new Set(subjectWords.flatMap((w) => analyzer.terms(w)));
  const settingTerms = new Set(settingWords.flatMap((w) => analyzer.terms(w)).filter((t) => !businessTerms.has(t)));

  const entryIndex = buildBm25Index(input.entries.map((entry) => ({
    id: entry.id,
    fields: {
      questions: entry.questions.flatMap(terms),
      keywords: (entry.keywords ?? []).flatMap(terms),
      // Placeholders are left out so that agency facts do not make every answer match; the statutory
      // periods are the law's words, indexed as the citizen reads them ("20个工作日").
      answer: terms(stripPlaceholders(fillPeriods(entry.answer))),
    },
  })), { fields: options.fields, k1: options.k1 });

  const phrasingOwner: number[] = [];
  const phrasingIndex = buildBm25Index(input.entries.flatMap((entry, doc) => entry.questions.map((q, i) => {
    phrasingOwner.push(doc);
    return { id: `${entry.id}#${i}`, fields: { text: terms(q) } };
  })), { fields: [{ name: 'text', weight: 1, b: options.phrasing.b }], k1: options.phrasing.k1 });

  // Character bigrams of the same phrasings: a second opinion that needs no segmentation, so it
  // still meets a question jieba cuts badly, a word the synonyms lack or a typo nobody listed.
  const charIndex = buildBm25Index(input.entries.map((entry) => ({
    id: entry.id,
    fields: {
      questions: entry.questions.flatMap((q) => bigrams(analyzer.normalise(q))),
      keywords: (entry.keywords ?? []).flatMap((k) => bigrams(analyzer.normalise(k))),
    },
  })), { fields: options.charFields, k1: options.k1 });

  const byId = new Map(rendered.map((e) => [e.id, e]));

  // Scratch space for the phrasing scores: ask() runs start to end without awaiting, so one buffer
  // serves every question instead of a new one per question.
  const phrasingScores = new Float64Array(phrasingIndex.size);
  const bestPhrasing = new Float64Array(entryIndex.size);
  const charScores = new Float64Array(charIndex.size);
  const wordScores = new Float64Array(entryIndex.size);

  /**
   * Scores every entry; `order` holds the best `limit` entries with a score, best first. An entry's
   * word score is its own BM25F score plus that of its best single phrasing; its character score
   * is BM25 over bigrams. Each is scaled to the best entry's, then they are added with charWeight.
   */
  function rank(question: string, limit: number, keepSetting = false) {
    const text = question.slice(0, MAX_QUESTION_LENGTH);
    const normalised = analyzer.normalise(text);
    const tokens = dedupe(analyzer.tokens(text));
    const scored = new Set<string>();
    for (const token of tokens) {
      if (!neutral.has(token.term)) scored.add(token.term);
      for (const part of token.parts) if (!neutral.has(part.term)) scored.add(part.term);
    }
    const setAside = keepSetting ? businessTerms : subjectTerms;
    let charText = normalised;
    let scores: Float64Array | undefined;
    if ([...scored].some((t) => !setAside.has(t))) {
      const without = new Set([...scored].filter((t) => !setAside.has(t)));
      scores = entryIndex.score(without);
      // Only when the other words meet some entry: 防空洞能住吗 is still about the 防空洞.
      if (scores.some((s) => s > 0)) {
        scored.clear();
        for (const t of without) scored.add(t);
        for (const w of keepSetting ? businessWords : subjectWords) charText = charText.split(w).join(' ');
      } else scores = undefined;
    }
    scores ??= entryIndex.score(scored);
    phrasingIndex.score(scored, phrasingScores);
    bestPhrasing.fill(0);
    for (let p = 0; p < phrasingScores.length; p++) {
      const doc = phrasingOwner[p]!;
      if (phrasingScores[p]! > bestPhrasing[doc]!) bestPhrasing[doc] = phrasingScores[p]!;
    }
    charIndex.score(new Set(bigrams(charText)), charScores);
    let topWords = 0;
    let topChars = 0;
    for (let doc = 0; doc < scores.length; doc++) {
      wordScores[doc] = scores[doc]! * options.entryWeight + bestPhrasing[doc]! * options.phrasingWeight;
      topWords = Math.max(topWords, wordScores[doc]!);
      topChars = Math.max(topChars, charScores[doc]!);
    }
    for (let doc = 0; doc < scores.length; doc++) {
      scores[doc] = (topWords > 0 ? wordScores[doc]! / topWords : 0) + (topChars > 0 ? options.charWeight * charScores[doc]! / topChars : 0);
    }
    return { normalised, tokens, scores, order: bestFirst(scores, limit) };
  }

  /**
   * What ask() answers, and why. A question is declined only when nothing in it is about disclosure
   * or this office: no anchor word, and too little of it covered by any entry. Past that it is
   * always answered: outright when the best entry covers the question and leads clearly, otherwise
   * as the best guess with the next topics offered as choices.
   */
  function decide(question: string) {
    let ranked = rank(question, 1 + ALTERNATIVES);
    if (ranked.order[0] !== undefined && ranked.tokens.some((t) => settingTerms.has(t.term) || t.parts.some((p) => settingTerms.has(p.term)))) {
      const kept = rank(question, 1 + ALTERNATIVES, true);
      if (kept.order[0] !== undefined && coverage(kept.tokens, kept.order[0]) >= coverage(ranked.tokens, ranked.order[0]) + options.settingMargin) ranked = kept;
    }
    const { normalised, tokens, scores, order } = ranked;
    const anchors = scope(normalised);
    const best = order[0];
    const cover = best === undefined ? 0 : coverage(tokens, best);
    const s1 = best === undefined ? 0 : scores[best]!;
    const s2 = order[1] === undefined ? 0 : scores[order[1]]!;
    const margin = s1 === 0 ? 0 : (s1 - s2) / s1;
    let status: AskResult['status'];
    let reason: string;
    if (best === undefined) {
      status = 'out-of-scope';
      reason = 'no entry shares a word with the question';
    } else if (anchors.offTopicAlways.length > 0) {
      // A request that is not for information at all (a poem, small talk) or is another service's
      // business under a disclosure word (营业执照年报 is the company's filing, not our 年报).
      status = 'out-of-scope';
      reason = `another request: ${anchors.offTopicAlways.join('/')}`;
    } else if (anchors.strongWords.length > 0 || anchors.business.length > 0) {
      status = cover >= options.answerCoverage && margin >= options.minMargin ? 'answered' : 'unsure';
      reason = `anchor ${[...anchors.strong, ...anchors.business].join('/')}`;
    } else if (anchors.appliedFor.length > 0 && anchors.strong.length > 0 && anchors.strongApart.length === 0) {
      // Only a pattern anchor (申请交了) with another service applied for (公积金提取申请交了多久能到账),
      // in the service's own clause: the application is that service's.
      status = 'out-of-scope';
      reason = `another service applied for: ${anchors.appliedFor.join('/')}`;
    } else if (anchors.strong.length > 0 || anchors.business.length > 0) {
      status = cover >= options.answerCoverage && margin >= options.minMargin ? 'answered' : 'unsure';
      reason = `anchor ${[...anchors.strong, ...anchors.business].join('/')}`;
    } else if (anchors.offTopic.length > 0 && anchors.appliedFor.length === 0 && settingCover(normalised, anchors.offTopic) >= options.minCoverage) {
      // Another service told only as the setting, in a sentence that asks nothing (上回给社保局寄材料就
      // 石沉大海了, 跟物业扯皮), while the rest of the question is a disclosure question the guide covers.
      status = cover >= options.answerCoverage && margin >= options.minMargin ? 'answered' : 'unsure';
      reason = `another service only as the setting: ${anchors.offTopic.join('/')}`;
    } else if (anchors.offTopic.length > 0 && (anchors.appliedFor.length > 0 || !(anchors.weak.length >= 2 && cover >= options.minCoverage))) {
      // Another service's word declines, unless disclosure words and the guide's coverage say the
      // service is only the setting: a 物业 applying for its residents, a 营业执照 as a company's ID.
      // A service applied for (申请高龄补贴) is never only the setting.
      status = 'out-of-scope';
      reason = `another service: ${anchors.offTopic.join('/')}${anchors.appliedFor.length ? ' (applied for)' : ''}`;
    } else if (cover >= options.minCoverage || (anchors.weak.length > 0 && cover >= options.weakAnchorCoverage)) {
      status = cover >= options.answerCoverage && margin >= options.minMargin ? 'answered' : 'unsure';
      reason = cover >= options.minCoverage ? `coverage ${round(cover)} ≥ ${options.minCoverage}` : `weak anchor ${anchors.weak.join('/')}, coverage ${round(cover)} ≥ ${options.weakAnchorCoverage}`;
    } else {
      status = 'out-of-scope';
      reason = `no anchor${anchors.weak.length ? ` but weak ${anchors.weak.join('/')}` : ''}, coverage ${round(cover)} < ${anchors.weak.length ? options.weakAnchorCoverage : options.minCoverage}`;
    }
    if (status === 'answered') reason += `; coverage ${round(cover)} ≥ ${options.answerCoverage} and lead ${round(margin)} ≥ ${options.minMargin}`;
    else if (status === 'unsure') reason += `; best guess: coverage ${round(cover)}${cover < options.answerCoverage ? ` < ${options.answerCoverage}` : ''}, lead ${round(margin)}${margin < options.minMargin ? ` < ${options.minMargin}` : ''}`;
    return { ...ranked, anchors, best, cover, s1, status, reason };
  }

  /**
   * The coverage of the question without its clauses naming another service, when none of those
   * clauses asks anything (no question mark or question word): the service is then only where the
   * citizen comes from. 0 when a service clause asks, or the rest holds fewer than two disclosure
   * words (weak anchors).
   */
  function settingCover(normalised: string, others: string[]): number {
    const clauses = normalised.match(CLAUSE) ?? [];
    const setting = clauses.filter((c) => others.some((w) => c.includes(w)));
    if (setting.length === 0 || setting.length === clauses.length || setting.some((c) => ASKS.test(c))) return 0;
    const rest = clauses.filter((c) => !setting.includes(c)).join('');
    // The rest must be a disclosure question in its own words, not a generic 咋整 or 带什么材料.
    const found = scope(rest);
    // 你们 only says whom the citizen asks (淘宝商家不认账！能找你们投诉吗).
    if (found.offTopic.length > 0 || found.weak.filter((w) => !ADDRESSEE.has(w)).length + found.strong.length < 2) return 0;
    const { tokens, order } = rank(rest, 1);
    return order[0] === undefined ? 0 : coverage(dedupe(tokens), order[0]);
  }

  /**
   * The share of the question an entry accounts for: each word weighs what it tells about the
   * topic (termWeight) and counts when the entry has it. A word the guide does not know but that is
   * made wholly of words it does know (依法办理 = 依法 + 办理) earns the share of its characters the
   * entry has; one with an unknown part (结婚登记) earns nothing.
   */
  function coverage(tokens: Token[], doc: number): number {
    let total = 0;
    let matched = 0;
    for (const token of tokens) {
      const weight = termWeight(token);
      if (weight === 0) continue;
      total += weight;
      if (entryIndex.contains(doc, token.term)) matched += weight;
      else if (entryIndex.idf(token.term) === undefined) matched += weight * shareOfParts(token, doc);
    }
    return total === 0 ? 0 : matched / total;
  }

  function shareOfParts(token: Token, doc: number): number {
    const chars = Array.from(token.term);
    const covered = new Array<boolean>(chars.length).fill(false);
    const needed = new Array<boolean>(chars.length).fill(true);
    const inEntry = new Array<boolean>(chars.length).fill(false);
    const mark = (part: string, each: (i: number) => void) => {
      const length = Array.from(part).length;
      for (let at = token.term.indexOf(part); at >= 0; at = token.term.indexOf(part, at + 1)) {
        const start = Array.from(token.term.slice(0, at)).length;
        for (let i = start; i < start + length; i++) each(i);
      }
    };
    for (const filler of token.fillers) mark(filler, (i) => { covered[i] = true; needed[i] = false; });
    for (const part of token.parts) {
      if (entryIndex.idf(part.term) === undefined) continue;
      const has = entryIndex.contains(doc, part.term);
      mark(part.surface, (i) => { covered[i] = true; if (has) inEntry[i] = true; });
    }
    if (!covered.every(Boolean)) return 0;
    const need = needed.filter(Boolean).length;
    return need === 0 ? 0 : inEntry.filter((hit, i) => hit && needed[i]).length / need;
  }

  /**
   * How much a word tells about the topic. A word some entry uses weighs its idf; a word no entry
   * uses is something the guide knows nothing about, and counts against the question by its part
   * of speech. Numbers, time words, particles and the like say little either way.
   */
  function termWeight(token: Token): number {
    if (neutral.has(token.term)) return 0;
    const pos = token.pos.charAt(0);
    const functionWord = FUNCTION_POS.has(pos) ? options.functionWordWeight : 1;
    const idf = entryIndex.idf(token.term);
    if (idf !== undefined) return idf * functionWord;
    const ceiling = entryIndex.unseenIdf;
    if (analyzer.isDomainWord(token.term)) return ceiling * options.domainWordWeight;
    const byPos = options.unknownWeightByPos[pos] ?? options.unknownWeightOther;
    return ceiling * byPos * (Array.from(token.term).length === 1 ? options.singleCharWeight : 1);
  }

  function alternative(doc: number, score: number): Alternative {
    const entry = byId.get(entryIndex.id(doc))!;
    return { id: entry.id, title: entry.title, score: round(score) };
  }

  return {
    ask(question) {
      const { scores, order, anchors, best, cover, s1, status, reason } = decide(question);
      const base = { score: round(s1), coverage: round(cover), business: anchors.business, reason };
      if (status === 'out-of-scope' || best === undefined) return { status: 'out-of-scope', ...base, alternatives: [] };
      const more = status === 'answered' ? ALTERNATIVES : CHOICES;
      return {
        status,
        entry: copyEntry(byId.get(entryIndex.id(best))!),
        ...base,
        alternatives: order.slice(1, 1 + more).map((d) => alternative(d, scores[d]!)),
      };
    },

    explain(question, limit = 5) {
      const decided = decide(question);
      const { tokens, scores } = decided;
      const order = bestFirst(scores, limit);
      return {
        normalised: decided.normalised,
        terms: tokens.map((t) => ({
          term: t.parts.length > 0 ? `${t.term}(${t.parts.map((p) => p.term).join(',')})` : t.term,
          pos: t.pos,
          weight: round(termWeight(t)),
          known: !neutral.has(t.term) && entryIndex.idf(t.term) !== undefined,
        })),
        anchors: decided.anchors,
        ranking: order.map((d) => ({
          id: entryIndex.id(d),
          title: byId.get(entryIndex.id(d))!.title,
          score: round(scores[d]!),
          words: round(wordScores[d]!),
          chars: round(charScores[d]!),
          coverage: round(coverage(tokens, d)),
        })),
        status: decided.status,
        reason: decided.reason,
      };
    },

    search(query, limit = 10) {
      // Entries the coverage rules out are skipped, so the whole ranking is needed.
      const { tokens, scores, order } = rank(query, entryIndex.size);
      return order
        .filter((d) => coverage(tokens, d) >= options.minCoverage)
        .slice(0, Math.max(0, limit))
        .map((d) => {
          const entry = byId.get(entryIndex.id(d))!;
          return { id: entry.id, section: entry.section, title: entry.title, answer: entry.answer, score: round(scores[d]!) };
        });
    },

    entries() {
      return rendered.map(copyEntry);
    },

    entry(id) {
      const found = byId.get(id);
      return found && copyEntry(found);
    },

    sections() {
      const sections: GuideSection[] = input.sections
        ?? [...new Set(rendered.map((e) => e.section))].map((id) => ({ id, title: id }));
      return sections.map((s) => ({
        id: s.id,
        title: s.title,
        summary: s.summary ?? '',
        entries: rendered.filter((e) => e.section === s.id).map((e) => ({ id: e.id, title: e.title })),
      }));
    },
  };
}

/**
 * The `limit` documents with the highest positive scores, best first; equal scores keep document
 * order. Insertion into a short list: a question needs the best four of a few dozen, and sorting
 * them all took a third of the time of answering it.
 */
function bestFirst(scores: Float64Array, limit: number): number[] {
  const top: number[] = [];
  if (limit < 1) return top;
  for (let doc = 0; doc < scores.length; doc++) {
    const score = scores[doc]!;
    if (score <= 0 || (top.length === limit && score <= scores[top[limit - 1]!]!)) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    for (; at > 0 && score > scores[top[at - 1]!]!; at--) top[at] = top[at - 1]!;
    top[at] = doc;
  }
  return top;
}

/** Overlapping character pairs of each run of letters, digits or Han characters. */
function bigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const chars = Array.from(run);
    if (chars.length === 1) out.push(run);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** A clause with the punctuation or spaces after it. */
const CLAUSE = /[^,，。.;；!！?？\s]+[,，。.;；!！?？\s]*/gu;
/** Weak anchors that only say whom the citizen addresses. */
const ADDRESSEE = new Set(['你们', '你哋']);
/** A clause that asks something. */
const ASKS = /[?？吗嘛呢啥谁哪几咋怎]|什么|多久|多少|是否|能不能|可不可以|行不|得不|中不中|要不要|有没有|么样/u;

/** The scope words a (normalised) question holds. */
function scopeMatcher(scope: ScopeData | undefined, normalise: (text: string) => string) {
  const list = (words: string[] | undefined) => [...new Set((words ?? []).map(normalise).filter(Boolean))];
  const strong = list(scope?.anchors);
  const weak = list(scope?.weakAnchors);
  const business = list(scope?.business);
  const offTopic = list(scope?.offTopic);
  const offTopicAlways = list(scope?.offTopicAlways);
  const notAnchors = list(scope?.notAnchors).sort((a, b) => b.length - a.length);
  const patterns = (scope?.anchorPatterns ?? []).map((p) => new RegExp(p, 'u'));
  return (text: string) => {
    const always = offTopicAlways.filter((w) => text.includes(w));
    // 公开课 is not 公开: the anchors are looked for in the text without such words.
    let anchorText = text;
    for (const w of notAnchors) if (anchorText.includes(w)) anchorText = anchorText.split(w).join(' ');
    const others = offTopic.filter((w) => text.includes(w));
    const clauses = anchorText.match(CLAUSE) ?? [];
    return {
      strong: [...strong.filter((w) => anchorText.includes(w)), ...patterns.flatMap((re) => re.exec(anchorText)?.[0] ?? [])],
      // Pattern anchors in a clause naming no other service (申请低保被拒了，想看当时评审的材料): a
      // disclosure request of its own, whatever the service applied for in another clause.
      strongApart: clauses.filter((c) => !others.some((w) => c.includes(w))).flatMap((c) => patterns.flatMap((re) => re.exec(c)?.[0] ?? [])),
      strongWords: strong.filter((w) => anchorText.includes(w)),
      weak: weak.filter((w) => anchorText.includes(w)),
      // A poem about a 防空洞 is not a question about the 防空洞: the chat must not answer it from the catalog.
      business: always.length > 0 ? [] : business.filter((w) => anchorText.includes(w)),
      offTopic: others,
      offTopicAlways: always,
      appliedFor: others.filter((w) => appliedForPattern(w).test(text)),
    };
  };
}

/**
 * Another service is what the citizen applies for when its word follows 申请, 申办 or 办理 closely
 * (申请低保, 申请高龄补贴, 办理公租房) or directly follows 办 (办护照): then 申请 is that service's, not
 * a disclosure request, and only a strong anchor keeps the question. So too when it is asked how the
 * service is applied for (营业执照怎么申请).
 */
const appliedForCache = new Map<string, RegExp>();
function appliedForPattern(word: string): RegExp {
  let re = appliedForCache.get(word);
  if (re === undefined) {
    const w = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    re = new RegExp(`(?:申请|申办|办理)\\p{Script=Han}{0,3}${w}|办${w}|${w}(?:怎么|如何|咋|怎样)(?:申请|申办|办)|${w}\\p{Script=Han}{0,2}申请(?:交|递|送|寄|提交|办|批|下来|多久|要多久|什么时候|到账)`, 'u');
    appliedForCache.set(word, re);
  }
  return re;
}

function dedupe(tokens: Token[]): Token[] {
  const seen = new Set<string>();
  return tokens.filter((t) => !seen.has(t.term) && (seen.add(t.term), true));
}

function renderEntries(entries: GuideEntry[], sections: GuideSection[] | undefined, agency: Agency): RenderedEntry[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const sectionIds = sections && new Set(sections.map((s) => s.id));
  const out: RenderedEntry[] = [];
  // Remedies come from the one table the letters and the notifications read too (src/domain/
  // remedies.ts): {{remedy.authority}} is the 复议机关, {{remedy.reviewFirst}} etc. the clauses.
  // The statutory periods ({{period.replyWorkingDays}} …) come from src/domain/applications/periods.ts.
  const scope = { agency, remedy: { ...remedyTexts(agency), authority: reviewAuthorityOf(agency) }, period: STATUTORY_PERIODS };
  for (const entry of entries) {
    if (ids.has(entry.id)) problems.push(`${entry.id}: duplicate id`);
    ids.add(entry.id);
    if (sectionIds && !sectionIds.has(entry.section)) problems.push(`${entry.id}: unknown section "${entry.section}"`);
    if (entry.questions.length === 0 || entry.questions.some((q) => q.trim() === '')) {
      problems.push(`${entry.id}: needs at least one non-empty question`);
      continue;
    }
    let answer: string;
    try {
      answer = renderTemplate(entry.answer, scope);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push(`${entry.id}: ${error.message}`);
      continue;
    }
    if (Array.from(answer).length > MAX_ANSWER_LENGTH) {
      problems.push(`${entry.id}: answer is ${Array.from(answer).length} characters, more than ${MAX_ANSWER_LENGTH}`);
    }
    out.push({
      id: entry.id,
      section: entry.section,
      title: entry.questions[0]!,
      questions: [...entry.questions],
      answer,
      keywords: [...(entry.keywords ?? [])],
    });
  }
  if (problems.length > 0) throw new Error(`invalid guide data:\n  ${problems.join('\n  ')}`);
  return out;
}

/** The office's own names: the full name, short names, channels, the region. */
function agencyNames(agency: Agency): string[] {
  const region = (agency.region ?? {}) as Record<string, unknown>;
  const city = typeof region.city === 'string' ? region.city : null;
  return [
    agency.name, agency.shortName, agency.brandName, agency.portalName, agency.wechatAccountName, agency.weiboName,
    region.province, region.county, city, city?.replace(/[市州县区]$/, ''),
  ].filter((w): w is string => typeof w === 'string' && Array.from(w).length >= 2);
}

/** Names people shorten and combine freely; their parts are as neutral as the whole. */
function shortNames(agency: Agency): string[] {
  const region = (agency.region ?? {}) as Record<string, unknown>;
  return [agency.shortName, agency.brandName, agency.wechatAccountName, agency.weiboName, region.city]
    .filter((w): w is string => typeof w === 'string' && Array.from(w).length >= 2);
}

/** {{period.name}} written as its number, the rest left as it is. */
function fillPeriods(template: string): string {
  return template.replace(/\{\{period\.([A-Za-z]+)\}\}/g, (whole, name: string) =>
    Object.hasOwn(STATUTORY_PERIODS, name) ? String(STATUTORY_PERIODS[name as keyof typeof STATUTORY_PERIODS]) : whole,
  );
}

function stripPlaceholders(template: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < template.length; i++) {
    if (template.startsWith('{{', i)) { depth++; i++; continue; }
    if (template.startsWith('}}', i) && depth > 0) { depth--; i++; out += ' '; continue; }
    if (depth === 0) out += template[i];
  }
  return out;
}

function copyEntry(entry: RenderedEntry): RenderedEntry {
  return { ...entry, questions: [...entry.questions], keywords: [...entry.keywords] };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
