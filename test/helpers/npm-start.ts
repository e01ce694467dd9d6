// What `npm start` runs, read from package.json: the environment it sets and node's arguments. The
// tests and the benches start the server exactly so, without npm's own process in between.
import { readFileSync } from 'node:fs';

export interface NpmStart {
  env: Record<string, string>;
  /** Arguments to node (process.execPath). */
  args: string[];
}

export function npmStart(packageJson = new URL('../../package.json', import.meta.url)): NpmStart {
  const script: string = JSON.parse(readFileSync(packageJson, 'utf8')).scripts.start;
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`npm start is expected to run node, not: ${script}`);
  return { env, args: words };
}
