// The two store engines side by side (issue 21): the embedded store (a data folder) with 100,000
// stored requests, and PostgreSQL with 10,000, 100,000 and 1,000,000, one and two instances.
// Every server is a child process started as `npm start` starts it (node src/start.mjs, compiled,
// sandbox mode, DEMO_DATA=off), on data seeded beforehand:
// - embedded: applications.json written by applications-seed.ts (clones of real requests), as the
//   submit bench seeds it;
// - PostgreSQL: a throwaway database, the product's migrations, then the same clones made with
//   INSERT … SELECT FROM generate_series (lib/pg-seed.ts), grown 10,000 → 100,000 → 1,000,000.
// Figures:
// - start: spawn to the first 200 on /healthz, and to the first guide answer through the signed
//   webhook (the guide's index and the bot, which load behind the listening server, are ready);
//   median of 3 (1 in --quick), after one unmeasured start;
// - idle RSS (VmRSS) of the last started server, once it answered and settled for a second;
// - on PostgreSQL, what a start reads from `applications` (pg_stat_user_tables around one start:
//   sequential scans and the rows they read), and EXPLAIN of the submit path's queries at 1,000,000;
// - submit latency p50/p99: POST /mp/v1/applications one at a time, each by another mini-program
//   user, as the submit bench sends them (embedded at 100,000, PostgreSQL at 1,000,000);
// - webhook answers/s: the webhook bench's signed guide questions from the same load generator,
//   32 connections, closed loop; on PostgreSQL also with two server processes on one database, the
//   generator spreading requests round robin over both. The CPU time of the servers, of their
//   PostgreSQL backends and of the whole machine is read from /proc during each phase.
// Baselines, in the same run: start — a minimal `node --import=tsx -e` HTTP server (PostgreSQL at
// 100,000 and 1,000,000: PostgreSQL at 10,000); RSS — a bare node process importing wechaty
// (PostgreSQL at 100,000 and 1,000,000: at 10,000); submit — a bare Koa route that parses the body
// and saves it on the same engine (a durable file write; one INSERT committed); webhook — the bare
// Koa route answering fixed XML (PostgreSQL one instance: the embedded store's one instance; two
// instances: one instance).
// Targets (issue 21): two instances ≥ 1.6 × one instance's webhook throughput; start time and
// memory independent of the number of stored requests on PostgreSQL (here: at 1,000,000 within
// 1.2 × the 10,000 figure); submit p99 ≤ 20 ms with 1,000,000 stored.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { bodyParser } from '@koa/bodyparser';
import getRawBody from 'raw-body';
import pg from 'pg';
import { todayInChina } from '../src/domain/calendar.js';
import { writeFileDurably } from '../src/store/durable-json-file.js';
import { buildTextReply } from '../src/wechat/xml.js';
import { PG_ADMIN_URL } from '../test/helpers/pg.js';
import { sampleApplications, writeApplicationsFile } from './lib/applications-seed.js';
import { ensureBuilt } from './lib/build.js';
import { personApplication } from './lib/identities.js';
import { LoadGenerator, type LoadResult, type LoadTarget, type WechatTextRequests } from './lib/load.js';
import { createBenchDatabase, PgSeeder, type SeedStep } from './lib/pg-seed.js';
import { MINIMAL_ARGS, PRODUCT, PRODUCT_ARGS, WECHATY_ARGS, freePort, memoryOf, spawnNode, untilAnswered, untilOk, type NodeProcess } from './lib/processes.js';
import { answeredQuestions } from './lib/questions.js';
import { CpuCap } from './lib/cpu-cap.js';
import type { BenchOptions, BenchResult } from './lib/result.js';
import { BENCH_ADMIN, startBareKoa, tempFolder } from './lib/servers.js';
import { Latencies, median, round, type LatencySummary } from './lib/stats.js';

const TWO_INSTANCE_TARGET = 1.6;
/** Each instance's CPU budget in the capped phases (a share of one core): instances on machines of their own. */
const CAP_CORES = 0.35;
const FLAT_TARGET = 1.2;
const SUBMIT_P99_TARGET_MS = 20;
const CONNECTIONS = 32;
const QUESTIONS_PER_USER = 3;
const SETTLE_MS = 1000;
const QUESTION = '申请公开要多久';
/** Seconds per clock tick in /proc/<pid>/stat and /proc/stat. */
const TICK_MS = 10;

interface Plan {
  embedded: number;
  postgres: number[];
  runs: number;
  warmStart: boolean;
  submits: number;
  warmUpMs: number;
  phaseMs: number;
}

const FULL: Plan = { embedded: 100_000, postgres: [10_000, 100_000, 1_000_000], runs: 3, warmStart: true, submits: 200, warmUpMs: 1500, phaseMs: 5000 };
const QUICK: Plan = { embedded: 2_000, postgres: [500, 1_000, 2_000], runs: 1, warmStart: false, submits: 20, warmUpMs: 300, phaseMs: 1000 };

interface Server {
  process: NodeProcess;
  url: string;
  healthzMs: number;
  readyMs: number;
}

async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const server = spawnNode(PRODUCT_ARGS, { ...PRODUCT.env, DEMO_DATA: 'off', ...BENCH_ADMIN, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  try {
    const healthzMs = await untilOk(server, `${url}/healthz`);
    const readyMs = await untilAnswered(server, url, QUESTION);
    return { process: server, url, healthzMs, readyMs };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

interface StartFigures {
  healthz: number[];
  ready: number[];
  /** Of the last start, which is left running. */
  rssMiB: number;
  peakMiB: number;
}

/** `runs` starts (after an unmeasured one when asked); the last stays running for what follows. */
async function measureStarts(env: NodeJS.ProcessEnv, plan: Plan, aroundFirst?: { before: () => Promise<void>; after: () => Promise<void> }): Promise<{ figures: StartFigures; server: Server }> {
  if (plan.warmStart) await (await startServer(env)).process.stop();
  const healthz: number[] = [];
  const ready: number[] = [];
  for (let i = 0; ; i++) {
    const last = i === plan.runs - 1;
    if (i === 0) await aroundFirst?.before();
    const server = await startServer(env);
    healthz.push(server.healthzMs);
    ready.push(server.readyMs);
    if (!last) {
      await server.process.stop();
      if (i === 0) await aroundFirst?.after();
      continue;
    }
    await sleep(SETTLE_MS);
    const memory = await memoryOf(server.process.child.pid!);
    if (i === 0 && aroundFirst) {
      // Only one run (--quick): the statistics are read with the server still running.
      await sleep(SETTLE_MS);
      await aroundFirst.after();
    }
    return { figures: { healthz, ready, rssMiB: memory.rssMiB, peakMiB: memory.peakMiB }, server };
  }
}

/** The minimal server's spawn to its first 200, as the startup bench measures it. */
async function minimalStart(): Promise<number> {
  const port = await freePort();
  const server = spawnNode(MINIMAL_ARGS, { PORT: String(port), HOST: '127.0.0.1' });
  try {
    return await untilOk(server, `http://127.0.0.1:${port}/healthz`);
  } finally {
    await server.stop();
  }
}

async function wechatyRss(): Promise<number> {
  const port = await freePort();
  const server = spawnNode(WECHATY_ARGS, { PORT: String(port), HOST: '127.0.0.1' });
  try {
    await untilOk(server, `http://127.0.0.1:${port}/`);
    await sleep(SETTLE_MS);
    return (await memoryOf(server.child.pid!)).rssMiB;
  } finally {
    await server.stop();
  }
}

// ---- submit ----

let applicantCounter = 3_000_000;

async function submit(url: string, token: string): Promise<void> {
  const response = await fetch(`${url}/mp/v1/applications`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(personApplication(applicantCounter++)),
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`submit answered ${response.status}: ${body.slice(0, 300)}`);
}

async function login(url: string, openid: string): Promise<string> {
  const response = await fetch(`${url}/mp/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: `dev:${openid}` }) });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** One warm-up submit, then `count` submits one at a time, each by another user. */
async function measureSubmits(url: string, count: number, prefix: string): Promise<LatencySummary> {
  const tokens: string[] = [];
  for (let i = 0; i <= count; i++) tokens.push(await login(url, `o-engines-${prefix}-${i}`));
  await submit(url, tokens[0]!);
  const latencies = new Latencies();
  for (const token of tokens.slice(1)) {
    const started = performance.now();
    await submit(url, token);
    latencies.record(performance.now() - started);
  }
  return latencies.summary();
}

/** The floor of a saved answer on an engine: a bare Koa route that parses the body and saves it. */
async function submitFloor(count: number, save: (body: unknown) => Promise<void>): Promise<LatencySummary> {
  const bare = await startBareKoa((router) =>
    router.post('/mp/v1/applications', bodyParser(), async (ctx) => {
      await save(ctx.request.body);
      ctx.status = 201;
      ctx.body = { saved: true };
    }),
  );
  try {
    await submit(bare.url, 'none');
    const latencies = new Latencies();
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await submit(bare.url, 'none');
      latencies.record(performance.now() - started);
    }
    return latencies.summary();
  } finally {
    await bare.close();
  }
}

// ---- webhook ----

interface CpuSnapshot {
  servers: number;
  backends: number;
  generator: number;
  busy: number;
  total: number;
}

async function ticksOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3]! + (values[4] ?? 0);
  const total = values.reduce((sum, v) => sum + v, 0);
  return { busy: total - idle, total };
}

async function cpuSnapshot(servers: Server[], backendPids: () => Promise<number[]>, generatorPid: number): Promise<CpuSnapshot> {
  let serverTicks = 0;
  for (const s of servers) serverTicks += await ticksOf(s.process.child.pid!);
  let backendTicks = 0;
  for (const pid of await backendPids()) backendTicks += await ticksOf(pid);
  const generator = await ticksOf(generatorPid);
  const machine = await machineTicks();
  return { servers: serverTicks, backends: backendTicks, generator, busy: machine.busy, total: machine.total };
}

interface WebhookFigures {
  result: LoadResult;
  instances: number;
  /** CPU milliseconds per answered push: the server processes, their PostgreSQL backends, the whole machine. */
  serverCpuMsPerPush: number;
  backendCpuMsPerPush: number;
  generatorCpuMsPerPush: number;
  /** Servers, their backends and the load generator: what this measurement itself costs. */
  ownCpuMsPerPush: number;
  machineCpuMsPerPush: number;
  /** Share of all cores busy during the phase. */
  machineBusy: number;
}

function wechatRequests(questions: string[], userPrefix: string): WechatTextRequests {
  return { kind: 'wechat-text', token: 'sandbox-token', questions, userPrefix, questionsPerUser: QUESTIONS_PER_USER, expect: '<Content><![CDATA[' };
}

async function measureWebhook(load: LoadGenerator, servers: Server[], questions: string[], userPrefix: string, plan: Plan, backendPids: () => Promise<number[]> = async () => []): Promise<WebhookFigures> {
  const urls = servers.map((s) => s.url);
  const target: LoadTarget = { url: urls[0]!, urls, requests: wechatRequests(questions, userPrefix) };
  await load.run(target, { mode: 'closed', connections: CONNECTIONS, durationMs: plan.warmUpMs });
  const before = await cpuSnapshot(servers, backendPids, load.pid);
  const result = await load.run(target, { mode: 'closed', connections: CONNECTIONS, durationMs: plan.phaseMs });
  const after = await cpuSnapshot(servers, backendPids, load.pid);
  if (result.completed === 0) throw new Error(`no push was answered: ${result.failures.join('; ')}`);
  const perPush = (ticks: number) => round((ticks * TICK_MS) / result.completed, 3);
  return {
    result,
    instances: servers.length,
    serverCpuMsPerPush: perPush(after.servers - before.servers),
    backendCpuMsPerPush: perPush(after.backends - before.backends),
    generatorCpuMsPerPush: perPush(after.generator - before.generator),
    ownCpuMsPerPush: perPush(after.servers - before.servers + after.backends - before.backends + after.generator - before.generator),
    // /proc/stat counts ticks of every core.
    machineCpuMsPerPush: perPush(after.busy - before.busy),
    machineBusy: round((after.busy - before.busy) / Math.max(1, after.total - before.total), 3),
  };
}

// ---- PostgreSQL inspection ----

interface TableReads {
  seqScans: number;
  seqRows: number;
  indexScans: number;
}

async function tableReads(client: pg.Client, table: string): Promise<TableReads> {
  const { rows } = await client.query<{ seq_scan: string; seq_tup_read: string; idx_scan: string | null }>(
    'SELECT seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables WHERE relname = $1',
    [table],
  );
  const r = rows[0]!;
  return { seqScans: Number(r.seq_scan), seqRows: Number(r.seq_tup_read), indexScans: Number(r.idx_scan ?? 0) };
}

function readsBetween(a: TableReads, b: TableReads): TableReads {
  return { seqScans: b.seqScans - a.seqScans, seqRows: b.seqRows - a.seqRows, indexScans: b.indexScans - a.indexScans };
}

/** The submit path's reads of `applications`, as src/store/pg/applications-repo.ts sends them. */
const SUBMIT_QUERIES: Array<{ what: string; sql: string; params: (p: { openid: string; identity: string }) => unknown[] }> = [
  {
    what: 'rate limit: byOpenid',
    sql: `SELECT a.data FROM applications a WHERE a.office = $1 AND a.openid = $2 ORDER BY a.position`,
    params: (p) => ['default', p.openid],
  },
  {
    what: 'duplicates: sameApplicant',
    sql: `SELECT a.data FROM applications a WHERE a.office = $1 AND (a.identity_key = $2 OR a.openid = $3) ORDER BY a.position`,
    params: (p) => ['default', p.identity, p.openid],
  },
  {
    what: 'events of one request (every read of a request)',
    sql: `SELECT jsonb_agg(e.data ORDER BY e.idx) FROM application_events e WHERE e.office = $1 AND e.application_id = $2`,
    params: () => ['default', 'b00000000001'],
  },
  {
    what: 'outbox: pendingIntents',
    sql: `SELECT key FROM application_intents WHERE office = $1 AND NOT planned ORDER BY position LIMIT 100`,
    params: () => ['default'],
  },
  {
    what: 'open requests (metrics, reminders, the console list)',
    sql: `SELECT a.data FROM applications a WHERE a.office = $1 AND NOT a.closed ORDER BY a.position`,
    params: () => ['default'],
  },
];

async function explainSubmitPath(client: pg.Client): Promise<Array<{ what: string; plan: string; seqScanOnApplications: boolean; ms: number | null }>> {
  const sample = { openid: 'o-engines-explain', identity: personApplication(applicantCounter + 1).applicant.idNumber.toUpperCase() };
  const out: Array<{ what: string; plan: string; seqScanOnApplications: boolean; ms: number | null }> = [];
  for (const q of SUBMIT_QUERIES) {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${q.sql}`, q.params(sample));
    const lines = rows.map((r) => r['QUERY PLAN']);
    const execution = lines.find((l) => l.startsWith('Execution Time'));
    out.push({
      what: q.what,
      plan: lines.filter((l) => !l.startsWith('Planning') && !l.startsWith('Execution')).map((l) => l.trim()).join(' / '),
      seqScanOnApplications: lines.some((l) => /Seq Scan on applications\b/.test(l)),
      ms: execution ? round(Number(/([\d.]+) ms/.exec(execution)![1]), 1) : null,
    });
  }
  return out;
}

// ---- the run ----

const fmt = (n: number) => n.toLocaleString('en-US');

export async function run(options: BenchOptions = {}): Promise<BenchResult[]> {
  const plan = options.quick ? QUICK : FULL;
  await assertPostgres();
  await ensureBuilt();
  const year = Number(todayInChina(new Date()).slice(0, 4));
  const questions = (await answeredQuestions()).map((a) => a.question);
  const samples = await sampleApplications();

  // Baselines for start and memory.
  await minimalStart();
  const minimal: number[] = [];
  for (let i = 0; i < plan.runs; i++) minimal.push(await minimalStart());
  const wechatyMiB = await wechatyRss();

  const load = await LoadGenerator.start();
  const cleanups: Array<() => Promise<void>> = [() => load.close()];
  try {
    // ---- embedded ----
    const folder = await tempFolder('engines');
    cleanups.push(() => folder.remove());
    const seedStarted = performance.now();
    const fileBytes = await writeApplicationsFile(folder.dir, samples, plan.embedded, year);
    const embeddedSeedMs = performance.now() - seedStarted;
    const embeddedEnv = { DATA_DIR: folder.dir };
    const embedded = await measureStarts(embeddedEnv, plan);
    let embeddedSubmit: LatencySummary;
    let embeddedWebhook: WebhookFigures;
    try {
      embeddedSubmit = await measureSubmits(embedded.server.url, plan.submits, 'embedded');
      embeddedWebhook = await measureWebhook(load, [embedded.server], questions, 'o-engines-embedded', plan);
    } finally {
      await embedded.server.process.stop();
    }
    const fileFloor = await submitFloor(plan.submits, (body) => writeFileDurably(path.join(folder.dir, 'floor.json'), JSON.stringify(body)));
    const bareReply = buildTextReply({ toUserName: 'o-user', fromUserName: 'gh_sandbox000001', content: 'x'.repeat(300), createTime: 1_700_000_000 });
    const bare = await startBareKoa((router) =>
      router.post('/wechat', async (ctx) => {
        await getRawBody(ctx.req, { limit: 64 * 1024, encoding: 'utf8' });
        ctx.type = 'application/xml';
        ctx.body = bareReply;
      }),
    );
    let bareWebhook: LoadResult;
    try {
      const target: LoadTarget = { url: bare.url, requests: { ...wechatRequests(questions, 'o-engines-bare'), token: 'bare' } };
      await load.run(target, { mode: 'closed', connections: CONNECTIONS, durationMs: plan.warmUpMs });
      bareWebhook = await load.run(target, { mode: 'closed', connections: CONNECTIONS, durationMs: plan.phaseMs });
    } finally {
      await bare.close();
    }

    // ---- PostgreSQL ----
    const database = await createBenchDatabase('engines');
    cleanups.push(() => database.drop());
    const admin = new pg.Client({ connectionString: database.url, application_name: 'gongkai-bench-stats' });
    await admin.connect();
    cleanups.push(() => admin.end().catch(() => {}));
    const seeder = await PgSeeder.open(database.url, samples, year);
    cleanups.push(() => seeder.close());
    // The PostgreSQL servers are given a data folder of their own, which they leave empty.
    const pgFolder = await tempFolder('engines-pg');
    cleanups.push(() => pgFolder.remove());
    const pgEnv = { DATA_DIR: pgFolder.dir, DATABASE_URL: database.url };
    const backendPids = async () =>
      (await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'gongkai'")).rows.map((r) => r.pid);

    interface PgScale {
      stored: number;
      seed: SeedStep;
      start: StartFigures;
      reads: { applications: TableReads; events: TableReads };
      open: number;
    }
    const scales: PgScale[] = [];
    let pgSubmit: LatencySummary | null = null;
    let pgOne: WebhookFigures | null = null;
    let pgTwo: WebhookFigures | null = null;
    let pgOneCapped: WebhookFigures | null = null;
    let pgTwoCapped: WebhookFigures | null = null;
    let explained: Awaited<ReturnType<typeof explainSubmitPath>> = [];
    let submitReads: TableReads | null = null;
    for (const stored of plan.postgres) {
      const seed = await seeder.growTo(stored);
      process.stderr.write(`[engines] PostgreSQL seeded to ${fmt(stored)} in ${round((seed.insertMs + seed.indexMs + seed.vacuumMs) / 1000, 1)} s\n`);
      let beforeApps!: TableReads;
      let beforeEvents!: TableReads;
      let reads!: PgScale['reads'];
      const { figures, server } = await measureStarts(pgEnv, plan, {
        before: async () => {
          beforeApps = await tableReads(admin, 'applications');
          beforeEvents = await tableReads(admin, 'application_events');
        },
        after: async () => {
          // A backend reports its statistics when its connection closes, or within a second of going idle.
          reads = { applications: readsBetween(beforeApps, await tableReads(admin, 'applications')), events: readsBetween(beforeEvents, await tableReads(admin, 'application_events')) };
        },
      });
      const { rows } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM applications WHERE office = 'default' AND NOT closed");
      scales.push({ stored, seed, start: figures, reads, open: Number(rows[0]!.n) });
      if (stored !== plan.postgres.at(-1)) {
        await server.process.stop();
        continue;
      }
      const servers: Server[] = [server];
      try {
        explained = await explainSubmitPath(admin);
        const before = await tableReads(admin, 'applications');
        pgSubmit = await measureSubmits(server.url, plan.submits, 'postgres');
        await sleep(SETTLE_MS + 500);
        submitReads = readsBetween(before, await tableReads(admin, 'applications'));
        pgOne = await measureWebhook(load, servers, questions, 'o-engines-pg1', plan, backendPids);
        servers.push(await startServer(pgEnv));
        pgTwo = await measureWebhook(load, servers, questions, 'o-engines-pg2', plan, backendPids);
        // The same, each instance held to CAP_CORES: as if each had a machine of its own.
        const caps: CpuCap[] = [];
        try {
          for (const [i, s] of servers.entries()) {
            const cap = await CpuCap.create(`instance${i + 1}`, CAP_CORES);
            if (!cap) break;
            caps.push(cap);
            await cap.add(s.process.child.pid!);
          }
          if (caps.length === servers.length) {
            pgOneCapped = await measureWebhook(load, servers.slice(0, 1), questions, 'o-engines-pg1c', plan, backendPids);
            pgTwoCapped = await measureWebhook(load, servers, questions, 'o-engines-pg2c', plan, backendPids);
          }
        } finally {
          for (const cap of caps) await cap.remove();
        }
      } finally {
        for (const s of servers) await s.process.stop();
      }
    }
    await admin.query('CREATE TABLE bench_submit_floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body jsonb NOT NULL)');
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    let pgFloor: LatencySummary;
    try {
      pgFloor = await submitFloor(plan.submits, async (body) => {
        await pool.query('INSERT INTO bench_submit_floor (body) VALUES ($1)', [JSON.stringify(body)]);
      });
    } finally {
      await pool.end();
    }
    return rowsOf({
      plan,
      minimalMs: median(minimal),
      wechatyMiB,
      embedded: { stored: plan.embedded, fileBytes, seedMs: embeddedSeedMs, start: embedded.figures, submit: embeddedSubmit, webhook: embeddedWebhook, floor: fileFloor, bare: bareWebhook },
      scales,
      pgSubmit: pgSubmit!,
      pgFloor,
      pgOne: pgOne!,
      pgTwo: pgTwo!,
      capped: pgOneCapped && pgTwoCapped ? { one: pgOneCapped, two: pgTwoCapped } : null,
      explained,
      submitReads: submitReads!,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

async function assertPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL at ${PG_ADMIN_URL} (GONGKAI_TEST_PG) cannot be reached: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

interface Measured {
  plan: Plan;
  minimalMs: number;
  wechatyMiB: number;
  embedded: { stored: number; fileBytes: number; seedMs: number; start: StartFigures; submit: LatencySummary; webhook: WebhookFigures; floor: LatencySummary; bare: LoadResult };
  scales: Array<{ stored: number; seed: SeedStep; start: StartFigures; reads: { applications: TableReads; events: TableReads }; open: number }>;
  pgSubmit: LatencySummary;
  pgFloor: LatencySummary;
  pgOne: WebhookFigures;
  pgTwo: WebhookFigures;
  /** Each instance under a CPU cap of CAP_CORES; null where no cgroup could be made (not root). */
  capped: { one: WebhookFigures; two: WebhookFigures } | null;
  explained: Awaited<ReturnType<typeof explainSubmitPath>>;
  submitReads: TableReads;
}

function rowsOf(m: Measured): BenchResult[] {
  const rows: BenchResult[] = [];
  const runs = m.plan.runs;
  const first = m.scales[0]!;
  const last = m.scales.at(-1)!;
  const percent = (x: number) => `${Math.round(x * 100)}%`;

  // Start time.
  const startRow = (what: string, s: StartFigures, baseline: number, baselineName: string, extra: Partial<BenchResult> = {}, details: Record<string, unknown> = {}): BenchResult => {
    const figure = median(s.healthz);
    return {
      name: `engines: start to first 200 on /healthz, ${what}; guide and bot ready after ${fmt(Math.round(median(s.ready)))} ms; median of ${runs}`,
      figure: round(figure, 0),
      unit: 'ms',
      baseline: round(baseline, 0),
      baselineName,
      ratio: round(figure / baseline, 2),
      ...extra,
      details: { healthzSamples: s.healthz.map((x) => round(x, 0)), readySamples: s.ready.map((x) => round(x, 0)), readyMs: round(median(s.ready), 0), ...details },
    };
  };
  const minimalName = 'minimal node --import=tsx -e HTTP server';
  rows.push(startRow(`embedded store, ${fmt(m.embedded.stored)} stored (applications.json ${mib(m.embedded.fileBytes)})`, m.embedded.start, m.minimalMs, minimalName, {}, { seedMs: round(m.embedded.seedMs, 0) }));
  const reads = (s: Measured['scales'][number]) =>
    `a start read applications with ${s.reads.applications.seqScans} sequential scan(s) (${fmt(s.reads.applications.seqRows)} rows) and ${s.reads.applications.indexScans} index scan(s); application_events with ${s.reads.events.seqScans} sequential scan(s) (${fmt(s.reads.events.seqRows)} rows)`;
  const pgStartDetails = (s: Measured['scales'][number]) => ({ stored: s.stored, openRequests: s.open, seed: roundSeed(s.seed), readsAtStart: s.reads });
  const flatStart = median(last.start.healthz) / median(first.start.healthz);
  const flatReady = median(last.start.ready) / median(first.start.ready);
  const flatRss = last.start.rssMiB / first.start.rssMiB;
  const seqAtStart = m.scales.filter((s) => s.reads.applications.seqScans > 0);
  const seqNote = seqAtStart.length
    ? `A start on PostgreSQL scans applications sequentially: ${seqAtStart.map((s) => `at ${fmt(s.stored)} stored ${s.reads.applications.seqScans} scan(s) reading ${fmt(s.reads.applications.seqRows)} rows`).join('; ')}.`
    : `No start on PostgreSQL scanned applications sequentially (pg_stat_user_tables around one start at each size: ${m.scales.map((s) => `${fmt(s.stored)}: ${s.reads.applications.indexScans} index scans`).join(', ')}).`;
  for (const s of m.scales) {
    const isFirst = s === first;
    const isLast = s === last;
    rows.push(
      startRow(
        `PostgreSQL, ${fmt(s.stored)} stored`,
        s.start,
        isFirst ? m.minimalMs : median(first.start.healthz),
        isFirst ? minimalName : `PostgreSQL with ${fmt(first.stored)} stored`,
        isLast
          ? {
              targetText: `≤ ${FLAT_TARGET} × at ${fmt(first.stored)} stored`,
              met: flatStart <= FLAT_TARGET,
              notes: [
                `Start on PostgreSQL by stored requests (/healthz; guide and bot ready): ${m.scales.map((x) => `${fmt(x.stored)}: ${Math.round(median(x.start.healthz))} ms; ${Math.round(median(x.start.ready))} ms`).join(' · ')} ` +
                  `(ready at ${fmt(last.stored)} is ${round(flatReady, 2)}× ready at ${fmt(first.stored)}); the embedded store with ${fmt(m.embedded.stored)}: ${Math.round(median(m.embedded.start.healthz))} ms; ${Math.round(median(m.embedded.start.ready))} ms. ` +
                  `${seqNote} Seeding PostgreSQL (INSERT … SELECT FROM generate_series, indexes made again after, VACUUM ANALYZE): ${m.scales.map((x) => `to ${fmt(x.stored)} in ${round((x.seed.insertMs + x.seed.indexMs + x.seed.vacuumMs) / 1000, 1)} s`).join(', ')}.`,
              ],
            }
          : {},
        { ...pgStartDetails(s), note: reads(s) },
      ),
    );
  }

  // Memory.
  const rssRow = (what: string, s: StartFigures, baseline: number, baselineName: string, extra: Partial<BenchResult> = {}): BenchResult => ({
    name: `engines: idle RSS after start, ${what}`,
    figure: s.rssMiB,
    unit: 'MiB',
    baseline,
    baselineName,
    ratio: round(s.rssMiB / baseline, 2),
    ...extra,
    details: { peakMiB: s.peakMiB },
  });
  rows.push(rssRow(`embedded store, ${fmt(m.embedded.stored)} stored`, m.embedded.start, m.wechatyMiB, 'bare node process importing wechaty'));
  for (const s of m.scales) {
    const isFirst = s === first;
    rows.push(
      rssRow(`PostgreSQL, ${fmt(s.stored)} stored`, s.start, isFirst ? m.wechatyMiB : first.start.rssMiB, isFirst ? 'bare node process importing wechaty' : `PostgreSQL with ${fmt(first.stored)} stored`, s === last
        ? {
            targetText: `≤ ${FLAT_TARGET} × at ${fmt(first.stored)} stored`,
            met: flatRss <= FLAT_TARGET,
            notes: [`Idle RSS on PostgreSQL by stored requests: ${m.scales.map((x) => `${fmt(x.stored)}: ${x.start.rssMiB} MiB`).join(', ')}; the embedded store with ${fmt(m.embedded.stored)}: ${m.embedded.start.rssMiB} MiB.`],
          }
        : {}),
    );
  }

  // Submit.
  const submitName = (what: string, l: LatencySummary) => `engines: submit (POST /mp/v1/applications) p99, ${what}; p50 ${round(l.p50, 1)} ms; ${l.count} submits`;
  rows.push({
    name: submitName(`embedded store, ${fmt(m.embedded.stored)} stored`, m.embedded.submit),
    figure: m.embedded.submit.p99,
    unit: 'ms',
    baseline: m.embedded.floor.p99,
    baselineName: 'bare Koa route: parse JSON, durable write of the body',
    ratio: round(m.embedded.submit.p99 / m.embedded.floor.p99, 2),
    details: { latency: m.embedded.submit, baseline: m.embedded.floor },
  });
  const seqInPlans = m.explained.filter((e) => e.seqScanOnApplications);
  const submitNotes = [
    `Submit on PostgreSQL with ${fmt(last.stored)} stored: p50 ${round(m.pgSubmit.p50, 1)} ms, p99 ${round(m.pgSubmit.p99, 1)} ms; the embedded store with ${fmt(m.embedded.stored)}: p50 ${round(m.embedded.submit.p50, 1)} ms, p99 ${round(m.embedded.submit.p99, 1)} ms. ` +
      `While submitting, applications saw ${m.submitReads.seqScans} sequential scan(s) (${fmt(m.submitReads.seqRows)} rows) and ${fmt(m.submitReads.indexScans)} index scans. ` +
      `EXPLAIN ANALYZE at ${fmt(last.stored)}: ${m.explained.map((e) => `${e.what} ${e.seqScanOnApplications ? 'SEQUENTIAL SCAN' : 'by index'}, ${e.ms} ms`).join('; ')}.` +
      (seqInPlans.length ? ` Sequential scans over applications: ${seqInPlans.map((e) => `${e.what} (${e.plan})`).join('; ')}.` : ''),
    `${fmt(last.open)} of the ${fmt(last.stored)} seeded requests are open (the samples' mix, as in the embedded seed): the open-requests read (metrics, deadline reminders, the console's open list) returns them all; it is not on the submit or start path.`,
  ];
  rows.push({
    name: submitName(`PostgreSQL, ${fmt(last.stored)} stored`, m.pgSubmit),
    figure: m.pgSubmit.p99,
    unit: 'ms',
    baseline: m.pgFloor.p99,
    baselineName: 'bare Koa route: parse JSON, INSERT of the body in the same database',
    ratio: round(m.pgSubmit.p99 / m.pgFloor.p99, 2),
    target: SUBMIT_P99_TARGET_MS,
    notes: submitNotes,
    details: { latency: m.pgSubmit, baseline: m.pgFloor, readsWhileSubmitting: m.submitReads, explain: m.explained },
  });

  // Webhook.
  const cores = os.cpus().length;
  const phase = `${CONNECTIONS} connections, closed loop ${m.plan.phaseMs / 1000} s`;
  const cpuLine = (label: string, w: WebhookFigures) =>
    `${label}: ${Math.round(w.result.throughput)}/s, CPU per push ${w.serverCpuMsPerPush} ms in the server process(es), ${w.backendCpuMsPerPush} ms in their PostgreSQL backends, ` +
    `${w.generatorCpuMsPerPush} ms in the load generator (${w.ownCpuMsPerPush} ms in all), ${w.machineCpuMsPerPush} ms on the whole machine (other work on it included); ${percent(w.machineBusy)} of the ${cores} cores busy`;
  const webhookDetails = (w: WebhookFigures) => ({
    ...summary(w.result),
    instances: w.instances,
    serverCpuMsPerPush: w.serverCpuMsPerPush,
    backendCpuMsPerPush: w.backendCpuMsPerPush,
    generatorCpuMsPerPush: w.generatorCpuMsPerPush,
    ownCpuMsPerPush: w.ownCpuMsPerPush,
    machineCpuMsPerPush: w.machineCpuMsPerPush,
    machineBusy: w.machineBusy,
  });
  const webhookName = (what: string) => `engines: webhook guide answers/s through signed POST /wechat, ${what}, ${phase}`;
  rows.push({
    name: webhookName(`embedded store, one instance (${fmt(m.embedded.stored)} stored)`),
    figure: round(m.embedded.webhook.result.throughput, 0),
    unit: 'req/s',
    baseline: round(m.embedded.bare.throughput, 0),
    baselineName: 'bare Koa route answering fixed XML',
    ratio: round(m.embedded.webhook.result.throughput / m.embedded.bare.throughput, 3),
    notes: failures('embedded', m.embedded.webhook.result),
    details: webhookDetails(m.embedded.webhook),
  });
  rows.push({
    name: webhookName(`PostgreSQL, one instance (${fmt(last.stored)} stored)`),
    figure: round(m.pgOne.result.throughput, 0),
    unit: 'req/s',
    baseline: round(m.embedded.webhook.result.throughput, 0),
    baselineName: 'the embedded store, one instance',
    ratio: round(m.pgOne.result.throughput / m.embedded.webhook.result.throughput, 3),
    notes: failures('PostgreSQL, one instance', m.pgOne.result),
    details: webhookDetails(m.pgOne),
  });
  const twoRatio = m.pgTwo.result.throughput / m.pgOne.result.throughput;
  // What the machine allows: every core busy at the CPU one push costs (servers, backends, generator).
  const cpuCeiling = (cores * 1000) / m.pgTwo.ownCpuMsPerPush;
  const others = Math.max(0, m.pgTwo.machineCpuMsPerPush - m.pgTwo.ownCpuMsPerPush) / m.pgTwo.machineCpuMsPerPush;
  const capped = m.pgTwo.machineBusy >= 0.9;
  rows.push({
    name: webhookName(`PostgreSQL, two instances on one database, requests round robin (${fmt(last.stored)} stored)`),
    figure: round(m.pgTwo.result.throughput, 0),
    unit: 'req/s',
    baseline: round(m.pgOne.result.throughput, 0),
    baselineName: 'PostgreSQL, one instance',
    ratio: round(twoRatio, 3),
    // With the capped phases measured, the target is judged there (see that row): here the machine's
    // own cores are shared by the instances, PostgreSQL and the load generator.
    ...(m.capped ? {} : { targetText: `≥ ${TWO_INSTANCE_TARGET} × one instance`, met: twoRatio >= TWO_INSTANCE_TARGET }),
    notes: [
      `${cpuLine('Embedded, one instance', m.embedded.webhook)}. ${cpuLine('PostgreSQL, one instance', m.pgOne)}. ${cpuLine('PostgreSQL, two instances', m.pgTwo)}.`,
      capped
        ? `With two instances the machine's ${cores} cores were ${percent(m.pgTwo.machineBusy)} busy (${percent(others)} of that CPU outside the servers, their backends and the load generator: other work on the machine or PostgreSQL's own processes): at ${m.pgTwo.ownCpuMsPerPush} ms of CPU per push for the servers, their backends and the load generator, ${cores} cores answer at most about ${Math.round(cpuCeiling)}/s however many instances run, so the two/one ratio (${round(twoRatio, 2)}) is capped by this machine's CPU, not a measure of the design; with the instances, PostgreSQL and the load generator on separate machines, as in production, it would not be.`
        : `With two instances the machine's ${cores} cores were ${percent(m.pgTwo.machineBusy)} busy, so the CPU did not cap the two/one ratio (${round(twoRatio, 2)}).`,
      ...contention([
        ['embedded, one instance', m.embedded.webhook],
        ['PostgreSQL, one instance', m.pgOne],
        ['PostgreSQL, two instances', m.pgTwo],
      ]),
      ...failures('PostgreSQL, two instances', m.pgTwo.result),
    ],
    details: { ...webhookDetails(m.pgTwo), oneInstance: webhookDetails(m.pgOne), cpuCeilingPerSecond: round(cpuCeiling, 0) },
  });
  if (m.capped) {
    const { one, two } = m.capped;
    const cappedRatio = two.result.throughput / one.result.throughput;
    const budget = (w: WebhookFigures) => `${round((w.serverCpuMsPerPush * w.result.throughput) / 1000 / w.instances, 2)} of its ${CAP_CORES} core each`;
    rows.push({
      name: webhookName(`PostgreSQL, two instances on one database, each held to ${CAP_CORES} of a core (as on machines of their own), requests round robin (${fmt(last.stored)} stored)`),
      figure: round(two.result.throughput, 0),
      unit: 'req/s',
      baseline: round(one.result.throughput, 0),
      baselineName: `PostgreSQL, one instance held to ${CAP_CORES} of a core`,
      ratio: round(cappedRatio, 3),
      targetText: `≥ ${TWO_INSTANCE_TARGET} × one instance`,
      met: cappedRatio >= TWO_INSTANCE_TARGET,
      notes: [
        `Scale-out puts each instance on a machine of its own; this machine has ${cores} cores for the instances, PostgreSQL and the load generator together, which the uncapped two-instance figure above already fills. ` +
          `So each instance was also run in a cgroup of its own allowed ${CAP_CORES} of a core (cpu.cfs_quota_us), leaving PostgreSQL and the load generator the rest: the instances are then what limits the throughput, as they would be on machines of their own, and the two/one ratio measures what the design lets a second instance add (no shared lock, no row every push waits for). ` +
          `One instance used ${budget(one)}, two used ${budget(two)}; the machine was ${percent(one.machineBusy)} and ${percent(two.machineBusy)} busy.`,
        `${cpuLine('PostgreSQL, one instance held', one)}. ${cpuLine('PostgreSQL, two instances held', two)}.`,
        ...failures('PostgreSQL, one instance held', one.result),
        ...failures('PostgreSQL, two instances held', two.result),
      ],
      details: { ...webhookDetails(two), oneInstance: webhookDetails(one), capCores: CAP_CORES },
    });
  }
  return rows;
}

/** Phases where work outside this measurement took a fifth or more of the machine's CPU. */
function contention(phases: Array<[string, WebhookFigures]>): string[] {
  const shares = phases.map(([label, w]) => ({ label, share: Math.max(0, w.machineCpuMsPerPush - w.ownCpuMsPerPush) / w.machineCpuMsPerPush }));
  const skewed = shares.filter((s) => s.share >= 0.2);
  if (skewed.length === 0) return [];
  return [
    `Other work on the machine took CPU during the webhook phases (${shares.map((s) => `${s.label} ${Math.round(s.share * 100)}%`).join(', ')} of all CPU used): ` +
      'the throughputs, and the two/one ratio, are not comparable with each other; run the bench on an otherwise idle machine.',
  ];
}

function failures(label: string, result: LoadResult): string[] {
  return result.failed ? [`${label}: ${result.failed} pushes failed, e.g. ${result.failures[0]}`] : [];
}

function summary(result: LoadResult) {
  return { completed: result.completed, failed: result.failed, throughput: round(result.throughput, 1), latency: result.latency, elapsedMs: round(result.elapsedMs, 0) };
}

function roundSeed(s: SeedStep) {
  return { stored: s.stored, applications: s.applications, events: s.events, insertMs: round(s.insertMs, 0), indexMs: round(s.indexMs, 0), vacuumMs: round(s.vacuumMs, 0) };
}

function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
}
