// Issue 20, point 3: a backup taken with `npm run backup` while mini-program users submit requests
// over HTTP, restored with `npm run restore` into a new folder, holds every request acknowledged
// before the backup started, with its tracking number, and nothing that was never acknowledged.
// Here rather than in test/ because it runs two commands and two starts beside a load.
// Embedded store only: it is about the data folder (on PostgreSQL, backups are pg_dump's).
import test from 'ava';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startApp, client, mpLogin, staffLogin, personApplication } from '../helpers/app.js';
import { tempDir } from '../helpers/temp.js';
import { backupCli as cli } from '../helpers/backup-cli.js';
import { verifyBackup } from '../../src/store/backup.js';

test('a backup taken while requests are submitted over HTTP, restored into a new folder, holds every request acknowledged before it started', async (t) => {
  t.timeout(5 * 60_000);
  const dataDir = await tempDir(t);
  const app = await startApp(t, { dataDir, engine: 'embedded' });
  const call = client(app.url);

  // Load: 4 citizens at a time, each logging in and submitting until told to stop.
  const acked: Array<{ id: string; trackingNo: string; at: number }> = [];
  let refused = 0;
  let stop = false;
  let next = 0;
  const worker = async () => {
    while (!stop) {
      const who = await mpLogin(app.url, `o-backup-${next++}`);
      for (let i = 0; i < 3 && !stop; i++) {
        const answer = await call('POST', '/mp/v1/applications', personApplication({ request: { description: `请公开2025年度本市人防工程审批清单（第 ${next}-${i} 份）` } }), who);
        if (answer.status === 201) acked.push({ id: answer.body.id, trackingNo: answer.body.trackingNo, at: performance.now() });
        else refused++;
      }
    }
  };
  const load = Array.from({ length: 4 }, worker);
  while (acked.length < 30) await new Promise((resolve) => setTimeout(resolve, 20));

  const dest = await tempDir(t);
  const backupStarted = performance.now();
  const backup = await cli('backup', dataDir, dest);
  const ackedDuringBackup = acked.filter((a) => a.at > backupStarted).length;
  stop = true;
  await Promise.all(load);
  t.is(backup.code, 0, backup.stderr);
  t.is(refused, 0);
  t.true(ackedDuringBackup > 0, 'requests were being acknowledged while the backup ran');

  const [folder] = await readdir(dest);
  const manifest = await verifyBackup(path.join(dest, folder!));
  t.is(manifest.format, 'gongkai-backup');
  t.is(manifest.files['applications.json']!.schemaVersion, 2);
  t.regex(backup.stdout, new RegExp(`applications\\.json +applications ${manifest.files['applications.json']!.counts!.applications}`));
  await app.stop();

  const restoredDir = path.join(await tempDir(t), 'data');
  const restore = await cli('restore', restoredDir, path.join(dest, folder!));
  t.is(restore.code, 0, restore.stderr);
  const again = await startApp(t, { dataDir: restoredDir, engine: 'embedded' });
  const staff = await staffLogin(again.url);
  const restored = new Map<string, string>();
  for (let page = 1; ; page++) {
    const list = await client(again.url)('GET', `/admin/v1/applications?page=${page}`, undefined, staff);
    for (const a of list.body.applications as Array<{ id: string; trackingNo: string }>) restored.set(a.id, a.trackingNo);
    if (restored.size >= list.body.total || list.body.applications.length === 0) break;
  }
  const before = acked.filter((a) => a.at < backupStarted);
  t.true(before.length >= 30);
  t.deepEqual(
    before.filter((a) => restored.get(a.id) !== a.trackingNo),
    [],
    'every request acknowledged before the backup started is there, with its tracking number',
  );
  const ackedIds = new Set(acked.map((a) => a.id));
  t.deepEqual([...restored.keys()].filter((id) => !ackedIds.has(id)), [], 'nothing that was not acknowledged');
  t.is(restored.size, manifest.files['applications.json']!.counts!.applications);
});

