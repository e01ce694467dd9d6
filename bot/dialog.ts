// What the official account says back. One function from an inbound message to one reply text,
// independent of Wechaty, so it reads (and is tested) as the conversation it is.
import { randomBytes } from 'node:crypto';
import { parseTrackingNo } from '../src/domain/tracking-number.js';
import { chineseDate } from '../src/domain/applications/labels.js';
import type { ApplicationsService } from '../src/applications/service.js';
import type { ConversationsRepo, Turn } from '../src/store/conversations-repo.js';
import { isStoreWriteError } from '../src/store/write-faults.js';
import { answerForm, isExpired, startForm, type FormState } from './chat-form.js';

/**
 * One message from a user. `messageId` is stable across WeChat's resends of the same push (the
 * puppet uses the push's dedupe key), so a resend is answered with the reply already given.
 */
export type Inbound = { openid: string; messageId?: string } & (
  | { kind: 'text'; text: string }
  | { kind: 'event'; event: string; key: string }
  | { kind: 'other' }
);

/** What the dialog needs of the guide (src/guide). */
export interface GuideAnswerer {
  ask(question: string): {
    status: 'answered' | 'unsure' | 'out-of-scope';
    /** The answer: the sure one when answered, the best guess when unsure. */
    answer?: string;
    title?: string;
    entry?: { id: string };
    alternatives: Array<{ id: string; title: string }>;
    /** Words of the office's own business (人防工程, 警报试鸣…) in the question. */
    business?: string[];
  };
  answerById(id: string): { title: string; answer: string } | null;
}

/** Published catalog items about the office's own business (src/catalog); optional. */
export interface CatalogFinder {
  related(words: string[], limit: number): Array<{ title: string; url: string | null; publishedOn: string }>;
}

/** What the dialog needs of subscriptions (src/catalog); optional until catalog is wired. */
export interface SubscriptionsHandler {
  handle(openid: string, text: string): Promise<string | null>;
  unsubscribeAll(openid: string): Promise<void>;
}

export interface DialogDeps {
  guide: GuideAnswerer;
  applications: ApplicationsService;
  conversations: ConversationsRepo;
  agency: { name: string; contact: string };
  subscriptions?: SubscriptionsHandler;
  catalog?: CatalogFinder;
  /** Staff binding their WeChat ("绑定 123456"); null when the text is not about binding. */
  staffBinding?: (openid: string, text: string) => Promise<string | null>;
  clock?: () => Date;
}

/** Menu keys of data/menu.json. */
export const MENU = { guide: 'GUIDE', apply: 'APPLY', track: 'TRACK', subscribe: 'SUBSCRIBE', contact: 'CONTACT' } as const;

export function createDialog(deps: DialogDeps) {
  const clock = deps.clock ?? (() => new Date());
  // The topics related to the last answer, per user, for "还有呢"; and the numbered choices shown
  // with a best guess, which "2" or a title opens. Losing them on a restart costs nothing: the
  // citizen asks again.
  const offered = new Map<string, Array<{ id: string; title: string }>>();
  const numberedChoices = new Map<string, Array<{ id: string; title: string }>>();

  const greeting = () =>
    `欢迎关注${deps.agency.name}！在这里您可以：\n` +
    '1. 咨询政府信息公开：直接提问，如“申请公开要多久”\n' +
    '2. 在线申请公开：回复“我要申请”\n' +
    '3. 查询申请进度：回复“查询进度”或申请编号\n' +
    '4. 订阅新公开的信息：回复“订阅”\n' +
    '回复“帮助”可随时查看本说明。';

  const help = () =>
    '可以这样用：\n' +
    '· 直接提问，如“要收费吗”“对答复不服怎么办”\n' +
    '· “我要申请”：在对话里填写公开申请\n' +
    '· “查询进度”或发送申请编号（如 2026-000123）\n' +
    '· “订阅 财政预决算”“我的订阅”“取消订阅”\n' +
    `· “联系我们”：${deps.agency.contact}`;

  /**
   * Answers one message. What the message changes (the form, an unanswered question) is saved in
   * the same write as the reply given, so a resend after a crash is answered, not applied twice.
   */
  async function respond(input: Inbound): Promise<string | null> {
    if (input.messageId) {
      const earlier = deps.conversations.answeredReply(input.openid, input.messageId);
      if (earlier !== undefined) return earlier;
    }
    const changes: Omit<Turn, 'reply'> = { messageId: input.messageId };
    const reply = await answer(input, changes);
    try {
      await deps.conversations.saveTurn(input.openid, { ...changes, reply }, clock());
    } catch (error) {
      // A full disk must not silence answers that change nothing (the guide, a status query): a
      // resend is then answered again, the same way. A change that cannot be saved is refused.
      if (isStoreWriteError(error) && changes.form === undefined && !changes.unanswered) return reply;
      throw error;
    }
    return reply;
  }

  async function answer(input: Inbound, turn: Omit<Turn, 'reply'>): Promise<string | null> {
    if (input.kind === 'event') return onEvent(input, turn);
    if (input.kind === 'other') return '目前只能处理文字消息。请直接输入您的问题，或回复“帮助”。';
    const text = input.text.trim();
    if (text === '') return help();
    const binding = await deps.staffBinding?.(input.openid, text);
    if (binding) return binding;

    const form = deps.conversations.form<FormState>(input.openid);
    if (form) {
      if (isExpired(form, clock())) {
        turn.form = null;
        if (!/^我要申请|申请公开$/.test(text)) {
          return '您之前填写的申请已超过一天未完成，为保护您的信息已自动清除。如需申请，请回复“我要申请”重新开始。';
        }
      } else {
        return continueForm(input.openid, form, text, turn);
      }
    }

    if (/^(帮助|help|\?|？|菜单)$/i.test(text)) return help();
    if (/^(你好|您好|hi|hello|在吗)[!！。.]*$/i.test(text)) return greeting();
    if (/^(我要申请|我想申请|在线申请|申请公开|依申请公开申请)$/.test(text)) return beginForm(turn);
    if (/^(联系我们|联系方式|电话)$/.test(text)) return deps.agency.contact;
    const tracking = parseTrackingNo(text);
    if (tracking || /^(查询进度|进度查询|查进度|我的申请)$/.test(text)) return progress(input.openid, tracking?.trackingNo ?? null);
    if (/^(还有呢|还有吗|其他的?|更多)$/.test(text)) return more(input.openid);
    const chosen = choice(input.openid, text);
    if (chosen) return chosen;
    // A command with nothing to act on is answered as such, not taken for a question to staff.
    if (/^(取消|退出|算了|不用了|结束|返回)[!！。.]*$/.test(text)) return '当前没有需要取消的操作。请直接输入您的问题，或回复“帮助”查看用法。';
    if (deps.subscriptions) {
      const handled = await deps.subscriptions.handle(input.openid, text);
      if (handled !== null) return handled;
    }
    return ask(input.openid, text, turn);
  }

  async function onEvent(input: Extract<Inbound, { kind: 'event' }>, turn: Omit<Turn, 'reply'>): Promise<string | null> {
    switch (input.event) {
      case 'subscribe':
        return greeting();
      case 'unsubscribe':
        // Leaving the account ends every subscription and drops a half-filled form.
        await deps.subscriptions?.unsubscribeAll(input.openid);
        turn.form = null;
        return null;
      case 'CLICK':
        switch (input.key) {
          case MENU.guide:
            return ask(input.openid, '信息公开指南', turn);
          case MENU.apply:
            return beginForm(turn);
          case MENU.track:
            return progress(input.openid, null);
          case MENU.subscribe:
            return deps.subscriptions ? ((await deps.subscriptions.handle(input.openid, '订阅')) ?? help()) : help();
          case MENU.contact:
            return deps.agency.contact;
          default:
            return help();
        }
      case 'SCAN':
        return greeting();
      default:
        return null;
    }
  }

  function beginForm(turn: Omit<Turn, 'reply'>): string {
    const { state, reply } = startForm(clock());
    turn.form = state;
    return reply;
  }

  async function continueForm(openid: string, form: FormState, text: string, turn: Omit<Turn, 'reply'>): Promise<string> {
    const step = answerForm(form, text, clock());
    if (step.kind === 'cancelled') {
      turn.form = null;
      return step.reply;
    }
    if (step.kind === 'ask') {
      turn.form = step.state;
      return step.reply;
    }
    // The form's id makes the submission idempotent: a repeated "确认" for this form cannot create a
    // second request, even if the first answer was lost on the way.
    const { application } = await deps.applications.submit(step.application, {
      channel: 'wechat',
      openid,
      by: 'applicant',
      idempotencyKey: `chat-form-${step.state.id}`,
    });
    turn.form = null;
    const view = deps.applications.view(application, 'applicant');
    return (
      `申请已提交，申请编号 ${view.trackingNo}。\n` +
      (view.receivedOn
        ? `收到日期：${chineseDate(view.receivedOn)}。` +
          (view.dueDate ? `我们将最迟于 ${chineseDate(view.dueDate)}（含当日）答复（20 个工作日，《政府信息公开条例》第三十三条）。` : '')
        : '工作人员确认收到后会通知您。') +
      '\n回复“查询进度”或申请编号可随时查看办理情况。'
    );
  }

  function progress(openid: string, trackingNo: string | null): string {
    const mine = deps.applications.listMine(openid);
    // A tracking number is sequential and guessable: only the applicant's own requests are shown.
    const chosen = trackingNo ? mine.filter((a) => a.trackingNo === trackingNo) : mine.slice(0, 3);
    if (chosen.length === 0) {
      return trackingNo
        ? `没有找到您名下编号为 ${trackingNo} 的申请。请核对编号；通过其他渠道提交的申请请致电查询：${deps.agency.contact}`
        : '您还没有通过本公众号提交过申请。回复“我要申请”开始填写。';
    }
    return chosen
      .map((app) => {
        const v = deps.applications.view(app, 'applicant');
        let line = `申请 ${v.trackingNo}：${v.statusLabel}`;
        if (v.outcomeLabel) line += `（${v.outcomeLabel}）`;
        if (v.paused) line += '，征求第三方意见期间答复期限暂停计算';
        else if (v.status === 'awaiting-supplement') line += '，请按补正告知的要求补充材料';
        else if (v.dueDate && !v.closedOn) line += `，答复期限 ${chineseDate(v.dueDate)}`;
        return line + '。';
      })
      .join('\n');
  }

  function more(openid: string): string {
    const alternatives = offered.get(openid);
    if (!alternatives?.length) return '请直接输入您想了解的问题，例如“申请公开要多久”。';
    const [first, ...rest] = alternatives;
    offered.set(openid, rest);
    const entry = deps.guide.answerById(first!.id);
    return entry ? `【${entry.title}】\n${entry.answer}` : '请直接输入您想了解的问题。';
  }

  /** "2", "第2个" or a title just offered answers that topic; anything else is not a choice. */
  function choice(openid: string, text: string): string | null {
    const choices = numberedChoices.get(openid) ?? [];
    const number = /^(?:第\s*)?(\d{1,3})\s*(?:个|条|项)?[.。、]?$/.exec(text);
    if (number && choices.length === 0) return '请直接输入您想了解的问题，例如“申请公开要多久”。';
    const picked = number ? choices[Number(number[1]) - 1] : choices.find((c) => c.title === text.replace(/[?？。]$/, ''));
    if (!picked) return number ? `请回复 1 到 ${choices.length} 之间的数字，或直接输入您的问题。` : null;
    const entry = deps.guide.answerById(picked.id);
    return entry ? `【${entry.title}】\n${entry.answer}` : null;
  }

  const numbered = (choices: Array<{ title: string }>) => choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n');

  function ask(openid: string, question: string, turn: Omit<Turn, 'reply'>): string {
    const result = deps.guide.ask(question);
    offered.set(openid, result.alternatives);
    numberedChoices.delete(openid);
    // The office's own business (警报试鸣, 人防工程…) is best answered by what it has published on it.
    const items = result.business?.length ? deps.catalog?.related(result.business, 3) ?? [] : [];
    if (items.length > 0) {
      // Bullets, not numbers: a number sent back opens only the numbered choices of a best guess.
      const list = items.map((item) => `· ${item.title}（${chineseDate(item.publishedOn)}）${item.url ? `\n${item.url}` : ''}`).join('\n');
      return `我们公开过这些相关信息：\n${list}\n还有疑问可以联系我们：${deps.agency.contact}`;
    }
    if (result.status === 'answered' && result.answer) return result.answer;
    if (result.status === 'unsure' && result.answer) {
      turn.unanswered = {
        id: randomBytes(6).toString('base64url'),
        text: question.slice(0, 500),
        at: clock().toISOString(),
        suggestions: [result.entry?.id, ...result.alternatives.map((a) => a.id)].filter((id): id is string => !!id),
        status: 'open',
        openid,
      };
      numberedChoices.set(openid, result.alternatives);
      const others = result.alternatives.length > 0
        ? `\n\n如果不是您想问的，回复数字查看：\n${numbered(result.alternatives)}`
        : '';
      return `【${result.title}】\n${result.answer}${others}\n（已转给工作人员，必要时会再答复您。）`;
    }
    if (result.business?.length) {
      return `关于${result.business[0]}方面的业务，请直接联系我们：${deps.agency.contact}\n政府信息公开方面的问题可以直接问我，回复“帮助”查看用法。`;
    }
    return (
      '这个问题不在政府信息公开的范围内，我回答不了，抱歉。其他政务服务可以拨打政务服务便民热线 12345 咨询。\n' +
      '我可以解答：怎样申请公开、多久答复、收不收费、对答复不服怎么办等，回复“帮助”查看用法。'
    );
  }

  return { respond, greeting, help };
}

export type Dialog = ReturnType<typeof createDialog>;
