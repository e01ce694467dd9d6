// The working-day calendar: which years it covers, and uploading next year's holiday notice
// (holiday-cn format) as soon as the State Council publishes it. Every open due date follows.
import type { Router } from '@koa/router';
import { permit } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { CalendarSource } from '../applications/calendar-source.js';
import { HolidayFileError } from '../store/holiday-files.js';
import type { Module } from '../module.js';

/** The calendar as a module of the server: its staff routes (the console's 节假日 page is the console's own). */
export function calendarModule(calendar: CalendarSource): Module {
  return { name: 'calendar', adminRoutes: mountCalendarRoutes(calendar) };
}

export function mountCalendarRoutes(calendar: CalendarSource) {
  return (router: Router) => {
    router.get('/calendar', (ctx) => {
      permit(ctx, 'applications.view');
      ctx.body = {
        coveredYears: calendar.current().coveredYears,
        files: calendar.files().map((f) => ({ year: f.year, papers: f.papers, days: f.days.length })),
      };
    });

    router.put('/calendar/:year', async (ctx) => {
      permit(ctx, 'calendar.edit');
      const year = Number(ctx.params.year);
      if (!/^\d{4}$/.test(ctx.params.year ?? '') || year < 2019 || year > 2100) {
        throw new HttpError(400, 'bad-request', '年份应为 2019–2100 之间的四位数字');
      }
      try {
        const file = await calendar.upload(ctx.request.body, year);
        ctx.body = { year: file.year, days: file.days.length, coveredYears: calendar.current().coveredYears };
      } catch (error) {
        if (error instanceof HolidayFileError) {
          throw new HttpError(400, 'validation', error.message, Object.fromEntries(error.problems.map((p, i) => [`problems[${i}]`, p])));
        }
        throw error;
      }
    });
  };
}
