// What the official account says back. One function from an inbound message to one reply text,
// independent of Wechaty, so it reads (and is tested) as the conversation it is.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTrackingNo } from '../src/domain/tracking-number.js';
import { chineseDate } from '../src/domain/applications/labels.js';
import { REPLY_WORKING_DAYS } from '../src/domain/applications/periods.js';
import { todayInChina as todayInChinaOf } from '../src/domain/calendar.js';
import type { ApplicationsService } from '../src/applications/service.js';
import { MESSAGE_CLAIM_MS, type ConversationsRepository, type Turn } from '../src/store/conversations-repo.js';
import { isStoreWriteError } from '../src/store/write-faults.js';
import { isConflictError } from '../src/store/conflict.js';
import { answerForm, currentPrompt, isExpired, startForm, type FormState } from './chat-form.js';
import { tellApplicant, dueDateText, provisionalNote } from '../src/applications/applicant-text.js';
import type { StoredApplication } from '../src/store/applications-repo.js';
import { CANCEL, START_SUPPLEMENT, createSupplementChat, isSupplementDraft, parseSupplementText, type SupplementDraft } from './supplement-chat.js';

/**
 * One message from a user. `messageId` is stable across WeChat's resends of the same push (the
 * puppet uses the push's dedupe key), so a resend is answered with the reply already given.
 */
export type Inbound = { openid: string; messageId?: string } & (
  | { kind: 'text'; text: string }
  | { kind: 'image'; url: string; mediaId: string }
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

type FoundItem = { title: string; url: string | null; publishedOn: string };

/** Published catalog items about the office's own business (src/catalog); optional. A query on the store. */
export interface CatalogFinder {
  related(words: string[], limit: number): FoundItem[] | Promise<FoundItem[]>;
  /** The newest published items, newest first ("最新公开的信息"). */
  latest?(limit: number): FoundItem[] | Promise<FoundItem[]>;
}

/** "最新公开的信息", "最近公开了什么"…: asks for the newest items, not a question for staff. */
const LATEST = /^(?:查看|看看)?(?:最新|最近|近期|新)(?:公开|发布)(?:的|了)?(?:政府)?(?:信息|内容|文件|什么)?(?:有哪些|是什么)?[?？。!！]*$/;
const LATEST_COUNT = 5;

/** What the dialog needs of subscriptions (src/catalog); optional until catalog is wired. */
export interface SubscriptionsHandler {
  handle(openid: string, text: string): Promise<string | null>;
  unsubscribeAll(openid: string): Promise<void>;
}

export interface DialogDeps {
  guide: GuideAnswerer;
  applications: ApplicationsService;
  conversations: ConversationsRepository;
  agency: { name: string; contact: string };
  subscriptions?: SubscriptionsHandler;
  catalog?: CatalogFinder;
  /** Staff binding their WeChat ("绑定 123456"); null when the text is not about binding. */
  staffBinding?: (openid: string, text: string) => Promise<string | null>;
  /** A citizen linking the mini-program ("关联 1234 5678"); null when the text is not about that. */
  identityLink?: (openid: string, text: string) => Promise<string | null>;
  /** The applicant's copies of their documents (补正 notice, reply letter), with their links. */
  documents?: {
    list(app: StoredApplication): Array<{ kind: string; eventIndex: number; title: string; url: string | null }>;
    urlFor(app: StoredApplication, eventIndex: number): string | null;
  };
  clock?: () => Date;
}

/** The chat's saved state per user: a half-filled application form or a 补正 draft. */
type ChatState = FormState | SupplementDraft;
/** As saved: suspended when left alone too long. */
type SavedState = ChatState & { suspended?: boolean };

/** How often a resend waits to see whether the delivery answering it has saved its reply. */
const CLAIM_POLL_MS = 200;

/** A form or draft left alone longer than this is kept, suspended, for the applicant to pick up or drop. */
export const SUSPENDED_KEEP_MS = 7 * 24 * 3600_000;

/** Menu keys of data/menu.json. */
export const MENU = { guide: 'GUIDE', apply: 'APPLY', track: 'TRACK', subscribe: 'SUBSCRIBE', contact: 'CONTACT', supplement: 'SUPPLEMENT', latest: 'LATEST' } as const;

/** Commands that work at any point, also while a form or a 补正 draft is open. */
const HELP = /^(帮助|help|\?|？|菜单)$/i;
const CONTACT = /^(联系我们|联系方式|电话)$/;
const APPLY = /^(我要申请|我想申请|在线申请|申请公开|依申请公开申请)$/;
const TRACK = /^(查询进度|进度查询|查进度|我的申请)$/;
const RESUME = /^(继续|继续填写|继续申请|接着填)$/;

export function createDialog(deps: DialogDeps) {
  const clock = deps.clock ?? (() => new Date());
  // The topics related to the last answer, per user, for "还有呢"; and the numbered choices shown
  // with a best guess, which "2" or a title opens. Losing them on a restart costs nothing: the
  // citizen asks again.
  const offered = new Map<string, Array<{ id: string; title: string }>>();
  const numberedChoices = new Map<string, Array<{ id: string; title: string }>>();
  // Who was just shown the subscription list, so that "取消" next is read as "no change".
  const sawSubscriptionList = new Set<string>();
  const supplements = createSupplementChat({
    applications: deps.applications,
    noticeUrl: (app, eventIndex) => deps.documents?.urlFor(app, eventIndex) ?? null,
  });

  const greeting = () =>
    `欢迎关注${deps.agency.name}！在这里您可以：\n` +
    '1. 咨询政府信息公开：直接提问，如“申请公开要多久”\n' +
    '2. 在线申请公开：回复“我要申请”\n' +
    '3. 查询申请进度：回复“查询进度”或申请编号；需要补正时回复“我要补正”\n' +
    '4. 订阅新公开的信息：回复“订阅”\n' +
    '回复“帮助”可随时查看本说明。';

  const help = () =>
    '可以这样用：\n' +
    '· 直接提问，如“要收费吗”“对答复不服怎么办”\n' +
    '· “我要申请”：在对话里填写公开申请\n' +
    '· “查询进度”或发送申请编号（如 2026-000123）\n' +
    '· “我要补正”或“补正：补充的内容”：回复补正告知，可以发送图片\n' +
    '· “订阅 财政预决算”“我的订阅”“取消订阅”\n' +
    `· “联系我们”：${deps.agency.contact}`;

  /**
   * Answers one message. What the message changes (the form, an unanswered question) is saved in
   * the same write as the reply given, so a resend after a crash is answered, not applied twice.
   * The message id is claimed first: a resend reaching another instance while this one answers
   * waits for this answer instead of giving a second one.
   */
  async function respond(input: Inbound): Promise<string | null> {
    if (input.messageId) {
      const earlier = await claim(input.openid, input.messageId);
      if (earlier) return earlier.reply;
    }
    try {
      return await answerAndSave(input);
    } catch (error) {
      // The next delivery of this message answers it again, as if this one had never come.
      if (input.messageId) await deps.conversations.releaseMessage(input.openid, input.messageId).catch(() => undefined);
      throw error;
    }
  }

  /** null: the message is ours to answer; otherwise the reply another delivery of it gave. */
  async function claim(openid: string, messageId: string): Promise<{ reply: string | null } | null> {
    const started = performance.now();
    for (;;) {
      const claimed = await deps.conversations.claimMessage(openid, messageId, clock());
      if (claimed === 'claimed') return null;
      if (claimed !== 'in-progress') return claimed;
      // A dead instance's claim expires by the clock the claims are dated with; should that clock
      // stand still (a test's), waiting longer than a claim lives ends the wait all the same.
      if (performance.now() - started > MESSAGE_CLAIM_MS) return null;
      await sleep(CLAIM_POLL_MS);
    }
  }

  /**
   * The form is read with its version and the turn saved against it: when another instance saved a
   * turn of this user in between (two messages at once), the message is answered again, once, from
   * the form as that turn left it.
   */
  async function answerAndSave(input: Inbound): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      const { form, version } = await deps.conversations.conversation(input.openid);
      const changes: Omit<Turn, 'reply'> = { messageId: input.messageId, version };
      const reply = await answer(input, (form as SavedState | undefined) ?? null, changes);
      try {
        return await deps.conversations.saveTurn(input.openid, { ...changes, reply }, clock());
      } catch (error) {
        if (isConflictError(error) && attempt === 1) continue;
        // A full disk must not silence answers that change nothing (the guide, a status query): a
        // resend is then answered again, the same way. A change that cannot be saved is refused.
        if (isStoreWriteError(error) && changes.form === undefined && !changes.unanswered) {
          if (input.messageId) await deps.conversations.releaseMessage(input.openid, input.messageId).catch(() => undefined);
          return reply;
        }
        throw error;
      }
    }
  }

  async function answer(input: Inbound, saved: SavedState | null, turn: Omit<Turn, 'reply'>): Promise<string | null> {
    if (input.kind === 'event') return onEvent(input, saved, turn);
    let state: SavedState | null = saved;
    let staleNotice = '';
    if (state && isExpired(state, clock())) {
      if (state.suspended) {
        // Kept a week for the applicant to pick up; then their personal data goes.
        if (clock().getTime() - Date.parse(state.updatedAt) > SUSPENDED_KEEP_MS) {
          turn.form = null;
          state = null;
        }
      } else {
        // Mentioned once; after that, messages are answered as usual until "继续" or "取消".
        state = { ...state, suspended: true };
        turn.form = state;
        staleNotice = isSupplementDraft(state)
          ? `您${shortDate(state.startedAt)}开始的补正（申请 ${state.trackingNo}）已超过一天未完成，还没有提交。回复“继续”接着补正，回复“取消”放弃。`
          : `您${shortDate(state.startedAt)}开始填写的申请已超过一天未完成，还没有提交。回复“继续”接着填写，回复“取消”放弃。`;
      }
    }

    if (input.kind === 'other') return withNote('目前只能处理文字消息和补正图片。请直接输入您的问题，或回复“帮助”。', staleNotice);
    if (input.kind === 'image') return withNote(await onImage(input, state, turn), staleNotice);
    const text = input.text.trim();
    if (text === '') return withNote(help(), staleNotice);
    const binding = await deps.staffBinding?.(input.openid, text);
    if (binding) return binding;
    const linking = await deps.identityLink?.(input.openid, text);
    if (linking) return linking;

    if (state?.suspended) {
      if (RESUME.test(text)) {
        const resumed = { ...state, suspended: undefined, updatedAt: clock().toISOString() };
        turn.form = resumed;
        return isSupplementDraft(resumed)
          ? `好的，继续补正申请 ${resumed.trackingNo}。请发送补充的文字或图片，发送完毕回复“提交补正”。`
          : `好的，接着填写。${currentPrompt(resumed)}`;
      }
      if (CANCEL.test(text)) {
        turn.form = null;
        return isSupplementDraft(state) ? '已放弃之前未完成的补正。需要时回复“我要补正”重新开始。' : '已放弃之前未完成的申请，填写的内容已删除。需要时回复“我要申请”重新开始。';
      }
      if (staleNotice && !isGlobal(text)) {
        // Most likely the answer to the old form's question: only a clear guide question is answered too.
        const guess = deps.guide.ask(text);
        return guess.status === 'answered' && guess.answer ? withNote(guess.answer, staleNotice) : staleNotice;
      }
      // A new form replaces the one left behind; anything else leaves it where it was.
      return withNote(await general(input.openid, text, turn, true), staleNotice);
    }

    if (state && isSupplementDraft(state)) {
      if (isGlobal(text)) return `${await general(input.openid, text, turn, false)}\n\n——\n您的补正还没有提交：继续发送内容，回复“提交补正”提交，或“取消”放弃。`;
      const step = await supplements.continue(input.openid, state, { text }, clock());
      turn.form = step.draft;
      return step.reply;
    }

    if (state) {
      const form = state as FormState;
      if (RESUME.test(text)) return currentPrompt(form);
      // Commands are answered, and the form waits at the step it was on.
      if (isGlobal(text) && !CANCEL.test(text)) {
        const reply = APPLY.test(text) ? '您正在填写一份申请。' : await general(input.openid, text, turn, false);
        return `${reply}\n\n——\n${formOffer(form)}`;
      }
      const step = answerForm(form, text, clock());
      // An answer the step refused may be a question about the guide: answer it, then go on.
      if (step.kind === 'ask' && step.state === form && !CANCEL.test(text)) {
        const guess = deps.guide.ask(text);
        if (guess.status === 'answered' && guess.answer) return `${guess.answer}\n\n——\n${formOffer(form)}`;
      }
      return continueForm(input.openid, form, step, turn);
    }

    return general(input.openid, text, turn, true);
  }

  const withNote = (reply: string | null, note: string) => (note ? `${reply ?? ''}\n\n——\n${note}`.replace(/^\n\n——\n/, '') : reply);

  /** The stored timestamp as 12月1日. */
  function shortDate(iso: string): string {
    const day = todayInChinaOf(new Date(iso));
    return chineseDate(day).replace(/^\d+年/, '');
  }

  function formOffer(form: FormState): string {
    return `您的申请还没填完。回复“继续”接着填写，回复“取消”放弃。\n${currentPrompt(form)}`;
  }

  /** Commands that are answered wherever the conversation stands. */
  function isGlobal(text: string): boolean {
    return (
      HELP.test(text) || CONTACT.test(text) || APPLY.test(text) || TRACK.test(text) || parseTrackingNo(text) !== null ||
      START_SUPPLEMENT.test(text) || parseSupplementText(text) !== null
    );
  }

  async function onImage(input: Extract<Inbound, { kind: 'image' }>, state: ChatState | null, turn: Omit<Turn, 'reply'>): Promise<string> {
    const image = { url: input.url, mediaId: input.mediaId };
    if (state && isSupplementDraft(state) && !(state as { suspended?: boolean }).suspended) {
      const step = await supplements.continue(input.openid, state, { image }, clock());
      turn.form = step.draft;
      return step.reply;
    }
    if ((await supplements.pendingOf(input.openid)).length === 0) return '目前只能处理文字消息。需要补正时，可以发送图片作为补正材料。请直接输入您的问题，或回复“帮助”。';
    if (state && !(state as { suspended?: boolean }).suspended) return '您正在填写申请，图片不能作为申请内容。填完或回复“取消”后，再发送补正图片。';
    const started = await supplements.start(input.openid, clock(), image);
    if (started.draft) turn.form = started.draft;
    return started.reply;
  }

  /** A message outside any form: commands, the guide, subscriptions. */
  async function general(openid: string, text: string, turn: Omit<Turn, 'reply'>, mayStartForm: boolean): Promise<string | null> {
    const afterList = sawSubscriptionList.delete(openid);
    if (HELP.test(text)) return help();
    if (/^(你好|您好|hi|hello|在吗)[!！。.]*$/i.test(text)) return greeting();
    if (APPLY.test(text)) return mayStartForm ? beginForm(turn) : '您正在填写一份申请。';
    if (CONTACT.test(text)) return deps.agency.contact;
    const supplementText = parseSupplementText(text);
    if (supplementText) return supplements.direct(openid, supplementText);
    if (START_SUPPLEMENT.test(text)) return startSupplement(openid, turn, mayStartForm);
    if (LATEST.test(text) && deps.catalog?.latest) return latest();
    const tracking = parseTrackingNo(text);
    if (tracking || TRACK.test(text)) return progress(openid, tracking?.trackingNo ?? null);
    if (/^(还有呢|还有吗|其他的?|更多)$/.test(text)) return more(openid);
    const chosen = choice(openid, text);
    if (chosen) return chosen;
    // A command with nothing to act on is answered as such, not taken for a question to staff.
    if (/^(取消|退出|算了|不用了|结束|返回)[!！。.]*$/.test(text)) {
      return afterList
        ? '好的，订阅没有变化。回复“我的订阅”查看已订阅的栏目，回复“取消订阅 栏目名”退订。'
        : '当前没有需要取消的操作。请直接输入您的问题，或回复“帮助”查看用法。';
    }
    if (deps.subscriptions) {
      const handled = await deps.subscriptions.handle(openid, text);
      if (handled !== null) {
        if (handled.startsWith('可订阅的栏目')) sawSubscriptionList.add(openid);
        return handled;
      }
    }
    const reply = await ask(openid, text, turn);
    // Someone waiting to send a 补正 may be sending it without the word: say how.
    if (/不在政府信息公开的范围内/.test(reply) && (await supplements.pendingOf(openid)).length > 0) {
      return `${reply}\n如果这是补正材料，请回复“补正：”加上内容，或回复“我要补正”。`;
    }
    return reply;
  }

  async function startSupplement(openid: string, turn: Omit<Turn, 'reply'>, mayStart: boolean): Promise<string> {
    const started = await supplements.start(openid, clock());
    if (!started.draft) return started.reply;
    if (!mayStart) {
      // Mid-form: say what is asked; the one-message way needs no second state.
      return `${supplements.describe((await supplements.pendingOf(openid))[0]!)}\n请回复“补正：”加上补充的内容提交。`;
    }
    turn.form = started.draft;
    return started.reply;
  }

  async function onEvent(input: Extract<Inbound, { kind: 'event' }>, saved: SavedState | null, turn: Omit<Turn, 'reply'>): Promise<string | null> {
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
          case MENU.supplement:
            return startSupplement(input.openid, turn, !saved);
          case MENU.subscribe:
            return deps.subscriptions ? ((await deps.subscriptions.handle(input.openid, '订阅')) ?? help()) : help();
          case MENU.contact:
            return deps.agency.contact;
          case MENU.latest:
            return deps.catalog?.latest ? latest() : help();
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

  async function continueForm(openid: string, form: FormState, step: ReturnType<typeof answerForm>, turn: Omit<Turn, 'reply'>): Promise<string> {
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
          (view.dueDate
            ? `我们将最迟于 ${dueDateText(view)}（含当日）答复（${REPLY_WORKING_DAYS} 个工作日，《政府信息公开条例》第三十三条）。` +
              (provisionalNote(view) ? `\n${provisionalNote(view)}` : '')
            : '')
        : '工作人员确认收到后会通知您。') +
      '\n回复“查询进度”或申请编号可随时查看办理情况。'
    );
  }

  async function progress(openid: string, trackingNo: string | null): Promise<string> {
    const mine = await deps.applications.listMine(openid);
    // A tracking number is sequential and guessable: only the applicant's own requests are shown.
    const chosen = trackingNo ? mine.filter((a) => a.trackingNo === trackingNo) : mine.slice(0, 3);
    if (chosen.length === 0) {
      return trackingNo
        ? `没有找到您名下编号为 ${trackingNo} 的申请。请核对编号；通过其他渠道提交的申请请致电查询：${deps.agency.contact}`
        : '您还没有通过本公众号提交过申请。回复“我要申请”开始填写。';
    }
    return chosen.map((app) => progressOf(app)).join('\n');
  }

  /** One request as the applicant hears it: the status line, and the link to its latest document. */
  function progressOf(app: StoredApplication): string {
    const view = deps.applications.view(app, 'applicant');
    const told = tellApplicant(view);
    const pending = view.pendingSupplement;
    const documentIndex =
      pending?.eventIndex ?? (view.status === 'decided' || view.status === 'delivered' || view.status === 'closed' ? view.timeline.findLastIndex((e) => e.type === 'decide' || e.type === 'supplement-expired' || e.type === 'fee-expired') : -1);
    const url = documentIndex >= 0 ? deps.documents?.urlFor(app, documentIndex) : null;
    const name = pending ? '补正告知书' : '答复书';
    return `${told.summary}${url ? `\n${name}：${url}` : ''}`;
  }

  async function latest(): Promise<string> {
    const items = (await deps.catalog?.latest?.(LATEST_COUNT)) ?? [];
    if (items.length === 0) return '目前还没有公开的信息。回复“订阅”，有新信息公开时我们会通知您。';
    const list = items.map((item) => `· ${item.title}（${chineseDate(item.publishedOn)}）${item.url ? `\n${item.url}` : ''}`).join('\n');
    return `最新公开的信息：\n${list}\n回复“订阅”，有新信息公开时我们会通知您。`;
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

  async function ask(openid: string, question: string, turn: Omit<Turn, 'reply'>): Promise<string> {
    const result = deps.guide.ask(question);
    offered.set(openid, result.alternatives);
    numberedChoices.delete(openid);
    // The office's own business (警报试鸣, 人防工程…) is best answered by what it has published on it.
    const items = result.business?.length ? ((await deps.catalog?.related(result.business, 3)) ?? []) : [];
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
