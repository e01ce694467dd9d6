/**
 * The official working-day calendar (工作日), built from the State Council's holiday notices.
 *
 * Deadlines in the 条例 count 工作日, and the notices both add days off (放假) and turn some weekend
 * days into working days (调休上班). Dates are plain 'YYYY-MM-DD' strings in China time; every
 * computation goes through UTC-based helpers so that the server's own time zone never shifts a date.
 *
 * Coverage: a year is covered when its own notice has been loaded (its file lists days). For an
 * uncovered year the calendar still answers — Monday to Friday, less the holidays fixed by law
 * (statutoryHolidays below), plus any day that an adjacent year's notice happens to mention — but
 * every range result that touches such a year says `provisional: true`, so a guessed deadline is
 * never passed off as the official one.
 */

/** One day named by a notice, as in NateScarlet/holiday-cn. */
export interface HolidayDay {
  name: string;
  date: string;
  /** true: a day off (放假); false: a working day, usually a weekend make-up day (调休上班). */
  isOffDay: boolean;
}

/** One year's notice, in the NateScarlet/holiday-cn file format. */
export interface HolidayFile {
  year: number;
  papers: string[];
  days: HolidayDay[];
}

/**
 * What the calendar knows about one date.
 * kind: 'workday' (ordinary Monday–Friday), 'weekend' (ordinary Saturday/Sunday), 'holiday'
 * (a day off named by a notice), 'makeup' (a weekend day made a working day by a notice).
 */
export interface DayInfo {
  date: string;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  working: boolean;
  kind: 'workday' | 'weekend' | 'holiday' | 'makeup';
  /** The holiday the notice ties this day to (e.g. 国庆节), for 'holiday' and 'makeup' days. */
  holiday?: string;
  /** The date's year is not covered: this answer is the Monday–Friday guess. */
  provisional: boolean;
}

export interface DateResult {
  date: string;
  /** Some day from the start (exclusive) to the result (inclusive) lies in an uncovered year. */
  provisional: boolean;
}

export interface CountResult {
  count: number;
  /** Some day in the counted range lies in an uncovered year. */
  provisional: boolean;
}

export interface Calendar {
  /**
   * Whether the date is a working day. For a date in an uncovered year this is the Monday–Friday
   * guess: check `describeDay(date).provisional` or `covers(year)` when that matters.
   */
  isWorkingDay(date: string): boolean;
  describeDay(date: string): DayInfo;
  /**
   * The n-th working day strictly after `date` (n >= 0; n = 0 gives `date` itself).
   * This is how the 条例's "自收到申请之日起20个工作日内" is counted: from the day after.
   */
  addWorkingDays(date: string, n: number): DateResult;
  /** The number of working days d with a < d <= b (0 when b <= a). */
  workingDaysBetween(a: string, b: string): CountResult;
  /** Every day d with a < d <= b, described; empty when b <= a. */
  daysBetween(a: string, b: string): DayInfo[];
  covers(year: number): boolean;
  /** The covered years, ascending. */
  readonly coveredYears: readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Date helpers on 'YYYY-MM-DD' strings. They go through UTC milliseconds only, never local time.

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtcMs(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function fromUtcMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2025-02-30). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  return fromUtcMs(toUtcMs(value)) === value;
}

export function addDays(date: string, n: number): string {
  return fromUtcMs(toUtcMs(date) + n * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/**
 * Today's date in China. China has kept UTC+8 without daylight saving since 1991, so a fixed
 * offset is exact and does not depend on the server's zone or its tz database.
 */
export function todayInChina(now: Date): string {
  return fromUtcMs(now.getTime() + 8 * 3_600_000);
}

// ---------------------------------------------------------------------------------------------
// Holidays fixed by law before any notice: 《全国年节及纪念日放假办法》 第二条 as amended in 2024 (in force
// 2025-01-01): 元旦 1 day (1/1), 春节 4 days (除夕 to 正月初三), 清明节 1 day (the day of the solar term),
// 劳动节 2 days (5/1–5/2), 端午节 1 day (五月初五), 中秋节 1 day (八月十五), 国庆节 3 days (10/1–10/3).
// Only the 调休 swaps and 补假 wait for the State Council's notice, so a deadline in a year without
// one can still skip these days (and stays provisional until the notice is loaded).

/**
 * The lunar and solar-term dates the law's holidays fall on: [除夕, 清明, 端午, 中秋] per year. Taken
 * from lunar-javascript 1.7.7 (6tail) and checked against every loaded notice 2025–2026 by
 * test/calendar.test.ts; 正月初一 is the day after 除夕. Beyond the table only the fixed-date holidays apply.
 */
const LUNAR_HOLIDAY_DATES: Readonly<Record<number, readonly [string, string, string, string]>> = {
  2025: ['2025-01-28', '2025-04-04', '2025-05-31', '2025-10-06'],
  2026: ['2026-02-16', '2026-04-05', '2026-06-19', '2026-09-25'],
  2027: ['2027-02-05', '2027-04-05', '2027-06-09', '2027-09-15'],
  2028: ['2028-01-25', '2028-04-04', '2028-05-28', '2028-10-03'],
  2029: ['2029-02-12', '2029-04-04', '2029-06-16', '2029-09-22'],
  2030: ['2030-02-02', '2030-04-05', '2030-06-05', '2030-09-12'],
  2031: ['2031-01-22', '2031-04-05', '2031-06-24', '2031-10-01'],
  2032: ['2032-02-10', '2032-04-04', '2032-06-12', '2032-09-19'],
  2033: ['2033-01-30', '2033-04-04', '2033-06-01', '2033-09-08'],
  2034: ['2034-02-18', '2034-04-05', '2034-06-20', '2034-09-27'],
  2035: ['2035-02-07', '2035-04-05', '2035-06-10', '2035-09-16'],
};

/** The days off the law fixes in `year` (the 2024 amendment's, so from 2025 on; none before). */
export function statutoryHolidays(year: number): HolidayDay[] {
  if (year < 2025) return [];
  const day = (name: string, date: string): HolidayDay => ({ name, date, isOffDay: true });
  const fixed = (name: string, monthDays: string[]) => monthDays.map((md) => day(name, `${year}-${md}`));
  const days = [...fixed('元旦', ['01-01']), ...fixed('劳动节', ['05-01', '05-02']), ...fixed('国庆节', ['10-01', '10-02', '10-03'])];
  const lunar = LUNAR_HOLIDAY_DATES[year];
  if (lunar) {
    const [eve, qingming, duanwu, midAutumn] = lunar;
    days.push(...[0, 1, 2, 3].map((n) => day('春节', addDays(eve, n))), day('清明节', qingming), day('端午节', duanwu));
    // In 2031 中秋 is 10/1 itself: the day is off once, as 国庆节 (the notice will say how it is made up).
    if (!days.some((d) => d.date === midAutumn)) days.push(day('中秋节', midAutumn));
  }
  return days.sort((a, b) => (a.date < b.date ? -1 : 1));
}

export function createCalendar(files: readonly HolidayFile[]): Calendar {
  // A later notice may restate or amend a day an earlier one named (a December date sits in
  // the next year's file), so files are applied in year order and, inside a file, in list order:
  // the last word wins.
  const named = new Map<string, HolidayDay>();
  for (const file of [...files].sort((a, b) => a.year - b.year)) {
    for (const day of file.days) named.set(day.date, day);
  }
  const covered = new Set(files.filter((f) => f.days.length > 0).map((f) => f.year));
  const coveredYears = Object.freeze([...covered].sort((a, b) => a - b));
  // For a year without its notice, the law's own holidays, computed once per year asked about.
  const statutory = new Map<number, Map<string, HolidayDay>>();
  const statutoryDay = (date: string): HolidayDay | undefined => {
    const year = yearOf(date);
    if (covered.has(year)) return undefined;
    if (!statutory.has(year)) statutory.set(year, new Map(statutoryHolidays(year).map((d) => [d.date, d])));
    return statutory.get(year)!.get(date);
  };

  function describeDay(date: string): DayInfo {
    const weekday = weekdayOf(date);
    const provisional = !covered.has(yearOf(date));
    // A notice that names the day wins (a December date in the next year's file); else the law's holidays.
    const notice = named.get(date) ?? statutoryDay(date);
    const weekend = weekday === 0 || weekday === 6;
    if (notice?.isOffDay) {
      return { date, weekday, working: false, kind: 'holiday', holiday: notice.name, provisional };
    }
    if (notice && weekend) {
      return { date, weekday, working: true, kind: 'makeup', holiday: notice.name, provisional };
    }
    // A weekday a notice lists as a working day (2020-02-03 after the Spring Festival extension)
    // is simply an ordinary working day.
    return { date, weekday, working: !weekend, kind: weekend ? 'weekend' : 'workday', provisional };
  }

  function addWorkingDays(date: string, n: number): DateResult {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working-day count must be a whole number >= 0, got ${n}`);
    let current = date;
    let provisional = false;
    for (let found = 0; found < n; ) {
      current = addDays(current, 1);
      const day = describeDay(current);
      provisional ||= day.provisional;
      if (day.working) found += 1;
    }
    return { date: current, provisional };
  }

  function daysBetween(a: string, b: string): DayInfo[] {
    const days: DayInfo[] = [];
    for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) days.push(describeDay(d));
    return days;
  }

  function workingDaysBetween(a: string, b: string): CountResult {
    const days = daysBetween(a, b);
    return {
      count: days.filter((d) => d.working).length,
      provisional: days.some((d) => d.provisional),
    };
  }

  return {
    isWorkingDay: (date) => describeDay(date).working,
    describeDay,
    addWorkingDays,
    workingDaysBetween,
    daysBetween,
    covers: (year) => covered.has(year),
    coveredYears,
  };
}
