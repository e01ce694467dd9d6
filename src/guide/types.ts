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
  /**
   * English words and phrases read as the Chinese word before segmentation, as whole words only
   * ("request" → 申请, "fax" → 传真; "id" is not read inside "did"), so that a question asked in
   * English meets the entries and the scope words like one asked in Chinese.
   */
  english?: Record<string, string>;
}

export interface StopwordData {
  words: string[];
}

/** What tells a question about disclosure or this office from one about something else. */
export interface ScopeData {
  /** A question holding one of these (after normalisation) is never declined as off-topic. */
  anchors: string[];
  /** These make a question in-domain too, unless most of it is about something the guide does not know. */
  weakAnchors: string[];
  /**
   * The office's own business (人防工程, 警报试鸣, …): not a disclosure question, answered with the
   * published catalog items about it, or the guide entry, or the office's contact.
   */
  business: string[];
  /** Other services and small talk (社保, 公积金, 天气…): with no anchor, the question is declined. */
  offTopic: string[];
  /**
   * Requests no anchor word makes the guide's business (写一首诗 about a 防空洞, a company's 营业执照年报):
   * a question holding one is declined whatever else it names.
   */
  offTopicAlways?: string[];
  /**
   * Words that hold an anchor without its sense (公开课, 公开招聘, 公开道歉): the anchor inside them
   * does not count, so 公开课报名 is judged by its other words.
   */
  notAnchors?: string[];
  /**
   * Regular expressions (on the normalised question) that act as strong anchors: ways of asking that
   * a word list cannot hold, such as 申请 with no object after it (帮我爹申请行不, 把申请交上去).
   */
  anchorPatterns?: string[];
  /**
   * Where a question comes from rather than what it asks (拆迁, 街道, 物业, 低保…): like the office's
   * business words, ranked on only when the question's other words meet no entry, so a demolition
   * story that asks how to apply is not pulled to the entry about other agencies' information.
   */
  setting?: string[];
}

export type AskStatus = 'answered' | 'unsure' | 'out-of-scope';

export interface Alternative {
  id: string;
  title: string;
  score: number;
}

export interface AskResult {
  status: AskStatus;
  /**
   * The entry the answer is given from: the sure answer when 'answered', the best guess when
   * 'unsure' (given with the alternatives as numbered choices); absent when out of scope.
   */
  entry?: RenderedEntry;
  /** BM25F score of the best entry (0 when nothing matched). */
  score: number;
  /** Share of the question's weight that the best entry matched, 0..1. */
  coverage: number;
  /**
   * The next closest topics after the entry (up to three when answered, two when unsure), none when
   * out of scope (an unrelated question gets no guide topics pushed at it).
   */
  alternatives: Alternative[];
  /** Words of the office's own business in the question (scope.json `business`), for the catalog. */
  business: string[];
  /** Why this status, in a few words, for `npm run ask -- --explain` and the staff's review. */
  reason: string;
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
