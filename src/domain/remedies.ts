/**
 * What an applicant can do against a decision (救济途径), under the 行政复议法 as revised in 2023 (in
 * force 2024-01-01). The one table the reply letters, the notifications and the guide read from.
 *
 * - 第二十三条第一款第（四）项: a refusal to disclose (不予公开) must go to 行政复议 first; a lawsuit is
 *   possible only after the 复议 decision, within 15 days of receiving it (行政诉讼法 第四十五条).
 *   第二十三条第二款: the office must say so when it decides. A 部分公开 refuses its withheld part.
 * - 第二十三条第一款第（三）项 with 第十一条: no answer in time (未履行法定职责) goes to 复议 first too.
 * - Every other decision: 复议 within 60 days (第二十条第一款) or a lawsuit within 6 months
 *   (行政诉讼法 第四十六条). Whether 信息不存在 (and the 第三十八条 不予提供) count as 不予公开 is unsettled,
 *   so those get the cautious wording: only the 复议-first path is offered, which is valid either way.
 * - The 复议机关 of a city department is 本级人民政府 (第二十四条第一款第（一）项), and it must be named
 *   together with the period: otherwise the applicant's time runs up to one year (第二十条第三款).
 *
 * Pure: the caller passes the office's facts.
 */
import type { OutcomeId } from './outcomes.js';
import { chineseNumber } from './numerals.js';

/** 行政复议法 第二十条第一款: 行政复议 within 60 days of learning of the decision (or of the period's end). */
export const REVIEW_DAYS = 60;
/** 行政诉讼法 第四十六条: a lawsuit within 6 months, where 复议 is not required first. */
export const SUIT_MONTHS = 6;
/** 行政诉讼法 第四十五条: a lawsuit within 15 days of receiving the 复议 decision. */
export const SUIT_AFTER_REVIEW_DAYS = 15;

const REVIEW = `${chineseNumber(REVIEW_DAYS)}日`;
const SUIT = `${chineseNumber(SUIT_MONTHS)}个月`;
const SUIT_AFTER_REVIEW = `${chineseNumber(SUIT_AFTER_REVIEW_DAYS)}日`;

/**
 * - reviewFirst: 复议前置 for a refusal (withheld-*, partial);
 * - reviewFirstOverdue: 复议前置 because the office did not answer in time;
 * - reviewFirstCautious: the 复议-first path only, where the law is unsettled (信息不存在);
 * - reviewOrSuit: 复议 or 诉讼, the applicant's choice.
 */
export const REMEDY_KINDS = ['reviewFirst', 'reviewFirstOverdue', 'reviewFirstCautious', 'reviewOrSuit'] as const;
export type RemedyKind = (typeof REMEDY_KINDS)[number];

/** The situations a remedy is told for: every outcome, and 'overdue' (no answer within the period). */
export type RemedySituation = OutcomeId | 'overdue';

const FUYI = '《中华人民共和国行政复议法》';
const SUSONG = '《中华人民共和国行政诉讼法》';

interface RemedyText {
  /** The clause, with {reviewAuthority} and {court} to fill. */
  text: string;
  /** The articles the clause rests on, as a letter prints them. */
  citations: readonly string[];
}

/** The clause of each kind: {reviewAuthority} names the 复议机关, {court} the court (or 人民法院). */
export const REMEDY_TEXTS: Readonly<Record<RemedyKind, RemedyText>> = {
  reviewFirst: {
    text:
      `如对本答复不服，您应当先向{reviewAuthority}申请行政复议，申请期限为自收到本答复之日起${REVIEW}内；` +
      `对行政复议决定不服的，可以自收到行政复议决定书之日起${SUIT_AFTER_REVIEW}内依法向{court}提起行政诉讼。`,
    citations: [`${FUYI}第二十条`, `${FUYI}第二十三条第一款第（四）项`, `${SUSONG}第四十五条`],
  },
  reviewFirstOverdue: {
    text:
      `本机关未在答复期限内答复的，您应当先向{reviewAuthority}申请行政复议，申请期限为自答复期限届满之日起${REVIEW}内；` +
      `对行政复议决定不服的，可以自收到行政复议决定书之日起${SUIT_AFTER_REVIEW}内依法向{court}提起行政诉讼。`,
    citations: [`${FUYI}第十一条`, `${FUYI}第二十条`, `${FUYI}第二十三条第一款第（三）项`, `${SUSONG}第四十五条`],
  },
  reviewFirstCautious: {
    text:
      `如对本答复不服，可以自收到本答复之日起${REVIEW}内向{reviewAuthority}申请行政复议；` +
      `对行政复议决定不服的，可以自收到行政复议决定书之日起${SUIT_AFTER_REVIEW}内依法向{court}提起行政诉讼。`,
    citations: [`${FUYI}第二十条`, `${SUSONG}第四十五条`],
  },
  reviewOrSuit: {
    text:
      `如对本答复不服，可以自收到本答复之日起${REVIEW}内向{reviewAuthority}申请行政复议，` +
      `也可以自收到本答复之日起${SUIT}内依法向{court}提起行政诉讼。`,
    citations: [`${FUYI}第二十条`, `${SUSONG}第四十六条`],
  },
};

/**
 * The remedy kind of each situation. A Record over every outcome: a new outcome does not compile
 * until someone decides its remedy.
 */
export const REMEDY_KIND_OF: Readonly<Record<RemedySituation, RemedyKind>> = {
  'already-public': 'reviewOrSuit',
  granted: 'reviewOrSuit',
  partial: 'reviewFirst',
  'withheld-state-secret': 'reviewFirst',
  'withheld-law-prohibited': 'reviewFirst',
  'withheld-security-stability': 'reviewFirst',
  'withheld-third-party': 'reviewFirst',
  'withheld-internal-affairs': 'reviewFirst',
  'withheld-process-info': 'reviewFirst',
  'withheld-enforcement-file': 'reviewFirst',
  // Counted as 不予公开 in the annual report (table 三 （三）8), so told as one.
  'withheld-administrative-query': 'reviewFirst',
  'unavailable-not-held': 'reviewFirstCautious',
  'unavailable-not-responsible': 'reviewOrSuit',
  // 第三十八条 "可以不予提供": a refusal in substance, so as cautious as 信息不存在.
  'unavailable-needs-creation': 'reviewFirstCautious',
  'unavailable-unclear': 'reviewOrSuit',
  'rejected-petition': 'reviewOrSuit',
  'rejected-duplicate': 'reviewOrSuit',
  'rejected-publication': 'reviewOrSuit',
  'rejected-excessive': 'reviewOrSuit',
  'rejected-confirmation': 'reviewOrSuit',
  'other-no-supplement': 'reviewOrSuit',
  'other-fee-unpaid': 'reviewOrSuit',
  other: 'reviewOrSuit',
  overdue: 'reviewFirstOverdue',
};

/** The office facts the 复议机关 is found from (a subset of data/agency.json). */
export interface RemedyAgency {
  reviewAuthority?: string | null;
  /** The court with jurisdiction, if the office names one; otherwise the clause says 人民法院. */
  court?: unknown;
  region?: { province?: string | null; city?: string | null; county?: string | null } | null;
}

/**
 * The 复议机关: the one agency.json names, else 本级人民政府 of the office's region (第二十四条第一款
 * 第（一）项): a county's department → the county's government, a city's → the city's, a province's
 * → the province's. Without any region it says 本级人民政府, the law's own words, rather than guess.
 */
export function reviewAuthorityOf(agency: RemedyAgency): string {
  const named = agency.reviewAuthority?.trim();
  if (named) return named;
  const region = agency.region ?? {};
  const place = [region.county, region.city, region.province].find((p) => typeof p === 'string' && p.trim() !== '');
  return place ? `${place.trim()}人民政府` : '本级人民政府';
}

export interface Remedy {
  kind: RemedyKind;
  /** The citizen-facing clause, the 复议机关 named. */
  text: string;
  citations: readonly string[];
  /** The clause followed by its citations in brackets, as a letter or a message prints it. */
  clause: string;
}

export function remedyKind(situation: RemedySituation): RemedyKind {
  return REMEDY_KIND_OF[situation];
}

export function remedyOfKind(kind: RemedyKind, agency: RemedyAgency): Remedy {
  const { text: pattern, citations } = REMEDY_TEXTS[kind];
  const court = typeof agency.court === 'string' && agency.court.trim() !== '' ? agency.court.trim() : '人民法院';
  const text = pattern.replace('{reviewAuthority}', reviewAuthorityOf(agency)).replace('{court}', court);
  return { kind, text, citations, clause: `${text}（依据：${citationLine(citations)}）` };
}

/** 《A》第一条、第二条；《B》第三条: each law named once, its articles after it. */
export function citationLine(citations: readonly string[]): string {
  const laws: [string, string[]][] = [];
  for (const citation of citations) {
    const [, law, article] = /^(《[^》]+》)(.*)$/.exec(citation) ?? [citation, '', citation];
    const last = laws.at(-1);
    if (last && last[0] === law) last[1].push(article);
    else laws.push([law, [article]]);
  }
  return laws.map(([law, articles]) => law + articles.join('、')).join('；');
}

/** The remedy for one situation (an outcome, or 'overdue'). */
export function remedyFor(situation: RemedySituation, agency: RemedyAgency): Remedy {
  return remedyOfKind(remedyKind(situation), agency);
}

/** The clause a decision letter or message ends with. */
export function remedyClause(situation: RemedySituation, agency: RemedyAgency): string {
  return remedyFor(situation, agency).clause;
}

/** Every kind's clause for one office, e.g. for the guide's placeholders ({{remedy.reviewFirst}}). */
export function remedyTexts(agency: RemedyAgency): Record<RemedyKind, string> {
  return Object.fromEntries(REMEDY_KINDS.map((kind) => [kind, remedyOfKind(kind, agency).clause])) as Record<RemedyKind, string>;
}
