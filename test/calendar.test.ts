import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  addDays,
  createCalendar,
  isIsoDate,
  statutoryHolidays,
  todayInChina,
  weekdayOf,
  type Calendar,
  type HolidayFile,
} from '../src/domain/calendar.js';
import { HolidayFileError, readHolidayFiles, saveHolidayFile, validateHolidayFile } from '../src/store/holiday-files.js';

const HOLIDAY_DIR = fileURLToPath(new URL('../data/holidays', import.meta.url));
const CALENDAR_MODULE = pathToFileURL(fileURLToPath(new URL('../src/domain/calendar.ts', import.meta.url))).href;
const STORE_MODULE = pathToFileURL(fileURLToPath(new URL('../src/store/holiday-files.ts', import.meta.url))).href;

let calendar: Calendar;
test.before(async () => {
  calendar = createCalendar(await readHolidayFiles(HOLIDAY_DIR));
});

// Make-up working weekend days (调休上班) of every year, from the State Council notices
// (reference §5.1; 2018-12-29 sits in 2019.json).
const makeUpDays: [string, string][] = [
  ['2018-12-29', '元旦 2019'],
  ['2019-02-02', '春节'], ['2019-02-03', '春节'], ['2019-04-28', '劳动节'], ['2019-05-05', '劳动节'],
  ['2019-09-29', '国庆节'], ['2019-10-12', '国庆节'],
  ['2020-01-19', '春节'], ['2020-04-26', '劳动节'], ['2020-05-09', '劳动节'], ['2020-06-28', '端午节'],
  ['2020-09-27', '国庆节'], ['2020-10-10', '国庆节'],
  ['2021-02-07', '春节'], ['2021-02-20', '春节'], ['2021-04-25', '劳动节'], ['2021-05-08', '劳动节'],
  ['2021-09-18', '中秋节'], ['2021-09-26', '国庆节'], ['2021-10-09', '国庆节'],
  ['2022-01-29', '春节'], ['2022-01-30', '春节'], ['2022-04-02', '清明节'], ['2022-04-24', '劳动节'],
  ['2022-05-07', '劳动节'], ['2022-10-08', '国庆节'], ['2022-10-09', '国庆节'],
  ['2023-01-28', '春节'], ['2023-01-29', '春节'], ['2023-04-23', '劳动节'], ['2023-05-06', '劳动节'],
  ['2023-06-25', '端午节'], ['2023-10-07', '国庆节'], ['2023-10-08', '国庆节'],
  ['2024-02-04', '春节'], ['2024-02-18', '春节'], ['2024-04-07', '清明节'], ['2024-04-28', '劳动节'],
  ['2024-05-11', '劳动节'], ['2024-09-14', '中秋节'], ['2024-09-29', '国庆节'], ['2024-10-12', '国庆节'],
  ['2025-01-26', '春节'], ['2025-02-08', '春节'], ['2025-04-27', '劳动节'], ['2025-09-28', '国庆节'],
  ['2025-10-11', '国庆节'],
  ['2026-01-04', '元旦'], ['2026-02-14', '春节'], ['2026-02-28', '春节'], ['2026-05-09', '劳动节'],
  ['2026-09-20', '国庆节'], ['2026-10-10', '国庆节'],
];

for (const [date, holiday] of makeUpDays) {
  test(`make-up day ${date} (${holiday}) is a weekend working day`, (t) => {
    t.true([0, 6].includes(weekdayOf(date)), 'the fixture should be a Saturday or Sunday');
    t.true(calendar.isWorkingDay(date));
    t.is(calendar.describeDay(date).kind, 'makeup');
  });
}

// Holiday blocks: every day in [from, to] is off, weekdays included.
const holidayBlocks: [string, string, string][] = [
  ['2018-12-30', '2019-01-01', '元旦'],
  ['2019-02-04', '2019-02-10', '春节'], ['2019-05-01', '2019-05-04', '劳动节'], ['2019-10-01', '2019-10-07', '国庆节'],
  ['2020-01-24', '2020-02-02', '春节 (extended)'], ['2020-10-01', '2020-10-08', '国庆节、中秋节'],
  ['2021-02-11', '2021-02-17', '春节'], ['2021-09-19', '2021-09-21', '中秋节'],
  ['2022-01-31', '2022-02-06', '春节'], ['2022-04-03', '2022-04-05', '清明节'], ['2022-04-30', '2022-05-04', '劳动节'],
  ['2022-12-31', '2023-01-02', '元旦'], ['2023-09-29', '2023-10-06', '中秋节、国庆节'],
  ['2024-02-10', '2024-02-17', '春节'], ['2024-05-01', '2024-05-05', '劳动节'], ['2024-10-01', '2024-10-07', '国庆节'],
  ['2025-01-28', '2025-02-04', '春节'], ['2025-05-31', '2025-06-02', '端午节'], ['2025-10-01', '2025-10-08', '国庆节、中秋节'],
  ['2026-01-01', '2026-01-03', '元旦'], ['2026-02-15', '2026-02-23', '春节'], ['2026-10-01', '2026-10-07', '国庆节'],
];

for (const [from, to, name] of holidayBlocks) {
  test(`holiday ${name} ${from}..${to} has no working day`, (t) => {
    for (let d = from; d <= to; d = addDays(d, 1)) t.false(calendar.isWorkingDay(d), d);
    t.is(calendar.workingDaysBetween(addDays(from, -1), to).count, 0);
  });
}

test('a weekday a notice lists as a working day stays one, and the cancelled 2020-02-01 make-up day is off', (t) => {
  t.true(calendar.isWorkingDay('2020-02-03'));
  t.is(calendar.describeDay('2020-02-03').kind, 'workday');
  t.false(calendar.isWorkingDay('2020-02-01'));
});

// addWorkingDays: [start, n, expected], counted by hand from the notices.
const additions: [string, number, string, string][] = [
  ['2025-09-25', 20, '2025-10-29', 'reference example: counts 9/28 and 10/11, skips 10/1–10/8'],
  ['2019-09-27', 1, '2019-09-29', 'Sunday make-up day'],
  ['2019-09-30', 1, '2019-10-08', 'after 国庆'],
  ['2019-04-30', 1, '2019-05-05', 'Sunday make-up day after 劳动节'],
  ['2018-12-29', 1, '2019-01-02', 'across 元旦 2019 (named in 2019.json)'],
  ['2020-01-17', 1, '2020-01-19', 'Sunday make-up day before 春节'],
  ['2020-01-23', 1, '2020-02-03', 'the extended 春节 2020'],
  ['2020-09-30', 2, '2020-10-10', 'Saturday make-up day after 国庆'],
  ['2021-02-10', 3, '2021-02-20', 'after 春节 to the Saturday make-up day'],
  ['2021-09-17', 2, '2021-09-22', 'make-up Saturday then 中秋'],
  ['2022-01-28', 3, '2022-02-07', 'two make-up days then 春节'],
  ['2022-04-01', 2, '2022-04-06', 'make-up Saturday then 清明'],
  ['2022-09-30', 1, '2022-10-08', 'Saturday make-up day right after 国庆'],
  ['2022-12-30', 1, '2023-01-03', 'across 元旦 2023 (2022-12-31 in 2023.json)'],
  ['2023-06-21', 1, '2023-06-25', 'Sunday make-up day after 端午'],
  ['2023-09-28', 1, '2023-10-07', 'Saturday make-up day after 中秋国庆'],
  ['2024-02-09', 1, '2024-02-18', 'Sunday make-up day after 春节'],
  ['2024-04-03', 1, '2024-04-07', 'Sunday make-up day after 清明'],
  ['2024-09-30', 1, '2024-10-08', 'after 国庆'],
  ['2025-01-27', 1, '2025-02-05', 'after 春节'],
  ['2025-04-30', 1, '2025-05-06', 'after 劳动节'],
  ['2025-12-31', 1, '2026-01-04', 'Sunday make-up day after 元旦 2026'],
  ['2026-02-13', 2, '2026-02-24', 'make-up Saturday then the long 春节'],
  ['2026-09-30', 1, '2026-10-08', 'after 国庆 2026'],
  ['2026-12-01', 20, '2026-12-29', 'inside covered 2026'],
  ['2025-09-25', 0, '2025-09-25', 'zero days is the date itself'],
];

for (const [start, n, expected, why] of additions) {
  test(`addWorkingDays(${start}, ${n}) = ${expected}: ${why}`, (t) => {
    const result = calendar.addWorkingDays(start, n);
    t.is(result.date, expected);
    t.is(result.provisional, start.startsWith('2018'), 'only ranges touching 2018 are provisional here');
  });
}

test('workingDaysBetween counts d with a < d <= b', (t) => {
  t.deepEqual(calendar.workingDaysBetween('2025-09-25', '2025-10-29'), { count: 20, provisional: false });
  t.is(calendar.workingDaysBetween('2025-10-29', '2025-10-29').count, 0);
  t.is(calendar.workingDaysBetween('2025-10-29', '2025-09-25').count, 0);
  t.is(calendar.workingDaysBetween('2025-10-28', '2025-10-29').count, 1, 'b itself is counted');
  t.is(calendar.workingDaysBetween('2025-10-29', '2025-10-30').count, 1, 'a itself is not');
});

// Working days per year (reference §5.1: computed with both chinese-days and holiday-cn).
const yearTotals: [number, number][] = [
  [2019, 250], [2020, 249], [2021, 250], [2022, 249], [2023, 249], [2024, 251], [2025, 248], [2026, 248],
];
for (const [year, total] of yearTotals) {
  test(`${year} has ${total} working days`, (t) => {
    t.deepEqual(calendar.workingDaysBetween(`${year - 1}-12-31`, `${year}-12-31`), { count: total, provisional: false });
  });
}

test('coverage: 2019–2026 covered; 2027 (empty file) and 2018 (no file) are not', (t) => {
  t.deepEqual(calendar.coveredYears, [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
  t.false(calendar.covers(2027));
  t.false(calendar.covers(2018));
  t.true(calendar.covers(2026));
});

test('2027 is counted Monday–Friday less the law’s holidays, and flagged provisional', (t) => {
  // Until 2026-12 these expected 元旦 and 国庆节 2027 to be working days; the law fixes them (issue 17, point 8).
  t.deepEqual(calendar.addWorkingDays('2026-12-31', 1), { date: '2027-01-04', provisional: true });
  t.deepEqual(calendar.addWorkingDays('2026-12-10', 20), { date: '2027-01-08', provisional: true });
  t.deepEqual(calendar.workingDaysBetween('2026-12-25', '2027-01-08'), { count: 9, provisional: true });
  t.deepEqual(calendar.workingDaysBetween('2026-12-01', '2026-12-31'), { count: 22, provisional: false });
  const day = calendar.describeDay('2027-10-01');
  t.false(day.working, 'National Day is off by law even before the notice');
  t.true(day.provisional);
  t.false(calendar.describeDay('2027-10-02').working);
  t.true(calendar.describeDay('2027-10-04').working, 'the days a notice may add are not guessed');
});

test('a December date named in the next year\'s file is used though its own year is uncovered', (t) => {
  t.deepEqual(calendar.describeDay('2018-12-29'), {
    date: '2018-12-29', weekday: 6, working: true, kind: 'makeup', holiday: '元旦', provisional: true,
  });
  t.false(calendar.isWorkingDay('2018-12-31'));
  t.deepEqual(calendar.addWorkingDays('2018-12-28', 1), { date: '2018-12-29', provisional: true });
});

test('daysBetween describes each day of (a, b]', (t) => {
  const days = calendar.daysBetween('2025-09-30', '2025-10-11');
  t.is(days.length, 11);
  t.deepEqual(
    days.map((d) => `${d.date.slice(5)}:${d.kind}`),
    ['10-01:holiday', '10-02:holiday', '10-03:holiday', '10-04:holiday', '10-05:holiday', '10-06:holiday',
      '10-07:holiday', '10-08:holiday', '10-09:workday', '10-10:workday', '10-11:makeup'],
  );
  t.is(days[0].holiday, '国庆节、中秋节');
});

test('addWorkingDays refuses a negative or fractional count', (t) => {
  t.throws(() => calendar.addWorkingDays('2025-01-01', -1), { instanceOf: RangeError });
  t.throws(() => calendar.addWorkingDays('2025-01-01', 1.5), { instanceOf: RangeError });
  t.throws(() => calendar.addWorkingDays('2025/01/01', 1), { instanceOf: RangeError });
});

test('date helpers', (t) => {
  t.true(isIsoDate('2024-02-29'));
  t.false(isIsoDate('2025-02-29'));
  t.false(isIsoDate('2025-2-01'));
  t.false(isIsoDate(20250201));
  t.is(addDays('2024-02-28', 1), '2024-02-29');
  t.is(addDays('2024-12-31', 1), '2025-01-01');
  t.is(addDays('2025-03-01', -1), '2025-02-28');
  t.is(weekdayOf('2025-09-25'), 4);
});

const chinaDates: [string, string][] = [
  ['2025-09-30T15:59:59.999Z', '2025-09-30'],
  ['2025-09-30T16:00:00.000Z', '2025-10-01'],
  ['2025-12-31T16:30:00.000Z', '2026-01-01'],
  ['2025-06-01T00:00:00.000Z', '2025-06-01'],
];
for (const [instant, expected] of chinaDates) {
  test(`todayInChina(${instant}) = ${expected}`, (t) => {
    t.is(todayInChina(new Date(instant)), expected);
  });
}

// The same computations in child processes whose local time zone is far from China's.
const probe = `
import { createCalendar, todayInChina } from ${JSON.stringify(CALENDAR_MODULE)};
import { readHolidayFiles } from ${JSON.stringify(STORE_MODULE)};
const cal = createCalendar(await readHolidayFiles(${JSON.stringify(HOLIDAY_DIR)}));
const out = {
  offset: new Date(Date.UTC(2025, 0, 15)).getTimezoneOffset(),
  due: cal.addWorkingDays('2025-09-25', 20),
  after: cal.addWorkingDays('2026-09-30', 1),
  year: cal.workingDaysBetween('2024-12-31', '2025-12-31'),
  saturday: cal.isWorkingDay('2026-10-17'),
  makeup: cal.isWorkingDay('2026-10-10'),
  today: todayInChina(new Date('2025-09-30T16:30:00Z')),
};
console.log(JSON.stringify(out));
`;

for (const zone of ['America/New_York', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
  test(`results do not depend on the process time zone (TZ=${zone})`, (t) => {
    const output = execFileSync(process.execPath, ['--import=tsx', '--input-type=module', '-e', probe], {
      env: { ...process.env, TZ: zone },
      encoding: 'utf8',
    });
    const result = JSON.parse(output);
    t.not(result.offset, 0, 'the child really runs in another zone');
    t.deepEqual(
      { ...result, offset: undefined },
      {
        offset: undefined,
        due: { date: '2025-10-29', provisional: false },
        after: { date: '2026-10-08', provisional: false },
        year: { count: 248, provisional: false },
        saturday: false,
        makeup: true,
        today: '2025-10-01',
      },
    );
  });
}

// ------------------------------------------------------------------------------------------
// Holiday files on disk.

const goodFile = (): HolidayFile => ({
  year: 2027,
  papers: ['https://www.gov.cn/zhengce/content/example.htm'],
  days: [
    { name: '元旦', date: '2026-12-31', isOffDay: true },
    { name: '元旦', date: '2027-01-01', isOffDay: true },
    { name: '春节', date: '2027-02-20', isOffDay: false },
  ],
});

test('validateHolidayFile accepts the holiday-cn shape and drops extra fields', (t) => {
  const file = validateHolidayFile({ $schema: 'x', $id: 'y', ...goodFile() }, 2027);
  t.deepEqual(file, goodFile());
});

const badFiles: [string, unknown, RegExp][] = [
  ['not an object', [], /JSON 对象/],
  ['wrong year', { ...goodFile(), year: 2026 }, /year 应为 2027/],
  ['papers not strings', { ...goodFile(), papers: [1] }, /papers/],
  ['days missing', { year: 2027, papers: [] }, /days 应为列表/],
  ['bad date', { ...goodFile(), days: [{ name: '元旦', date: '2027-02-30', isOffDay: true }] }, /第 1 项的日期/],
  ['date in another year', { ...goodFile(), days: [{ name: '元旦', date: '2028-01-01', isOffDay: true }] }, /不在 2027 年/],
  ['previous year but not December', { ...goodFile(), days: [{ name: '元旦', date: '2026-11-30', isOffDay: true }] }, /不在 2027 年/],
  ['isOffDay not boolean', { ...goodFile(), days: [{ name: '元旦', date: '2027-01-01', isOffDay: 'yes' }] }, /isOffDay/],
  ['missing name', { ...goodFile(), days: [{ date: '2027-01-01', isOffDay: true }] }, /name/],
];
for (const [why, json, message] of badFiles) {
  test(`validateHolidayFile rejects a file: ${why}`, (t) => {
    const error = t.throws(() => validateHolidayFile(json, 2027), { instanceOf: HolidayFileError });
    t.regex(error!.message, message);
    t.regex(error!.message, /2027\.json/);
  });
}

test('readHolidayFiles names the broken file, and an uploaded next-year file extends coverage', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'holidays-'));
  try {
    await writeFile(path.join(dir, '2026.json'), await readFile(path.join(HOLIDAY_DIR, '2026.json')));
    await writeFile(path.join(dir, 'README.md'), 'not a year file');
    const saved = await saveHolidayFile(dir, goodFile());
    t.is(saved, path.join(dir, '2027.json'));

    const files = await readHolidayFiles(dir);
    t.deepEqual(files.map((f) => f.year), [2026, 2027]);
    const withNextYear = createCalendar(files);
    t.true(withNextYear.covers(2027));
    t.false(withNextYear.isWorkingDay('2026-12-31'), 'the next notice can add a December day off');
    t.deepEqual(withNextYear.addWorkingDays('2026-12-30', 1), { date: '2027-01-04', provisional: false });
    t.true(withNextYear.isWorkingDay('2027-02-20'));

    await writeFile(path.join(dir, '2028.json'), '{"year": 2028, "papers": [], "days": [');
    await t.throwsAsync(readHolidayFiles(dir), { instanceOf: HolidayFileError, message: /2028\.json.*不是有效的 JSON/ });
    await writeFile(path.join(dir, '2028.json'), JSON.stringify({ year: 2029, papers: [], days: [] }));
    await t.throwsAsync(readHolidayFiles(dir), { message: /2028\.json.*year 应为 2028/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('saveHolidayFile refuses an invalid file and writes nothing', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'holidays-'));
  try {
    const bad = { ...goodFile(), days: [{ name: '元旦', date: '2027-13-01', isOffDay: true }] };
    await t.throwsAsync(saveHolidayFile(dir, bad), { instanceOf: HolidayFileError });
    t.deepEqual(await readHolidayFiles(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Holidays fixed by law (《全国年节及纪念日放假办法》 as amended 2024-11, in force 2025-01-01) count even
// before the year's notice: only the 调休 swaps wait for the State Council.

test('the law’s holidays of 2025 and 2026 are days off in the loaded notices (the lunar table is checked against them)', (t) => {
  for (const year of [2025, 2026]) {
    const days = statutoryHolidays(year);
    t.is(days.length, 13, `${year}: 1 + 4 + 1 + 2 + 1 + 1 + 3 days`);
    for (const day of days) t.like(calendar.describeDay(day.date), { working: false, kind: 'holiday' }, `${day.date} ${day.name}`);
  }
});

test('2027, not yet announced: the law’s holidays are days off, still provisional', (t) => {
  t.false(calendar.covers(2027));
  t.deepEqual(
    statutoryHolidays(2027).map((d) => `${d.date} ${d.name}`),
    [
      '2027-01-01 元旦', '2027-02-05 春节', '2027-02-06 春节', '2027-02-07 春节', '2027-02-08 春节', '2027-04-05 清明节',
      '2027-05-01 劳动节', '2027-05-02 劳动节', '2027-06-09 端午节', '2027-09-15 中秋节', '2027-10-01 国庆节',
      '2027-10-02 国庆节', '2027-10-03 国庆节',
    ],
  );
  t.like(calendar.describeDay('2027-01-01'), { working: false, kind: 'holiday', holiday: '元旦', provisional: true });
  t.like(calendar.describeDay('2027-02-08'), { working: false, kind: 'holiday', holiday: '春节', provisional: true }, '正月初三, a Monday');
  // A request received Sunday 2026-12-06: the 20th working day would be Friday 2027-01-01, which is 元旦.
  t.deepEqual(calendar.addWorkingDays('2026-12-06', 20), { date: '2027-01-04', provisional: true });
  // Before the 2024 amendment the law had no 除夕 holiday: nothing is invented for past years.
  t.deepEqual(statutoryHolidays(2024), []);
});

test('a year’s own notice replaces the law-only guess', (t) => {
  const notice: HolidayFile = {
    year: 2027,
    papers: ['test'],
    days: [
      { name: '元旦', date: '2027-01-01', isOffDay: true },
      { name: '春节', date: '2027-02-09', isOffDay: true },
    ],
  };
  const withNotice = createCalendar([notice]);
  t.true(withNotice.covers(2027));
  t.like(withNotice.describeDay('2027-02-08'), { working: true, kind: 'workday', provisional: false }, 'the notice, not the guess, decides');
  t.like(createCalendar([]).describeDay('2027-02-08'), { working: false, provisional: true });
});
