// `npm run sandbox:reset`: wipes runtime data, and refuses every folder whose loss would hurt.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resetDataDir, resetRefusal, ResetRefused, type ResetCheck } from '../src/sandbox/reset.js';
import { startApp } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';

const ROOT = '/srv/gongkai';
const HOME = '/home/clerk';
const base: Omit<ResetCheck, 'target'> = { projectRoot: ROOT, home: HOME, explicit: false, entries: ['applications.json', '.lock'], lockHolder: null };

test('which folders may be wiped', (t) => {
  const cases: Array<[label: string, check: Partial<ResetCheck> & { target: string }, refused: RegExp | null]> = [
    ['the default runtime folder', { target: `${ROOT}/data/runtime` }, null],
    ['a folder inside it', { target: `${ROOT}/data/runtime/demo` }, null],
    ['a runtime folder that does not exist yet', { target: `${ROOT}/data/runtime`, entries: null }, null],
    ['DATA_DIR elsewhere, not named on the command line', { target: '/var/lib/gongkai' }, /outside the project's data\/runtime/],
    ['the same folder named with --data-dir', { target: '/var/lib/gongkai', explicit: true }, null],
    ['a named empty folder', { target: '/var/lib/gongkai', explicit: true, entries: [] }, null],
    ['a named folder that is not a data folder', { target: '/var/lib/mysql', explicit: true, entries: ['ibdata1', 'mysql'] }, /does not look like a Gongkai data folder/],
    ['the root of the file system', { target: '/', explicit: true }, /root of the file system/],
    ['the project', { target: ROOT, explicit: true }, /contains the project/],
    ['a folder holding the project', { target: '/srv', explicit: true }, /contains the project/],
    ['the home folder', { target: HOME, explicit: true }, /home folder/],
    ["the office's content folder", { target: `${ROOT}/data`, explicit: true }, /office's own content/],
    ['the guide', { target: `${ROOT}/data/guide`, explicit: true }, /office's own content/],
    ['a relative path', { target: 'data/runtime', explicit: true }, /not an absolute path/],
    ['a folder a running server holds', { target: `${ROOT}/data/runtime`, lockHolder: 4242 }, /process 4242.*stop it first/],
  ];
  for (const [label, check, refused] of cases) {
    const reason = resetRefusal({ ...base, ...check });
    if (refused === null) t.is(reason, null, label);
    else t.regex(reason ?? '', refused, label);
  }
});

async function runtimeLike(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'applications.json'), '{}');
  await writeFile(path.join(dir, 'staff.json'), '{}');
  await mkdir(path.join(dir, 'backups', '20260318T020000'), { recursive: true });
  await writeFile(path.join(dir, 'backups', '20260318T020000', 'applications.json'), '{}');
  return dir;
}

test('a named data folder is emptied and kept', async (t) => {
  const dir = await runtimeLike(t);
  const { removed } = await resetDataDir({ target: dir, explicit: true });
  t.deepEqual(removed.sort(), ['applications.json', 'backups', 'staff.json']);
  t.deepEqual(await readdir(dir), []);
});

test('a folder in use by a running server is left alone', async (t) => {
  const running = await startApp(t);
  const before = (await readdir(running.config.dataDir)).sort();
  t.true(before.includes('.lock'));
  const error = await t.throwsAsync(resetDataDir({ target: running.config.dataDir, explicit: true }), { instanceOf: ResetRefused });
  t.regex(error!.message, new RegExp(`process ${process.pid}`));
  t.deepEqual((await readdir(running.config.dataDir)).sort(), before);
});

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import=tsx', 'src/sandbox/reset.ts', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

test('the command refuses DATA_DIR outside the project unless it is named with --data-dir', async (t) => {
  const dir = await runtimeLike(t);
  const refused = await runCli([], { DATA_DIR: dir });
  t.is(refused.code, 2);
  t.regex(refused.stderr, /Not reset: .*outside the project's data\/runtime folder; name it with --data-dir/);
  t.is((await readdir(dir)).length, 3, 'nothing was removed');

  const done = await runCli(['--data-dir', dir], {});
  t.is(done.code, 0, done.stderr);
  t.regex(done.stdout, /removed 3 entries/);
  t.deepEqual(await readdir(dir), []);
});
