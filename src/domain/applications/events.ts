/**
 * Turns untrusted event input (the staff API, historical imports, the applicant's supplement or
 * withdrawal) into a typed event, or says in Chinese which fields are wrong. Whether the event
 * fits the application's history is applyEvent's business, not this module's.
 */
import { isIsoDate } from '../calendar.js';
import { MAX_FEE_YUAN } from '../fees.js';
import { MAX_EXTENSION_DAYS, MAX_SUPPLEMENT_DAYS } from './periods.js';
import { WITHHELD_OUTCOME_IDS, isOutcomeId, isWithheldOutcomeId } from '../outcomes.js';
import {
  DELIVERY_METHODS,
  STAFF_EVENT_TYPES,
  type DeliveryMethod,
  type EventInput,
  type StaffEvent,
  type StaffEventType,
} from './types.js';

export type EventValidation =
  | { ok: true; event: EventInput }
  | { ok: false; message: string; fields: Record<string, string> };


function isStaffEventType(value: unknown): value is StaffEventType {
  return typeof value === 'string' && (STAFF_EVENT_TYPES as readonly string[]).includes(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function validateEvent(input: unknown): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail({ type: '请提交一个事件对象，例如 {"type":"receive","on":"2025-09-25"}' });
  }
  const raw = input as Record<string, unknown>;
  const fields: Record<string, string> = {};

  const type = raw.type;
  if (type === 'submit') {
    fields.type = '“提交申请”由系统在申请提交时自动记录，不能手动添加';
  } else if (!isStaffEventType(type)) {
    fields.type = `未知的事件类型：${JSON.stringify(type ?? '')}，应为 ${STAFF_EVENT_TYPES.join('、')} 之一`;
  }
  if (!isIsoDate(raw.on)) fields.on = '日期应为 YYYY-MM-DD 格式的有效日期，例如 2025-09-25';
  if (fields.type) return fail(fields);

  const on = raw.on as string;
  const kind = type as StaffEventType;
  let event: EventInput | undefined;
  switch (kind) {
    case 'request-supplement': {
      const items = Array.isArray(raw.items) ? raw.items.map(text) : [];
      const days = raw.days;
      if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_SUPPLEMENT_DAYS)) {
        fields.days = `补正期限应为 1 到 ${MAX_SUPPLEMENT_DAYS} 之间的整数（工作日）`;
      }
      if (items.length === 0 || items.some((i) => i === undefined)) {
        fields.items = '请逐条列出需要补正的事项（不能为空）';
      } else if (!fields.days) {
        event = { type: 'request-supplement', on, items: items as string[], ...(typeof days === 'number' ? { days } : {}) };
      }
      break;
    }
    case 'supplement-received': {
      if (raw.text !== undefined && typeof raw.text !== 'string') fields.text = '补正内容应为文字';
      const supplement = text(raw.text);
      event = { type: 'supplement-received', on, ...(supplement ? { text: supplement } : {}) };
      break;
    }
    case 'consult-start': {
      const party = text(raw.party);
      if (!party) fields.party = '请填写征求意见的对象（第三方或其他行政机关）';
      else event = { type: 'consult-start', on, party };
      break;
    }
    case 'extend': {
      const days = raw.days;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_DAYS) {
        fields.days = `延期天数应为 1 到 ${MAX_EXTENSION_DAYS} 之间的整数（第三十三条：延长的期限最长不得超过${MAX_EXTENSION_DAYS}个工作日）`;
      } else {
        event = { type: 'extend', on, days };
      }
      break;
    }
    case 'fee-notice': {
      const amount = raw.amount;
      if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) {
        fields.amount = '收费金额应为大于 0 的整数（单位：元）';
      } else if (amount > MAX_FEE_YUAN) {
        fields.amount = `收费金额不能超过 ${MAX_FEE_YUAN} 元（按量计收约 2.5 万页的金额），请核对是否多输了位数`;
      } else {
        event = { type: 'fee-notice', on, amount };
      }
      break;
    }
    case 'decide': {
      const outcome = raw.outcome;
      if (raw.reason !== undefined && typeof raw.reason !== 'string') fields.reason = '理由应为文字';
      const reason = text(raw.reason);
      // Every outcome, other-no-supplement and other-fee-unpaid included (docs/ARCHITECTURE.md, "Staff events"): a paper ledger
      // records "逾期不补正" or "逾期未缴费" as the result, without the notices before it. The console
      // still steers clerks to the expiry events, which keep the history complete.
      const ground = raw.ground;
      if (ground !== undefined && outcome !== 'partial') fields.ground = '只有“部分公开”需要填写不予公开部分的依据（ground）';
      else if (ground !== undefined && !isWithheldOutcomeId(ground)) {
        fields.ground = `不予公开部分的依据应为 ${WITHHELD_OUTCOME_IDS.join('、')} 之一`;
      }
      if (!isOutcomeId(outcome)) {
        fields.outcome = `未知的办理结果：${JSON.stringify(outcome ?? '')}`;
      } else if (!fields.ground) {
        event = { type: 'decide', on, outcome, ...(reason ? { reason } : {}), ...(isWithheldOutcomeId(ground) ? { ground } : {}) };
      }
      break;
    }
    case 'deliver': {
      const method = raw.method;
      if (typeof method !== 'string' || !(DELIVERY_METHODS as readonly string[]).includes(method)) {
        fields.method = `送达方式应为 ${DELIVERY_METHODS.join('、')} 之一`;
      } else {
        event = { type: 'deliver', on, method: method as DeliveryMethod };
      }
      break;
    }
    case 'receive':
    case 'supplement-expired':
    case 'consult-end':
    case 'fee-paid':
    case 'fee-expired':
    case 'withdraw':
      event = { type: kind, on } as EventInput;
      break;
  }

  if (Object.keys(fields).length > 0 || !event) return fail(fields);
  return { ok: true, event };
}

function fail(fields: Record<string, string>): EventValidation {
  return { ok: false, message: Object.values(fields).join('；'), fields };
}

/** Adds who recorded the event and when. */
export function stampEvent(input: EventInput, by: string, at: string): StaffEvent {
  return { ...input, by, at } as StaffEvent;
}
