// The push job (push-new-items): the items published since the last run, one digest per
// subscriber with the items of their categories, exactly once per subscriber and item.
//
// How "exactly once" survives a crash:
// - a run is planned in one write that also moves the cursor past its items, and only if the
//   cursor is still where the job read it, so no item is planned into two runs, even by two
//   instances running the job at once; an unfinished run is resumed before a new one is planned,
//   by one instance only (resumeRun starts an attempt only if no other began meanwhile);
// - each subscriber's ledger entry is stored as 'sending' (with its client_msg_id and items)
//   before the digest goes out, and becomes 'sent' after WeChat accepted it. Storing it is a claim:
//   written only if the subscriber has no entry in the run yet, and only the sender whose claim
//   was written sends, so two instances on one run never send a subscriber two digests;
// - subscribers are read a page at a time in the order they subscribed, never all at once;
// - a run resumed after a crash skips 'sent' entries and sends 'sending' template digests again
//   with the same client_msg_id, which WeChat delivers only once within 10 minutes. Where WeChat
//   cannot drop a repeat (mini-program subscribe messages, or a template digest older than that
//   window), the entry becomes 'unknown' and is not sent again: staff see how many.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { todayInChina } from '../domain/calendar.js';
import { chineseDate } from '../domain/applications/labels.js';
import { WechatApiError, WechatNetworkError, WechatUnknownOutcomeError } from '../wechat/errors.js';
import type { MiniProgramSubscribeMessage, TemplateMessage } from '../wechat/api-client.js';
import type { Delivery, DeliveryTotals, PushLedgerRepository, PushPause, PushRun, Subscriber, SubscriberChannel, SubscribersRepository } from '../store/subscribers-repo.js';
import { clientMsgId, digestCutoffs, digestItems, digestMessage, digestValues, subscriberSince, type DigestItem, type DigestTemplates } from './digest.js';
import { SendWindow } from './send-window.js';
import { LedgerBatch } from './ledger-batch.js';
import { publicationOf, type CatalogService } from './service.js';

/** The part of the WeChat client the push job uses. */
export interface DigestSender {
  sendTemplate(message: TemplateMessage): Promise<unknown>;
  sendMiniProgramSubscribe(message: MiniProgramSubscribeMessage): Promise<unknown>;
}

export interface PushSettings {
  /** At most this many digests begin within one second. */
  sendsPerSecond: number;
  /** Digests in flight at once; about sendsPerSecond, so that a second's digests leave together. */
  concurrency: number;
  /** After a 45009 (quota or rate limit): the first pause, doubling up to maxPauseMs. */
  firstPauseMs: number;
  maxPauseMs: number;
  /** Pausing longer than this in one job run leaves the rest of the run for the next job run. */
  pauseBudgetMs: number;
  /** Template digests left 'sending' are sent again only within this time (WeChat keeps client_msg_id 10 min). */
  resendWindowMs: number;
  /** Ledger entries arriving within this time are written together (each still waits for its own). */
  ledgerFlushMs: number;
  /** Digests per China day and channel this job may use of the account's quota; null: no own cap. */
  dailyQuota: Record<SubscriberChannel, number | null>;
  templates: DigestTemplates;
}

export interface PushDeps {
  catalog: CatalogService;
  subscribers: SubscribersRepository;
  ledger: PushLedgerRepository;
  /** Called when a run starts, so the client may be built after the server listens. */
  sender: () => DigestSender;
  settings: PushSettings;
  agencyName: string;
  /** The mini-program linked to the official account, for template messages that open it. */
  mpAppid?: string | null;
  /** The portal, where a template digest leads when push.json gives it no link of its own. */
  portalUrl?: string | null;
  logger?: Logger;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** How often progress is logged during a run. */
  progressEveryMs?: number;
}

export interface PushRunSummary {
  runId: string;
  state: PushRun['state'];
  items: number;
  totals: DeliveryTotals;
  pauses: number;
  note: string | null;
}

export interface PushResult {
  /** The runs this job run worked on: resumed ones first, then the new one. */
  runs: PushRunSummary[];
}

export interface PushRunView extends Omit<PushRun, 'totals'> {
  items: number;
  totals: DeliveryTotals;
  /** Subscribers still to be reached while the run is in progress in this process. */
  queued: number | null;
}

/** Subscribers read at a time while a run goes through them. */
const PAGE = 500;
/** How often a run's attempt says it is alive, so that another instance does not start a second one. */
const HEARTBEAT_MS = 10_000;

/** 40003 bad openid, 43004 no longer follows, 43101 refused the template or subscription: this subscriber only. */
const SUBSCRIBER_ERRORS: ReadonlySet<number> = new Set([40003, 43004, 43101, 43019]);

interface Task {
  subscriber: Subscriber;
  entry: Delivery | null;
  /** A send of this entry may have reached WeChat (it was left 'sending' by an earlier attempt). */
  mayHaveSent: boolean;
}

interface RunControl {
  stop: string | null;
  pausedMs: number;
  pauseStartedAt: number;
  consecutive: number;
}

export class PushJob {
  readonly name = 'push-new-items';
  readonly #deps: PushDeps;
  readonly #clock: () => Date;
  #running: Promise<PushResult> | null = null;
  #live: { runId: string; queued: () => number } | null = null;

  constructor(deps: PushDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** Runs the job; a call while it runs joins the running one. */
  run(): Promise<PushResult> {
    this.#running ??= this.#runOnce().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** The items a push run announced (a digest's link names its run), or null for a run not kept. */
  async runItemIds(runId: string): Promise<readonly string[] | null> {
    return (await this.#deps.ledger.run(runId))?.itemIds ?? null;
  }

  /** Whether a run was left unfinished (crash, quota): worth running the job soon after a start. */
  async hasUnfinishedRun(): Promise<boolean> {
    return (await this.#deps.ledger.unfinished()).length > 0;
  }

  /** The latest runs with their progress, newest first, for staff. */
  async runs(limit = 20): Promise<PushRunView[]> {
    const { ledger } = this.#deps;
    return Promise.all(
      (await ledger.recentRuns(limit)).map(async ({ totals: frozen, ...run }) => ({
        ...run,
        items: run.itemIds.length,
        totals: frozen ?? (await ledger.totals(run.id)),
        queued: this.#live?.runId === run.id ? this.#live.queued() : null,
      })),
    );
  }

  async #runOnce(): Promise<PushResult> {
    const { ledger, catalog } = this.#deps;
    const runs: PushRunSummary[] = [];
    for (const unfinished of await ledger.unfinished()) {
      // Another instance began an attempt at it since we read it: that one works on it now.
      if (!(await ledger.resumeRun(unfinished.id, unfinished.attempts, this.#clock().toISOString()))) return { runs };
      const summary = await this.#deliver(unfinished, true);
      runs.push(summary);
      if (summary.state !== 'finished') return { runs };
    }
    const cursor = await ledger.cursor();
    const fresh = await catalog.publishedAfter(cursor);
    if (fresh.length === 0) return { runs };
    const now = this.#clock();
    const run = await ledger.planRun(cursor, (seq) => ({
      id: `${todayInChina(now).replaceAll('-', '')}-${seq}-${randomBytes(3).toString('hex')}`,
      createdAt: now.toISOString(),
      attemptedAt: now.toISOString(),
      itemIds: fresh.map((f) => f.item.id),
      toSeq: fresh[fresh.length - 1]!.publication.seq,
    }));
    // Null: another instance planned these items a moment ago and is sending them.
    if (run) runs.push(await this.#deliver(run, false));
    return { runs };
  }

  async #deliver(run: PushRun, resumed: boolean): Promise<PushRunSummary> {
    const { ledger, subscribers, catalog, settings, logger } = this.#deps;
    const nowIso = () => this.#clock().toISOString();

    const items = new Map<string, DigestItem>();
    for (const id of run.itemIds) {
      const item = await catalog.get(id);
      const publication = publicationOf(item);
      items.set(id, { id, title: item.title, category: item.category, publishedAt: publication?.at, publishedOn: publication?.on });
    }
    const runItems = [...items.values()];
    const tasks = await this.#tasks(run, runItems, resumed);
    logger?.info({ run: run.id, items: runItems.length, recipients: tasks.expected, resumed }, 'push run started');

    const sender = this.#deps.sender();
    const window = new SendWindow(settings.sendsPerSecond, () => this.#clock().getTime(), this.#deps.sleep);
    const workers = Math.max(1, settings.concurrency);
    const batch = new LedgerBatch(ledger, run.id, settings.ledgerFlushMs, Math.ceil(workers / 2));
    const control: RunControl = { stop: null, pausedMs: 0, pauseStartedAt: -Infinity, consecutive: 0 };
    const retries: Task[] = [];
    const afterWrites: Promise<void>[] = [];
    let failure: unknown = null;
    this.#live = { runId: run.id, queued: () => Math.max(0, tasks.expected - tasks.taken()) + retries.length };
    const progress = setInterval(() => {
      const queued = this.#live?.queued();
      void ledger
        .totals(run.id)
        .then((totals) => logger?.info({ run: run.id, ...totals, queued }, 'push run progress'))
        .catch(() => {});
    }, this.#deps.progressEveryMs ?? 5_000);
    progress.unref();
    const heartbeat = setInterval(() => void ledger.heartbeat(run.id).catch(() => {}), HEARTBEAT_MS);
    heartbeat.unref();

    const today = () => todayInChina(this.#clock());
    const quotaLeft = async (channel: SubscriberChannel) => {
      const cap = settings.dailyQuota[channel];
      return cap === null || (await ledger.sentOn(today(), channel)) < cap;
    };

    const pause = async (grantedAt: number, reason: string) => {
      // Sends granted before this pause began hit the same limit; one pause covers them all.
      if (grantedAt < control.pauseStartedAt || control.stop) return;
      const ms = Math.min(settings.firstPauseMs * 2 ** control.consecutive, settings.maxPauseMs);
      control.consecutive++;
      if (control.pausedMs + ms > settings.pauseBudgetMs) {
        control.stop = `微信接口限额或频率限制（${reason}）持续，本次推送已暂停，将在下次推送时继续`;
        return;
      }
      control.pausedMs += ms;
      control.pauseStartedAt = this.#clock().getTime();
      window.pauseFor(ms);
      const record: PushPause = { at: nowIso(), reason, ms };
      logger?.warn({ run: run.id, ...record }, 'push paused');
      afterWrites.push(ledger.notePause(run.id, record));
    };

    const deliverOne = async (task: Task): Promise<void> => {
      const { subscriber } = task;
      let entry = task.entry;
      // Subscriptions may have changed since the page was read.
      const current = await subscribers.byKey(subscriber.key);
      if (!entry) {
        // Only what was published after they subscribed to its category.
        const mine = current ? digestItems(runItems, current.categories, subscriberSince(current)) : [];
        if (mine.length === 0) return;
        if (!(await quotaLeft(subscriber.channel))) {
          control.stop ??= `今日${subscriber.channel === 'miniprogram' ? '小程序订阅消息' : '模板消息'}推送量已达设定上限，其余订阅者将在下次推送时收到`;
          return;
        }
        entry = { state: 'sending', clientMsgId: clientMsgId(run.id, subscriber.key), items: mine.map((i) => i.id), at: nowIso() };
        // Not written: the subscriber already has an entry in this run (another instance claimed it).
        if (!(await batch.put(subscriber.key, entry, { blocking: true }))) return;
      }
      const digest = entry.items.map((id) => items.get(id)).filter((i): i is DigestItem => i !== undefined);
      const since = subscriberSince(current ?? subscriber);
      const message = digestMessage({
        channel: subscriber.channel,
        openid: subscriber.openid,
        runId: run.id,
        clientMsgId: entry.clientMsgId,
        items: digest,
        // 2026年5月12日: the form WeChat's time and date fields accept.
        values: digestValues(digest, (id) => catalog.categoryName(id), chineseDate(todayInChina(this.#clock())), this.#deps.agencyName),
        templates: settings.templates,
        mpAppid: this.#deps.mpAppid ?? null,
        since: digestCutoffs(runItems, digest, since),
        fallbackUrl: this.#deps.portalUrl ?? null,
      });

      const grantedAt = await window.take();
      if (control.stop) {
        // Stopped while waiting: nothing went out, so the entry must not look as if it might have.
        if (!task.mayHaveSent) afterWrites.push(batch.put(subscriber.key, null).then(() => {}));
        return;
      }
      try {
        if (message.officialAccount) await sender.sendTemplate(message.officialAccount);
        else await sender.sendMiniProgramSubscribe(message.miniProgram!);
        if (grantedAt >= control.pauseStartedAt) control.consecutive = 0;
        const sent: Delivery = { ...entry, state: 'sent', at: nowIso() };
        afterWrites.push(batch.put(subscriber.key, sent, { sent: { day: today(), channel: subscriber.channel } }).then(() => {}));
      } catch (error) {
        if (error instanceof WechatApiError && error.isRateLimited) {
          retries.push({ ...task, entry });
          await pause(grantedAt, String(error.errcode));
        } else if (error instanceof WechatNetworkError) {
          retries.push({ ...task, entry });
          await pause(grantedAt, 'network');
        } else if (error instanceof WechatApiError && SUBSCRIBER_ERRORS.has(error.errcode)) {
          afterWrites.push(batch.put(subscriber.key, { ...entry, state: 'failed', errcode: error.errcode, at: nowIso() }).then(() => {}));
        } else if (error instanceof WechatApiError) {
          // A wrong template id or data field fails for everyone alike: stop rather than fail them all.
          if (!task.mayHaveSent) afterWrites.push(batch.put(subscriber.key, null).then(() => {}));
          control.stop ??= `微信拒绝发送（${error.errcode} ${error.errmsg}），请检查 data/catalog/push.json 中的模板设置`;
          logger?.error({ run: run.id, errcode: error.errcode, errmsg: error.errmsg }, 'push stopped: WeChat refused the digest');
        } else if (error instanceof WechatUnknownOutcomeError) {
          // Timeout or lost connection after the client's own retries: it may have arrived.
          afterWrites.push(batch.put(subscriber.key, { ...entry, state: 'unknown', at: nowIso() }).then(() => {}));
          logger?.warn({ run: run.id, err: error }, 'digest outcome unknown');
        } else {
          throw error;
        }
      }
    };

    // A worker with nothing to take waits while others are busy: a send that hits 45009 puts its
    // subscriber back for whoever is free after the pause.
    let busy = 0;
    let waiting: Array<() => void> = [];
    const settled = () => {
      for (const wake of waiting) wake();
      waiting = [];
    };
    const worker = async () => {
      while (!control.stop && !failure) {
        let task: Task | undefined;
        try {
          task = retries.shift() ?? (await tasks.next());
        } catch (error) {
          failure ??= error;
          control.stop ??= '推送出错，已暂停';
          break;
        }
        if (!task) {
          if (busy === 0) return;
          await new Promise<void>((resolve) => waiting.push(resolve));
          continue;
        }
        busy++;
        try {
          await deliverOne(task);
        } catch (error) {
          failure ??= error;
          control.stop ??= '推送出错，已暂停';
        } finally {
          busy--;
          settled();
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: workers }, worker));
      await Promise.all(afterWrites);
    } finally {
      clearInterval(progress);
      clearInterval(heartbeat);
      this.#live = null;
    }
    if (failure) {
      await ledger.pauseRun(run.id, control.stop!);
      throw failure;
    }
    // A retried task still waiting when the workers ran out is sent at the next attempt.
    if (control.stop || retries.length > 0) {
      await ledger.pauseRun(run.id, control.stop ?? '推送未完成，将在下次推送时继续');
    } else {
      await ledger.finishRun(run.id, nowIso());
    }
    const finished = (await ledger.run(run.id))!;
    const summary: PushRunSummary = {
      runId: run.id,
      state: finished.state,
      items: run.itemIds.length,
      totals: finished.totals ?? (await ledger.totals(run.id)),
      pauses: finished.pauses.length,
      note: finished.note,
    };
    logger?.info(summary, 'push run ended');
    return summary;
  }

  /**
   * Who gets a digest in this (attempt at the) run: the entries an earlier attempt left 'sending'
   * that may be sent again, then, a page at a time, the subscribers whose categories have new items
   * and who have no entry yet. `expected` is how many that makes, for the log and the staff's view.
   */
  async #tasks(run: PushRun, runItems: readonly DigestItem[], resumed: boolean): Promise<TaskSource> {
    const { ledger, subscribers, settings } = this.#deps;
    const now = this.#clock();
    const queue: Task[] = [];
    const unknown = new Map<string, Delivery>();
    for (const [key, entry] of Object.entries(await ledger.inState(run.id, 'sending'))) {
      const subscriber = await subscribers.byKey(key);
      const resendable =
        subscriber?.channel === 'official-account' && now.getTime() - Date.parse(entry.at) < settings.resendWindowMs;
      if (resendable) queue.push({ subscriber: subscriber!, entry, mayHaveSent: true });
      else unknown.set(key, { ...entry, state: 'unknown', at: now.toISOString() });
    }
    if (unknown.size > 0) await ledger.writeEntries(run.id, unknown, []);
    const categories = [...new Set(runItems.map((i) => i.category))];
    const done = resumed ? await ledger.totals(run.id) : null;
    const expected = queue.length + (await subscribers.count(categories)) - (done ? done.sent + done.failed + done.unknown + done.sending : 0);

    let after: number | null = null;
    let exhausted = false;
    let reading: Promise<void> | null = null;
    let taken = 0;
    const readPage = async () => {
      const page = await subscribers.page({ categories, after, limit: PAGE });
      after = page.next;
      exhausted = page.next === null;
      const entries = await ledger.entriesFor(run.id, page.items.map((s) => s.key));
      for (const subscriber of page.items) if (!entries[subscriber.key]) queue.push({ subscriber, entry: null, mayHaveSent: false });
    };
    return {
      expected: Math.max(expected, queue.length),
      taken: () => taken,
      next: async () => {
        for (;;) {
          const task = queue.shift();
          if (task) {
            taken++;
            return task;
          }
          if (exhausted) return undefined;
          // Workers that run out together wait for the same page.
          reading ??= readPage().finally(() => (reading = null));
          await reading;
        }
      },
    };
  }
}

/** The tasks of one attempt at a run, read as the workers take them. */
interface TaskSource {
  expected: number;
  taken: () => number;
  next: () => Promise<Task | undefined>;
}
