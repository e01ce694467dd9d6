// The annual report's own records (report.json): what staff type in for each year (the figures the
// system does not hold, the written sections, last year's carry-forward when the system has no last
// year), the administrative reconsideration and lawsuit cases, and a record of every final export.
// Review cases are one list, not one per year: a case filed in one year and decided in the next
// counts in both reports (pending, then with its result), so it is entered once.
import { randomBytes } from 'node:crypto';
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { TransferRecord, Transferable } from './transfer.js';
import type { ColumnCounts, EnteredFigures, ReportFormat, ReportTexts, ReviewCase } from '../report/types.js';

export interface StoredReviewCase extends ReviewCase {
  id: string;
  /** Free text for staff, e.g. the case number of the reconsideration body or the court. */
  note: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export type ReviewCaseInput = Omit<ReviewCase, 'id'> & { note?: string | null };

/** One final export: the tables' hash says later which figures went out. */
export interface FinalExportRecord {
  year: number;
  format: ReportFormat;
  /** json, md, html, docx or xlsx */
  output: string;
  by: string;
  at: string;
  /** sha256 of the canonical JSON of the report's tables. */
  tablesHash: string;
  /** 四、结转下年度继续办理 as published: the next year's report checks its 二 against it. */
  carryForward: ColumnCounts;
}

/** Who changed which part of a year's records, and when (the values themselves are overwritten). */
export interface ReportChange {
  at: string;
  by: string;
  what: 'entered' | 'texts' | 'carryForward' | 'reviewCase.add' | 'reviewCase.update' | 'reviewCase.remove';
  /** The review case concerned. */
  id?: string;
}

export interface ReportYearRecord {
  entered: EnteredFigures;
  texts: ReportTexts | null;
  /** The previous year's 四、结转下年度继续办理, typed in from the published report. */
  carryForward: Partial<ColumnCounts> | null;
  finalExports: FinalExportRecord[];
  changes: ReportChange[];
}

interface ReportData {
  /** By year, as a string key ("2025"). */
  years: Record<string, ReportYearRecord>;
  reviewCases: StoredReviewCase[];
}

/**
 * The report's records. Every change is one atomic step that also files who made it in the year's
 * `changes`. Review cases are read as one list: staff type in a handful a year, and a year's report
 * needs the cases of earlier years that were still pending.
 */
export interface ReportRepository extends Transferable {
  /** A year's records; a year nobody has touched reads as empty. */
  year(year: number): Promise<ReportYearRecord>;
  /** Every review case, in the order they were entered. */
  reviewCases(): Promise<StoredReviewCase[]>;
  reviewCase(id: string): Promise<StoredReviewCase | undefined>;
  /**
   * Replaces the year's entered figures (tables 二 and 四, fees); given a function, with what it
   * makes of the figures stored, read and written in one step (a page that edits part of them).
   */
  setEntered(year: number, entered: EnteredChange, by: string): Promise<ReportYearRecord>;
  setTexts(year: number, texts: ReportTexts, by: string): Promise<ReportYearRecord>;
  /** Sets, or with null removes, the carry-forward typed in for the year before `year`. */
  setCarryForward(year: number, carryForward: Partial<ColumnCounts> | null, by: string): Promise<ReportYearRecord>;
  /** `year` is the report the case was entered from; it only files the change record. */
  addReviewCase(year: number, input: ReviewCaseInput, by: string): Promise<StoredReviewCase>;
  /** Replaces a case's facts (e.g. its result once decided); undefined when there is no such case. */
  updateReviewCase(year: number, id: string, input: ReviewCaseInput, by: string): Promise<StoredReviewCase | undefined>;
  /** Removes a case entered by mistake; false when there is no such case. */
  removeReviewCase(year: number, id: string, by: string): Promise<boolean>;
  recordFinalExport(record: FinalExportRecord): Promise<void>;
  /** The year's final exports, oldest first. */
  finalExports(year: number): Promise<FinalExportRecord[]>;
}

export type EnteredChange = EnteredFigures | ((before: EnteredFigures) => EnteredFigures);

/** The figures `change` makes of `before`. */
export function enteredAfter(change: EnteredChange, before: EnteredFigures): EnteredFigures {
  return structuredClone(typeof change === 'function' ? change(structuredClone(before)) : change);
}

/** The transfer shape of a year's records, shared by both engines. */
export interface ReportYearTransfer {
  year: number;
  record: ReportYearRecord;
}

export function emptyYear(): ReportYearRecord {
  return { entered: {}, texts: null, carryForward: null, finalExports: [], changes: [] };
}

export class ReportRepo implements ReportRepository {
  private constructor(
    private readonly file: DataFile<ReportData>,
    private readonly clock: () => Date,
  ) {}

  static async open(store: Store, clock: () => Date = () => new Date()): Promise<ReportRepo> {
    const file = await store.file<ReportData>({
      name: 'report',
      version: 1,
      defaults: () => ({ years: {}, reviewCases: [] }),
      check: (d) =>
        typeof d.years === 'object' && d.years !== null && Array.isArray(d.reviewCases) ? null : 'years is not an object or reviewCases is not a list',
    });
    return new ReportRepo(file, clock);
  }

  async year(year: number): Promise<ReportYearRecord> {
    return structuredClone(this.file.data.years[String(year)] ?? emptyYear());
  }

  async reviewCases(): Promise<StoredReviewCase[]> {
    return structuredClone(this.file.data.reviewCases);
  }

  async reviewCase(id: string): Promise<StoredReviewCase | undefined> {
    const found = this.file.data.reviewCases.find((c) => c.id === id);
    return found && structuredClone(found);
  }

  async setEntered(year: number, entered: EnteredChange, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'entered', (record) => {
      record.entered = enteredAfter(entered, record.entered);
    });
  }

  async setTexts(year: number, texts: ReportTexts, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'texts', (record) => {
      record.texts = structuredClone(texts);
    });
  }

  async setCarryForward(year: number, carryForward: Partial<ColumnCounts> | null, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'carryForward', (record) => {
      record.carryForward = structuredClone(carryForward);
    });
  }

  async addReviewCase(year: number, input: ReviewCaseInput, by: string): Promise<StoredReviewCase> {
    const stored = newReviewCase(input, by, this.clock().toISOString());
    await this.file.update((d) => {
      d.reviewCases.push(structuredClone(stored));
      yearIn(d, year).changes.push({ at: stored.createdAt, by, what: 'reviewCase.add', id: stored.id });
    });
    return stored;
  }

  async updateReviewCase(year: number, id: string, input: ReviewCaseInput, by: string): Promise<StoredReviewCase | undefined> {
    if (!this.file.data.reviewCases.some((c) => c.id === id)) return undefined;
    const at = this.clock().toISOString();
    const updated = await this.file.update((d) => {
      const found = d.reviewCases.find((c) => c.id === id);
      if (!found) return undefined;
      Object.assign(found, { ...caseFacts(input), updatedAt: at, updatedBy: by });
      yearIn(d, year).changes.push({ at, by, what: 'reviewCase.update', id });
      return found;
    });
    return updated && structuredClone(updated);
  }

  async removeReviewCase(year: number, id: string, by: string): Promise<boolean> {
    if (!this.file.data.reviewCases.some((c) => c.id === id)) return false;
    const at = this.clock().toISOString();
    await this.file.update((d) => {
      d.reviewCases = d.reviewCases.filter((c) => c.id !== id);
      yearIn(d, year).changes.push({ at, by, what: 'reviewCase.remove', id });
    });
    return true;
  }

  async recordFinalExport(record: FinalExportRecord): Promise<void> {
    const copy = structuredClone(record);
    await this.file.update((d) => {
      yearIn(d, record.year).finalExports.push(copy);
    });
  }

  async finalExports(year: number): Promise<FinalExportRecord[]> {
    return structuredClone(this.file.data.years[String(year)]?.finalExports ?? []);
  }

  async counts(): Promise<Record<string, number>> {
    return { 'report-year': Object.keys(this.file.data.years).length, 'review-case': this.file.data.reviewCases.length };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const d = structuredClone(this.file.data);
    for (const [year, record] of Object.entries(d.years)) yield { kind: 'report-year', data: { year: Number(year), record } satisfies ReportYearTransfer };
    for (const reviewCase of d.reviewCases) yield { kind: 'review-case', data: reviewCase };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (Object.keys(this.file.data.years).length || this.file.data.reviewCases.length) throw new Error('report: import needs an empty repository');
    const data: ReportData = { years: {}, reviewCases: [] };
    for await (const { kind, data: record } of records) {
      if (kind === 'report-year') {
        const { year, record: yearRecord } = record as ReportYearTransfer;
        data.years[String(year)] = yearRecord;
      } else if (kind === 'review-case') {
        data.reviewCases.push(record as StoredReviewCase);
      } else {
        throw new Error(`report: unknown record kind ${kind}`);
      }
    }
    await this.file.update((d) => {
      d.years = data.years;
      d.reviewCases = data.reviewCases;
    });
  }

  async #changeYear(year: number, by: string, what: ReportChange['what'], change: (record: ReportYearRecord) => void): Promise<ReportYearRecord> {
    const at = this.clock().toISOString();
    const record = await this.file.update((d) => {
      const record = yearIn(d, year);
      change(record);
      record.changes.push({ at, by, what });
      return record;
    });
    return structuredClone(record);
  }
}

/** A new case as stored: its id, facts and who entered it when. */
export function newReviewCase(input: ReviewCaseInput, by: string, at: string): StoredReviewCase {
  return { id: `rc_${randomBytes(6).toString('base64url')}`, ...caseFacts(input), createdAt: at, createdBy: by, updatedAt: at, updatedBy: by };
}

function yearIn(d: ReportData, year: number): ReportYearRecord {
  return (d.years[String(year)] ??= emptyYear());
}

/** The facts of a case as staff state them; absent dates and notes are stored as null. */
export function caseFacts(input: ReviewCaseInput): Pick<StoredReviewCase, 'kind' | 'result' | 'filedOn' | 'closedOn' | 'note'> {
  return { kind: input.kind, result: input.result, filedOn: input.filedOn, closedOn: input.closedOn ?? null, note: input.note ?? null };
}
