/** Chinese names of statuses and events, for staff screens, refusals and explanations. */
import { weekdayOf } from '../calendar.js';
import type { ApplicationStatus, EventType } from './types.js';

export const STATUS_LABELS: Readonly<Record<ApplicationStatus, string>> = {
  submitted: '待确认收到',
  processing: '办理中',
  'awaiting-supplement': '等待补正',
  consulting: '征求意见中',
  'awaiting-fee': '等待缴费',
  decided: '已答复待送达',
  delivered: '已送达',
  closed: '已终止',
};

export const EVENT_LABELS: Readonly<Record<EventType, string>> = {
  submit: '提交申请',
  receive: '确认收到',
  'request-supplement': '要求补正',
  'supplement-received': '收到补正',
  'supplement-expired': '补正逾期',
  'consult-start': '开始征求意见',
  'consult-end': '征求意见结束',
  extend: '延期答复',
  'fee-notice': '发出收费通知',
  'fee-paid': '已缴费',
  'fee-expired': '逾期未缴费',
  decide: '作出答复',
  deliver: '送达答复',
  withdraw: '撤回申请',
};

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** '2025-10-29' → '2025年10月29日' */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** '2025-10-29' → '2025年10月29日（周三）' */
export function chineseDateWithWeekday(date: string): string {
  return `${chineseDate(date)}（${WEEKDAYS[weekdayOf(date)]}）`;
}

export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday];
}
