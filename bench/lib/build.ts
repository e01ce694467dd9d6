// The benches time and weigh the server as `npm start` runs it, which first makes the JavaScript
// build if the sources changed; that one-off compile is not part of a start's figure.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ROOT } from './paths.js';

export async function ensureBuilt(): Promise<void> {
  const child = spawn(process.execPath, ['src/start.mjs', '--build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`npm run build failed (exit ${code})`);
}
