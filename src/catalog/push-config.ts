// The push job's settings (data/catalog/push.json): when it runs (China time), how fast it may
// send, and which WeChat templates carry the digest. Checked at start, with messages that name
// the field, so a typo stops the server instead of the first push.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validate as validCron } from 'node-cron';
import { renderTemplate } from '../guide/template.js';
import type { DigestTemplates } from './digest.js';
import type { PushSettings } from './push.js';

export interface PushConfig extends PushSettings {
  /** 'HH:MM' times of day, China time, at which the push job runs. */
  times: string[];
  /** How often the feed-import job polls the portal (a cron expression, China time). */
  feedSchedule: string;
}

export const DEFAULT_PUSH_CONFIG: PushConfig = {
  times: ['09:30', '17:30'],
  feedSchedule: '*/30 * * * *',
  sendsPerSecond: 20,
  // As many as may go out in one second: a second's digests leave together, and their ledger
  // entries are written together, once or twice a second rather than once per digest.
  concurrency: 20,
  firstPauseMs: 250,
  maxPauseMs: 60_000,
  pauseBudgetMs: 10 * 60_000,
  resendWindowMs: 9 * 60_000,
  ledgerFlushMs: 50,
  // Template messages: 100,000 a day for a new account, shared with request notifications.
  dailyQuota: { 'official-account': 80_000, miniprogram: null },
  templates: {
    officialAccount: {
      templateId: 'CATALOG_DIGEST_TEMPLATE_ID',
      url: null,
      miniprogramPage: 'pages/catalog/index',
      data: { thing1: '{{categories}}', thing2: '{{firstTitle}}', number3: '{{count}}', time4: '{{date}}' },
    },
    miniProgram: {
      templateId: 'CATALOG_DIGEST_SUBSCRIBE_TEMPLATE_ID',
      page: 'pages/catalog/index',
      state: 'formal',
      data: { thing1: '{{categories}}', thing2: '{{firstTitle}}', number3: '{{count}}', time4: '{{date}}' },
    },
  },
};

export class PushConfigError extends Error {
  override readonly name = 'PushConfigError';
}

const SAMPLE = { count: '3', categories: '财政预决算、政府采购', firstTitle: '2026年部门预算公开等', date: '2026年5月12日', agency: '某某办公室' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and checks the settings; a missing file means the defaults. */
export async function loadPushConfig(contentDir: string): Promise<PushConfig> {
  const file = path.join(contentDir, 'catalog', 'push.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_PUSH_CONFIG;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PushConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return checkPushConfig(raw, file);
}

export function checkPushConfig(raw: unknown, file = 'push.json'): PushConfig {
  if (!isObject(raw)) throw new PushConfigError(`${file}: expected a JSON object`);
  const problems: string[] = [];
  const d = DEFAULT_PUSH_CONFIG;
  const num = (key: keyof PushConfig, min: number, max: number): number => {
    const value = raw[key] ?? d[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`"${key}" must be a number from ${min} to ${max}`);
      return d[key] as number;
    }
    return value;
  };

  const times = raw.times ?? d.times;
  if (!Array.isArray(times) || times.length === 0 || times.some((t) => typeof t !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(t))) {
    problems.push('"times" must be a list of "HH:MM" times (China time), e.g. ["09:30", "17:30"]');
  }
  const feedSchedule = raw.feedSchedule ?? d.feedSchedule;
  if (typeof feedSchedule !== 'string' || !validCron(feedSchedule)) problems.push('"feedSchedule" must be a cron expression, e.g. "*/30 * * * *"');

  const quota = isObject(raw.dailyQuota) ? raw.dailyQuota : {};
  const dailyQuota = { ...d.dailyQuota };
  for (const channel of ['official-account', 'miniprogram'] as const) {
    if (!(channel in quota)) continue;
    const value = quota[channel];
    if (value === null || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) dailyQuota[channel] = value as number | null;
    else problems.push(`"dailyQuota.${channel}" must be a whole number or null`);
  }

  const templates = checkTemplates(raw.templates, problems);
  const config: PushConfig = {
    times: times as string[],
    feedSchedule: feedSchedule as string,
    sendsPerSecond: num('sendsPerSecond', 1, 10_000),
    concurrency: Math.round(num('concurrency', 1, 200)),
    firstPauseMs: num('firstPauseMs', 1, 3_600_000),
    maxPauseMs: num('maxPauseMs', 1, 3_600_000),
    pauseBudgetMs: num('pauseBudgetMs', 0, 24 * 3_600_000),
    resendWindowMs: num('resendWindowMs', 0, 10 * 60_000),
    ledgerFlushMs: num('ledgerFlushMs', 0, 1_000),
    dailyQuota,
    templates,
  };
  if (problems.length > 0) throw new PushConfigError(`${file}:\n  ${problems.join('\n  ')}`);
  return config;
}

function checkData(value: unknown, where: string, problems: string[]): Record<string, string> {
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(`"${where}" must map template fields to texts, e.g. {"thing1": "{{categories}}"}`);
    return {};
  }
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') {
      problems.push(`"${where}.${key}" must be a text`);
      continue;
    }
    try {
      renderTemplate(text, SAMPLE);
    } catch (error) {
      problems.push(`"${where}.${key}": ${(error as Error).message} (placeholders: {{count}} {{categories}} {{firstTitle}} {{date}} {{agency}})`);
    }
  }
  return value as Record<string, string>;
}

function checkTemplates(raw: unknown, problems: string[]): DigestTemplates {
  const d = DEFAULT_PUSH_CONFIG.templates;
  if (raw === undefined) return d;
  if (!isObject(raw)) {
    problems.push('"templates" must be an object with "officialAccount" and "miniProgram"');
    return d;
  }
  const oa = isObject(raw.officialAccount) ? raw.officialAccount : {};
  const mp = isObject(raw.miniProgram) ? raw.miniProgram : {};
  const id = (value: unknown, where: string) => {
    if (typeof value !== 'string' || value.trim() === '') problems.push(`"${where}" must be the template id from the WeChat admin console`);
    return String(value ?? '');
  };
  const optional = (value: unknown, where: string) => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') problems.push(`"${where}" must be a text or null`);
    return String(value);
  };
  const state = mp.state ?? d.miniProgram.state;
  if (!['developer', 'trial', 'formal'].includes(String(state))) problems.push('"templates.miniProgram.state" must be developer, trial or formal');
  return {
    officialAccount: {
      templateId: id(oa.templateId, 'templates.officialAccount.templateId'),
      url: optional(oa.url, 'templates.officialAccount.url'),
      miniprogramPage: optional(oa.miniprogramPage, 'templates.officialAccount.miniprogramPage'),
      data: checkData(oa.data, 'templates.officialAccount.data', problems),
    },
    miniProgram: {
      templateId: id(mp.templateId, 'templates.miniProgram.templateId'),
      page: optional(mp.page, 'templates.miniProgram.page') ?? d.miniProgram.page,
      state: state as DigestTemplates['miniProgram']['state'],
      data: checkData(mp.data, 'templates.miniProgram.data', problems),
    },
  };
}

/** The cron expressions of the push times ('09:30' → '30 9 * * *'), to schedule in Asia/Shanghai. */
export function pushCronExpressions(times: readonly string[]): string[] {
  return times.map((t) => {
    const [h, m] = t.split(':').map(Number);
    return `${m} ${h} * * *`;
  });
}
