// The words and the WeChat templates of every notification, as the office configured them in
// data/notify/templates.json, and how a message is rendered from them. Loading checks the file
// against the kinds the code produces and the values it can fill in, so a typo stops the start
// instead of sending "{trackingN}" to a citizen.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isRole, type Role } from '../domain/roles.js';
import { CHANNEL_NAMES, type ChannelName } from '../store/notify-repo.js';
import type { TemplateData } from '../wechat/api-client.js';
import { KNOWN_VARS, PERIOD_VARS } from './message-vars.js';
import { APPLICANT_MESSAGE_KINDS, STAFF_EVENT_MESSAGE_KINDS, type ApplicantMessageKind } from '../applications/intents.js';
import { MESSAGE_STATUS } from '../applications/applicant-text.js';

/** Channels whose messages are WeChat templates with keyword fields. */
export const TEMPLATE_CHANNELS = ['oa-template', 'oa-subscribe', 'mp-subscribe'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

/** The kinds the code produces: application intents (src/applications/intents.ts) and notify's own. */
export const APPLICANT_KINDS = APPLICANT_MESSAGE_KINDS;
export const STAFF_KINDS = [
  ...STAFF_EVENT_MESSAGE_KINDS,
  'staff:due-5',
  'staff:due-1',
  'staff:consultation-limit',
  'staff:overdue',
  'staff:dead-letter',
  'staff:needs-contact',
  'staff:unanswered-digest',
] as const;
/** A staff member's answer to a question the bot could not answer (the console's 未答问题 page). */
export const QUESTION_REPLY_KIND = 'question-reply';
/**
 * Kinds an office may word itself but need not: without them in the file these built-in words are
 * used, and no template channel (an office with a template for the purpose names it in `use`).
 */
const BUILT_IN_MESSAGES: Readonly<Record<string, { label: string; text: string }>> = {
  [QUESTION_REPLY_KIND]: { label: '工作人员答复', text: '【{office}】您之前问：“{question}”\n工作人员答复：{replyText}' },
};
export const OPTIONAL_KINDS: readonly string[] = Object.keys(BUILT_IN_MESSAGES);

export interface TemplateDef {
  templateId: string;
  purpose: string;
  /** Subscribe templates: one acceptance per message, or long-term (政务民生 accounts). */
  subscription: 'one-time' | 'long-term' | null;
  /** Mini-program page opened from the message, with {vars}. */
  page: string | null;
  /** Template keyword → value pattern. */
  fields: Record<string, string>;
}

export interface MessageDef {
  audience: 'applicant' | 'staff';
  /** What staff see in lists, e.g. "补正通知". */
  label: string;
  /** The full text: customer-service messages and the WeCom robot. */
  text: string;
  /** Short values for template fields (status, note), with {vars}. */
  values: Record<string, string>;
  /** Which template each template channel uses for this message; a channel without one is skipped. */
  use: Partial<Record<TemplateChannel, string>>;
  /** Staff messages: who receives them (default: the file's staffRoles). */
  staffRoles: Role[];
}

export interface ChannelOrder {
  /** Applicants who applied through the official account. */
  wechat: ChannelName[];
  miniprogram: ChannelName[];
  /** Staff members who bound their WeChat. */
  staff: ChannelName[];
  /** The office's WeCom group. */
  group: ChannelName[];
}

export interface NotifyTemplates {
  channelOrder: ChannelOrder;
  templates: Record<TemplateChannel, Record<string, TemplateDef>>;
  messages: Record<string, MessageDef>;
}

export interface RenderedMessage {
  kind: string;
  label: string;
  text: string;
  /** The message's short values, rendered: status, note, ... */
  values: Record<string, string>;
}

export class TemplatesError extends Error {
  override readonly name = 'TemplatesError';
}

export async function loadNotifyTemplates(contentDir: string): Promise<NotifyTemplates> {
  const file = path.join(contentDir, 'notify', 'templates.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TemplatesError(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  return parseNotifyTemplates(raw, file);
}

/** Checks the file's content and returns it typed; every problem is reported at once. */
export function parseNotifyTemplates(raw: unknown, source = 'templates.json'): NotifyTemplates {
  const problems: string[] = [];
  const root = isObject(raw) ? raw : (problems.push('the file must hold a JSON object'), {});

  const order = isObject(root.channelOrder) ? root.channelOrder : (problems.push('channelOrder is missing'), {});
  const channelOrder = {} as ChannelOrder;
  for (const who of ['wechat', 'miniprogram', 'staff', 'group'] as const) {
    const list = order[who];
    if (!Array.isArray(list) || !list.every((c) => (CHANNEL_NAMES as readonly unknown[]).includes(c))) {
      problems.push(`channelOrder.${who} must list channels out of ${CHANNEL_NAMES.join(', ')}`);
      channelOrder[who] = [];
    } else channelOrder[who] = list as ChannelName[];
  }

  const defaultRoles = roleList(root.staffRoles, 'staffRoles', problems) ?? ['handler', 'admin'];

  const templatesRaw = isObject(root.templates) ? root.templates : (problems.push('templates is missing'), {});
  const templates = {} as NotifyTemplates['templates'];
  for (const channel of TEMPLATE_CHANNELS) {
    templates[channel] = {};
    const group = templatesRaw[channel] ?? {};
    if (!isObject(group)) {
      problems.push(`templates.${channel} must be an object`);
      continue;
    }
    for (const [name, def] of Object.entries(group)) {
      const where = `templates.${channel}.${name}`;
      if (!isObject(def) || typeof def.templateId !== 'string' || !def.templateId.trim() || !isObject(def.fields)) {
        problems.push(`${where} needs a templateId and fields`);
        continue;
      }
      const subscription = def.subscription ?? null;
      if (channel !== 'oa-template' && subscription !== 'one-time' && subscription !== 'long-term') {
        problems.push(`${where}.subscription must be "one-time" or "long-term"`);
      }
      const fields: Record<string, string> = {};
      for (const [key, pattern] of Object.entries(def.fields)) {
        if (typeof pattern !== 'string') problems.push(`${where}.fields.${key} must be text`);
        else {
          checkPlaceholders(pattern, `${where}.fields.${key}`, problems, true);
          fields[key] = pattern;
        }
      }
      if (typeof def.page === 'string') checkPlaceholders(def.page, `${where}.page`, problems, false);
      templates[channel][name] = {
        templateId: def.templateId.trim(),
        purpose: typeof def.purpose === 'string' ? def.purpose : name,
        subscription: subscription as TemplateDef['subscription'],
        page: typeof def.page === 'string' ? def.page : null,
        fields,
      };
    }
  }

  const messagesRaw = isObject(root.messages) ? root.messages : (problems.push('messages is missing'), {});
  const messages: Record<string, MessageDef> = {};
  for (const kind of [...APPLICANT_KINDS, ...STAFF_KINDS, ...OPTIONAL_KINDS]) {
    const where = `messages["${kind}"]`;
    const def = messagesRaw[kind] ?? BUILT_IN_MESSAGES[kind];
    if (!isObject(def) || typeof def.text !== 'string' || typeof def.label !== 'string') {
      problems.push(`${where} needs a label and a text`);
      continue;
    }
    const audience = kind.startsWith('staff:') ? 'staff' : 'applicant';
    checkPlaceholders(def.text, `${where}.text`, problems, false);
    // An applicant message's {status} (已受理, 需补正 …) is the one vocabulary's, not the file's.
    const values: Record<string, string> = isApplicantMessageKind(kind) ? { status: MESSAGE_STATUS[kind] } : {};
    for (const [name, pattern] of Object.entries(isObject(def.values) ? def.values : {})) {
      if (typeof pattern !== 'string') problems.push(`${where}.values.${name} must be text`);
      else if (name === 'status' && isApplicantMessageKind(kind)) {
        problems.push(`${where}.values.status is the applicant's status word, written in src/applications/applicant-text.ts MESSAGE_STATUS: leave it out`);
      } else {
        checkPlaceholders(pattern, `${where}.values.${name}`, problems, false);
        values[name] = pattern;
      }
    }
    const use: MessageDef['use'] = {};
    for (const [channel, name] of Object.entries(isObject(def.use) ? def.use : {})) {
      if (!(TEMPLATE_CHANNELS as readonly string[]).includes(channel)) problems.push(`${where}.use.${channel} is not a template channel`);
      else if (typeof name !== 'string' || !templates[channel as TemplateChannel]?.[name]) {
        problems.push(`${where}.use.${channel} names no template in templates.${channel}`);
      } else {
        use[channel as TemplateChannel] = name;
        // A template field may use the message's own values as well as the application's.
        for (const [key, pattern] of Object.entries(templates[channel as TemplateChannel][name]!.fields)) {
          for (const ref of placeholders(pattern)) {
            if (!KNOWN_VARS.has(ref) && !(ref in values)) problems.push(`${where}: template ${name} field ${key} needs {${ref}}, which this message does not give`);
          }
        }
      }
    }
    messages[kind] = {
      audience,
      label: def.label,
      text: def.text,
      values,
      use,
      staffRoles: roleList(def.staffRoles, `${where}.staffRoles`, problems) ?? defaultRoles,
    };
  }

  if (problems.length) throw new TemplatesError(`${source} has problems:\n  ${problems.join('\n  ')}`);
  return { channelOrder, templates, messages };
}

/** Fills {name} placeholders; a value that is missing renders as "—" rather than the raw brace. */
export function fill(pattern: string, vars: Readonly<Record<string, string>>): string {
  return pattern.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_, name: string) => vars[name] ?? '—');
}

export function renderMessage(templates: NotifyTemplates, kind: string, vars: Readonly<Record<string, string>>): RenderedMessage {
  const def = templates.messages[kind];
  if (!def) throw new TemplatesError(`no message is configured for kind "${kind}"`);
  // The statutory periods ({replyWorkingDays} …) are the law's, the same in every message.
  const all = { ...PERIOD_VARS, ...vars };
  const values: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(def.values)) values[name] = fill(pattern, all);
  return { kind, label: def.label, text: fill(def.text, all), values };
}

/** The template a message uses on a channel, if any. */
export function templateFor(templates: NotifyTemplates, kind: string, channel: TemplateChannel): TemplateDef | null {
  const name = templates.messages[kind]?.use[channel];
  return name ? (templates.templates[channel][name] ?? null) : null;
}

/** Template data for WeChat, each value fitted to its keyword type so WeChat does not refuse it (47003). */
export function templateData(def: TemplateDef, message: RenderedMessage, vars: Readonly<Record<string, string>>): TemplateData {
  const all = { ...vars, ...message.values };
  const data: TemplateData = {};
  for (const [key, pattern] of Object.entries(def.fields)) data[key] = { value: fitValue(key, fill(pattern, all)) };
  return data;
}

/** Subscribe-message value limits by keyword type (thing1 → thing). */
const LIMITS: Record<string, number> = { thing: 20, name: 10, symbol: 5, car_number: 8, character_string: 32, letter: 32, number: 32 };

export function fitValue(key: string, value: string): string {
  const type = key.replace(/\d+$/, '');
  const text = value.replace(/\s+/g, ' ').trim() || '—';
  if (type === 'character_string') {
    const ascii = text.replace(/[^\x21-\x7e]/g, '');
    return (ascii || '-').slice(0, LIMITS.character_string);
  }
  const limit = LIMITS[type];
  const chars = [...text];
  if (!limit || chars.length <= limit) return text;
  return `${chars.slice(0, limit - 1).join('')}…`;
}

function placeholders(pattern: string): string[] {
  return [...pattern.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]!);
}

function checkPlaceholders(pattern: string, where: string, problems: string[], allowMessageValues: boolean): void {
  for (const name of placeholders(pattern)) {
    // Template fields may also name the message's own values; those are checked per message.
    if (!KNOWN_VARS.has(name) && !allowMessageValues) problems.push(`${where} uses {${name}}, which is not a known value`);
  }
}

function roleList(value: unknown, where: string, problems: string[]): Role[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRole)) {
    problems.push(`${where} must list roles (registrar, handler, submitter, reviewer, leader, admin)`);
    return null;
  }
  return value as Role[];
}

function isApplicantMessageKind(kind: string): kind is ApplicantMessageKind {
  return (APPLICANT_KINDS as readonly string[]).includes(kind);
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
