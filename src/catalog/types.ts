// Proactive-disclosure items (主动公开目录) and what happens to them. An item's state is never
// stored: it is read from its events, which say who did what and when.

export type ItemSource = 'staff' | 'feed';

/** The two review levels after the submitting section signs off (先审后发、分级审核). */
export type ReviewStage = 'confidentiality' | 'leader';

export type ItemState = 'draft' | 'confidentiality-review' | 'leader-review' | 'returned' | 'published';

export const ITEM_STATES: readonly ItemState[] = ['draft', 'confidentiality-review', 'leader-review', 'returned', 'published'];

/** The 第二十条第（一）项 row a 规章 or 规范性文件 counts in, for the annual report. */
export type DocumentKind = 'regulations' | 'normativeDocuments';

export type PublicationBasis = 'review' | 'reviewed-at-source' | 'demo';

export type ItemEvent =
  | { type: 'create'; at: string; by: string; source: ItemSource }
  | { type: 'edit'; at: string; by: string; fields: string[] }
  | { type: 'submit'; at: string; by: string; role: string }
  | { type: 'approve'; at: string; by: string; role: string; stage: ReviewStage }
  | { type: 'reject'; at: string; by: string; role: string; stage: ReviewStage; reason: string }
  | {
      type: 'publish';
      at: string;
      by: string;
      /** Publication date in China time. */
      on: string;
      /** Publication order, 1, 2, 3…: the push job's cursor. */
      seq: number;
      /** 'demo': sandbox demo content, published without review. */
      basis: PublicationBasis;
    };

export interface CatalogItem {
  /** Unguessable: a draft must not be found by counting. */
  id: string;
  /** 索引号. */
  indexNo: string;
  title: string;
  category: string;
  /** 文号. */
  documentNumber: string | null;
  summary: string | null;
  url: string | null;
  documentKind: DocumentKind | null;
  source: ItemSource;
  createdAt: string;
  events: ItemEvent[];
}

/** The fields staff type in (and a feed supplies). */
export interface ItemFields {
  title: string;
  category: string;
  documentNumber: string | null;
  summary: string | null;
  url: string | null;
  documentKind: DocumentKind | null;
}

export interface Category {
  id: string;
  name: string;
  /** The 条例 article the category discloses under, e.g. "第二十条第（七）项". */
  basis: string | null;
}
