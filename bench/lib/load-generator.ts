// The child process behind load.ts: receives one phase at a time over IPC, runs it, answers with
// the counts and the latency summary. Not a module to import.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { textXml } from '../../test/helpers/wechat-client.js';
import { Latencies } from './stats.js';
import type { ClosedLoop, LoadCommand, LoadResult, LoadTarget, OpenLoop, WechatTextRequests } from './load.js';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_FAILURE_SAMPLES = 5;

// One counter for the life of the process: every push gets its own MsgId (WeChat's dedupe key),
// across phases too. The random high part keeps two runs on one data folder apart.
let sequence = 0;
const NONCE_PREFIX = randomBytes(4).toString('hex');
const msgIdBase = BigInt(Date.now()) * 1_000_000n + BigInt(randomBytes(2).readUInt16BE());

interface Prepared {
  path: string;
  body: string;
}

function signedWechatText(spec: WechatTextRequests, n: number): Prepared {
  const timestamp = String(Math.floor(Date.now() / 1000));
  // Unique across generator processes too: the server accepts each signed URL once.
  const nonce = `${NONCE_PREFIX}${n.toString(36)}`;
  // WeChat's signature: sha1 of token, timestamp and nonce, sorted and joined.
  const signature = createHash('sha1').update([spec.token, timestamp, nonce].sort().join('')).digest('hex');
  const user = `${spec.userPrefix}-${Math.floor(n / spec.questionsPerUser)}`;
  const question = spec.questions[n % spec.questions.length]!;
  return {
    path: `/wechat?${new URLSearchParams({ signature, timestamp, nonce, openid: user })}`,
    body: textXml(user, question, String(msgIdBase + BigInt(n))),
  };
}

function send(agent: http.Agent, url: URL, request: Prepared): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: request.path,
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(request.body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

class Tally {
  readonly latencies = new Latencies();
  completed = 0;
  failed = 0;
  readonly failures: string[] = [];

  constructor(private readonly expect: string) {}

  /** Sends request n and records it, its latency counted from `since`. */
  async one(agent: http.Agent, target: LoadTarget, since: number): Promise<void> {
    const n = sequence++;
    const request = signedWechatText(target.requests, n);
    const base = target.urls?.length ? target.urls[n % target.urls.length]! : target.url;
    try {
      const { status, body } = await send(agent, new URL(base), request);
      if (status === 200 && body.includes(this.expect)) {
        this.completed += 1;
        this.latencies.record(performance.now() - since);
      } else {
        this.fail(`HTTP ${status}: ${body.slice(0, 160)}`);
      }
    } catch (error) {
      this.fail((error as Error).message);
    }
  }

  fail(reason: string): void {
    this.failed += 1;
    if (this.failures.length < MAX_FAILURE_SAMPLES) this.failures.push(reason);
  }

  /** What a phase that took `elapsedMs` adds up to. */
  result(elapsedMs: number): Omit<LoadResult, 'mode' | 'rate'> {
    return {
      completed: this.completed,
      failed: this.failed,
      elapsedMs,
      throughput: this.completed / (elapsedMs / 1000),
      latency: this.latencies.summary(),
      failures: this.failures,
    };
  }
}

async function closedLoop(target: LoadTarget, phase: ClosedLoop): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: phase.connections });
  const tally = new Tally(target.requests.expect);
  const start = performance.now();
  const end = start + phase.durationMs;
  const loops = Array.from({ length: phase.connections }, async () => {
    while (performance.now() < end) await tally.one(agent, target, performance.now());
  });
  await Promise.all(loops);
  agent.destroy();
  return { mode: 'closed', ...tally.result(performance.now() - start) };
}

async function openLoop(target: LoadTarget, phase: OpenLoop): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: phase.maxConnections ?? 128 });
  const tally = new Tally(target.requests.expect);
  const total = Math.max(1, Math.round((phase.rate * phase.durationMs) / 1000));
  const interval = 1000 / phase.rate;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; issued < due; issued += 1) inFlight.push(tally.one(agent, target, start + issued * interval));
      if (issued < total) setTimeout(tick, Math.min(interval, 1));
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  agent.destroy();
  return { mode: 'open', rate: phase.rate, ...tally.result(performance.now() - start) };
}

process.on('message', (message) => {
  const { target, phase } = message as LoadCommand;
  (phase.mode === 'closed' ? closedLoop(target, phase) : openLoop(target, phase)).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: (error as Error).stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
