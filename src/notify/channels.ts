// The channels a message can travel by, each with what it needs before WeChat is even asked (a
// template for this kind of message, the user's consent, an open customer-service window) and how a
// delivery becomes one API call.
import type { WechatApiClient } from '../wechat/api-client.js';
import type { ChannelName, Delivery, NotifyRepository } from '../store/notify-repo.js';
import { fill, renderMessage, templateData, templateFor, type NotifyTemplates, type TemplateChannel } from './templates.js';
import type { WecomRobot } from './wecom-robot.js';

export type WechatSender = Pick<WechatApiClient, 'sendTemplate' | 'sendBizSubscribe' | 'sendMiniProgramSubscribe' | 'sendCustomText'>;

export interface ChannelsDeps {
  wechat: WechatSender;
  wecom: WecomRobot | null;
  templates: NotifyTemplates;
  repo: NotifyRepository;
  clock: () => Date;
  /**
   * Sandbox: the fake WeChat API does not check subscribe consent, so every user counts as having
   * given it. Never in production: WeChat would answer 43101.
   */
  assumeConsent?: boolean;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  /** The customer-service window; a little under WeChat's 48 hours so a send never races its end. */
  customWindowMs?: number;
}

const DEFAULT_WINDOW_MS = 48 * 3_600_000 - 10 * 60_000;

export class Channels {
  readonly #windowMs: number;

  constructor(private readonly deps: ChannelsDeps) {
    this.#windowMs = deps.customWindowMs ?? DEFAULT_WINDOW_MS;
  }

  /** Why this channel cannot carry the delivery now (in words for staff), or null when it can. */
  async unavailable(channel: ChannelName, d: Delivery): Promise<string | null> {
    const openid = this.#officialAccountOpenid(d);
    switch (channel) {
      case 'oa-template':
        if (!openid) return '收件人不是公众号用户';
        return templateFor(this.deps.templates, d.kind, channel) ? null : '该消息没有配置公众号模板';
      case 'oa-subscribe':
      case 'mp-subscribe': {
        const user = channel === 'oa-subscribe' ? openid : d.recipient.type === 'applicant' && d.recipient.app === 'mp' ? d.recipient.openid : null;
        if (!user) return channel === 'oa-subscribe' ? '收件人不是公众号用户' : '收件人不是小程序用户';
        const template = templateFor(this.deps.templates, d.kind, channel);
        if (!template) return '该消息没有配置订阅消息模板';
        return (await this.#authorised(user, template.templateId)) ? null : '用户没有授权（或授权次数已用完）该订阅消息';
      }
      case 'customer-service': {
        if (!openid) return '收件人不是公众号用户';
        const last = await this.deps.repo.lastInteraction(openid);
        const open = last !== undefined && this.deps.clock().getTime() - Date.parse(last) < this.#windowMs;
        return open ? null : '用户48小时内没有与公众号互动，不能发客服消息';
      }
      case 'wecom-robot':
        if (d.recipient.type !== 'group') return '收件人不是工作群';
        return this.deps.wecom ? null : '没有配置企业微信群机器人';
    }
  }

  /** Whether WeChat drops a repeat of the same send (client_msg_id), so it may be repeated safely. */
  idempotent(channel: ChannelName): boolean {
    return channel === 'oa-template';
  }

  /** The one-time consent a send on this channel uses up, if it uses one. */
  async credit(channel: ChannelName, d: Delivery): Promise<{ openid: string; templateId: string } | null> {
    if (channel !== 'oa-subscribe' && channel !== 'mp-subscribe') return null;
    if (this.deps.assumeConsent) return null;
    const openid = channel === 'oa-subscribe' ? this.#officialAccountOpenid(d) : d.recipient.type === 'applicant' ? d.recipient.openid : null;
    const template = templateFor(this.deps.templates, d.kind, channel);
    if (!openid || !template) return null;
    return (await this.deps.repo.consent(openid, template.templateId))?.longTerm ? null : { openid, templateId: template.templateId };
  }

  async send(channel: ChannelName, d: Delivery, clientMsgId: string | null): Promise<{ msgid: string | null }> {
    const message = renderMessage(this.deps.templates, d.kind, d.vars);
    const openid = this.#officialAccountOpenid(d);
    switch (channel) {
      case 'oa-template': {
        const template = this.#template(d, channel);
        const { msgid } = await this.deps.wechat.sendTemplate({
          touser: openid!,
          template_id: template.templateId,
          data: templateData(template, message, d.vars),
          // The message's document (补正 notice, reply letter) opens from the template's 详情.
          ...(d.vars.documentUrl ? { url: d.vars.documentUrl } : {}),
          ...(clientMsgId ? { client_msg_id: clientMsgId } : {}),
        });
        return { msgid: msgid || null };
      }
      case 'oa-subscribe': {
        const template = this.#template(d, channel);
        await this.deps.wechat.sendBizSubscribe({
          touser: openid!,
          template_id: template.templateId,
          ...(d.vars.documentUrl ? { page: d.vars.documentUrl } : {}),
          data: templateData(template, message, d.vars),
        });
        return { msgid: null };
      }
      case 'mp-subscribe': {
        const template = this.#template(d, channel);
        if (d.recipient.type !== 'applicant') throw new Error('mini-program message without an applicant');
        await this.deps.wechat.sendMiniProgramSubscribe({
          touser: d.recipient.openid,
          template_id: template.templateId,
          ...(template.page ? { page: fill(template.page, d.vars) } : {}),
          miniprogram_state: this.deps.miniprogramState ?? 'formal',
          lang: 'zh_CN',
          data: templateData(template, message, d.vars),
        });
        return { msgid: null };
      }
      case 'customer-service':
        await this.deps.wechat.sendCustomText(openid!, message.text);
        return { msgid: null };
      case 'wecom-robot':
        if (!this.deps.wecom) throw new Error('no WeCom robot is configured');
        await this.deps.wecom.sendText(message.text);
        return { msgid: null };
    }
  }

  #template(d: Delivery, channel: TemplateChannel) {
    const template = templateFor(this.deps.templates, d.kind, channel);
    if (!template) throw new Error(`no ${channel} template for ${d.kind}`);
    return template;
  }

  async #authorised(openid: string, templateId: string): Promise<boolean> {
    if (this.deps.assumeConsent) return true;
    const consent = await this.deps.repo.consent(openid, templateId);
    return Boolean(consent && (consent.longTerm || consent.credits > 0));
  }

  #officialAccountOpenid(d: Delivery): string | null {
    if (d.recipient.type === 'staff') return d.recipient.openid;
    if (d.recipient.type === 'applicant' && d.recipient.app === 'oa') return d.recipient.openid;
    return null;
  }
}
