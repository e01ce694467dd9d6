// The scheduled jobs (node-cron, Asia/Shanghai): the outbox every minute, deadline reminders and the
// unanswered-questions digest each morning (they act only on working days), the store backup at
// night, push-new-items and feed-import; the server's modules give them (src/module.ts). Every job
// can also be run on demand (POST /admin/v1/jobs/:name/run), and a run on demand while the
// scheduled one is still going waits for it and shares its result instead of running twice at once.
import { createTask, validate, type ScheduledTask, type TaskContext } from 'node-cron';
import { isStoreWriteError } from '../store/write-faults.js';
import type { Coordination } from '../store/coordination.js';

export interface JobDefinition {
  name: string;
  /** Five- or six-field cron expressions in Asia/Shanghai time (several: the job runs at each). */
  cron: string | string[];
  run: () => Promise<unknown>;
}

export interface Job {
  name: string;
  cron: string[];
  run(): Promise<unknown>;
  /** The next scheduled time (for the console), null when stopped. */
  nextRun(): Date | null;
}

export interface Jobs {
  jobs: Job[];
  find(name: string): Job | undefined;
  start(): void;
  /** Stops the schedules and waits for running jobs to finish. */
  stop(): Promise<void>;
}

export interface NotifyJobsSource {
  runOutbox(): Promise<unknown>;
  runDeadlineReminders(): Promise<unknown>;
  runUnansweredDigest(): Promise<unknown>;
}

export interface BackupSource {
  backup(): Promise<string>;
}

export interface JobsDeps {
  /** The notifications' three jobs (notifyJobs); the server's modules give theirs in `extra`. */
  notify?: NotifyJobsSource;
  /** The nightly backup (backupJob). */
  store?: BackupSource;
  /** More jobs, e.g. {name: 'push-new-items', cron: '0 9 * * *', run}. */
  extra?: JobDefinition[];
  /** Replaces the default schedule of a job by name. */
  schedules?: Record<string, string>;
  /** Told of every run's duration and result, e.g. for the metrics (a joined run counts once). */
  onRun?: (job: string, seconds: number, ok: boolean) => void;
  logger?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /**
   * Several instances on one database: each scheduled fire runs on one of them, and a run whose
   * instance died is taken over by another (src/store/coordination.ts). Unset: this process runs
   * every fire.
   */
  coordination?: Coordination;
  /** How long a run's claim lasts without renewal (renewed every third of it while it runs). */
  leaseMs?: number;
}

export const TIMEZONE = 'Asia/Shanghai';

export const DEFAULT_SCHEDULES = {
  outbox: '* * * * *',
  'deadline-reminders': '0 8 * * *',
  'unanswered-digest': '30 8 * * *',
  backup: '30 2 * * *',
} as const;

/** The outbox every minute, deadline reminders and the unanswered-questions digest each morning. */
export function notifyJobs(notify: NotifyJobsSource): JobDefinition[] {
  return [
    { name: 'outbox', cron: DEFAULT_SCHEDULES.outbox, run: () => notify.runOutbox() },
    { name: 'deadline-reminders', cron: DEFAULT_SCHEDULES['deadline-reminders'], run: () => notify.runDeadlineReminders() },
    { name: 'unanswered-digest', cron: DEFAULT_SCHEDULES['unanswered-digest'], run: () => notify.runUnansweredDigest() },
  ];
}

export function backupJob(store: BackupSource): JobDefinition {
  return { name: 'backup', cron: DEFAULT_SCHEDULES.backup, run: async () => ({ folder: await store.backup() }) };
}

export function createJobs(deps: JobsDeps): Jobs {
  const definitions: Array<JobDefinition & { cron: string[] }> = [
    ...(deps.notify ? notifyJobs(deps.notify) : []),
    ...(deps.store ? [backupJob(deps.store)] : []),
    ...(deps.extra ?? []),
  ].map((d) => ({ ...d, cron: [deps.schedules?.[d.name] ?? d.cron].flat() }));

  const names = new Set<string>();
  for (const d of definitions) {
    if (names.has(d.name)) throw new Error(`job ${d.name} is defined twice`);
    names.add(d.name);
    for (const cron of d.cron) {
      if (!validate(cron)) throw new Error(`job ${d.name}: "${cron}" is not a valid cron expression`);
    }
  }

  const running = new Map<string, Promise<unknown>>();
  let started = false;
  const coordination = deps.coordination;
  const leaseMs = deps.leaseMs ?? 60_000;
  let sweeper: NodeJS.Timeout | undefined;

  const entries = definitions.map((definition) => {
    // One execution at a time per job, whoever asks: the schedule or a staff member.
    const once = (): Promise<unknown> => {
      const current = running.get(definition.name);
      if (current) return current;
      const started = performance.now();
      const noteRun = (ok: boolean) => deps.onRun?.(definition.name, (performance.now() - started) / 1000, ok);
      const execution = definition
        .run()
        .then(
          (result) => (noteRun(true), result),
          (error: unknown) => {
            noteRun(false);
            throw error;
          },
        )
        .finally(() => running.delete(definition.name));
      running.set(definition.name, execution);
      return execution;
    };
    // A scheduled fire runs where it is claimed; a run on demand (staff, execute()) runs here.
    const fire = (context: TaskContext): Promise<unknown> =>
      coordination && context.execution?.reason !== 'invoked' ? claimed(runKey(definition.name, context.date), once) : once();
    const tasks: ScheduledTask[] = definition.cron.map((cron) =>
      createTask(cron, fire, {
        name: definition.name,
        timezone: TIMEZONE,
        noOverlap: true,
        logger: cronLogger(definition.name, deps.logger),
      }),
    );
    const job: Job = {
      name: definition.name,
      cron: definition.cron,
      run: () => tasks[0]!.execute(),
      nextRun: () => {
        if (!started) return null;
        const next = tasks.map((task) => task.getNextRun()).filter((d): d is Date => d !== null);
        return next.length ? new Date(Math.min(...next.map((d) => d.getTime()))) : null;
      },
    };
    return { job, tasks, once };
  });

  /** Runs `run` if this instance wins the fire `key`, renewing its lease until the run ends. */
  async function claimed(key: string, run: () => Promise<unknown>): Promise<unknown> {
    if (!(await coordination!.claimRun(key, leaseMs))) return { skipped: 'another instance runs it' };
    return holding(key, run);
  }

  async function holding(key: string, run: () => Promise<unknown>): Promise<unknown> {
    const renew = setInterval(() => {
      coordination!.renewRun(key, leaseMs).catch((error: unknown) => deps.logger?.warn({ err: error, run: key }, 'renewing a job run failed'));
    }, leaseMs / 3);
    let ok = false;
    try {
      const result = await run();
      ok = true;
      return result;
    } finally {
      clearInterval(renew);
      await coordination!.finishRun(key, ok).catch((error: unknown) => deps.logger?.warn({ err: error, run: key }, 'finishing a job run failed'));
    }
  }

  /** Takes over the runs of instances that died mid-run, and runs them again (jobs are idempotent). */
  async function sweep(): Promise<void> {
    const keys = await coordination!.takeOverStaleRuns(leaseMs);
    for (const key of keys) {
      const entry = entries.find((e) => e.job.name === jobOfRun(key));
      if (!entry) continue;
      deps.logger?.warn({ run: key }, 'taking over a job run whose instance stopped');
      void holding(key, entry.once).catch((error: unknown) => deps.logger?.error({ err: error, run: key }, 'a job run taken over failed'));
    }
  }

  return {
    jobs: entries.map((e) => e.job),
    find: (name) => entries.find((e) => e.job.name === name)?.job,
    start() {
      if (started) return;
      started = true;
      for (const { tasks } of entries) for (const task of tasks) void task.start();
      if (coordination) {
        sweeper = setInterval(() => {
          sweep().catch((error: unknown) => deps.logger?.warn({ err: error }, 'looking for job runs to take over failed'));
        }, leaseMs / 2);
        sweeper.unref();
      }
    },
    async stop() {
      started = false;
      clearInterval(sweeper);
      for (const { tasks } of entries) for (const task of tasks) await task.destroy();
      await Promise.allSettled(running.values());
    },
  };
}

/** node-cron logs to the console by default; send its words to our logger instead. */
function cronLogger(job: string, logger: JobsDeps['logger']) {
  return {
    info: (message: string) => logger?.info({ job }, message),
    warn: (message: string) => logger?.warn({ job }, message),
    error: (message: string | Error, err?: Error) => {
      // A full disk was logged once by the store, not again by every job run it fails.
      if (isStoreWriteError(err) || isStoreWriteError(message)) return logger?.warn({ job }, 'job skipped: DATA_DIR cannot be written');
      logger?.error({ job, err: err ?? message }, typeof message === 'string' ? message : message.message);
    },
    debug: () => {},
  };
}

/**
 * The key of one scheduled fire: the job and the minute it fires at (our schedules have no
 * seconds). Rounded, not truncated, so two instances whose clocks differ by a little agree.
 */
export function runKey(job: string, firedAt: Date): string {
  const minute = new Date(Math.round(firedAt.getTime() / 60_000) * 60_000);
  return `${job}@${minute.toISOString().slice(0, 16)}Z`;
}

function jobOfRun(key: string): string {
  return key.slice(0, key.lastIndexOf('@'));
}
