// Uploaded holiday calendars on PostgreSQL (the contract: UploadedCalendars in
// src/store/holiday-files.ts), checked again when read as when uploaded.
import type { HolidayFile } from '../../domain/calendar.js';
import { validateHolidayFile, type UploadedCalendars } from '../holiday-files.js';
import type { Database } from './database.js';

export function pgUploadedCalendars(db: Database): UploadedCalendars {
  return {
    async list(): Promise<HolidayFile[]> {
      const { rows } = await db.query<{ year: number; data: unknown }>('SELECT year, data FROM holiday_calendars WHERE office = $1 ORDER BY year', [db.office], 'holiday_calendars');
      return rows.map((row) => validateHolidayFile(row.data, row.year, `${row.year}（数据库）`));
    },
    async save(file: HolidayFile): Promise<void> {
      await db.query(
        `INSERT INTO holiday_calendars (office, year, data) VALUES ($1, $2, $3)
         ON CONFLICT (office, year) DO UPDATE SET data = EXCLUDED.data, uploaded_at = now()`,
        [db.office, file.year, JSON.stringify(file)],
        'holiday_calendars',
      );
    },
  };
}
