// What the office's monitoring (Prometheus) scrapes from GET /metrics. Events are counted where they
// happen (webhook answers, customer-service sends, job runs, store writes); states (the outbox, the
// open requests) are read from the store at scrape time, so they are right after a restart too.
// One registry per server, not prom-client's global one: tests run several servers in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Middleware } from 'koa';
import type { DeliveryGauges } from '../store/notify-repo.js';

export interface MetricsSources {
  /** The outbox's figures, counted by the store (NotifyRepository.deliveryGauges). */
  outbox: () => Promise<DeliveryGauges>;
  /** The status of every request not yet delivered or closed, and whether its reply is overdue. */
  openRequests: () => Promise<Iterable<{ status: string; overdue: boolean }>>;
}

// WeChat gives up at 5 s, and the passive window is 4 s: the buckets are finest around those.
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 4.5, 5];
const WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const JOB_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300];

export type ReplyVia = 'passive' | 'customer-service';

export class Metrics {
  readonly registry = new Registry();
  readonly #webhook: Histogram<'reply'>;
  readonly #replies: Counter<'via'>;
  readonly #sendFailures: Counter<never>;
  readonly #jobRuns: Counter<'job' | 'result'>;
  readonly #jobDuration: Histogram<'job'>;
  readonly #jobLastSuccess: Gauge<'job'>;
  readonly #writes: Histogram<'file'>;
  readonly #writeFailures: Counter<'file'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gongkai_' });

    this.#webhook = new Histogram({
      name: 'gongkai_webhook_duration_seconds',
      help: 'Time to answer a WeChat push on POST /wechat, by reply: passive (the answer in the response), success (answered later or not at all), rejected (4xx), error (5xx)',
      labelNames: ['reply'],
      buckets: WEBHOOK_BUCKETS,
      registers,
    });
    this.#replies = new Counter({
      name: 'gongkai_replies_total',
      help: 'Messages of the bot to users, by way: passive (in the webhook response) or customer-service (the API, after the window)',
      labelNames: ['via'],
      registers,
    });
    this.#sendFailures = new Counter({
      name: 'gongkai_customer_service_failures_total',
      help: 'Customer-service messages of the bot that WeChat did not take',
      registers,
    });
    this.#jobRuns = new Counter({
      name: 'gongkai_job_runs_total',
      help: 'Runs of the scheduled jobs (scheduled or on demand), by job and result (ok, failed)',
      labelNames: ['job', 'result'],
      registers,
    });
    this.#jobDuration = new Histogram({
      name: 'gongkai_job_duration_seconds',
      help: 'How long a job run took',
      labelNames: ['job'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.#jobLastSuccess = new Gauge({
      name: 'gongkai_job_last_success_timestamp_seconds',
      help: 'When each job last finished without error (Unix time)',
      labelNames: ['job'],
      registers,
    });
    this.#writes = new Histogram({
      name: 'gongkai_store_write_duration_seconds',
      help: 'Durable writes (fsynced) of the data files and journals, by collection',
      labelNames: ['file'],
      buckets: WRITE_BUCKETS,
      registers,
    });
    this.#writeFailures = new Counter({
      name: 'gongkai_store_write_failures_total',
      help: 'Writes of the data files and journals that failed (the change was refused)',
      labelNames: ['file'],
      registers,
    });

    // The four outbox gauges of one scrape (collected together) share one count by the store. A
    // store that cannot answer leaves them as they were: the rest of the scrape still answers.
    let counting: Promise<DeliveryGauges | null> | null = null;
    const outboxFigures = () =>
      (counting ??= sources
        .outbox()
        .catch(() => null)
        .finally(() => (counting = null)));
    const byChannel = (gauge: Gauge<'channel'>, counts: Record<string, number> | undefined) => {
      if (!counts) return;
      gauge.reset();
      for (const [channel, n] of Object.entries(counts)) gauge.set({ channel }, n);
    };
    new Gauge({
      name: 'gongkai_outbox_backlog',
      help: 'Notifications waiting to be sent or retried, by the channel they will be tried on next',
      labelNames: ['channel'],
      registers,
      async collect() {
        byChannel(this, (await outboxFigures())?.backlog);
      },
    });
    new Gauge({
      name: 'gongkai_outbox_failed',
      help: 'Notifications given up on (listed for staff to retry), by the last channel tried',
      labelNames: ['channel'],
      registers,
      async collect() {
        byChannel(this, (await outboxFigures())?.dead);
      },
    });
    new Gauge({
      name: 'gongkai_outbox_failed_attempts',
      help: 'Failed send attempts recorded in the outbox (retried or not), by channel',
      labelNames: ['channel'],
      registers,
      async collect() {
        byChannel(this, (await outboxFigures())?.failedAttempts);
      },
    });
    new Gauge({
      name: 'gongkai_outbox_needs_contact',
      help: 'Applicants no channel reaches: staff must phone or write',
      registers,
      async collect() {
        const figures = await outboxFigures();
        if (figures) this.set(figures.needsContact);
      },
    });
    new Gauge({
      name: 'gongkai_requests_open',
      help: 'Disclosure requests not yet delivered or closed, by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const open = await sources.openRequests();
        this.reset();
        for (const r of open) this.inc({ status: r.status });
      },
    });
    new Gauge({
      name: 'gongkai_requests_overdue',
      help: 'Open requests whose statutory reply date has passed',
      registers,
      async collect() {
        let overdue = 0;
        for (const r of await sources.openRequests()) if (r.overdue) overdue++;
        this.set(overdue);
      },
    });
  }

  /** Times every POST /wechat and notes how it was answered. Mounted outside the error handler, so it sees the final status. */
  webhookTimer(): Middleware {
    return async (ctx, next) => {
      if (ctx.method !== 'POST' || ctx.path !== '/wechat') return next();
      const end = this.#webhook.startTimer();
      try {
        await next();
      } finally {
        const reply = ctx.status >= 500 ? 'error' : ctx.status >= 400 ? 'rejected' : ctx.body === 'success' ? 'success' : 'passive';
        end({ reply });
        if (reply === 'passive') this.#replies.inc({ via: 'passive' });
      }
    };
  }

  /** A bot message sent through the customer-service API (ok) or refused (not ok). */
  customerServiceSend(ok: boolean): void {
    if (ok) this.#replies.inc({ via: 'customer-service' });
    else this.#sendFailures.inc();
  }

  jobRun(job: string, seconds: number, ok: boolean): void {
    this.#jobRuns.inc({ job, result: ok ? 'ok' : 'failed' });
    this.#jobDuration.observe({ job }, seconds);
    if (ok) this.#jobLastSuccess.set({ job }, Date.now() / 1000);
  }

  storeWrite(write: { file: string; seconds: number; ok: boolean }): void {
    this.#writes.observe({ file: write.file }, write.seconds);
    if (!write.ok) this.#writeFailures.inc({ file: write.file });
  }

  /** The text format Prometheus scrapes. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
