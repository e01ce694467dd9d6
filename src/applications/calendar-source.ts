// The official working-day calendar as the services see it: the office's shipped holiday files
// (data/holidays) plus any year staff uploaded since (DATA_DIR/holidays, which wins). Deadlines are
// derived on every read, so a new calendar changes every open due date at once.
import path from 'node:path';
import { createCalendar, type Calendar, type HolidayFile } from '../domain/calendar.js';
import { readHolidayFiles, saveHolidayFile, validateHolidayFile } from '../store/holiday-files.js';

export class CalendarSource {
  #calendar: Calendar;
  #files: HolidayFile[];

  private constructor(private readonly shippedDir: string, private readonly uploadDir: string, files: HolidayFile[]) {
    this.#files = files;
    this.#calendar = createCalendar(files);
  }

  static async open(contentDir: string, dataDir: string): Promise<CalendarSource> {
    const shippedDir = path.join(contentDir, 'holidays');
    const uploadDir = path.join(dataDir, 'holidays');
    return new CalendarSource(shippedDir, uploadDir, await load(shippedDir, uploadDir));
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
    await saveHolidayFile(this.uploadDir, file);
    this.#files = await load(this.shippedDir, this.uploadDir);
    this.#calendar = createCalendar(this.#files);
    return file;
  }
}

async function load(shippedDir: string, uploadDir: string): Promise<HolidayFile[]> {
  const byYear = new Map<number, HolidayFile>();
  for (const file of await readHolidayFiles(shippedDir)) byYear.set(file.year, file);
  const uploaded = await readHolidayFiles(uploadDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const file of uploaded) byYear.set(file.year, file);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}
