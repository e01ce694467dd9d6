/**
 * The outbox worker: plans the deliveries of new entries and sends the ones that are due, each on
 * the first channel that reaches its recipient.
 *
 * Exactly once, as far as WeChat lets us:
 * - Before every send the worker records which channel it is trying and, for template messages,
 *   the client_msg_id. A crash between the send and the record of its result leaves that record;
 *   the next pass repeats the send with the same client_msg_id, which WeChat (and the fake API)
 *   drops as a duplicate for 10 minutes, and the delivery is marked sent.
 * - Subscribe messages, customer-service messages and the WeCom robot have no such id. For them we
 *   chose at-most-once: after a crash mid-send, or when a send times out after the request left,
 *   the delivery is marked sent but unconfirmed and not repeated. A repeat could double a legal
 *   notice, uses up another one-time consent (which the next step, often the decision, needs) or
 *   one of the five customer-service messages of the window; WeChat has almost always delivered a
 *   message whose answer was lost. Failures WeChat reports (-1, quota, network refused) were not
 *   delivered, and are retried on every channel.
 * - One pass at a time per process (single-flight): a run requested during a pass runs once more
 *   right after it. Several instances (PostgreSQL) share the outbox: each entry is planned once (the
 *   store's unique key), and a pass claims the due deliveries it sends (claimDue), so two instances
 *   never send one delivery. What an instance that died had claimed is taken over once the others
 *   see it dead (it stopped beating: within seconds, src/store/pg/instance.ts), and follows the
 *   rules above for a send cut off by a crash. An instance only taken for dead (stopped by its
 *   machine for a while) finds, when it wakes, that the delivery changed since it read it: the send
 *   is recorded before it is made, and only on the delivery as the pass read it, so it leaves it.
 */
import { DomainError } from '../domain/errors.js';
import type { NotificationIntent } from '../store/applications-repo.js';
import { isConflictError, ConflictError } from '../store/conflict.js';
import type { ChannelName, Delivery, DeliveryAttempt, DeliveryEffects, NotifyRepository, OwnEntry } from '../store/notify-repo.js';
import type { Channels } from './channels.js';
import { backoffMs, classifySendError, clientMsgIdFor, DEFAULT_OUTBOX_POLICY, type OutboxPolicy } from './delivery-policy.js';
import { ALERT_KINDS, type OutboxEntry, type Planner } from './planner.js';

export interface OutboxSummary {
  planned: number;
  sent: number;
  /** Marked sent without WeChat's answer (at-most-once channels after an unknown outcome). */
  unconfirmed: number;
  retrying: number;
  dead: number;
  needsContact: number;
  /** No channel reaches the person now: waiting for their next message (replies to questions). */
  awaitingUser: number;
}

/** The intents written with application events, as the applications' store hands them out. */
export interface IntentSource {
  /** Intents not planned yet, oldest first. */
  pending(limit: number): Promise<NotificationIntent[]>;
  /** Notes that these are planned: pending no longer lists them. */
  markPlanned(keys: string[]): Promise<void>;
}

export interface OutboxDeps {
  repo: NotifyRepository;
  intents: IntentSource;
  planner: Planner;
  channels: Channels;
  clock: () => Date;
  policy?: Partial<OutboxPolicy>;
  logger?: { warn(obj: object, msg: string): void };
}

/** 'taken': another instance took the delivery over before this pass could send it. */
type Outcome = 'sent' | 'unconfirmed' | 'retrying' | 'dead' | 'needs-contact' | 'awaiting-user' | 'next' | 'taken';

/** Entries planned per store round trip. */
const PLAN_BATCH = 100;
/** Deliveries claimed at a time: a claim is held while they are sent one after the other. */
const CLAIM_BATCH = 10;
/** Lists of the console and the staff API show at most this many, newest first. */
export const LIST_LIMIT = 200;

export class Outbox {
  readonly policy: OutboxPolicy;
  #current: Promise<OutboxSummary> | null = null;
  #queued: Promise<OutboxSummary> | null = null;

  constructor(private readonly deps: OutboxDeps) {
    this.policy = { ...DEFAULT_OUTBOX_POLICY, ...deps.policy };
  }

  /** One pass; a call during a pass gets the pass that starts after it, so nothing new waits a minute. */
  run(): Promise<OutboxSummary> {
    if (this.#current) {
      this.#queued ??= this.#current.then(
        () => this.#startQueued(),
        () => this.#startQueued(),
      );
      return this.#queued;
    }
    this.#current = this.#pass().finally(() => {
      this.#current = null;
    });
    return this.#current;
  }

  /** Resolves when no pass is running (for shutdown). */
  async idle(): Promise<void> {
    while (this.#current || this.#queued) await (this.#queued ?? this.#current)!.catch(() => undefined);
  }

  #startQueued(): Promise<OutboxSummary> {
    this.#queued = null;
    return this.run();
  }

  async #pass(): Promise<OutboxSummary> {
    const summary: OutboxSummary = { planned: 0, sent: 0, unconfirmed: 0, retrying: 0, dead: 0, needsContact: 0, awaitingUser: 0 };
    let budget = this.policy.batchSize;
    // Alerts about failures are entries too; a few rounds deliver them in the same pass.
    for (let round = 0; round < 3 && budget > 0; round++) {
      summary.planned += await this.#planNew();
      let claimedAny = false;
      while (budget > 0) {
        const claimed = await this.deps.repo.claimDue(this.#now(), Math.min(budget, CLAIM_BATCH), this.policy.claimLeaseMs);
        if (claimed.length === 0) break;
        claimedAny = true;
        budget -= claimed.length;
        await this.#deliverClaimed(claimed, summary);
      }
      if (!claimedAny) break;
    }
    return summary;
  }

  /** Sends what this pass claimed, releasing each claim when done; stops before the lease could run out. */
  async #deliverClaimed(claimed: Delivery[], summary: OutboxSummary): Promise<void> {
    const started = performance.now();
    /** How many were taken from the list (their claims released, or being released). */
    let taken = 0;
    try {
      for (const delivery of claimed) {
        // Past half the lease another instance may take the rest soon: they are claimed afresh.
        if (performance.now() - started > this.policy.claimLeaseMs / 2) break;
        taken++;
        let outcome: Outcome | null;
        try {
          outcome = await this.#deliver(delivery);
        } finally {
          await this.deps.repo.releaseClaims([delivery.key]);
        }
        if (outcome === 'sent') summary.sent++;
        else if (outcome === 'unconfirmed') summary.unconfirmed++;
        else if (outcome === 'retrying') summary.retrying++;
        else if (outcome === 'dead') summary.dead++;
        else if (outcome === 'needs-contact') summary.needsContact++;
        else if (outcome === 'awaiting-user') summary.awaitingUser++;
      }
    } finally {
      if (taken < claimed.length) await this.deps.repo.releaseClaims(claimed.slice(taken).map((d) => d.key));
    }
  }

  /** Plans the applications' new intents, then notify's own new entries, a batch at a time. */
  async #planNew(): Promise<number> {
    let planned = 0;
    for (;;) {
      const batch = await this.deps.intents.pending(PLAN_BATCH);
      if (batch.length === 0) break;
      const { fresh, done } = await this.#plan(batch.map((i): OutboxEntry => ({ ...i, data: {} })));
      planned += fresh;
      // Planned by this pass or an earlier one (perhaps of another instance, or before a crash here).
      if (done.length) await this.deps.intents.markPlanned(done);
      if (batch.length < PLAN_BATCH || done.length === 0) break;
    }
    for (;;) {
      const batch = await this.deps.repo.unplannedEntries(PLAN_BATCH);
      if (batch.length === 0) break;
      const { fresh, done } = await this.#plan(batch.map((e): OutboxEntry => ({ ...e, eventIndex: null })));
      planned += fresh;
      if (batch.length < PLAN_BATCH || done.length === 0) break;
    }
    return planned;
  }

  /** Plans entries; `fresh`: how many this call planned, `done`: the keys planned now or before. */
  async #plan(entries: OutboxEntry[]): Promise<{ fresh: number; done: string[] }> {
    const now = this.#now();
    // Planned already (by another instance, or before a crash between planning and marking).
    const before = await this.deps.repo.plannedOf(entries.map((e) => e.key));
    const plans: Array<{ entryKey: string; deliveries: Delivery[] }> = [];
    for (const entry of entries) {
      if (before.has(entry.key)) continue;
      try {
        plans.push({ entryKey: entry.key, deliveries: await this.deps.planner.plan(entry, now) });
      } catch (error) {
        // One entry that cannot be planned (a bug) must not hold up everyone else's messages.
        this.deps.logger?.warn({ entry: entry.key, err: error }, 'notification could not be planned; will try again');
      }
    }
    const fresh = await this.deps.repo.plan(plans, now);
    return { fresh: fresh.length, done: [...before, ...plans.map((p) => p.entryKey)] };
  }

  async #deliver(start: Delivery): Promise<Outcome | null> {
    // Staff may have acted on it since the pass listed it.
    let d = await this.deps.repo.delivery(start.key);
    if (!d || d.status !== 'pending' || d.nextAttemptAt > this.#now()) return null;
    if (d.inFlight) {
      const { channel, clientMsgId } = d.inFlight;
      // A send was under way when the process stopped, or its answer never came.
      if (clientMsgId) return this.#attempt(d, channel, clientMsgId);
      await this.#update(d, (x) => {
        x.status = 'sent';
        x.sentVia = channel;
        x.confirmed = false;
        x.inFlight = null;
        x.history.push(this.#record(channel, 'unknown', { detail: '上次发送的结果未知（进程中断），为避免重复不再发送' }));
      });
      return 'unconfirmed';
    }
    for (;;) {
      const channel = d.channels[d.channelIndex];
      if (!channel) return this.#exhausted(d);
      const unavailable = await this.deps.channels.unavailable(channel, d);
      if (unavailable) {
        d = await this.#update(d, (x) => {
          x.channelIndex++;
          x.history.push(this.#record(channel, 'not-authorised', { detail: unavailable }));
        });
        continue;
      }
      const outcome = await this.#attempt(d, channel, this.deps.channels.idempotent(channel) ? clientMsgIdFor(d.key, channel) : null);
      if (outcome !== 'next') return outcome;
      d = (await this.deps.repo.delivery(d.key))!;
    }
  }

  async #attempt(d: Delivery, channel: ChannelName, clientMsgId: string | null): Promise<Outcome> {
    const credit = d.inFlight ? null : await this.deps.channels.credit(channel, d);
    // Recorded before the send: after a crash, the next pass knows what may have gone out. Only on
    // the delivery as this pass read it: if it changed meanwhile, another instance took it over
    // (it took this one for dead) and may have sent it; this pass leaves it to that one.
    if (!d.inFlight) {
      try {
        await this.#update(
          d,
          (x) => {
            if (!unchanged(x, d)) throw new ConflictError('delivery');
            x.inFlight = { channel, clientMsgId, at: this.#now() };
          },
          credit ? { credit: { ...credit, delta: -1 } } : {},
        );
      } catch (error) {
        if (isConflictError(error)) return 'taken';
        throw error;
      }
    }
    let result: { msgid: string | null };
    try {
      result = await this.deps.channels.send(channel, d, clientMsgId);
    } catch (error) {
      return this.#failed(d, channel, clientMsgId, credit, error);
    }
    await this.#update(d, (x) => {
      x.status = 'sent';
      x.sentVia = channel;
      x.confirmed = true;
      x.msgid = result.msgid;
      x.inFlight = null;
      x.reason = null;
      x.history.push(this.#record(channel, 'sent'));
    });
    return 'sent';
  }

  async #failed(d: Delivery, channel: ChannelName, clientMsgId: string | null, credit: { openid: string; templateId: string } | null, error: unknown): Promise<Outcome> {
    const failure = classifySendError(error);
    const refund: DeliveryEffects = credit ? { credit: { ...credit, delta: +1 } } : {};
    switch (failure.kind) {
      case 'unavailable': {
        // The consent WeChat no longer has is gone here too; a closed window is forgotten.
        const effects: DeliveryEffects = credit ? { credit: { ...credit, exhaust: true } } : {};
        if (channel === 'customer-service' && 'openid' in d.recipient) effects.forgetInteraction = d.recipient.openid;
        await this.#update(
          d,
          (x) => {
            x.inFlight = null;
            x.channelIndex++;
            x.history.push(this.#record(channel, 'unavailable', { code: failure.code, detail: failure.detail }));
          },
          effects,
        );
        return 'next';
      }
      case 'retry':
        return this.#retryLater(d, channel, failure, null, refund);
      case 'unknown':
        if (clientMsgId) return this.#retryLater(d, channel, failure, { channel, clientMsgId, at: d.inFlight?.at ?? this.#now() }, {});
        await this.#update(d, (x) => {
          x.status = 'sent';
          x.sentVia = channel;
          x.confirmed = false;
          x.inFlight = null;
          x.history.push(this.#record(channel, 'unknown', { detail: `${failure.detail}；为避免重复不再发送` }));
        });
        return 'unconfirmed';
      case 'permanent':
        return this.#dead(d, channel, `${channelLabel(channel)}拒绝发送：${failure.detail}`, { ...failure }, refund);
    }
  }

  async #retryLater(
    d: Delivery,
    channel: ChannelName,
    failure: { code?: number; detail: string },
    keepInFlight: Delivery['inFlight'],
    effects: DeliveryEffects,
  ): Promise<Outcome> {
    const attempts = d.attempts + 1;
    if (attempts >= this.policy.maxAttempts) {
      return this.#dead(d, channel, `尝试${attempts}次仍未发出：${failure.detail}`, failure, effects, true);
    }
    // A send whose outcome is unknown is repeated soon, while WeChat still knows its client_msg_id.
    const wait = keepInFlight ? this.policy.unknownRetryMs : backoffMs(attempts, this.policy);
    await this.#update(
      d,
      (x) => {
        x.attempts = attempts;
        x.inFlight = keepInFlight;
        x.nextAttemptAt = new Date(this.deps.clock().getTime() + wait).toISOString();
        x.history.push(this.#record(channel, keepInFlight ? 'unknown' : 'retry', { code: failure.code, detail: failure.detail }));
      },
      effects,
    );
    return 'retrying';
  }

  async #dead(d: Delivery, channel: ChannelName | null, reason: string, failure: { code?: number; detail?: string }, effects: DeliveryEffects, counted = false): Promise<Outcome> {
    await this.#update(
      d,
      (x) => {
        if (counted) x.attempts++;
        x.status = 'dead';
        x.inFlight = null;
        x.reason = reason;
        x.history.push(this.#record(channel, 'failed', { code: failure.code, detail: failure.detail ?? reason }));
      },
      { ...effects, entries: this.#alert(d, 'staff:dead-letter', 'dead', reason) },
    );
    this.deps.logger?.warn({ delivery: d.key, kind: d.kind, reason }, 'notification moved to the dead-letter list');
    return 'dead';
  }

  /** Every channel was tried or could not be used. */
  async #exhausted(d: Delivery): Promise<Outcome> {
    const tried = d.history.filter((h) => h.result === 'unavailable' || h.result === 'not-authorised').map((h) => `${channelLabel(h.channel)}：${h.detail ?? h.code}`);
    const reason = tried.length ? `没有可用的微信渠道（${tried.join('；')}）` : '没有可用的微信渠道';
    if (d.waitForUser) {
      // Their next message opens the customer-service window (see wakeFor); staff need not act.
      await this.#update(d, (x) => {
        x.status = 'awaiting-user';
        x.reason = reason;
      });
      return 'awaiting-user';
    }
    if (d.audience !== 'applicant') return this.#dead(d, null, reason, {}, {});
    await this.#update(
      d,
      (x) => {
        x.status = 'needs-contact';
        x.reason = reason;
      },
      { entries: this.#alert(d, 'staff:needs-contact', 'contact', reason) },
    );
    return 'needs-contact';
  }

  #alert(d: Delivery, kind: string, tag: string, reason: string): OwnEntry[] {
    if (ALERT_KINDS.has(d.kind) || d.recipient.type === 'nobody') return [];
    return [
      {
        key: `alert:${tag}:${d.key}`,
        kind,
        audience: 'staff',
        applicationId: d.applicationId,
        createdAt: this.#now(),
        data: { messageLabel: this.deps.planner.label(d.kind), reason },
      },
    ];
  }

  /**
   * The user wrote to the account: what was waiting for them is due again, from its first channel,
   * while the window their message opened lasts. Returns how many; the caller runs a pass.
   */
  async wakeFor(openid: string): Promise<number> {
    let woken = 0;
    for (const d of await this.deps.repo.awaitingUser(openid)) {
      try {
        await this.#update(d, (x) => {
          // Another message of theirs, on another instance, may have woken it already.
          if (x.status !== 'awaiting-user') throw new ConflictError('delivery');
          x.status = 'pending';
          x.channelIndex = 0;
          x.nextAttemptAt = this.#now();
          x.reason = null;
        });
        woken++;
      } catch (error) {
        if (!isConflictError(error)) throw error;
      }
    }
    return woken;
  }

  // --- for staff --------------------------------------------------------------------------------

  /** Dead letters, the latest changed first (at most LIST_LIMIT; `total` counts them all). */
  deadLetters(): Promise<{ total: number; deliveries: Delivery[] }> {
    return this.deps.repo.deliveryPage({ status: 'dead', limit: LIST_LIMIT });
  }

  /**
   * Marked sent after a send whose answer never came (the process stopped mid-send, or the network
   * dropped), on a channel that cannot be repeated safely: it may or may not have arrived. Newest
   * first, those changed since `since`.
   */
  unconfirmed(since: string): Promise<{ total: number; deliveries: Delivery[] }> {
    return this.deps.repo.deliveryPage({ status: 'sent', confirmed: false, updatedSince: since, limit: LIST_LIMIT });
  }

  needsContact(): Promise<{ total: number; deliveries: Delivery[] }> {
    return this.deps.repo.deliveryPage({ status: 'needs-contact', limit: LIST_LIMIT });
  }

  /** Puts a dead letter back in the queue, from its first channel. */
  async retry(key: string, by: string): Promise<Delivery | null> {
    const d = await this.deps.repo.delivery(key);
    if (!d) throw new DomainError('not-found', '找不到这条消息');
    if (d.status !== 'dead') throw notDead();
    if (d.recipient.type === 'nobody') {
      // Nobody could receive it when it was planned: it is planned again for whoever is bound now.
      const own = await this.deps.repo.entry(d.entryKey);
      const entry: OutboxEntry = own
        ? { ...own, eventIndex: null }
        : { key: d.entryKey, kind: d.kind, audience: d.audience, applicationId: d.applicationId, eventIndex: d.eventIndex ?? null, createdAt: d.createdAt, data: {} };
      const now = this.#now();
      if (!(await this.deps.repo.replan(key, await this.deps.planner.plan(entry, now), now))) throw notDead();
      return null;
    }
    return this.#update(d, (x) => {
      // Checked again with the delivery locked: two staff members may click at once.
      if (x.status !== 'dead') throw notDead();
      x.status = 'pending';
      x.attempts = 0;
      x.channelIndex = 0;
      x.inFlight = null;
      x.reason = null;
      x.nextAttemptAt = this.#now();
      x.history.push(this.#record(null, 'retried-by-staff', { detail: by }));
    });
  }

  async markContacted(key: string, by: string, note: string | null): Promise<Delivery> {
    const d = await this.deps.repo.delivery(key);
    if (!d) throw new DomainError('not-found', '找不到这条消息');
    const notListed = () => new DomainError('conflict', '这条消息不在待人工告知列表中');
    if (d.status !== 'needs-contact') throw notListed();
    return this.#update(d, (x) => {
      if (x.status !== 'needs-contact') throw notListed();
      x.status = 'contacted';
      x.history.push(this.#record(null, 'contacted', { detail: note ? `${by}：${note}` : by }));
    });
  }

  // --- helpers -----------------------------------------------------------------------------------

  #update(d: Delivery, change: (x: Delivery) => void, effects: DeliveryEffects = {}): Promise<Delivery> {
    return this.deps.repo.updateDelivery(d.key, change, effects, this.#now());
  }

  #record(channel: ChannelName | null, result: DeliveryAttempt['result'], extra: { code?: number; detail?: string } = {}): DeliveryAttempt {
    const attempt: DeliveryAttempt = { at: this.#now(), channel, result };
    if (extra.code !== undefined) attempt.code = extra.code;
    if (extra.detail !== undefined) attempt.detail = extra.detail;
    return attempt;
  }

  #now(): string {
    return this.deps.clock().toISOString();
  }
}

const CHANNEL_LABELS: Record<ChannelName, string> = {
  'oa-template': '公众号模板消息',
  'oa-subscribe': '公众号订阅通知',
  'mp-subscribe': '小程序订阅消息',
  'customer-service': '公众号客服消息',
  'wecom-robot': '企业微信群机器人',
};

export function channelLabel(channel: ChannelName | null): string {
  return channel ? CHANNEL_LABELS[channel] : '—';
}

function notDead(): DomainError {
  return new DomainError('conflict', '这条消息不在发送失败列表中，无需重试');
}

/**
 * Whether a delivery is still as a pass read it, as far as sending goes: still due, nothing in
 * flight, and no attempt recorded since (history is capped, so its last entry is compared too).
 */
function unchanged(now: Delivery, read: Delivery): boolean {
  const last = (d: Delivery) => JSON.stringify([d.history.length, d.history.at(-1)?.at, d.history.at(-1)?.channel, d.history.at(-1)?.result]);
  return (
    now.status === 'pending' &&
    !now.inFlight &&
    now.status === read.status &&
    now.channelIndex === read.channelIndex &&
    now.attempts === read.attempts &&
    now.nextAttemptAt === read.nextAttemptAt &&
    now.updatedAt === read.updatedAt &&
    last(now) === last(read)
  );
}

/** The application intent a delivery was planned from ("<appId>:<eventIndex>:<audience>"), rebuilt from it. */
function intentEntryOf(d: Delivery): OutboxEntry | null {
  const match = d.applicationId ? /^(.+):(\d+):(applicant|staff)$/.exec(d.entryKey) : null;
  if (!match || match[1] !== d.applicationId) return null;
  return { key: d.entryKey, applicationId: d.applicationId, eventIndex: Number(match[2]), kind: d.kind, audience: d.audience, createdAt: d.createdAt, data: {} };
}
