import test from 'ava';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Store } from '../src/store/store.js';
import { backupStore } from '../src/store/open-all.js';
import { StoreFileError } from '../src/store/durable-json-file.js';
import type { FileSpec } from '../src/store/data-file.js';
import { tempDir } from './helpers/temp.js';

interface Notes {
  notes: Array<{ id: number; text: string }>;
}
const notesV1: FileSpec<Notes> = { name: 'notes', version: 1, defaults: () => ({ notes: [] }) };

test('a new file is created with its schema version and survives a reopen', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  const file = await store.file(notesV1);
  await file.update((d) => d.notes.push({ id: 1, text: '人防工程' }));
  await store.close();

  const raw = JSON.parse(await readFile(path.join(dir, 'notes.json'), 'utf8'));
  t.deepEqual(raw, { schemaVersion: 1, data: { notes: [{ id: 1, text: '人防工程' }] } });

  const again = await Store.open(dir);
  t.deepEqual((await again.file(notesV1)).data.notes, [{ id: 1, text: '人防工程' }]);
  await again.close();
});

test('one file per collection group: updating one does not rewrite another', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  const a = await store.file(notesV1);
  const b = await store.file<Notes>({ ...notesV1, name: 'other' });
  await b.update((d) => d.notes.push({ id: 9, text: 'x' }));
  const before = await readFile(path.join(dir, 'other.json'), 'utf8');
  const { mtimeMs } = await import('node:fs/promises').then((fs) => fs.stat(path.join(dir, 'other.json')));
  await new Promise((r) => setTimeout(r, 20));
  await a.update((d) => d.notes.push({ id: 2, text: 'y' }));
  const after = await import('node:fs/promises').then((fs) => fs.stat(path.join(dir, 'other.json')));
  t.is(after.mtimeMs, mtimeMs);
  t.is(await readFile(path.join(dir, 'other.json'), 'utf8'), before);
  t.is(await store.file(notesV1), a, 'the same DataFile instance: one writer per file');
  await store.close();
});

test('concurrent updates all reach the disk', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  const file = await store.file(notesV1);
  await Promise.all(Array.from({ length: 200 }, (_, i) => file.update((d) => d.notes.push({ id: i, text: `n${i}` }))));
  const raw = JSON.parse(await readFile(path.join(dir, 'notes.json'), 'utf8'));
  t.is(raw.data.notes.length, 200);
  await store.close();
});

test('an older file is backed up, then migrated', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'notes.json'), JSON.stringify({ schemaVersion: 1, data: { notes: [{ id: 1, text: 'a' }] } }));
  const v2: FileSpec<{ notes: Array<{ id: number; body: string }> }> = {
    name: 'notes',
    version: 2,
    defaults: () => ({ notes: [] }),
    migrations: { 2: (d: Notes) => ({ notes: d.notes.map((n) => ({ id: n.id, body: n.text })) }) },
  };
  const store = await Store.open(dir, () => new Date('2026-03-01T08:09:10Z'));
  const file = await store.file(v2);
  t.deepEqual(file.data.notes, [{ id: 1, body: 'a' }]);
  const files = await readdir(dir);
  t.true(files.includes('notes.json.20260301T080910.v1.bak'));
  const backup = JSON.parse(await readFile(path.join(dir, 'notes.json.20260301T080910.v1.bak'), 'utf8'));
  t.deepEqual(backup, { schemaVersion: 1, data: { notes: [{ id: 1, text: 'a' }] } });
  t.is(JSON.parse(await readFile(path.join(dir, 'notes.json'), 'utf8')).schemaVersion, 2);
  await store.close();
});

for (const [label, content, pattern] of [
  ['truncated JSON', '{"schemaVersion":1,"data":{"notes":[{"id":1', /not valid JSON/],
  ['a bare array', '[1,2,3]', /expected \{schemaVersion, data\} layout/],
  ['a newer schema version', '{"schemaVersion":7,"data":{}}', /newer than this program knows/],
] as const) {
  test(`a file holding ${label} stops the open and is never overwritten`, async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'notes.json');
    await writeFile(file, content);
    const store = await Store.open(dir);
    const error = await t.throwsAsync(store.file(notesV1), { instanceOf: StoreFileError });
    t.regex(error!.message, pattern);
    t.regex(error!.message, /notes\.json/);
    t.is(await readFile(file, 'utf8'), content);
    await store.close();
  });
}

test('a failed write is reported and memory goes back to what the disk holds', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  const file = await store.file(notesV1);
  await file.update((d) => d.notes.push({ id: 1, text: 'kept' }));
  // A folder where the temporary file must go makes the next write fail, as a full disk would.
  await mkdir(path.join(dir, '.notes.json.tmp'));
  await t.throwsAsync(file.update((d) => d.notes.push({ id: 2, text: 'lost' })));
  t.deepEqual(file.data.notes, [{ id: 1, text: 'kept' }]);
  await store.close();
});

test('a second store on the same folder is refused while the first runs', async (t) => {
  const dir = await tempDir(t);
  // Simulate another live process holding the lock: our parent process is alive.
  await writeFile(path.join(dir, '.lock'), String(process.ppid));
  const error = await t.throwsAsync(Store.open(dir), { instanceOf: StoreFileError });
  t.regex(error!.message, /another server uses DATA_DIR/);
});

test('a lock left by a dead process is taken over', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, '.lock'), '999999999');
  const store = await Store.open(dir);
  t.is(await readFile(path.join(dir, '.lock'), 'utf8'), String(process.pid));
  await store.close();
});

test('backup copies every open file into a dated folder', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  const file = await store.file(notesV1);
  await file.update((d) => d.notes.push({ id: 1, text: 'b' }));
  const target = await backupStore(store, new Date('2026-11-29T18:00:00Z'));
  t.is(path.basename(target), '20261129T180000');
  const copy = JSON.parse(await readFile(path.join(target, 'notes.json'), 'utf8'));
  t.deepEqual(copy.data.notes, [{ id: 1, text: 'b' }]);
  await store.close();
});
