// Issue 19, finding 9: data files, journals and backups (full ID numbers, password hashes) were
// created 0644. They are now 0600 and their folders 0700, and a start fixes older ones with a log line.
import test from 'ava';
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startApp, client, mpLogin, personApplication, staffLogin } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';
import { push, textXml } from './helpers/wechat-client.js';

async function modes(dir: string): Promise<Array<{ file: string; mode: string; folder: boolean }>> {
  const out: Array<{ file: string; mode: string; folder: boolean }> = [];
  const visit = async (target: string) => {
    const s = await stat(target);
    out.push({ file: path.relative(dir, target) || '.', mode: (s.mode & 0o777).toString(8), folder: s.isDirectory() });
    if (s.isDirectory()) for (const name of await readdir(target)) await visit(path.join(target, name));
  };
  await visit(dir);
  return out;
}

test('every data file, journal and backup is 0600 and every folder 0700, whatever the umask', async (t) => {
  const dataDir = path.join(await tempDir(t), 'runtime');
  const app = await startApp(t, { dataDir });
  const call = client(app.url);
  const admin = await staffLogin(app.url);
  // Writes of every kind: users and sessions, an application (journal), a chat turn, a backup.
  t.is((await call('POST', '/admin/v1/users', { username: 'reg', password: 'Reg-lighthouse-4', roles: ['registrar'] }, admin)).status, 201);
  t.is((await call('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, 'o-files'))).status, 201);
  await push(app.url, textXml('o-files', '帮助', '7500000000000000001'));
  t.is((await call('POST', '/admin/v1/jobs/backup/run', undefined, admin)).status, 200);
  const found = await modes(dataDir);
  t.true(found.some((f) => f.file.startsWith('backups') && !f.folder), 'a backup was written');
  t.true(found.some((f) => f.file.endsWith('.journal')) || found.length > 5);
  const open = found.filter((f) => f.mode !== (f.folder ? '700' : '600'));
  t.deepEqual(open, []);
});

test('files and folders left readable by an older version are made private at start, with a log line', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startApp(t, { dataDir });
  await first.stop();
  await mkdir(path.join(dataDir, 'backups', 'old'), { recursive: true });
  await writeFile(path.join(dataDir, 'backups', 'old', 'staff.json'), '{}');
  await chmod(path.join(dataDir, 'backups', 'old', 'staff.json'), 0o644);
  await chmod(path.join(dataDir, 'backups'), 0o755);
  await chmod(path.join(dataDir, 'staff.json'), 0o644);
  await chmod(dataDir, 0o755);

  const second = await startApp(t, { dataDir });
  const open = (await modes(dataDir)).filter((f) => f.mode !== (f.folder ? '700' : '600'));
  t.deepEqual(open, []);
  const line = second.logs.find((l) => /made private/.test(l));
  t.truthy(line);
  t.regex(line!, /"files":2/);
  t.regex(line!, /"folders":3/); // the data folder, backups/ and backups/old/
});
