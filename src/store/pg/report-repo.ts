// The annual report's records on PostgreSQL (migration 060): a year's records as one document,
// changed with its row locked together with the change record it files; the review cases as rows.
import type pg from 'pg';
import type { Database } from './database.js';
import type { TransferRecord } from '../transfer.js';
import type { ColumnCounts, ReportTexts } from '../../report/types.js';
import {
  caseFacts,
  emptyYear,
  enteredAfter,
  newReviewCase,
  type EnteredChange,
  type FinalExportRecord,
  type ReportChange,
  type ReportRepository,
  type ReportYearRecord,
  type ReportYearTransfer,
  type ReviewCaseInput,
  type StoredReviewCase,
} from '../report-repo.js';

type Client = Pick<pg.PoolClient, 'query'>;

export class PgReportRepo implements ReportRepository {
  private constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
  ) {}

  static async open(db: Database, clock: () => Date = () => new Date()): Promise<PgReportRepo> {
    return new PgReportRepo(db, clock);
  }

  async year(year: number): Promise<ReportYearRecord> {
    const { rows } = await this.db.query<{ data: ReportYearRecord }>('SELECT data FROM report_years WHERE office = $1 AND year = $2', [this.db.office, year], 'report');
    return rows[0]?.data ?? emptyYear();
  }

  async reviewCases(): Promise<StoredReviewCase[]> {
    const { rows } = await this.db.query<{ data: StoredReviewCase }>('SELECT data FROM report_review_cases WHERE office = $1 ORDER BY seq', [this.db.office], 'report');
    return rows.map((r) => r.data);
  }

  async reviewCase(id: string): Promise<StoredReviewCase | undefined> {
    const { rows } = await this.db.query<{ data: StoredReviewCase }>('SELECT data FROM report_review_cases WHERE office = $1 AND id = $2', [this.db.office, id], 'report');
    return rows[0]?.data;
  }

  async setEntered(year: number, entered: EnteredChange, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'entered', (record) => {
      record.entered = enteredAfter(entered, record.entered);
    });
  }

  async setTexts(year: number, texts: ReportTexts, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'texts', (record) => {
      record.texts = texts;
    });
  }

  async setCarryForward(year: number, carryForward: Partial<ColumnCounts> | null, by: string): Promise<ReportYearRecord> {
    return this.#changeYear(year, by, 'carryForward', (record) => {
      record.carryForward = carryForward;
    });
  }

  async addReviewCase(year: number, input: ReviewCaseInput, by: string): Promise<StoredReviewCase> {
    const stored = newReviewCase(input, by, this.clock().toISOString());
    await this.db.transaction(async (client) => {
      await this.#insertCase(client, stored);
      await this.#withYear(client, year, (record) => void record.changes.push({ at: stored.createdAt, by, what: 'reviewCase.add', id: stored.id }));
    }, 'report');
    return stored;
  }

  async updateReviewCase(year: number, id: string, input: ReviewCaseInput, by: string): Promise<StoredReviewCase | undefined> {
    const at = this.clock().toISOString();
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ data: StoredReviewCase }>('SELECT data FROM report_review_cases WHERE office = $1 AND id = $2 FOR UPDATE', [this.db.office, id]);
      if (!rows[0]) return undefined;
      const updated: StoredReviewCase = { ...rows[0].data, ...caseFacts(input), updatedAt: at, updatedBy: by };
      await client.query('UPDATE report_review_cases SET filed_on = $3, data = $4 WHERE office = $1 AND id = $2', [this.db.office, id, updated.filedOn, JSON.stringify(updated)]);
      await this.#withYear(client, year, (record) => void record.changes.push({ at, by, what: 'reviewCase.update', id }));
      return updated;
    }, 'report');
  }

  async removeReviewCase(year: number, id: string, by: string): Promise<boolean> {
    const at = this.clock().toISOString();
    return this.db.transaction(async (client) => {
      const removed = await client.query('DELETE FROM report_review_cases WHERE office = $1 AND id = $2', [this.db.office, id]);
      if (removed.rowCount === 0) return false;
      await this.#withYear(client, year, (record) => void record.changes.push({ at, by, what: 'reviewCase.remove', id }));
      return true;
    }, 'report');
  }

  async recordFinalExport(record: FinalExportRecord): Promise<void> {
    await this.db.transaction((client) => this.#withYear(client, record.year, (year) => void year.finalExports.push(record)), 'report');
  }

  async finalExports(year: number): Promise<FinalExportRecord[]> {
    return (await this.year(year)).finalExports;
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ years: number; cases: number }>(
      `SELECT (SELECT count(*)::integer FROM report_years WHERE office = $1) AS years,
              (SELECT count(*)::integer FROM report_review_cases WHERE office = $1) AS cases`,
      [this.db.office],
      'report',
    );
    return { 'report-year': rows[0]!.years, 'review-case': rows[0]!.cases };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const { rows } = await this.db.query<{ year: number; data: ReportYearRecord }>('SELECT year, data FROM report_years WHERE office = $1 ORDER BY year', [this.db.office], 'report');
    for (const { year, data } of rows) yield { kind: 'report-year', data: { year, record: data } satisfies ReportYearTransfer };
    for (const reviewCase of await this.reviewCases()) yield { kind: 'review-case', data: reviewCase };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const collected: TransferRecord[] = [];
    for await (const record of records) collected.push(record);
    await this.db.transaction(async (client) => {
      const { rows } = await client.query(
        'SELECT 1 FROM report_years WHERE office = $1 UNION ALL SELECT 1 FROM report_review_cases WHERE office = $1 LIMIT 1',
        [this.db.office],
      );
      if (rows.length) throw new Error('report: import needs an empty repository');
      for (const { kind, data } of collected) {
        if (kind === 'report-year') {
          const { year, record } = data as ReportYearTransfer;
          await client.query('INSERT INTO report_years (office, year, data) VALUES ($1, $2, $3)', [this.db.office, year, JSON.stringify(record)]);
        } else if (kind === 'review-case') {
          await this.#insertCase(client, data as StoredReviewCase);
        } else {
          throw new Error(`report: unknown record kind ${kind}`);
        }
      }
    }, 'report');
  }

  async #changeYear(year: number, by: string, what: ReportChange['what'], change: (record: ReportYearRecord) => void): Promise<ReportYearRecord> {
    const at = this.clock().toISOString();
    return this.db.transaction(
      (client) =>
        this.#withYear(client, year, (record) => {
          change(record);
          record.changes.push({ at, by, what });
        }),
      'report',
    );
  }

  /** Reads the year's records with the row locked (created empty if need be), changes and writes them. */
  async #withYear(client: Client, year: number, change: (record: ReportYearRecord) => void): Promise<ReportYearRecord> {
    await client.query('INSERT INTO report_years (office, year, data) VALUES ($1, $2, $3) ON CONFLICT (office, year) DO NOTHING', [
      this.db.office,
      year,
      JSON.stringify(emptyYear()),
    ]);
    const { rows } = await client.query<{ data: ReportYearRecord }>('SELECT data FROM report_years WHERE office = $1 AND year = $2 FOR UPDATE', [this.db.office, year]);
    const record = rows[0]!.data;
    change(record);
    await client.query('UPDATE report_years SET data = $3 WHERE office = $1 AND year = $2', [this.db.office, year, JSON.stringify(record)]);
    return record;
  }

  async #insertCase(client: Client, stored: StoredReviewCase): Promise<void> {
    await client.query('INSERT INTO report_review_cases (office, id, filed_on, data) VALUES ($1, $2, $3, $4)', [this.db.office, stored.id, stored.filedOn, JSON.stringify(stored)]);
  }
}
