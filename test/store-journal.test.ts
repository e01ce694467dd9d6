import test from 'ava';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Store } from '../src/store/store.js';
import { JournaledFile, type JournalSpec } from '../src/store/journaled-file.js';
import { StoreFileError } from '../src/store/durable-json-file.js';
import { tempDir } from './helpers/temp.js';

interface Counter {
  items: string[];
}
type Op = { add: string };
const spec = (compactEvery = 2000): JournalSpec<Counter, Op> => ({
  name: 'counter',
  version: 1,
  defaults: () => ({ items: [] }),
  reduce: (d, op) => void d.items.push(op.add),
  compactEvery,
});

async function open(dir: string, compactEvery?: number) {
  const store = await Store.open(dir);
  return { store, file: await JournaledFile.open(store, spec(compactEvery)) };
}

test('changes go to the journal; a restart replays them and starts a fresh snapshot', async (t) => {
  const dir = await tempDir(t);
  const { store, file } = await open(dir);
  await Promise.all(['a', 'b', 'c'].map((add) => file.commit({ add })));
  const journal = await readFile(path.join(dir, 'counter.journal'), 'utf8');
  t.is(journal.trim().split('\n').length, 3);
  t.deepEqual(JSON.parse(await readFile(path.join(dir, 'counter.json'), 'utf8')).data, { lastSeq: 0, state: { items: [] } });
  await store.close();

  const again = await open(dir);
  t.deepEqual(again.file.data.items, ['a', 'b', 'c']);
  t.deepEqual(JSON.parse(await readFile(path.join(dir, 'counter.json'), 'utf8')).data, { lastSeq: 3, state: { items: ['a', 'b', 'c'] } });
  t.is(await readFile(path.join(dir, 'counter.journal'), 'utf8'), '');
  await again.store.close();
});

test('a torn last line (the process died mid-write) was never acknowledged and is dropped', async (t) => {
  const dir = await tempDir(t);
  const { store, file } = await open(dir);
  await file.commit({ add: 'kept' });
  await store.close();
  await appendFile(path.join(dir, 'counter.journal'), '{"seq":2,"op":{"add":"to');
  const again = await open(dir);
  t.deepEqual(again.file.data.items, ['kept']);
  await again.file.commit({ add: 'next' });
  await again.store.close();
  t.deepEqual((await open(dir)).file.data.items, ['kept', 'next']);
});

test('a crash between the new snapshot and emptying the journal applies nothing twice', async (t) => {
  const dir = await tempDir(t);
  const { store, file } = await open(dir, 2);
  await file.commit({ add: 'a' });
  await file.commit({ add: 'b' }); // compacts: snapshot has lastSeq 2
  await store.close();
  // Put the already-compacted lines back, as if the journal had not been emptied.
  await writeFile(path.join(dir, 'counter.journal'), '{"seq":1,"op":{"add":"a"}}\n{"seq":2,"op":{"add":"b"}}\n{"seq":3,"op":{"add":"c"}}\n');
  const again = await open(dir);
  t.deepEqual(again.file.data.items, ['a', 'b', 'c']);
  await again.store.close();
});

test('a damaged line in the middle, or a gap in the sequence, stops the start and is left alone', async (t) => {
  for (const journal of ['{"seq":1,"op":{"add":"a"}}\nnot json\n{"seq":3,"op":{"add":"c"}}\n', '{"seq":1,"op":{"add":"a"}}\n{"seq":5,"op":{"add":"e"}}\n']) {
    const dir = await tempDir(t);
    await writeFile(path.join(dir, 'counter.journal'), journal);
    const store = await Store.open(dir);
    await t.throwsAsync(JournaledFile.open(store, spec()), { instanceOf: StoreFileError });
    t.is(await readFile(path.join(dir, 'counter.journal'), 'utf8'), journal);
    await store.close();
  }
});

test('a file written before the journal existed (bare state) is wrapped by the migration', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'counter.json'), JSON.stringify({ schemaVersion: 1, data: { items: ['old'] } }));
  const store = await Store.open(dir);
  const file = await JournaledFile.open(store, { ...spec(), version: 2, migrations: { 2: (d: Counter) => d } });
  t.deepEqual(file.data.items, ['old']);
  await store.close();
});

/** The open file descriptors of this process that point at `file` (Linux's /proc). */
async function descriptorsOf(file: string): Promise<number> {
  const { readdir, readlink } = await import('node:fs/promises');
  const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((link) => link === file).length;
}

test('the journal stays open between batches and is closed with the store', async (t) => {
  const dir = await tempDir(t);
  const journal = path.join(dir, 'counter.journal');
  const { store, file } = await open(dir);
  await file.commit({ add: 'a' });
  await file.commit({ add: 'b' });
  t.is(await descriptorsOf(journal), 1);
  await store.close();
  t.is(await descriptorsOf(journal), 0);
  t.is((await readFile(journal, 'utf8')).trim().split('\n').length, 2);
  // A change after the store closed (and gave up its lock) is refused, and opens nothing.
  await t.throwsAsync(file.commit({ add: 'late' }), { message: /closed/ });
  t.is(await descriptorsOf(journal), 0);
  t.is((await readFile(journal, 'utf8')).trim().split('\n').length, 2);
});

test('changes committed at once are all acknowledged, written in order with consecutive sequence numbers', async (t) => {
  const dir = await tempDir(t);
  const { store, file } = await open(dir);
  const adds = Array.from({ length: 50 }, (_, i) => `item-${i}`);
  await Promise.all(adds.map((add) => file.commit({ add })));
  const lines = (await readFile(path.join(dir, 'counter.journal'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(lines.map((l) => l.seq), adds.map((_, i) => i + 1));
  t.deepEqual(lines.map((l) => l.op.add), adds);
  await store.close();
  t.deepEqual((await open(dir)).file.data.items, adds);
});

const snapshotOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'counter.json'), 'utf8')).data as { lastSeq: number; state: Counter };
const exists = (file: string) => readFile(file).then(() => true, () => false);

test('a compaction does not hold up what follows: the journal is set aside, a fresh one takes the next changes, the snapshot replaces both', async (t) => {
  const dir = await tempDir(t);
  const { store, file } = await open(dir, 2);
  await file.commit({ add: 'a' });
  await file.commit({ add: 'b' }); // due: set aside, snapshot written in the background
  await file.commit({ add: 'c' });
  t.is((await readFile(path.join(dir, 'counter.journal'), 'utf8')).trim(), '{"seq":3,"op":{"add":"c"}}', 'the change after it is in the fresh journal');
  await store.close(); // waits for the snapshot
  // The snapshot holds what memory held when it was taken (c too, if it came in time), and says so.
  const snapshot = await snapshotOf(dir);
  t.true(snapshot.lastSeq >= 2);
  t.deepEqual(snapshot.state.items, ['a', 'b', 'c'].slice(0, snapshot.lastSeq));
  t.false(await exists(path.join(dir, 'counter.journal.old')), 'the set-aside journal is gone once the snapshot holds it');
  t.deepEqual((await open(dir)).file.data.items, ['a', 'b', 'c']);
});

test('a start after a compaction was cut short replays the set-aside journal, then the journal, and applies nothing twice', async (t) => {
  const lines = (...entries: Array<[number, string]>) => entries.map(([seq, add]) => `${JSON.stringify({ seq, op: { add } })}\n`).join('');
  const envelope = (lastSeq: number, items: string[]) => JSON.stringify({ schemaVersion: 1, data: { lastSeq, state: { items } } });
  for (const [label, snapshot] of [
    ['before the snapshot was written', envelope(0, [])],
    ['after the snapshot was written, before the set-aside journal was removed', envelope(2, ['a', 'b'])],
  ] as const) {
    const dir = await tempDir(t);
    await writeFile(path.join(dir, 'counter.json'), snapshot);
    await writeFile(path.join(dir, 'counter.journal.old'), lines([1, 'a'], [2, 'b']));
    // A line the state already held when the journal was set aside (seq 2) may be written again.
    await writeFile(path.join(dir, 'counter.journal'), lines([3, 'c'], [4, 'd']));
    const { store, file } = await open(dir);
    t.deepEqual(file.data.items, ['a', 'b', 'c', 'd'], label);
    t.false(await exists(path.join(dir, 'counter.journal.old')), label);
    await store.close();
    t.deepEqual(await snapshotOf(dir), { lastSeq: 4, state: { items: ['a', 'b', 'c', 'd'] } }, label);
  }
});
