// Servers in child processes, for what can only be seen from outside: how long a start takes and
// how much memory the process holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './paths.js';
import { npmStart } from '../../test/helpers/npm-start.js';
import { push, textXml } from '../../test/helpers/wechat-client.js';

/** The least a Node server started the same way can do: answer every request with "ok". */
export const MINIMAL_SERVER = "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";

/** What `npm start` runs (the compiled build, with its environment), read from package.json. */
export const PRODUCT = npmStart();
export const PRODUCT_ARGS = PRODUCT.args;
export const MINIMAL_ARGS = ['--import=tsx', '-e', MINIMAL_SERVER];
/**
 * Wechaty's own footprint, the yardstick for the server: plain node (no tsx) that imports
 * wechaty and then answers like the minimal server.
 */
export const WECHATY_ARGS = ['--input-type=module', '-e', `await import('wechaty'); ${MINIMAL_SERVER.replace("require('http')", "(await import('node:http')).default")}`];

const OUTPUT_KEPT = 20_000;

export interface NodeProcess {
  child: ChildProcess;
  /** performance.now() when spawn was called. */
  spawnedAt: number;
  /** The last lines the process wrote, for error messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/** A port that was free a moment ago, so that a child can be polled on it from its first instant. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv): NodeProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    spawnedAt,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Polls GET url until it answers 200; resolves with the milliseconds since the process was spawned. */
export async function untilOk(server: NodeProcess, url: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`process exited with ${server.child.exitCode} before ${url} answered:\n${server.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - server.spawnedAt;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${server.output()}`);
    await sleep(5);
  }
}

let answerSequence = 0;

/**
 * Sends a guide question through the signed webhook (sandbox token) until the bot answers it with
 * the guide's answer: the server is then warm, with the guide's index built and Wechaty loaded
 * (both load behind the listening server). Resolves with the milliseconds since the process was
 * spawned. A push that comes while they load waits for them, up to the passive window.
 */
export async function untilAnswered(server: NodeProcess, baseUrl: string, question: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`process exited with ${server.child.exitCode} before it answered a push:\n${server.output()}`);
    const msgId = String(7_500_000_000_000_000_000n + BigInt(process.pid) * 1_000_000n + BigInt(answerSequence++));
    const { status, reply } = await push(baseUrl, textXml(`o-bench-warm-${answerSequence}`, question, msgId)).catch(() => ({ status: 0, reply: null }));
    if (status === 200 && reply) return performance.now() - server.spawnedAt;
    if (performance.now() > deadline) throw new Error(`no answer to a guide question within ${timeoutMs} ms (last status ${status}):\n${server.output()}`);
    await sleep(5);
  }
}

export interface Memory {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** The highest resident set size so far, MiB. */
  peakMiB: number;
}

/** Reads VmRSS and VmHWM of a process from /proc (Linux). */
export async function memoryOf(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { rssMiB: Math.round((kib('VmRSS') / 1024) * 10) / 10, peakMiB: Math.round((kib('VmHWM') / 1024) * 10) / 10 };
}
