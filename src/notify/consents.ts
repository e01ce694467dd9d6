// Subscribe-message consents. WeChat lets us send a subscribe message only after the user accepted
// its template: once per acceptance for one-time templates (each acceptance is one send credit,
// used up by the send), for good with long-term ones. WeChat does not tell us the count, so we keep
// it from what the mini-program reports after wx.requestSubscribeMessage (and the official
// account's subscribe_msg_popup_event).
import { DomainError } from '../domain/errors.js';
import type { NotifyRepository } from '../store/notify-repo.js';
import type { NotifyTemplates, TemplateChannel } from './templates.js';

export type ConsentApp = 'mp' | 'oa';

export interface TemplateConsent {
  id: string;
  purpose: string;
  subscription: 'one-time' | 'long-term';
  credits: number;
  longTerm: boolean;
}

const CHANNEL: Record<ConsentApp, TemplateChannel> = { mp: 'mp-subscribe', oa: 'oa-subscribe' };
const MAX_IDS = 20;

export class SubscribeConsents {
  constructor(
    private readonly repo: NotifyRepository,
    private readonly templates: NotifyTemplates,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The subscribe templates of an app, each once (several messages may share one). */
  templatesOf(app: ConsentApp): Array<{ id: string; purpose: string; subscription: 'one-time' | 'long-term' }> {
    const seen = new Map<string, { id: string; purpose: string; subscription: 'one-time' | 'long-term' }>();
    for (const def of Object.values(this.templates.templates[CHANNEL[app]])) {
      if (!seen.has(def.templateId)) seen.set(def.templateId, { id: def.templateId, purpose: def.purpose, subscription: def.subscription ?? 'one-time' });
    }
    return [...seen.values()];
  }

  async state(openid: string, app: ConsentApp): Promise<TemplateConsent[]> {
    return Promise.all(
      this.templatesOf(app).map(async (t) => {
        const consent = await this.repo.consent(openid, t.id);
        return { ...t, credits: consent?.credits ?? 0, longTerm: consent?.longTerm ?? false };
      }),
    );
  }

  /** Records the result of one consent prompt: each accepted one-time template is one more send. */
  async record(openid: string, app: ConsentApp, input: { accepted?: unknown; rejected?: unknown }): Promise<TemplateConsent[]> {
    const known = new Map(this.templatesOf(app).map((t) => [t.id, t]));
    const accepted = idList(input.accepted, 'accepted', known);
    const rejected = idList(input.rejected, 'rejected', known);
    const both = accepted.filter((id) => rejected.includes(id));
    if (both.length) throw new DomainError('validation', '同一个模板不能既接受又拒绝', { accepted: `重复的模板：${both.join('、')}` });
    const changes = [
      ...accepted.map((id) => ({ templateId: id, accepted: true, longTerm: known.get(id)!.subscription === 'long-term' })),
      ...rejected.map((id) => ({ templateId: id, accepted: false, longTerm: known.get(id)!.subscription === 'long-term' })),
    ];
    if (changes.length) await this.repo.recordConsents(openid, changes, this.clock().toISOString());
    return this.state(openid, app);
  }
}

function idList(value: unknown, field: string, known: Map<string, unknown>): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_IDS || !value.every((v) => typeof v === 'string')) {
    throw new DomainError('validation', `${field} 应为模板编号的列表`, { [field]: `应为不超过 ${MAX_IDS} 个模板编号的数组` });
  }
  const unknown = value.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new DomainError('validation', '包含未知的订阅消息模板', { [field]: `未知的模板：${unknown.join('、')}` });
  }
  return [...new Set(value as string[])];
}
