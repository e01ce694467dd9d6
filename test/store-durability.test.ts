import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './helpers/temp.js';
import { Store } from '../src/store/store.js';
import { JournaledFile } from '../src/store/journaled-file.js';

// kill -9 at a random moment in a stream of writes: the file must stay valid JSON and hold every
// record whose write was acknowledged before the kill.
async function writeThenKill(dir: string, killAfterMs: number, mode: string): Promise<Set<number>> {
  const child = spawn(process.execPath, ['--import=tsx', 'test/fixtures/store-writer.ts', dir, mode], {
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

/** The records as the next start finds them, read through the store itself. */
async function recordsIn(dir: string, mode: string): Promise<number[]> {
  const store = await Store.open(dir);
  try {
    const spec = { name: 'records', version: 1, defaults: () => ({ records: [] as Array<{ n: number }> }) };
    const file = mode === 'journal'
      ? await JournaledFile.open(store, { ...spec, reduce: (d, r: { n: number }) => void d.records.push(r) })
      : await store.file(spec);
    return file.data.records.map((r) => r.n);
  } finally {
    await store.close();
  }
}

for (const mode of ['snapshot', 'journal']) {
  test(`kill -9 mid-stream leaves valid files holding every acknowledged record (${mode})`, async (t) => {
    const dir = await tempDir(t);
    let total = 0;
    for (const killAfterMs of [40, 95, 150, 230, 310]) {
      const acked = await writeThenKill(dir, killAfterMs + Math.floor(Math.random() * 40), mode);
      // Every file still parses as JSON, whatever moment the kill hit.
      JSON.parse(await readFile(path.join(dir, 'records.json'), 'utf8'));
      const onDisk = new Set(await recordsIn(dir, mode));
      const lost = [...acked].filter((n) => !onDisk.has(n));
      t.deepEqual(lost, [], `acknowledged but lost after kill at ${killAfterMs} ms`);
      t.true(acked.size > 0, 'the writer acknowledged some writes before the kill');
      t.true(onDisk.size >= total, 'records survive across runs');
      total = onDisk.size;
    }
    const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.json') && name !== 'records.json');
    t.deepEqual(leftovers, []);
  });
}
