/**
 * The guide as the rest of the server uses it: the chat dialog asks it questions (bot/dialog.ts's
 * GuideAnswerer) and the mini-program reads and searches it (GET /mp/v1/guide, /mp/v1/guide/search).
 * Staff teach it from the console's 未答问题 page (a new phrasing of an entry, a new entry): each
 * addition is stored under DATA_DIR and the guide is rebuilt with it at once and at every start.
 */
import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Router } from '@koa/router';
import type { Agency } from '../agency.js';
import { DomainError } from '../domain/errors.js';
import { HttpError } from '../http/errors.js';
import type { GuideAdditionsRepository, StoredEntry, StoredPhrasing } from '../store/guide-additions-repo.js';
// guide.js only as a type: it brings jieba, OpenCC and pinyin-pro, which load with the guide's
// build (startGuideService), not with the server.
import type { createGuide as CreateGuide, Guide, GuideInput, GuideOptions } from './guide.js';
import { MAX_ANSWER_LENGTH } from './limits.js';
import { loadGuideFiles } from './load.js';
import type { AskResult, GuideEntry, GuideSection, RenderedEntry } from './types.js';

/** The longest query the search endpoint accepts; a question is a sentence, not a document. */
const MAX_QUERY_LENGTH = 200;
const DEFAULT_SEARCH_LIMIT = 10;
const MAX_SEARCH_LIMIT = 30;

export interface GuideReply extends AskResult {
  /** The answer text: the sure answer when 'answered', the best guess when 'unsure' (entry.answer). */
  answer?: string;
  /** The title of the entry the answer comes from (entry.title). */
  title?: string;
}

/** A new entry as staff draft it: its section, its title question and its answer. */
export interface EntryDraft {
  section: string;
  question: string;
  answer: string;
}

/** Longest phrasing or title question staff may add: a question is a sentence, not a document. */
export const MAX_PHRASING_LENGTH = 200;
const MAX_TITLE_LENGTH = 100;

export interface GuideService {
  /**
   * Settles once the guide is built. A service from startGuideService() builds it in the background
   * (about half a second), and until then `guide`, ask() and answerById() throw GuideNotReadyError:
   * await this first. Its routes and additions wait for it by themselves.
   */
  readonly ready: Promise<void>;
  /** The guide as it is now (rebuilt after every addition). */
  readonly guide: Guide;
  ask(question: string): GuideReply;
  answerById(id: string): { title: string; answer: string } | null;
  /**
   * Mounts GET /guide and GET /guide/search on the mini-program router. `guards` run first on both
   * routes (pass the mini-program login check to require a session, as the design lists them).
   */
  mountMiniProgram(router: Router, ...guards: Middleware[]): void;
  /**
   * Adds another way of asking an entry's question (e.g. an unanswered question, as staff linked it
   * to the entry): stored, and answered from at once. Bad input: DomainError('validation').
   */
  addPhrasing(entryId: string, text: string, by?: string): Promise<void>;
  /** Adds a new entry, stored and answered from at once. Bad input: DomainError('validation'). */
  addEntry(draft: EntryDraft, by?: string): Promise<RenderedEntry>;
  /**
   * Reads the stored additions again and rebuilds the guide if other instances on the same database
   * added some since; true when it did. A guide without a store for additions has nothing to read.
   */
  refresh(): Promise<boolean>;
}

/** What a guide that staff can extend is built from: the content data and the stored additions. */
export interface EditableGuide {
  input: GuideInput;
  additions: Pick<GuideAdditionsRepository, 'phrasings' | 'entries' | 'addPhrasing' | 'addEntry'>;
  clock?: () => Date;
}

/** Thrown when the guide is read before startGuideService() has built it: await `ready` first. */
export class GuideNotReadyError extends Error {
  constructor() {
    super('the guide is still being built: await GuideService.ready before reading it');
  }
}

/** A service over a guide as built: read-only (loadGuideService with additions makes one staff can extend). */
export function createGuideService(guide: Guide): GuideService {
  return serviceOf(guide);
}

/**
 * The server's guide, with what staff added (under DATA_DIR) merged in: returned at once, read and
 * built once `begin` settles (the server passes "listening"), on turns of the event loop of their
 * own, so that the server answers while it builds. A build that fails rejects `ready` (the server
 * treats it as a failed start).
 */
export function startGuideService(
  contentDir: string,
  agency: Agency,
  additions: EditableGuide['additions'],
  clock?: () => Date,
  begin: Promise<unknown> = Promise.resolve(),
): GuideService {
  const editable = (async (): Promise<Builder> => {
    await begin;
    const [{ createGuide }, { sharedJieba }, files] = await Promise.all([import('./guide.js'), import('./jieba.js'), loadGuideFiles(contentDir)]);
    // jieba's base dictionary on a turn of its own: the server answers between it and the indexes.
    await nextTurn();
    sharedJieba();
    const stored = await storedAdditions(additions);
    await nextTurn();
    return { input: { ...files, agency }, additions, stored, clock, createGuide };
  })();
  return serviceOf(editable);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What staff's additions are built with: the guide's data, and the guide module, loaded. */
interface Builder extends EditableGuide {
  createGuide: typeof CreateGuide;
  /**
   * The additions as read at the build, and those made here since. Another instance's additions
   * show here once refresh() read them.
   */
  stored: { phrasings: StoredPhrasing[]; entries: StoredEntry[] };
}

async function storedAdditions(additions: EditableGuide['additions']): Promise<Builder['stored']> {
  const [phrasings, entries] = await Promise.all([additions.phrasings(), additions.entries()]);
  return { phrasings, entries };
}

function serviceOf(source: Guide | Builder | Promise<Builder>): GuideService {
  let editable: Builder | null = null;
  let guide: Guide | undefined;
  const build = (from: Builder) => {
    editable = from;
    guide = buildWith(from, from.stored.phrasings, from.stored.entries);
  };
  let ready: Promise<void>;
  if (source instanceof Promise) {
    ready = source.then(build);
    // Whoever started the service awaits `ready`; this only keeps a failed build from also being
    // reported as an unhandled rejection before they do.
    ready.catch(() => undefined);
  } else {
    // Built here and now: a guide that cannot be built throws from loadGuideService itself.
    if ('input' in source) build(source);
    else guide = source;
    ready = Promise.resolve();
  }
  const current = (): Guide => {
    if (!guide) throw new GuideNotReadyError();
    return guide;
  };
  const clockNow = () => editable?.clock?.() ?? new Date();

  function editing(): Builder {
    if (!editable) throw new Error('this guide was built without a store for additions');
    return editable;
  }
  // One addition at a time: each is checked against, and built on, the guide the previous one left;
  // the first waits for the guide itself.
  let lastEdit: Promise<unknown> = ready;
  function oneAtATime<T>(edit: () => Promise<T>): Promise<T> {
    const run = lastEdit.then(edit, edit);
    lastEdit = run.catch(() => undefined);
    return run;
  }

  return {
    ready,
    get guide() {
      return current();
    },
    addPhrasing: (entryId, raw, by = 'system') => oneAtATime(async () => {
      const builder = editing();
      const { additions, stored } = builder;
      const now = current();
      const text = typeof raw === 'string' ? raw.trim() : '';
      const entry = now.entry(entryId);
      if (!entry) throw new DomainError('validation', '请选择指南中已有的条目', { entryId: '请选择条目' });
      if (text === '') throw new DomainError('validation', '请填写问法', { text: '请填写问法' });
      if (Array.from(text).length > MAX_PHRASING_LENGTH) {
        throw new DomainError('validation', `问法太长，请控制在${MAX_PHRASING_LENGTH}字以内`, { text: `不超过${MAX_PHRASING_LENGTH}字` });
      }
      if (entry.questions.includes(text)) throw new DomainError('validation', `条目“${entry.title}”已有这个问法`, { text: '已有这个问法' });
      const phrasing: StoredPhrasing = { entryId, text, by, at: clockNow().toISOString() };
      // Built before it is stored: an addition the guide cannot take must never reach the file,
      // where it would stop every later start.
      const next = buildWith(builder, [...stored.phrasings, phrasing], stored.entries);
      await additions.addPhrasing(phrasing);
      stored.phrasings.push(phrasing);
      guide = next;
    }),
    addEntry: (draft, by = 'system') => oneAtATime(async () => {
      const builder = editing();
      const { additions, stored: kept } = builder;
      const now = current();
      const section = typeof draft?.section === 'string' ? draft.section.trim() : '';
      const question = typeof draft?.question === 'string' ? draft.question.trim() : '';
      const answer = typeof draft?.answer === 'string' ? draft.answer.trim() : '';
      const fields: Record<string, string> = {};
      if (!now.sections().some((s) => s.id === section)) fields.section = '请选择栏目';
      if (question === '') fields.question = '请填写标题问题';
      else if (Array.from(question).length > MAX_TITLE_LENGTH) fields.question = `标题问题不超过${MAX_TITLE_LENGTH}字`;
      else if (now.entries().some((e) => e.title === question)) fields.question = '已有同样标题的条目，请把它作为该条目的问法';
      if (answer === '') fields.answer = '请填写答案';
      else if (Array.from(answer).length > MAX_ANSWER_LENGTH) fields.answer = `答案不超过${MAX_ANSWER_LENGTH}字（现在${Array.from(answer).length}字），一条微信消息要能放下`;
      // Staff answers are plain text; {{…}} would be read as an agency placeholder.
      else if (answer.includes('{{') || answer.includes('}}')) fields.answer = '答案中不能有“{{”或“}}”，请直接写出电话、地址等内容';
      const problems = Object.values(fields);
      if (problems.length) throw new DomainError('validation', problems.join('；'), fields);
      const stored: StoredEntry = { id: `staff-${randomBytes(4).toString('hex')}`, section, question, answer, by, at: clockNow().toISOString() };
      const next = buildWith(builder, kept.phrasings, [...kept.entries, stored]);
      await additions.addEntry(stored);
      kept.entries.push(stored);
      guide = next;
      return next.entry(stored.id)!;
    }),
    refresh: () =>
      oneAtATime(async () => {
        if (!editable) return false;
        const builder = editing();
        const latest = await storedAdditions(builder.additions);
        // Additions are only ever added: the same counts are the same additions.
        if (latest.phrasings.length === builder.stored.phrasings.length && latest.entries.length === builder.stored.entries.length) return false;
        guide = buildWith(builder, latest.phrasings, latest.entries);
        builder.stored = latest;
        return true;
      }),
    ask(question) {
      const result = current().ask(question);
      return result.entry ? { ...result, answer: result.entry.answer, title: result.entry.title } : result;
    },
    answerById(id) {
      const entry = current().entry(id);
      return entry ? { title: entry.title, answer: entry.answer } : null;
    },
    mountMiniProgram(router, ...guards) {
      // `guide` is read at each request: an addition by staff shows at once. A request that comes
      // while the guide is still being built waits for it.
      router.get('/guide', ...guards, async (ctx) => {
        await ready;
        const guide = current();
        ctx.body = {
          sections: guide.sections(),
          entries: guide.entries().map(({ id, section, title, answer }) => ({ id, section, title, answer })),
        };
      });
      router.get('/guide/search', ...guards, async (ctx) => {
        const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
        if (q === '') throw new HttpError(400, 'validation', '请输入要搜索的问题或关键词', { q: '请输入要搜索的问题或关键词' });
        if (Array.from(q).length > MAX_QUERY_LENGTH) {
          throw new HttpError(400, 'validation', `搜索内容太长，请控制在${MAX_QUERY_LENGTH}字以内`, { q: `不超过${MAX_QUERY_LENGTH}字` });
        }
        const limit = parseLimit(ctx.query.limit);
        await ready;
        ctx.body = { q, results: current().search(q, limit) };
      });
    },
  };
}

/**
 * Loads data/guide/ from the content folder and builds the service for an already loaded agency;
 * with `additions`, what staff added is merged in and staff can add more.
 */
export async function loadGuideService(
  contentDir: string,
  agency: Agency,
  options?: Partial<GuideOptions>,
  additions?: EditableGuide['additions'],
  clock?: () => Date,
): Promise<GuideService> {
  const [{ createGuide }, files] = await Promise.all([import('./guide.js'), loadGuideFiles(contentDir)]);
  const input: GuideInput = { ...files, agency, options };
  return serviceOf(additions ? { input, additions, stored: await storedAdditions(additions), clock, createGuide } : createGuide(input));
}

/** The guide from its data with staff's additions merged in. */
function buildWith({ input, createGuide }: Builder, phrasings: readonly StoredPhrasing[], entries: readonly StoredEntry[]): Guide {
  return createGuide({ ...input, entries: mergeAdditions(input.entries, input.sections, phrasings, entries) });
}

/**
 * The data's entries with staff's phrasings and entries added. data/guide/ may have changed since
 * an addition was made (an upgrade): one whose entry or section is gone, or whose id is now taken,
 * is left out rather than stopping the start.
 */
export function mergeAdditions(
  base: readonly GuideEntry[],
  sections: readonly GuideSection[] | undefined,
  phrasings: readonly StoredPhrasing[],
  added: readonly StoredEntry[],
): GuideEntry[] {
  const entries = base.map((e) => ({ ...e, questions: [...e.questions] }));
  const byId = new Map(entries.map((e) => [e.id, e]));
  const sectionIds = sections && new Set(sections.map((s) => s.id));
  for (const a of added) {
    if (byId.has(a.id) || (sectionIds && !sectionIds.has(a.section))) continue;
    const entry: GuideEntry = { id: a.id, section: a.section, questions: [a.question], answer: a.answer };
    entries.push(entry);
    byId.set(a.id, entry);
  }
  for (const p of phrasings) {
    const entry = byId.get(p.entryId);
    if (entry && !entry.questions.includes(p.text)) entry.questions.push(p.text);
  }
  return entries;
}

function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_SEARCH_LIMIT;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEARCH_LIMIT) {
    throw new HttpError(400, 'validation', `limit 应为 1 到 ${MAX_SEARCH_LIMIT} 之间的整数`, { limit: `1–${MAX_SEARCH_LIMIT}` });
  }
  return n;
}
