/**
 * The guide as the rest of the server uses it: the chat dialog asks it questions (bot/dialog.ts's
 * GuideAnswerer) and the mini-program reads and searches it (GET /mp/v1/guide, /mp/v1/guide/search).
 */
import type { Middleware } from 'koa';
import type { Router } from '@koa/router';
import type { Agency } from '../agency.js';
import { HttpError } from '../http/errors.js';
import { createGuide, type Guide, type GuideOptions } from './guide.js';
import { loadGuideFiles } from './load.js';
import type { AskResult } from './types.js';

/** The longest query the search endpoint accepts; a question is a sentence, not a document. */
const MAX_QUERY_LENGTH = 200;
const DEFAULT_SEARCH_LIMIT = 10;
const MAX_SEARCH_LIMIT = 30;

export interface GuideReply extends AskResult {
  /** The answer text when status is 'answered' (same as entry.answer). */
  answer?: string;
  /** The answered entry's title when status is 'answered'. */
  title?: string;
}

export interface GuideService {
  readonly guide: Guide;
  ask(question: string): GuideReply;
  answerById(id: string): { title: string; answer: string } | null;
  /**
   * Mounts GET /guide and GET /guide/search on the mini-program router. `guards` run first on both
   * routes (pass the mini-program login check to require a session, as the design lists them).
   */
  mountMiniProgram(router: Router, ...guards: Middleware[]): void;
}

export function createGuideService(guide: Guide): GuideService {
  return {
    guide,
    ask(question) {
      const result = guide.ask(question);
      return result.entry ? { ...result, answer: result.entry.answer, title: result.entry.title } : result;
    },
    answerById(id) {
      const entry = guide.entry(id);
      return entry ? { title: entry.title, answer: entry.answer } : null;
    },
    mountMiniProgram(router, ...guards) {
      router.get('/guide', ...guards, (ctx) => {
        ctx.body = {
          sections: guide.sections(),
          entries: guide.entries().map(({ id, section, title, answer }) => ({ id, section, title, answer })),
        };
      });
      router.get('/guide/search', ...guards, (ctx) => {
        const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
        if (q === '') throw new HttpError(400, 'validation', '请输入要搜索的问题或关键词', { q: '请输入要搜索的问题或关键词' });
        if (Array.from(q).length > MAX_QUERY_LENGTH) {
          throw new HttpError(400, 'validation', `搜索内容太长，请控制在${MAX_QUERY_LENGTH}字以内`, { q: `不超过${MAX_QUERY_LENGTH}字` });
        }
        const limit = parseLimit(ctx.query.limit);
        ctx.body = { q, results: guide.search(q, limit) };
      });
    },
  };
}

/** Loads data/guide/ from the content folder and builds the service for an already loaded agency. */
export async function loadGuideService(contentDir: string, agency: Agency, options?: Partial<GuideOptions>): Promise<GuideService> {
  return createGuideService(createGuide({ ...(await loadGuideFiles(contentDir)), agency, options }));
}

function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_SEARCH_LIMIT;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEARCH_LIMIT) {
    throw new HttpError(400, 'validation', `limit 应为 1 到 ${MAX_SEARCH_LIMIT} 之间的整数`, { limit: `1–${MAX_SEARCH_LIMIT}` });
  }
  return n;
}
