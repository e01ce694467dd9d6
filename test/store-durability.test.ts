import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './helpers/temp.js';

// kill -9 at a random moment in a stream of writes: the file must stay valid JSON and hold every
// record whose write was acknowledged before the kill.
async function writeThenKill(dir: string, killAfterMs: number): Promise<Set<number>> {
  const child = spawn(process.execPath, ['--import=tsx', 'test/fixtures/store-writer.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked = new Set<number>();
  let buffered = '';
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') ready();
      else if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await isReady;
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  child.kill('SIGKILL');
  await exited;
  return acked;
}

test('kill -9 mid-stream leaves a valid file holding every acknowledged record', async (t) => {
  const dir = await tempDir(t);
  let total = 0;
  for (const killAfterMs of [40, 95, 150, 230, 310]) {
    const before = total;
    const acked = await writeThenKill(dir, killAfterMs + Math.floor(Math.random() * 40));
    const text = await readFile(path.join(dir, 'records.json'), 'utf8');
    const parsed = JSON.parse(text) as { schemaVersion: number; data: { records: Array<{ n: number }> } };
    t.is(parsed.schemaVersion, 1);
    const onDisk = new Set(parsed.data.records.map((r) => r.n));
    const lost = [...acked].filter((n) => !onDisk.has(n));
    t.deepEqual(lost, [], `acknowledged but lost after kill at ${killAfterMs} ms`);
    t.true(acked.size > 0, 'the writer acknowledged some writes before the kill');
    total = parsed.data.records.length;
    t.true(total >= before, 'records survive across runs');
  }
  const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.json') && name !== 'records.json');
  t.deepEqual(leftovers, []);
});
