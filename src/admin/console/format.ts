// How the console writes dates and short texts. Moments are stored as ISO timestamps (UTC) and shown
// in China time, which has been UTC+8 without daylight saving since 1991, so a fixed offset is exact.
import { chineseDateWithWeekday } from '../../domain/applications/labels.js';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** '2025-10-29T06:03:00Z' → '2025-10-29 14:03' (China time). */
export function chinaDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** '2025-10-29' → '2025年10月29日（周三）'; null → '—'. */
export function longDate(date: string | null | undefined): string {
  return date ? chineseDateWithWeekday(date) : '—';
}

/** The first `max` characters of a text, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}

/** Who did something when no staff member did: the system itself, the applicant, imports, the sandbox. */
const NON_STAFF_ACTORS: Readonly<Record<string, string>> = {
  system: '系统',
  applicant: '申请人',
  feed: '门户网站导入',
  demo: '演示数据',
};

/** Who recorded an event, in words. */
export function actorName(by: string, names: ReadonlyMap<string, string>): string {
  const fixed = NON_STAFF_ACTORS[by];
  if (fixed) return fixed;
  const name = names.get(by);
  return name && name !== by ? `${name}（${by}）` : by;
}
