/**
 * The official working-day calendar (工作日), built from the State Council's holiday notices.
 *
 * Deadlines in the 条例 count 工作日, and the notices both add days off (放假) and turn some weekend
 * days into working days (调休上班). Dates are plain 'YYYY-MM-DD' strings in China time; every
 * computation goes through UTC-based helpers so that the server's own time zone never shifts a date.
 *
 * Coverage: a year is covered when its own notice has been loaded (its file lists days). For an
 * uncovered year the calendar still answers — Monday to Friday, plus any day that an adjacent
 * year's notice happens to mention — but every range result that touches such a year says
 * `provisional: true`, so a guessed deadline is never passed off as the official one.
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

  function describeDay(date: string): DayInfo {
    const weekday = weekdayOf(date);
    const provisional = !covered.has(yearOf(date));
    const notice = named.get(date);
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
