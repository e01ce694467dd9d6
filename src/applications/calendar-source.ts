// The official working-day calendar as the services see it: the office's shipped holiday files
// (data/holidays) plus any year staff uploaded since (DATA_DIR/holidays on the embedded engine, a
// table on PostgreSQL; an upload wins). Deadlines are derived on every read, so a new calendar
// changes every open due date at once.
import path from 'node:path';
import { createCalendar, type Calendar, type HolidayFile } from '../domain/calendar.js';
import { readHolidayFiles, uploadedCalendarsIn, validateHolidayFile, type UploadedCalendars } from '../store/holiday-files.js';

export class CalendarSource {
  #calendar: Calendar;
  #files: HolidayFile[];

  private constructor(private readonly shippedDir: string, private readonly uploads: UploadedCalendars, files: HolidayFile[]) {
    this.#files = files;
    this.#calendar = createCalendar(files);
  }

  /** `uploads`: a data folder (the embedded engine) or where the database keeps them. */
  static async open(contentDir: string, uploads: string | UploadedCalendars): Promise<CalendarSource> {
    const shippedDir = path.join(contentDir, 'holidays');
    const kept = typeof uploads === 'string' ? uploadedCalendarsIn(uploads) : uploads;
    return new CalendarSource(shippedDir, kept, await load(shippedDir, kept));
  }

  current(): Calendar {
    return this.#calendar;
  }

  files(): readonly HolidayFile[] {
    return this.#files;
  }

  /** Adds or replaces one year's file (e.g. next year's, once the State Council announces it). */
  async upload(json: unknown, year: number): Promise<HolidayFile> {
    const file = validateHolidayFile(json, year, `${year}.json`);
    await this.uploads.save(file);
    await this.refresh();
    return file;
  }

  /** Reads the uploaded years again: what another instance on the same database uploaded. */
  async refresh(): Promise<void> {
    this.#files = await load(this.shippedDir, this.uploads);
    this.#calendar = createCalendar(this.#files);
  }
}

async function load(shippedDir: string, uploads: UploadedCalendars): Promise<HolidayFile[]> {
  const byYear = new Map<number, HolidayFile>();
  for (const file of await readHolidayFiles(shippedDir)) byYear.set(file.year, file);
  for (const file of await uploads.list()) byYear.set(file.year, file);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}
