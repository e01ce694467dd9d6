/**
 * The holiday calendar on disk: one NateScarlet/holiday-cn file per announcing year (YYYY.json)
 * in one folder. The shipped files and a staff-uploaded file for the next year live side by side.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { writeFileDurably } from './durable-json-file.js';
import path from 'node:path';
import { isIsoDate, yearOf, type HolidayDay, type HolidayFile } from '../domain/calendar.js';

const FILE_NAME = /^(\d{4})\.json$/;

/** A holiday file that does not have the expected shape; `problems` are short Chinese sentences. */
export class HolidayFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`放假安排文件 ${source} 有误：${problems.join('；')}`);
    this.name = 'HolidayFileError';
  }
}

/**
 * Checks parsed JSON against the holiday-cn shape for `year` and returns the typed file, keeping
 * only the fields the calendar uses. Throws HolidayFileError listing every problem found.
 * Dates must fall in `year`, or in the December before it (the 元旦 block of a notice can start
 * in the previous year).
 */
export function validateHolidayFile(json: unknown, year: number, source = `${year}.json`): HolidayFile {
  const problems: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new HolidayFileError(source, ['内容应为一个 JSON 对象']);
  }
  const record = json as Record<string, unknown>;

  if (record.year !== year) problems.push(`year 应为 ${year}，实际为 ${JSON.stringify(record.year)}`);

  const papers = record.papers;
  if (!Array.isArray(papers) || !papers.every((p) => typeof p === 'string')) {
    problems.push('papers 应为文字列表（通知的网址）');
  }

  const days: HolidayDay[] = [];
  if (!Array.isArray(record.days)) {
    problems.push('days 应为列表');
  } else {
    record.days.forEach((entry: unknown, i) => {
      const where = `days 第 ${i + 1} 项`;
      if (typeof entry !== 'object' || entry === null) {
        problems.push(`${where}应为对象`);
        return;
      }
      const { name, date, isOffDay } = entry as Record<string, unknown>;
      const before = problems.length;
      if (typeof name !== 'string' || name.trim() === '') problems.push(`${where}缺少节日名称 name`);
      if (!isIsoDate(date)) {
        problems.push(`${where}的日期 ${JSON.stringify(date)} 不是 YYYY-MM-DD 格式的有效日期`);
      } else if (!(yearOf(date) === year || (yearOf(date) === year - 1 && date.slice(5, 7) === '12'))) {
        problems.push(`${where}的日期 ${date} 不在 ${year} 年（或上一年 12 月）`);
      }
      if (typeof isOffDay !== 'boolean') problems.push(`${where}的 isOffDay 应为 true 或 false`);
      if (problems.length === before) days.push({ name: name as string, date: date as string, isOffDay: isOffDay as boolean });
    });
  }

  if (problems.length > 0) throw new HolidayFileError(source, problems);
  return { year, papers: [...(papers as string[])], days };
}

/** Reads and validates every YYYY.json in `dir`, in year order. Other files are ignored. */
export async function readHolidayFiles(dir: string): Promise<HolidayFile[]> {
  const names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort();
  const files: HolidayFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new HolidayFileError(file, [`不是有效的 JSON（${(error as Error).message}）`]);
    }
    files.push(validateHolidayFile(json, Number(FILE_NAME.exec(name)![1]), file));
  }
  return files;
}

/** Writes one year's file into `dir` durably: a crash leaves either the old file or the new one. */
export async function saveHolidayFile(dir: string, file: HolidayFile): Promise<string> {
  const valid = validateHolidayFile(file, file.year);
  await mkdir(dir, { recursive: true, mode: 0o700 }); // inside the private data folder
  const target = path.join(dir, `${valid.year}.json`);
  await writeFileDurably(target, `${JSON.stringify(valid, null, 4)}\n`);
  return target;
}

/** Where staff-uploaded years are kept: a folder here, a table on PostgreSQL (pg/holiday-calendars.ts). */
export interface UploadedCalendars {
  list(): Promise<HolidayFile[]>;
  save(file: HolidayFile): Promise<void>;
}

/** The embedded engine's: one YYYY.json a year in DATA_DIR/holidays. */
export function uploadedCalendarsIn(dataDir: string): UploadedCalendars {
  const dir = path.join(dataDir, 'holidays');
  return {
    list: () =>
      readHolidayFiles(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      }),
    save: async (file) => void (await saveHolidayFile(dir, file)),
  };
}
