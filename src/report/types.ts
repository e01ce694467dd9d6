// The annual report's inputs and output, as plain data.
// The input types are deliberately narrow: the report needs only these few facts about each request,
// catalog item and review case, so the services can hand over whatever their own records look like.

export type ReportFormat = '2021' | '2019';

export type OrgKind = 'commercial' | 'research' | 'public-welfare' | 'legal-service' | 'other';

/** One disclosure request, reduced to what table 三 counts. Dates are 'YYYY-MM-DD' in China time. */
export interface ReportRequest {
  /** Shown in check details so staff can find the record (e.g. the tracking number). */
  id?: string;
  /** null: never received (e.g. withdrawn before receipt) — not counted anywhere. */
  receivedOn: string | null;
  /** The day the request left the desk (decided, withdrawn, lapsed); null while open. */
  closedOn: string | null;
  /** The outcome code (docs/ARCHITECTURE.md, "Outcomes"); null while open. */
  outcome: string | null;
  applicant: { type: 'person' | 'organization'; orgKind?: OrgKind };
  /** 信息处理费 actually paid, for the {{fees.total}} placeholder. */
  feePaid?: { on: string; amount: number } | null;
}

/** The two 第二十条第（一）项 rows the catalog can count by itself. */
export type Article20Document = 'regulations' | 'normativeDocuments';

export interface ReportCatalogItem {
  category: string;
  /** null: not (yet) published. */
  publishedOn: string | null;
  /** Set when the item itself says which 第二十条第（一）项 row it belongs to; otherwise the category map decides. */
  article20Item?: Article20Document;
  /** A 规章/规范性文件 that was repealed (废止) on this day. */
  repealedOn?: string | null;
  /** Where it was published: 'portal', 'wechat', 'weibo', … (for {{published.byChannel.*}}). */
  channels?: string[];
}

export type ReviewKind = 'reconsideration' | 'litigation-direct' | 'litigation-after-reconsideration';
export type ReviewResult = 'upheld' | 'corrected' | 'other' | 'pending';

/** An administrative reconsideration or lawsuit about the office's disclosure work. */
export interface ReviewCase {
  id?: string;
  kind: ReviewKind;
  result: ReviewResult;
  filedOn: string;
  closedOn?: string | null;
}

export type ColumnKey = 'person' | 'commercial' | 'research' | 'publicWelfare' | 'legalService' | 'otherOrg' | 'total';
export type ColumnCounts = Record<ColumnKey, number>;

export type RequestRowKey =
  | 'newReceived'
  | 'carriedOver'
  | 'granted'
  | 'partial'
  | 'withheld.stateSecret'
  | 'withheld.lawProhibited'
  | 'withheld.securityStability'
  | 'withheld.thirdParty'
  | 'withheld.internalAffairs'
  | 'withheld.processInfo'
  | 'withheld.enforcementFile'
  | 'withheld.administrativeQuery'
  | 'unavailable.notHeld'
  | 'unavailable.needsCreation'
  | 'unavailable.unclear'
  | 'notProcessed.petition'
  | 'notProcessed.duplicate'
  | 'notProcessed.publication'
  | 'notProcessed.excessive'
  | 'notProcessed.confirmation'
  | 'other.noSupplement'
  | 'other.feeUnpaid'
  | 'other.other'
  | 'other'
  | 'total'
  | 'carryForward';

/** Table 三: only the rows of the report's format are present (2019: `other`; 2021: the three `other.*`). */
export type RequestsTable = Partial<Record<RequestRowKey, ColumnCounts>>;

export type ProactiveRowKey =
  | 'regulations'
  | 'normativeDocuments'
  | 'licensing'
  | 'otherServices'
  | 'penalties'
  | 'enforcement'
  | 'fees'
  | 'procurement';

export type ProactiveColumnKey =
  | 'made'
  | 'published'
  | 'totalPublished'
  | 'issued'
  | 'repealed'
  | 'inForce'
  | 'previousCount'
  | 'change'
  | 'decisions'
  | 'projects'
  | 'amount';

/** Table 二: null where a staff-entered figure is still missing. */
export type ProactiveTable = Partial<Record<ProactiveRowKey, Partial<Record<ProactiveColumnKey, number | null>>>>;

export type ReviewBlockKey = 'reconsideration' | 'litigationDirect' | 'litigationAfterReconsideration';
export type ReviewColumnKey = 'upheld' | 'corrected' | 'other' | 'pending' | 'total';
export type ReviewsTable = Record<ReviewBlockKey, Record<ReviewColumnKey, number | null>>;

/** Figures only staff know, typed in on the report page. Any figure given here wins over a computed one. */
export interface EnteredFigures {
  proactive?: ProactiveTable;
  /** Given: table 四 is taken from here instead of the review cases; a missing 总计 is summed. */
  reviews?: Partial<Record<ReviewBlockKey, Partial<Record<ReviewColumnKey, number | null>>>>;
  /** 信息处理费 collected in the year (元), when not derived from the requests. */
  feesCollected?: number;
}

/** Last year's report, or at least its 四、结转下年度继续办理 row. */
export type PreviousYear = { tables: { requests: RequestsTable } } | { carryForward: Partial<ColumnCounts> };

export interface ReportTexts {
  /** 一、总体情况 */
  overview: string;
  /** 五、存在的主要问题及改进情况 */
  problems: string;
  /** 六、其他需要报告的事项 */
  otherMatters: string;
  /** The date printed under the report, 'YYYY-MM-DD'. */
  issuedOn?: string;
}

export interface ReportAgency {
  name: string;
}

/** Everything the report is built from, except the year and the format. */
export interface ReportInputs {
  agency: ReportAgency;
  requests: ReportRequest[];
  catalogItems: ReportCatalogItem[];
  /** category → the 第二十条第（一）项 row its items count in. */
  article20Map?: Record<string, Article20Document>;
  entered: EnteredFigures;
  reviewCases: ReviewCase[];
  previous?: PreviousYear;
  texts: ReportTexts;
}

export interface AnnualReportInput extends ReportInputs {
  year: number;
  format: ReportFormat;
}

export interface Check {
  name: string;
  ok: boolean;
  /** Plain Chinese for staff. */
  detail: string;
}

export type SectionKey = 'overview' | 'proactive' | 'requests' | 'reviews' | 'problems' | 'otherMatters';

export interface ReportSection {
  heading: string;
  /** Staff text with placeholders filled; null for the three table sections. */
  text: string | null;
}

/** Where each figure of tables 二 and 四 came from, so the console can show what is typed and what is counted. */
export type FigureSource = 'catalog' | 'cases' | 'entered' | 'missing';

export interface AnnualReport {
  year: number;
  format: ReportFormat;
  agency: ReportAgency;
  title: string;
  tables: { requests: RequestsTable; proactive: ProactiveTable; reviews: ReviewsTable };
  checks: Check[];
  /** All checks passed: the report may be exported as final. */
  final: boolean;
  sections: Record<SectionKey, ReportSection>;
  sources: { proactive: Record<string, FigureSource>; reviews: FigureSource };
  /** The values the text placeholders can use, by name. */
  figures: Record<string, number | string>;
  issuedOn: string | null;
}
