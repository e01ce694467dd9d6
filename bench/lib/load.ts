// A loopback load generator for the server's HTTP routes. It runs in a child process, so on a small
// machine it takes its own core instead of sharing the server's event loop: the server under test is
// measured, not the client. Keep-alive connections (http.Agent), like WeChat's own senders.
//
// Closed loop: N connections, each sends its next request when the previous one is answered; the
// rate it reaches is the peak throughput. Open loop: requests leave at a fixed rate whatever the
// server does, and each latency is counted from the moment its request was due, so a slow answer
// that delays the next ones is counted in full (no coordinated omission).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ROOT } from './paths.js';
import type { LatencySummary } from './stats.js';

/** Signed text pushes to POST /wechat, as WeChat's servers send them. */
export interface WechatTextRequests {
  kind: 'wechat-text';
  token: string;
  questions: string[];
  /** FromUserName is `${userPrefix}-${n}`; each user asks this many questions in turn. */
  userPrefix: string;
  questionsPerUser: number;
  /** Every answer must contain this, or the request counts as failed. */
  expect: string;
}

export interface LoadTarget {
  /** http://127.0.0.1:port */
  url: string;
  /**
   * Several instances behind one balancer: request n goes to urls[n % urls.length] (round robin,
   * as nginx's default upstream spreads them); `url` is then not used.
   */
  urls?: string[];
  requests: WechatTextRequests;
}

export interface ClosedLoop {
  mode: 'closed';
  connections: number;
  durationMs: number;
}

export interface OpenLoop {
  mode: 'open';
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Connections the client may open at most (default 128). */
  maxConnections?: number;
}

export interface LoadResult {
  mode: 'closed' | 'open';
  /** Requests that got a 200 with the expected answer. */
  completed: number;
  failed: number;
  elapsedMs: number;
  /** Completed requests per second over the phase. */
  throughput: number;
  /** Open loop only: the rate asked for. */
  rate?: number;
  latency: LatencySummary;
  /** The first few failures, for the report. */
  failures: string[];
}

export type LoadCommand = { target: LoadTarget; phase: ClosedLoop | OpenLoop };

export class LoadGenerator {
  readonly #child: ChildProcess;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static async start(): Promise<LoadGenerator> {
    const child = fork(path.join(ROOT, 'bench/lib/load-generator.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await once(child, 'spawn');
    return new LoadGenerator(child);
  }

  /** The generator's process id (its CPU time is read from /proc). */
  get pid(): number {
    return this.#child.pid!;
  }

  /** Runs one phase; phases run one after another. */
  run(target: LoadTarget, phase: ClosedLoop | OpenLoop): Promise<LoadResult> {
    const next = this.#queue.then(
      () =>
        new Promise<LoadResult>((resolve, reject) => {
          const onMessage = (message: unknown) => {
            cleanup();
            const m = message as { ok: true; result: LoadResult } | { ok: false; error: string };
            if (m.ok) resolve(m.result);
            else reject(new Error(`load generator: ${m.error}`));
          };
          const onExit = (code: number | null) => {
            cleanup();
            reject(new Error(`load generator exited with ${code}`));
          };
          const cleanup = () => {
            this.#child.off('message', onMessage);
            this.#child.off('exit', onExit);
          };
          this.#child.on('message', onMessage);
          this.#child.once('exit', onExit);
          this.#child.send({ target, phase } satisfies LoadCommand);
        }),
    );
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.disconnect();
    await exited;
  }
}
