/**
 * The reply deadline (答复期限) and the 补正 notice deadline, with a plain-Chinese account of how
 * each was reached. The rules are docs/ARCHITECTURE.md's "Deadlines":
 * - reply due = addWorkingDays(clockStart, 20 + extensionDays + pausedWorkingDays);
 * - clockStart = receivedOn, or the latest supplement-received date once a 补正 was asked
 *   (第三十条: "答复期限自行政机关收到补正的申请之日起计算");
 * - while a 补正 is outstanding the reply clock does not run: there is no due date until the
 *   supplement arrives, because the 20 days will start again from that date;
 * - a consultation (第三十三条第三款) pauses the clock: every working day d with start < d <= end
 *   adds one working day; while one is open the due date is null. Only days after clockStart
 *   count: a consultation before the clock restarted has no period left to extend;
 * - the consulted party has 15 working days to answer (第三十二条 a third party, 第三十四条 another
 *   agency, whose silence is consent), counted here from the day the request went out. So the pause
 *   ends at the answer or at that limit, whichever is first: a late answer, or none, pauses no more;
 * - a fee notice does not pause the clock (the design does not say it does; reference §1.5
 *   leaves open whether the 20 working days for paying are excluded);
 * - 补正 notice due = addWorkingDays(receivedOn, 7);
 * - a range that reaches a year the calendar does not cover is counted Monday–Friday and makes
 *   the result provisional.
 */
import { addDays, yearOf, type Calendar, type DayInfo } from '../calendar.js';
import type { History } from './history.js';
import { chineseDate, chineseDateWithWeekday as dateW, weekdayName } from './labels.js';
import { CONSULTATION_WORKING_DAYS, REPLY_WORKING_DAYS, SUPPLEMENT_NOTICE_WORKING_DAYS } from './periods.js';


export interface Deadline {
  /** The date after which the 20 working days are counted; null before receipt or while a 补正 is outstanding. */
  clockStart: string | null;
  dueDate: string | null;
  /** The clock is stopped now: a 补正 is awaited or a consultation is open. */
  paused: boolean;
  /** Working days added by closed consultations. */
  pausedWorkingDays: number;
  /** Some range used reached a year the calendar does not cover. */
  provisional: boolean;
  supplementNoticeDue: string | null;
  /** The last day of the open consultation's 15 working days: the pause ends then at the latest. */
  consultationEndsBy: string | null;
  explanation: string[];
}

/** `today` decides whether an unanswered consultation has run out its 15 days; without it, it has not. */
export function computeDeadline(h: History, calendar: Calendar, today?: string): Deadline {
  // A deadline on a weekend surprises staff unless it says it is a make-up working day.
  const deadlineDay = (date: string): string => {
    const day = calendar.describeDay(date);
    return `${chineseDate(date)}（${weekdayName(day.weekday)}${day.kind === 'makeup' ? '，调休上班日' : ''}）`;
  };
  const lines: string[] = [];
  const ranges: [string, string][] = [];
  let consultationEndsBy: string | null = null;
  const result = (partial: Omit<Deadline, 'provisional' | 'explanation' | 'consultationEndsBy'>): Deadline => {
    const uncovered = uncoveredYears(calendar, ranges);
    for (const year of uncovered) {
      lines.push(
        `注意：日历中还没有${year}年的放假安排，${year}年的日子暂按周一至周五、除去法律规定的节日假期计算，结果仅供参考；国务院公布${year}年放假安排后，请上传该年日历。`,
      );
    }
    return { ...partial, consultationEndsBy, provisional: uncovered.length > 0, explanation: lines };
  };

  const received = h.receivedOn;
  if (!received) {
    lines.push('尚未确认收到申请。答复期限从收到申请的次日起算（第三十一条、第三十三条）。');
    return result({ clockStart: null, dueDate: null, paused: false, pausedWorkingDays: 0, supplementNoticeDue: null });
  }
  lines.push(`${dateW(received)}收到申请（第三十一条）。`);

  const notice = calendar.addWorkingDays(received, SUPPLEMENT_NOTICE_WORKING_DAYS);
  ranges.push([received, notice.date]);
  const firstRequest = h.supplementRequests[0];
  lines.push(
    `如需补正，应在收到申请后${SUPPLEMENT_NOTICE_WORKING_DAYS}个工作日内一次性告知，即不晚于${deadlineDay(notice.date)}（第三十条）` +
      (firstRequest && firstRequest.on > notice.date ? `；实际于${chineseDate(firstRequest.on)}告知，晚于该期限。` : '。'),
  );

  h.supplementRequests.forEach((request, i) => {
    lines.push(`${chineseDate(request.on)}要求补正：${request.items.join('；')}。`);
    const arrived = h.supplementsReceived[i];
    if (arrived) lines.push(`${chineseDate(arrived)}收到补正。`);
  });
  if (h.supplementPending) {
    lines.push(
      h.status === 'awaiting-supplement'
        ? `正在等待申请人补正，答复期限暂不计算；收到补正后，从次日起重新计算${REPLY_WORKING_DAYS}个工作日（第三十条）。`
        : '申请人没有补正，答复期限没有重新起算。',
    );
    return result({
      clockStart: null,
      dueDate: null,
      paused: h.status === 'awaiting-supplement',
      pausedWorkingDays: 0,
      supplementNoticeDue: notice.date,
    });
  }

  const restartedOn = h.supplementsReceived.at(-1);
  const clockStart = restartedOn ?? received;
  lines.push(
    restartedOn
      ? `答复期限从收到补正之日（${dateW(restartedOn)}）的次日起重新计算（第三十条）。`
      : '答复期限从收到申请的次日起算。',
  );
  lines.push(`法定答复期限为${REPLY_WORKING_DAYS}个工作日（第三十三条第二款）。`);

  const extensionDays = h.extension?.days ?? 0;
  if (h.extension) {
    lines.push(`${chineseDate(h.extension.on)}经负责人同意，延长答复期限${h.extension.days}个工作日（第三十三条第二款）。`);
  }

  let pausedWorkingDays = 0;
  let open = false;
  for (const c of h.consultations) {
    const limit = calendar.addWorkingDays(c.start, CONSULTATION_WORKING_DAYS);
    const limitText = `${CONSULTATION_WORKING_DAYS}个工作日的答复期限至${deadlineDay(limit.date)}`;
    let end = c.end;
    if (end === null) {
      if (today === undefined || today <= limit.date) {
        open = true;
        consultationEndsBy = limit.date;
        ranges.push([c.start, limit.date]);
        lines.push(
          `${chineseDate(c.start)}起征求“${c.party}”的意见，尚未结束。征求意见的时间不计入答复期限，期限暂停；` +
            `对方${limitText}，收到意见或该日届满时（以先到者为准）恢复计算（第三十二条、第三十三条第三款、第三十四条）。`,
        );
        continue;
      }
      end = limit.date;
      lines.push(
        `征求“${c.party}”的意见，对方${limitText}，届满未提出意见：暂停到此为止，次日起恢复计算。` +
          '第三方逾期未提出意见的，由本机关依照条例决定是否公开（第三十二条）；其他机关逾期未提出意见的，视为同意公开（第三十四条）。',
      );
    } else if (end > limit.date) {
      lines.push(`征求“${c.party}”意见：对方${limitText}，${chineseDate(end)}才回复，超出的时间计入答复期限（第三十二条、第三十四条）。`);
      end = limit.date;
    }
    if (restartedOn && end <= restartedOn) {
      lines.push(`征求“${c.party}”意见（${chineseDate(c.start)}至${chineseDate(end)}）在答复期限重新起算之前，不影响期限。`);
      continue;
    }
    const from = c.start > clockStart ? c.start : clockStart;
    const paused = calendar.workingDaysBetween(from, end);
    ranges.push([from, end]);
    pausedWorkingDays += paused.count;
    lines.push(
      `征求“${c.party}”意见：${chineseDate(c.start)}至${chineseDate(end)}，其间${paused.count}个工作日不计入答复期限（第三十三条第三款）。`,
    );
  }

  for (const fee of h.feeNotices) {
    lines.push(`${chineseDate(fee.on)}发出信息处理费收费通知（${fee.amount}元）；等待缴费期间，答复期限照常计算。`);
  }

  if (open) {
    return result({ clockStart, dueDate: null, paused: true, pausedWorkingDays, supplementNoticeDue: notice.date });
  }

  const total = REPLY_WORKING_DAYS + extensionDays + pausedWorkingDays;
  if (total !== REPLY_WORKING_DAYS) {
    const parts = [`${REPLY_WORKING_DAYS}`];
    if (extensionDays) parts.push(`${extensionDays}（延期）`);
    if (pausedWorkingDays) parts.push(`${pausedWorkingDays}（征求意见）`);
    lines.push(`合计 ${parts.join(' + ')} = ${total} 个工作日。`);
  }

  const due = calendar.addWorkingDays(clockStart, total);
  ranges.push([clockStart, due.date]);
  lines.push(...describeDays(calendar.daysBetween(clockStart, due.date)));
  lines.push(`答复期限：${deadlineDay(due.date)}。`);
  if (h.decision) {
    lines.push(`${chineseDate(h.decision.on)}作出答复，${h.decision.on <= due.date ? '在答复期限内' : '晚于答复期限'}。`);
  }

  return result({ clockStart, dueDate: due.date, paused: false, pausedWorkingDays, supplementNoticeDue: notice.date });
}

/** One line per run of days off (holidays with their adjoining weekends, or a plain weekend), one per make-up day. */
function describeDays(days: DayInfo[]): string[] {
  const lines: string[] = [];
  let run: DayInfo[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = run[0];
    const last = run[run.length - 1];
    const span = run.length === 1 ? dateW(first.date) : `${chineseDate(first.date)}至${chineseDate(last.date)}`;
    const holidays = [...new Set(run.flatMap((d) => (d.kind === 'holiday' && d.holiday ? [d.holiday] : [])))];
    lines.push(`不计：${span}，${holidays.length > 0 ? `${holidays.join('、')}放假` : '周末'}。`);
    run = [];
  };
  for (const day of days) {
    if (!day.working) {
      run.push(day);
      continue;
    }
    flush();
    if (day.kind === 'makeup') lines.push(`计入：${dateW(day.date)}是${day.holiday}调休上班日。`);
  }
  flush();
  return lines;
}

/** The years not covered by the calendar that the ranges (a, b] touch, ascending. */
function uncoveredYears(calendar: Calendar, ranges: [string, string][]): number[] {
  const years = new Set<number>();
  for (const [a, b] of ranges) {
    if (b <= a) continue;
    for (let y = yearOf(addDays(a, 1)); y <= yearOf(b); y += 1) {
      if (!calendar.covers(y)) years.add(y);
    }
  }
  return [...years].sort((x, y) => x - y);
}
