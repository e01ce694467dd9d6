// The annual report's own records (report.json): what staff type in for each year (the figures the
// system does not hold, the written sections, last year's carry-forward when the system has no last
// year), the administrative reconsideration and lawsuit cases, and a record of every final export.
// Review cases are one list, not one per year: a case filed in one year and decided in the next
// counts in both reports (pending, then with its result), so it is entered once.
import { randomBytes } from 'node:crypto';
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
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

function emptyYear(): ReportYearRecord {
  return { entered: {}, texts: null, carryForward: null, finalExports: [], changes: [] };
}

export class ReportRepo {
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

  /** A year's records; a year nobody has touched reads as empty. */
  year(year: number): Readonly<ReportYearRecord> {
    return this.file.data.years[String(year)] ?? emptyYear();
  }

  reviewCases(): readonly StoredReviewCase[] {
    return this.file.data.reviewCases;
  }

  reviewCase(id: string): StoredReviewCase | undefined {
    return this.file.data.reviewCases.find((c) => c.id === id);
  }

  /** Replaces the year's entered figures (tables 二 and 四, fees). */
  async setEntered(year: number, entered: EnteredFigures, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'entered', (record) => {
      record.entered = entered;
    });
  }

  async setTexts(year: number, texts: ReportTexts, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'texts', (record) => {
      record.texts = texts;
    });
  }

  /** Sets, or with null removes, the carry-forward typed in for the year before `year`. */
  async setCarryForward(year: number, carryForward: Partial<ColumnCounts> | null, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'carryForward', (record) => {
      record.carryForward = carryForward;
    });
  }

  /** `year` is the report the case was entered from; it only files the change record. */
  async addReviewCase(year: number, input: ReviewCaseInput, by: string): Promise<StoredReviewCase> {
    const at = this.clock().toISOString();
    const stored: StoredReviewCase = {
      id: `rc_${randomBytes(6).toString('base64url')}`,
      ...caseFacts(input),
      createdAt: at,
      createdBy: by,
      updatedAt: at,
      updatedBy: by,
    };
    await this.file.update((d) => {
      d.reviewCases.push(stored);
      yearIn(d, year).changes.push({ at, by, what: 'reviewCase.add', id: stored.id });
    });
    return stored;
  }

  /** Replaces a case's facts (e.g. its result once decided); undefined when there is no such case. */
  async updateReviewCase(year: number, id: string, input: ReviewCaseInput, by: string): Promise<StoredReviewCase | undefined> {
    const at = this.clock().toISOString();
    return this.file.update((d) => {
      const found = d.reviewCases.find((c) => c.id === id);
      if (!found) return undefined;
      Object.assign(found, { ...caseFacts(input), updatedAt: at, updatedBy: by });
      yearIn(d, year).changes.push({ at, by, what: 'reviewCase.update', id });
      return found;
    });
  }

  /** Removes a case entered by mistake; false when there is no such case. */
  async removeReviewCase(year: number, id: string, by: string): Promise<boolean> {
    if (!this.reviewCase(id)) return false;
    const at = this.clock().toISOString();
    await this.file.update((d) => {
      d.reviewCases = d.reviewCases.filter((c) => c.id !== id);
      yearIn(d, year).changes.push({ at, by, what: 'reviewCase.remove', id });
    });
    return true;
  }

  async recordFinalExport(record: FinalExportRecord): Promise<void> {
    await this.file.update((d) => {
      yearIn(d, record.year).finalExports.push(record);
    });
  }

  /** The year's final exports, oldest first. */
  finalExports(year: number): readonly FinalExportRecord[] {
    return this.year(year).finalExports;
  }

  async #changeYear(year: number, by: string, what: ReportChange['what'], change: (record: ReportYearRecord) => void): Promise<ReportYearRecord> {
    const at = this.clock().toISOString();
    return this.file.update((d) => {
      const record = yearIn(d, year);
      change(record);
      record.changes.push({ at, by, what });
      return record;
    });
  }
}

function yearIn(d: ReportData, year: number): ReportYearRecord {
  return (d.years[String(year)] ??= emptyYear());
}

/** The facts of a case as staff state them; absent dates and notes are stored as null. */
function caseFacts(input: ReviewCaseInput): Pick<StoredReviewCase, 'kind' | 'result' | 'filedOn' | 'closedOn' | 'note'> {
  return { kind: input.kind, result: input.result, filedOn: input.filedOn, closedOn: input.closedOn ?? null, note: input.note ?? null };
}
