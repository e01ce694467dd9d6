// Staff reminders before a reply is due, and the daily digest of questions the bot could not answer.
// Neither is an application event: they are outbox entries of notify's own, keyed so that each
// threshold fires once per due date (a new due date, after an extension, starts afresh).
import type { Calendar } from '../domain/calendar.js';
import { chineseDate, replyClockRuns } from '../domain/applications/index.js';
import { todayInChina } from '../domain/calendar.js';
import { maskFreeText } from '../domain/masking.js';
import type { ApplicationsService } from '../applications/service.js';
import type { ApplicationView } from '../applications/view.js';
import type { NotifyRepository, OwnEntry } from '../store/notify-repo.js';
import type { UnansweredQuestion } from '../store/conversations-repo.js';

export type ReminderThreshold = 'due-5' | 'due-1' | 'overdue';

/**
 * Which reminder an application is at today, if any: overdue when the view says so; due-1 with at
 * most one working day left; due-5 with at most five. "Left" counts working days d with
 * today < d <= due. Only while the reply clock runs (domain replyClockRuns) is there a deadline to miss.
 */
export function reminderFor(
  view: Pick<ApplicationView, 'status' | 'dueDate' | 'paused' | 'overdue'>,
  today: string,
  calendar: Calendar,
): { threshold: ReminderThreshold; daysLeft: number } | null {
  if (!view.dueDate || !replyClockRuns(view)) return null;
  if (view.overdue) return { threshold: 'overdue', daysLeft: 0 };
  const daysLeft = calendar.workingDaysBetween(today, view.dueDate).count;
  if (daysLeft <= 1) return { threshold: 'due-1', daysLeft };
  if (daysLeft <= 5) return { threshold: 'due-5', daysLeft };
  return null;
}

export interface RemindersDeps {
  applications: Pick<ApplicationsService, 'open' | 'view' | 'today'>;
  repo: NotifyRepository;
  calendar: () => Calendar;
  clock: () => Date;
}

export interface RemindersResult {
  today: string;
  workingDay: boolean;
  created: string[];
}

/** Creates today's reminders; on a day off it does nothing (staff are reminded the next working day). */
export async function createDeadlineReminders(deps: RemindersDeps): Promise<RemindersResult> {
  const today = deps.applications.today();
  const calendar = deps.calendar();
  if (!calendar.isWorkingDay(today)) return { today, workingDay: false, created: [] };
  const at = deps.clock().toISOString();
  const entries: OwnEntry[] = [];
  // A finished request has no clock and no consultation: only open ones can need a reminder.
  for (const app of await deps.applications.open()) {
    const view = deps.applications.view(app, 'staff');
    // The working day before a consultation's 15 days run out (第三十二条、第三十四条): chase the answer.
    if (view.paused && view.consultationEndsBy && calendar.workingDaysBetween(today, view.consultationEndsBy).count <= 1) {
      entries.push({
        key: `${app.id}:reminder:consultation-limit:${view.consultationEndsBy}`,
        kind: 'staff:consultation-limit',
        audience: 'staff',
        applicationId: app.id,
        createdAt: at,
        // The limit it was made for: the outbox may plan it later (several instances, a restart),
        // when the consultation already ended and the request says nothing of that date any more.
        data: { consultationEndsBy: chineseDate(view.consultationEndsBy) },
      });
    }
    const reminder = reminderFor(view, today, calendar);
    if (!reminder) continue;
    entries.push({
      key: `${app.id}:reminder:${reminder.threshold}:${view.dueDate}`,
      kind: `staff:${reminder.threshold}`,
      audience: 'staff',
      applicationId: app.id,
      createdAt: at,
      data: { daysLeft: String(reminder.daysLeft) },
    });
  }
  const added = await deps.repo.addEntries(entries);
  return { today, workingDay: true, created: added.map((e) => e.key) };
}

export interface DigestDeps {
  /** The open questions asked after `after` (all when null), oldest first. */
  unanswered: (after: string | null) => Promise<readonly UnansweredQuestion[]>;
  repo: NotifyRepository;
  calendar: () => Calendar;
  clock: () => Date;
}

export interface DigestResult {
  today: string;
  workingDay: boolean;
  count: number;
  created: string | null;
}

const DIGEST_KIND = 'staff:unanswered-digest';
const DIGEST_SAMPLES = 3;

/** One digest per working day of the open questions asked since the previous digest; none if there are none. */
export async function createUnansweredDigest(deps: DigestDeps): Promise<DigestResult> {
  const now = deps.clock();
  const today = todayInChina(now);
  if (!deps.calendar().isWorkingDay(today)) return { today, workingDay: false, count: 0, created: null };
  const key = `digest:unanswered:${today}`;
  if (await deps.repo.hasEntry(key)) return { today, workingDay: true, count: 0, created: null };
  const previous = (await deps.repo.latestEntry(DIGEST_KIND))?.createdAt ?? null;
  const fresh = await deps.unanswered(previous);
  if (fresh.length === 0) return { today, workingDay: true, count: 0, created: null };
  const since = previous ?? fresh.reduce((earliest, q) => (q.at < earliest ? q.at : earliest), fresh[0]!.at);
  const samples = fresh
    .slice(-DIGEST_SAMPLES)
    .map((q, i) => `${i + 1}. ${shorten(maskFreeText(q.text.replace(/\s+/g, ' ').trim()), 40)}`)
    .join('\n');
  await deps.repo.addEntries([
    {
      key,
      kind: DIGEST_KIND,
      audience: 'staff',
      applicationId: null,
      createdAt: now.toISOString(),
      data: { count: String(fresh.length), samples, since: chineseDate(todayInChina(new Date(since))) },
    },
  ]);
  return { today, workingDay: true, count: fresh.length, created: key };
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
