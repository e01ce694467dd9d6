import { spawn, type ChildProcess } from 'node:child_process';
import { npmStart } from './npm-start.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the server as `npm start` does (the compiled build, rebuilt first if the sources changed),
 * on a free port, and resolves when it is listening.
 */
export async function startServer(env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<ServerProcess> {
  const start = npmStart();
  const child = spawn(process.execPath, start.args, {
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', ...start.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/"url":"(http:\/\/[^"]+)"/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}
