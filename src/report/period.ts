// The report's statistical period is the calendar year (1月1日–12月31日). Dates are 'YYYY-MM-DD'
// strings, which compare correctly as strings, so no Date object (and no server time zone) is involved.

export interface Period {
  start: string;
  end: string;
}

export function reportPeriod(year: number): Period {
  const y = String(year).padStart(4, '0');
  return { start: `${y}-01-01`, end: `${y}-12-31` };
}

export function within(date: string | null | undefined, period: Period): boolean {
  return date != null && date >= period.start && date <= period.end;
}

export function before(date: string | null | undefined, day: string): boolean {
  return date != null && date < day;
}

export function onOrBefore(date: string | null | undefined, day: string): boolean {
  return date != null && date <= day;
}

/** '2020-01-20' → '2020年1月20日', as dates are printed under a report. */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${Number(y)}年${Number(m)}月${Number(d)}日`;
}

const DAY_MS = 86_400_000;

/** Calendar-day arithmetic on 'YYYY-MM-DD', done in UTC so the server's time zone cannot shift it. */
export function addCalendarDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}
