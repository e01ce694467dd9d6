// What the applicant is told about their request, in one vocabulary: the status of each state, the
// outcome and its ground, the due date (and whether it is provisional), the channel names. The chat's
// 查询进度, the mini-program API and the notifications all read from here, so a citizen hears the
// same words wherever they ask, and a wrong sentence is fixed once.
import { REPLY_WORKING_DAYS, chineseDate, type ApplicationStatus } from '../domain/applications/index.js';
import { yearOf } from '../domain/calendar.js';
import { getOutcome, isOutcomeId, isWithheldOutcomeId, withholdingArticles, type OutcomeId } from '../domain/outcomes.js';
import { DELIVERY_METHOD_LABELS } from '../domain/application-form.js';
import type { Channel } from '../store/applications-repo.js';
import type { ApplicationView } from './view.js';
import type { ApplicantMessageKind } from './intents.js';

/** The ways a request came in, as everyone (applicant, staff, messages) names them. */
export const CHANNEL_NAMES: Readonly<Record<Channel, string>> = {
  miniprogram: '小程序',
  wechat: '公众号',
  staff: '窗口、信函或传真',
  import: '历史记录导入',
};

/** Outcomes that give the applicant less than they asked for: their messages state the ground. */
export function isRefusal(outcome: OutcomeId): boolean {
  return outcome !== 'granted' && outcome !== 'already-public' && outcome !== 'other';
}

/** The part of an outcome's label after "不予公开：", e.g. 属于国家秘密; the whole label when it has none. */
function groundOf(outcome: OutcomeId): string {
  const label = getOutcome(outcome).label;
  const colon = label.indexOf('：');
  return colon >= 0 ? label.slice(colon + 1) : label;
}

/**
 * A refusal's ground in one line: why, and the articles of the 条例 it rests on. For 部分公开, the
 * withheld part's ground when the clerk recorded it. Null for an outcome that refuses nothing.
 */
export function groundLine(outcome: OutcomeId, partialGround?: unknown): string | null {
  if (!isRefusal(outcome)) return null;
  if (outcome === 'partial') {
    if (isWithheldOutcomeId(partialGround)) {
      return `理由：不能公开的部分${groundOf(partialGround)}（《政府信息公开条例》第三十七条、${withholdingArticles(partialGround)}）`;
    }
    return '理由：部分内容依法不予公开，具体见答复书（《政府信息公开条例》第三十七条）';
  }
  const article = isWithheldOutcomeId(outcome) ? withholdingArticles(outcome) : getOutcome(outcome).article;
  return `理由：${groundOf(outcome)}${article ? `（《政府信息公开条例》${article}）` : ''}`;
}

export interface ApplicantStatus {
  /** The status's name, as the applicant sees it. */
  label: string;
  /** At most 5 characters: the phrase field of WeChat templates. */
  phrase: string;
  /** One sentence on where the request stands and what happens next (without the tracking number). */
  line(view: ApplicationView): string;
}

/** A due date as the applicant reads it, with a warning when the year's holidays are not yet known. */
export function dueDateText(view: Pick<ApplicationView, 'dueDate' | 'dueDateProvisional'>): string {
  if (!view.dueDate) return '待定';
  return view.dueDateProvisional ? `${chineseDate(view.dueDate)}（暂定）` : chineseDate(view.dueDate);
}

/** Why a due date is provisional, in one sentence; '' when it is not. */
/** What a 补正 received means for the reply (第三十条、第三十三条): the chat's confirmation and the notification. */
export function supplementReceivedLine(dueText: string): string {
  return `答复期限从收到补正之日起重新计算，我们将最迟于${dueText}（含当日）作出答复（条例第三十条、第三十三条）。`;
}

export function provisionalNote(view: Pick<ApplicationView, 'dueDate' | 'dueDateProvisional'>): string {
  if (!view.dueDate || !view.dueDateProvisional) return '';
  return `${yearOf(view.dueDate)}年的放假调休安排尚未公布，这个日期按周一至周五推算，已除去法律规定的节日假期，调休安排公布后可能变动。`;
}

const due = (view: ApplicationView) => {
  const note = provisionalNote(view);
  return `答复期限 ${dueDateText(view)}${note ? `。${note.replace(/。$/, '')}` : ''}`;
};

/** What the applicant sends in the chat to answer a 补正 notice (the form bot/supplement-chat.ts parses). */
const SUPPLEMENT_REPLY = '回复“补正：补充的内容”';
const MY_APPLICATIONS = '“我的申请”';
const BY_NOTICE = '按补正告知书写明的方式提交';

/**
 * How the applicant sends a 补正, by the way they applied: `inLine` inside the 查询进度 sentence,
 * `inMessage` as a sentence of its own in the 补正 notification ('' where the notice says how).
 */
export const SUPPLEMENT_HOW: Readonly<Record<Channel, { inLine: string; inMessage: string }>> = {
  wechat: {
    inLine: `在${CHANNEL_NAMES.wechat}${SUPPLEMENT_REPLY}提交，也可以发送图片`,
    inMessage: `在本${CHANNEL_NAMES.wechat}${SUPPLEMENT_REPLY}即可，也可以直接发送图片。`,
  },
  miniprogram: {
    inLine: `在${CHANNEL_NAMES.miniprogram}${MY_APPLICATIONS}中提交补正`,
    inMessage: `在${CHANNEL_NAMES.miniprogram}${MY_APPLICATIONS}中打开这件申请即可提交。`,
  },
  staff: { inLine: BY_NOTICE, inMessage: '' },
  import: { inLine: BY_NOTICE, inMessage: '' },
};

/** One table, one entry per state: the compiler insists every state has its words. */
export const APPLICANT_STATUS: Readonly<Record<ApplicationStatus, ApplicantStatus>> = {
  submitted: {
    label: '待确认收到',
    phrase: '已提交',
    line: () => `已提交，等待工作人员确认收到；自收到之日起${REPLY_WORKING_DAYS}个工作日内答复（条例第三十三条）`,
  },
  processing: {
    label: '办理中',
    phrase: '办理中',
    line: (view) => `办理中，${due(view)}`,
  },
  'awaiting-supplement': {
    label: '等待补正',
    phrase: '需补正',
    line: (view) => {
      const pending = view.pendingSupplement;
      const items = pending ? `需要补正：${pending.items.join('；')}。` : '';
      const by = pending?.dueBy ? `请最迟于${chineseDate(pending.dueBy)}（含当日）` : '请在补正告知书写明的期限内';
      return `等待您补正，答复期限暂停计算。${items}${by}${SUPPLEMENT_HOW[view.channel].inLine}；收到补正后重新计算${REPLY_WORKING_DAYS}个工作日`;
    },
  },
  consulting: {
    label: '征求意见中',
    phrase: '征求意见',
    line: (view) =>
      view.paused
        ? `正在征求第三方或其他机关的意见，征求意见期间答复期限暂停计算${view.consultationEndsBy ? `，最迟于${chineseDate(view.consultationEndsBy)}后恢复计算` : ''}`
        : `征求意见的期限已满，答复期限已恢复计算，${due(view)}`,
  },
  'awaiting-fee': {
    label: '等待缴费',
    phrase: '待缴费',
    line: (view) => `等待您缴纳信息处理费（见收费通知书），${due(view)}`,
  },
  decided: {
    label: '已答复',
    phrase: '已答复',
    line: (view) => {
      const outcome = view.outcome && isOutcomeId(view.outcome) ? view.outcome : null;
      const ground = outcome ? groundLine(outcome, groundOfDecision(view)) : null;
      // With a ground, the label's own "：属于…" would say the reason twice.
      const verdict = outcome ? (ground ? getOutcome(outcome).label.split('：')[0] : getOutcome(outcome).label) : '见答复书';
      return `已作出答复：${verdict}${ground ? `。${ground}` : ''}。答复书将通过${DELIVERY_METHOD_LABELS[view.delivery.method]}送达`;
    },
  },
  delivered: {
    label: '已送达',
    phrase: '已送达',
    line: (view) => {
      const outcome = view.outcome && isOutcomeId(view.outcome) ? view.outcome : null;
      return `答复书已于${view.deliveredOn ? chineseDate(view.deliveredOn) : '近日'}送达：${outcome ? getOutcome(outcome).label : '见答复书'}`;
    },
  },
  closed: {
    label: '已终止',
    phrase: '已终止',
    line: (view) => {
      if (view.timeline.at(-1)?.type === 'withdraw') return '已按您的要求撤回，办理终止';
      const outcome = view.outcome && isOutcomeId(view.outcome) ? view.outcome : null;
      return `办理终止：${outcome ? getOutcome(outcome).citizenText.replace(/。$/, '') : '申请已结束办理'}`;
    },
  },
};

/**
 * The status word (a template's phrase field, at most 5 characters) of each message the applicant
 * receives: the state the request is now in where that says what happened, else the step itself.
 * The notifications' templates (data/notify/templates.json) take their {status} from here.
 */
export const MESSAGE_STATUS: Readonly<Record<ApplicantMessageKind, string>> = {
  receipt: '已受理',
  'supplement-requested': APPLICANT_STATUS['awaiting-supplement'].phrase,
  'supplement-received': '已收补正',
  'consultation-started': '暂停计时',
  'consultation-ended': '恢复计时',
  extended: '已延期',
  'fee-notice': APPLICANT_STATUS['awaiting-fee'].phrase,
  decided: APPLICANT_STATUS.decided.phrase,
  delivered: APPLICANT_STATUS.delivered.phrase,
  'closed-no-supplement': APPLICANT_STATUS.closed.phrase,
  'closed-fee-unpaid': APPLICANT_STATUS.closed.phrase,
  withdrawn: '已撤回',
};

/** The 部分公开 decision's recorded ground for its withheld part, if any. */
function groundOfDecision(view: ApplicationView): unknown {
  return view.timeline.findLast((e) => e.type === 'decide')?.ground;
}

/** What the applicant is told about their request: the 查询进度 line and its parts. */
export function tellApplicant(view: ApplicationView): { label: string; phrase: string; line: string; summary: string } {
  const status = APPLICANT_STATUS[view.status];
  const line = status.line(view);
  return { label: status.label, phrase: status.phrase, line, summary: `申请 ${view.trackingNo}：${line}。` };
}
