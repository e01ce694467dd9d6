// Issue 20, point 3: backups you can trust. `npm run backup` retaking a copy that met a
// compaction, `npm run restore` checking the backup before it swaps it in, and a server that will
// not start on a half-restored folder. The backup taken under HTTP load and restored is in
// test/resilience/backup.suite.ts.
import test from 'ava';
import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { startApp, client, mpLogin, staffLogin, personApplication } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';
import { backupCli as cli } from './helpers/backup-cli.js';
import { ScriptedFaults } from './helpers/write-faults.js';
import { Store } from '../src/store/store.js';
import { JournaledFile, type JournalSpec } from '../src/store/journaled-file.js';
import { BackupError, restoreBackup, takeBackup, verifyBackup, type BackupManifest } from '../src/store/backup.js';
import { openEveryFile } from '../src/store/open-all.js';
import { HalfRestoredError, writeRestoreMarker } from '../src/store/restore-marker.js';

const run = promisify(execFile);

test('a backup whose copy met a compaction half-way is taken again, and holds every change', async (t) => {
  const dataDir = await tempDir(t);
  const faults = new ScriptedFaults();
  const store = await Store.open(dataDir, undefined, { faults });
  t.teardown(() => store.close());
  const spec: JournalSpec<{ items: string[] }, { add: string }> = {
    name: 'counter',
    version: 1,
    defaults: () => ({ items: [] }),
    reduce: (d, op) => void d.items.push(op.add),
    compactEvery: 2,
  };
  const file = await JournaledFile.open(store, spec);
  await file.commit({ add: 'a' });
  // The compaction after 'b' sets the journal aside and starts a fresh one; its snapshot is held,
  // and 'c' goes to the fresh journal: the folder now has a journal that starts after a snapshot
  // that is not written yet.
  const snapshot = faults.hold('file-write', /counter\.json$/);
  await file.commit({ add: 'b' });
  await snapshot.reached;
  await file.commit({ add: 'c' });

  let attempts = 0;
  const openCounter = async (copy: Store) => {
    attempts++;
    // The first copy lacked the set-aside journal's lines (it was listed before the rename in a
    // real race; here it is removed from the copy) and does not replay: let the snapshot land.
    try {
      const opened = await JournaledFile.open(copy, spec);
      t.deepEqual(opened.data.items, ['a', 'b', 'c']);
    } finally {
      snapshot.release();
    }
  };
  const { folder, manifest } = await takeBackup(dataDir, path.join(dataDir, 'backups'), {
    openAll: async (copy) => {
      if (attempts === 0) {
        await rm(path.join(copy.dir, 'counter.journal.old'), { force: true });
      }
      await openCounter(copy);
    },
  });
  t.is(attempts, 2, 'the first copy was refused and a second one taken');
  t.deepEqual(manifest.files['counter.json']!.counts, { items: 3 });
  t.deepEqual(JSON.parse(await readFile(path.join(folder, 'counter.json'), 'utf8')).data.state.items, ['a', 'b', 'c']);
});

async function backupOfNewServer(t: any): Promise<{ folder: string; manifest: BackupManifest; dataDir: string; id: string }> {
  const dataDir = await tempDir(t);
  const app = await startApp(t, { dataDir });
  const created = await client(app.url)('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, 'o-restore'));
  // The job the console runs nightly writes the same verified backup, manifest included.
  const job = await client(app.url)('POST', '/admin/v1/jobs/backup/run', undefined, await staffLogin(app.url));
  t.is(job.status, 200);
  await app.stop();
  const folder = job.body.result.folder as string;
  t.true(folder.startsWith(path.join(dataDir, 'backups')), JSON.stringify(job.body));
  return { folder, manifest: await verifyBackup(folder), dataDir, id: created.body.id };
}

/** A copy of `folder` that a test may change. */
async function copyOf(t: any, folder: string): Promise<string> {
  const copy = path.join(await tempDir(t), path.basename(folder));
  await cp(folder, copy, { recursive: true });
  return copy;
}

async function editJson(file: string, change: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(file, 'utf8'));
  change(json);
  await writeFile(file, JSON.stringify(json));
}

test('restore refuses a backup that does not match its manifest or that this version cannot open, and leaves the data folder untouched', async (t) => {
  const { folder } = await backupOfNewServer(t);
  const target = await tempDir(t);
  await writeFile(path.join(target, 'staff.json'), '{"schemaVersion":1,"data":{"users":[]}}');
  const cases: Array<[string, (backup: string) => Promise<void>, RegExp]> = [
    ['a changed file', (b) => appendFile(path.join(b, 'staff.json'), ' '), /staff\.json: \d+ bytes, the manifest says \d+/],
    ['a file changed to the same size', (b) => editJson(path.join(b, 'staff.json'), (j) => (j.data.users[0].username = j.data.users[0].username.replace(/^./, 'x'))), /staff\.json: its SHA-256 differs/],
    ['a missing file', (b) => rm(path.join(b, 'applications.json')), /applications\.json: missing/],
    ['a file added', (b) => writeFile(path.join(b, 'extra.json'), '{}'), /extra\.json: not in the manifest/],
    ['no manifest', (b) => rm(path.join(b, 'manifest.json')), /is not a backup: it has no manifest\.json/],
    ['a newer backup format', (b) => editJson(path.join(b, 'manifest.json'), (m) => Object.assign(m, { formatVersion: 99, appVersion: '9.0.0' })), /backup format 99 by version 9\.0\.0, newer than this program knows/],
    [
      'a data file from a newer version (manifest updated to match)',
      async (b) => {
        await editJson(path.join(b, 'report.json'), (j) => (j.schemaVersion = 7));
        const bytes = await readFile(path.join(b, 'report.json'));
        await editJson(path.join(b, 'manifest.json'), (m) => (m.files['report.json'] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
      },
      /cannot be opened by this version[\s\S]*report\.json has schema version 7, newer than this program knows \(1\)/,
    ],
  ];
  for (const [what, spoil, message] of cases) {
    const spoilt = await copyOf(t, folder);
    await spoil(spoilt);
    const result = await cli('restore', target, spoilt);
    t.is(result.code, 1, what);
    t.regex(result.stderr, message, what);
    t.deepEqual(await readdir(target), ['staff.json'], `${what}: nothing in the data folder touched`);
  }
});

test('restore refuses while a server runs on the data folder', async (t) => {
  const { folder } = await backupOfNewServer(t);
  const dataDir = await tempDir(t);
  await startApp(t, { dataDir });
  const result = await cli('restore', dataDir, folder);
  t.is(result.code, 1);
  t.regex(result.stderr, /held by the running process \d+[\s\S]*Stop the server \(systemctl stop gongkai\) before restoring/);
});

test('restoring over existing data keeps what was there in backups/before-restore-<time>', async (t) => {
  const { folder, dataDir, id } = await backupOfNewServer(t);
  // Later work that the restore goes back from.
  const app = await startApp(t, { dataDir });
  const later = await client(app.url)('POST', '/mp/v1/applications', personApplication({ request: { description: '请公开2026年度本市人防工程审批清单（备份之后）' } }), await mpLogin(app.url, 'o-later'));
  await app.stop();

  const result = await restoreBackup(folder, dataDir, { openAll: openEveryFile, now: new Date('2026-12-01T01:02:03Z') });
  t.is(result.previous, path.join(dataDir, 'backups', 'before-restore-20261201T010203'));
  const again = await startApp(t, { dataDir });
  const staff = await staffLogin(again.url);
  t.is((await client(again.url)('GET', `/admin/v1/applications/${id}`, undefined, staff)).status, 200);
  t.is((await client(again.url)('GET', `/admin/v1/applications/${later.body.id}`, undefined, staff)).status, 404);
  await again.stop();
  // Nothing was deleted: the later request is in the folder set aside.
  t.regex(await readFile(path.join(result.previous!, 'applications.journal'), 'utf8').catch(() => '') + (await readFile(path.join(result.previous!, 'applications.json'), 'utf8')), new RegExp(later.body.id));
});

test('an older backup is migrated at restore, after a copy of its old bytes, as at any start', async (t) => {
  const { folder } = await backupOfNewServer(t);
  const old = await copyOf(t, folder);
  // applications.json as version 1 wrote it: the bare state, no journal.
  await editJson(path.join(old, 'applications.json'), (j) => Object.assign(j, { schemaVersion: 1, data: j.data.state }));
  await rm(path.join(old, 'applications.journal'));
  await editJson(path.join(old, 'manifest.json'), (m) => {
    delete m.files['applications.journal'];
  });
  const bytes = await readFile(path.join(old, 'applications.json'));
  await editJson(path.join(old, 'manifest.json'), (m) => (m.files['applications.json'] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));

  const dataDir = await tempDir(t);
  const result = await cli('restore', dataDir, old);
  t.is(result.code, 0, result.stderr);
  t.is(JSON.parse(await readFile(path.join(dataDir, 'applications.json'), 'utf8')).schemaVersion, 2);
  t.true((await readdir(dataDir)).some((name) => /^applications\.json\.\d{8}T\d{6}\.v1\.bak$/.test(name)), 'the old bytes were kept');
});

test('a half-restored folder stops the start with what to do; running the restore again finishes it', async (t) => {
  const { folder, dataDir, id } = await backupOfNewServer(t);
  // What a restore cut short leaves: the marker, part of the backup's files, part of the old ones.
  const previous = path.join('backups', 'before-restore-20261201T000000');
  await writeRestoreMarker(dataDir, { backup: folder, startedAt: '2026-12-01T00:00:00.000Z', previous });
  await mkdir(path.join(dataDir, previous), { recursive: true });
  await rename(path.join(dataDir, 'staff.json'), path.join(dataDir, previous, 'staff.json'));

  const refused = await startApp(t, { dataDir }).then(
    () => null,
    (error: unknown) => error,
  );
  t.true(refused instanceof HalfRestoredError);
  t.regex((refused as Error).message, /is half-restored: a restore from .* did not finish[\s\S]*will not start on it/);
  t.true((refused as Error).message.includes(`npm run restore -- ${folder}`));
  t.true((refused as Error).message.includes(path.join(dataDir, previous)));
  // The refused start left the folder as it was, and released it.
  await t.throwsAsync(Store.open(dataDir), { instanceOf: HalfRestoredError });
  const backupRefused = await cli('backup', dataDir);
  t.is(backupRefused.code, 1);
  t.regex(backupRefused.stderr, /half-restored/);

  const again = await cli('restore', dataDir, folder);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, new RegExp(`held before is in ${path.join(dataDir, previous).replaceAll('/', '\\/')}`));
  const app = await startApp(t, { dataDir });
  t.is((await client(app.url)('GET', `/admin/v1/applications/${id}`, undefined, await staffLogin(app.url))).status, 200);
});

test('the backup command says clearly when the data folder is missing or the arguments are wrong', async (t) => {
  const missing = path.join(await tempDir(t), 'nowhere');
  const result = await cli('backup', missing);
  t.is(result.code, 1);
  t.regex(result.stderr, /data folder .*nowhere does not exist \(check DATA_DIR\)/);
  const usage = await run(process.execPath, ['--import=tsx', 'src/store/backup-cli.ts', 'restore'], { env: { ...process.env, DATA_DIR: missing } }).catch((e) => e);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /usage: npm run backup/);
});

test('BackupError lists every problem', (t) => {
  t.is(new BackupError('Bad', ['one', 'two']).message, 'Bad:\n  - one\n  - two');
});

test('a backup holds the document-link key, so links already sent to applicants open after a restore', async (t) => {
  const dataDir = await tempDir(t);
  const store = await Store.open(dataDir);
  await openEveryFile(store);
  await store.close();
  await writeFile(path.join(dataDir, 'document-link.key'), 'k'.repeat(64), { mode: 0o600 });
  const { folder, manifest } = await takeBackup(dataDir, path.join(dataDir, 'backups'), { openAll: openEveryFile });
  t.truthy(manifest.files['document-link.key'], 'listed, with its checksum');
  t.is(await readFile(path.join(folder, 'document-link.key'), 'utf8'), 'k'.repeat(64));

  const target = await tempDir(t);
  await restoreBackup(folder, target, { openAll: openEveryFile });
  t.is(await readFile(path.join(target, 'document-link.key'), 'utf8'), 'k'.repeat(64));
});
