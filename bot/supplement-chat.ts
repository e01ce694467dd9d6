// 补正 in the chat: the applicant answers a pending 补正 with "补正：内容" in one message, or with
// "我要补正" (or a first picture) and then several messages of text and pictures, ended by "提交补正".
// The draft is plain data the dialog stores between messages, like the application form.
import { chineseDate } from '../src/domain/applications/labels.js';
import { dueDateText, provisionalNote, supplementReceivedLine } from '../src/applications/applicant-text.js';
import type { ApplicationsService } from '../src/applications/service.js';
import { MAX_SUPPLEMENT_IMAGES, MAX_SUPPLEMENT_TEXT } from '../src/applications/service.js';
import type { StoredApplication } from '../src/store/applications-repo.js';
import { parseTrackingNo } from '../src/domain/tracking-number.js';

export interface SupplementDraft {
  kind: 'supplement';
  applicationId: string;
  trackingNo: string;
  texts: string[];
  images: Array<{ url: string; mediaId: string }>;
  startedAt: string;
  updatedAt: string;
}

export function isSupplementDraft(state: unknown): state is SupplementDraft {
  return typeof state === 'object' && state !== null && (state as { kind?: unknown }).kind === 'supplement';
}

/** "补正：内容", "补正 2026-000123：内容" → the content (and the number); null when the text is not one. */
export function parseSupplementText(text: string): { trackingNo: string | null; content: string } | null {
  const match = /^补正\s*(?:(\d{4}-\d{6})\s*)?[:：]\s*([\s\S]+)$/.exec(text.trim()) ?? /^补正\s+(\d{4}-\d{6})?\s*([\s\S]{2,})$/.exec(text.trim());
  if (!match) return null;
  const content = match[2]!.trim();
  return content ? { trackingNo: match[1] ? parseTrackingNo(match[1])?.trackingNo ?? match[1] : null, content } : null;
}

/** "我要补正", "补正", "提交补正材料": the start of a draft. */
export const START_SUPPLEMENT = /^(我要补正|补正|提交补正材料|补正材料|补充材料)[!！。.]*$/;
export const SUBMIT_SUPPLEMENT = /^(提交补正|提交|完成|确认提交|确认|发完了|好了)[!！。.]*$/;
export const CANCEL = /^(取消|退出|算了|不用了|结束)[!！。.]*$/;

export interface SupplementChatDeps {
  applications: ApplicationsService;
  /** The notice's link, for the applicant to read the full 补正申请告知书. */
  noticeUrl?: (app: StoredApplication, eventIndex: number) => string | null;
}

export function createSupplementChat(deps: SupplementChatDeps) {
  const pendingOf = (openid: string) => deps.applications.awaitingSupplement(openid);

  /** What the applicant must supply, with the period and the notice's link. */
  function describe(app: StoredApplication): string {
    const view = deps.applications.view(app, 'applicant');
    const pending = view.pendingSupplement;
    if (!pending) return '';
    const items = pending.items.map((item, i) => `${i + 1}. ${item}`).join('\n');
    const by = pending.dueBy ? `请最迟于${chineseDate(pending.dueBy)}（含当日）补正。` : '请在补正告知书写明的期限内补正。';
    const url = deps.noticeUrl?.(app, pending.eventIndex);
    return `申请 ${app.trackingNo} 需要补正：\n${items}\n${by}${url ? `\n补正告知书全文：${url}` : ''}`;
  }

  /** Which pending request a message is about, or the reply explaining why none can be chosen. */
  async function choose(openid: string, trackingNo: string | null): Promise<{ app: StoredApplication } | { reply: string }> {
    const pending = await pendingOf(openid);
    if (pending.length === 0) {
      return { reply: '您目前没有需要补正的申请。回复“查询进度”查看办理情况；其他通过窗口、信函提交的申请，请按补正告知书的要求补正。' };
    }
    if (trackingNo) {
      const app = pending.find((a) => a.trackingNo === trackingNo);
      return app ? { app } : { reply: `申请 ${trackingNo} 目前不需要补正。需要补正的申请：${pending.map((a) => a.trackingNo).join('、')}。` };
    }
    if (pending.length > 1) {
      return {
        reply:
          `您有 ${pending.length} 件申请需要补正：${pending.map((a) => a.trackingNo).join('、')}。\n` +
          `请在补正内容前写上申请编号，例如“补正 ${pending[0]!.trackingNo}：补充的内容”。`,
      };
    }
    return { app: pending[0]! };
  }

  async function submit(app: StoredApplication, openid: string, text: string, images: SupplementDraft['images']): Promise<string> {
    const saved = await deps.applications.supplementByApplicant(app.id, openid, text, images);
    const view = deps.applications.view(saved, 'applicant');
    const parts = [text ? '文字' : '', images.length ? `${images.length} 张图片` : ''].filter(Boolean).join('和 ');
    const note = provisionalNote(view);
    return (
      `补正已收到（申请 ${view.trackingNo}，${parts}），工作人员会尽快查看。\n` +
      supplementReceivedLine(dueDateText(view)) +
      (note ? `\n${note}` : '') +
      '\n回复“查询进度”可随时查看办理情况。'
    );
  }

  return {
    pendingOf,
    describe,

    /** "补正：内容" in one message. */
    async direct(openid: string, parsed: { trackingNo: string | null; content: string }): Promise<string> {
      const chosen = await choose(openid, parsed.trackingNo);
      if ('reply' in chosen) return chosen.reply;
      if ([...parsed.content].length > MAX_SUPPLEMENT_TEXT) return `补正内容不能超过 ${MAX_SUPPLEMENT_TEXT} 字，请分几次发送：先回复“我要补正”，再逐条发送。`;
      return submit(chosen.app, openid, parsed.content, []);
    },

    /** "我要补正", or a first picture: a draft for the one pending request. */
    async start(openid: string, now: Date, image?: SupplementDraft['images'][number]): Promise<{ reply: string; draft?: SupplementDraft }> {
      const chosen = await choose(openid, null);
      if ('reply' in chosen) return chosen;
      const at = now.toISOString();
      const draft: SupplementDraft = {
        kind: 'supplement',
        applicationId: chosen.app.id,
        trackingNo: chosen.app.trackingNo,
        texts: [],
        images: image ? [image] : [],
        startedAt: at,
        updatedAt: at,
      };
      const how = '请直接发送补充的文字或图片，可以分几条发送；发送完毕回复“提交补正”，回复“取消”放弃。';
      return {
        draft,
        reply: image ? `已收到 1 张图片，作为申请 ${chosen.app.trackingNo} 的补正材料。\n${describe(chosen.app)}\n${how}` : `${describe(chosen.app)}\n${how}`,
      };
    },

    /** One message while a draft is open. */
    async continue(openid: string, draft: SupplementDraft, input: { text?: string; image?: SupplementDraft['images'][number] }, now: Date): Promise<{ reply: string; draft: SupplementDraft | null }> {
      const at = now.toISOString();
      if (input.image) {
        if (draft.images.length >= MAX_SUPPLEMENT_IMAGES) {
          return { draft, reply: `一次补正最多 ${MAX_SUPPLEMENT_IMAGES} 张图片。请回复“提交补正”先提交这些，再回复“我要补正”补充其余的。` };
        }
        const next = { ...draft, images: [...draft.images, input.image], updatedAt: at };
        return { draft: next, reply: `已收到第 ${next.images.length} 张图片。继续发送，或回复“提交补正”。` };
      }
      const text = (input.text ?? '').trim();
      if (CANCEL.test(text)) return { draft: null, reply: '已放弃这次补正，发送的内容没有提交。需要时回复“我要补正”重新开始。' };
      if (SUBMIT_SUPPLEMENT.test(text)) {
        if (draft.texts.length === 0 && draft.images.length === 0) return { draft, reply: '还没有收到补正内容。请发送补充的文字或图片，或回复“取消”放弃。' };
        let app: StoredApplication;
        try {
          app = await deps.applications.mine(draft.applicationId, openid);
        } catch {
          return { draft: null, reply: '没有找到这件申请，补正没有提交。回复“查询进度”查看您的申请。' };
        }
        if (deps.applications.view(app, 'applicant').status !== 'awaiting-supplement') {
          return { draft: null, reply: `申请 ${draft.trackingNo} 目前已不需要补正，这次的内容没有提交。回复“查询进度”查看办理情况。` };
        }
        return { draft: null, reply: await submit(app, openid, draft.texts.join('\n'), draft.images) };
      }
      const parsed = parseSupplementText(text);
      const piece = parsed?.content ?? text;
      const total = [...[...draft.texts, piece].join('\n')].length;
      if (total > MAX_SUPPLEMENT_TEXT) return { draft, reply: `补正文字合计不能超过 ${MAX_SUPPLEMENT_TEXT} 字。请回复“提交补正”先提交已发送的内容。` };
      const next = { ...draft, texts: [...draft.texts, piece], updatedAt: at };
      return { draft: next, reply: '已记下。可以继续发送文字或图片，发送完毕回复“提交补正”。' };
    },
  };
}

export type SupplementChat = ReturnType<typeof createSupplementChat>;
