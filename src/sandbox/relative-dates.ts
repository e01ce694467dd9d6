// Demo dates are written relative to today, counted in working days, so that every fresh start
// shows the same states (just received, overdue, extended…) with due dates that look live.
import { addDays } from '../domain/calendar.js';

/** The n-th working day before `today` (n = 0 gives today itself, working day or not). */
export function workingDaysBefore(today: string, n: number, isWorkingDay: (date: string) => boolean): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number >= 0, got ${n}`);
  let date = today;
  for (let left = n; left > 0; ) {
    date = addDays(date, -1);
    if (isWorkingDay(date)) left--;
  }
  return date;
}

/** Fills {year} and {lastYear} from a 'YYYY-MM-DD' date. */
export function fillYears(text: string, date: string): string {
  const year = Number(date.slice(0, 4));
  return text.replaceAll('{year}', String(year)).replaceAll('{lastYear}', String(year - 1));
}
