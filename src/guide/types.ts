/** Shapes of the guide data as it sits in data/ and as the guide hands it out. */

export interface GuideSection {
  id: string;
  title: string;
  summary?: string;
}

/** One FAQ entry as written in data/guide/entries.json; `answer` may hold {{agency.*}} placeholders. */
export interface GuideEntry {
  id: string;
  section: string;
  /** Several phrasings of the same question; the first one is the entry's title. */
  questions: string[];
  answer: string;
  keywords?: string[];
}

/** An entry with its placeholders filled, as citizens see it. */
export interface RenderedEntry {
  id: string;
  section: string;
  title: string;
  questions: string[];
  answer: string;
  keywords: string[];
}

export interface DictionaryData {
  /** Domain words grouped by theme; the grouping is documentation only. */
  groups: Record<string, string[]>;
}

export interface SynonymData {
  /** Each group maps every word in it to the group's first word. */
  groups: string[][];
  /** Typos and homophone slips, replaced in the raw text before segmentation. */
  misspellings?: Record<string, string>;
}

export interface StopwordData {
  words: string[];
}

export interface VariantData {
  /** Pairs of characters, traditional then simplified: "請请開开…". */
  traditionalToSimplified: string;
}

export type AskStatus = 'answered' | 'unsure' | 'out-of-scope';

export interface Alternative {
  id: string;
  title: string;
  score: number;
}

export interface AskResult {
  status: AskStatus;
  /** Present only when status is 'answered'. */
  entry?: RenderedEntry;
  /** BM25F score of the best entry (0 when nothing matched). */
  score: number;
  /** Share of the question's weight that the best entry matched, 0..1. */
  coverage: number;
  /**
   * Up to three topics: the next closest after the answer when answered, the candidates when unsure,
   * none when out of scope (an unrelated question gets no guide topics pushed at it).
   */
  alternatives: Alternative[];
}

export interface SearchHit {
  id: string;
  section: string;
  title: string;
  answer: string;
  score: number;
}

export interface SectionWithEntries {
  id: string;
  title: string;
  summary: string;
  entries: { id: string; title: string }[];
}
