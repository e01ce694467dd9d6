// The server under test as a child process that the suite kills and restarts, and a way for load
// loops to call it that rides out the kills: a request cut off by a kill is sent again, unchanged,
// once the next server is up — as WeChat and a mini-program retry.
import { startServer, type ServerProcess } from '../helpers/server-process.js';

/** fetch rejects with a TypeError when the connection is refused, reset or cut mid-answer. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || (error as { name?: string })?.name === 'SocketError';
}

export class ServerLife {
  #process: ServerProcess | null = null;
  #generation = 0;
  #killing = false;
  #waiters: Array<() => void> = [];
  /** Set once the load should wind down: loops finish what they are doing and stop. */
  stopping = false;
  /** The server exited without being told to: that is a crash of its own. */
  readonly unexpectedExits: string[] = [];
  readonly startMs: number[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  get url(): string {
    if (!this.#process) throw new Error('the server is down');
    return this.#process.url;
  }

  get generation(): number {
    return this.#generation;
  }

  async start(): Promise<void> {
    const started = Date.now();
    const server = await startServer(this.env, 60_000);
    this.startMs.push(Date.now() - started);
    this.#process = server;
    this.#generation++;
    this.#killing = false;
    const generation = this.#generation;
    void server.exited.then((code) => {
      if (!this.#killing && this.#generation === generation) {
        this.unexpectedExits.push(`generation ${generation} exited with ${code}:\n${server.output().slice(-2000)}`);
      }
    });
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<number | null> {
    const server = this.#process;
    if (!server) throw new Error('the server is not running');
    this.#killing = true;
    this.#process = null;
    server.child.kill(signal);
    return server.exited;
  }

  /** Resolves when a server newer than `generation` is up. */
  #after(generation: number): Promise<void> {
    if (this.#process && this.#generation > generation) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Calls the server; when the call fails on the network (the server was killed under it), waits
   * for the next server and calls again with the same arguments.
   */
  async call<T>(request: (url: string) => Promise<T>): Promise<T> {
    for (;;) {
      if (!this.#process) {
        await this.#after(this.#generation);
        continue;
      }
      const generation = this.#generation;
      const url = this.#process.url;
      try {
        return await request(url);
      } catch (error) {
        if (!isNetworkError(error)) throw error;
        await this.#after(generation);
      }
    }
  }
}
