// `npm start` runs the server compiled to JavaScript (src/start.mjs), rebuilding it when a source
// changed: a start never runs code older than the sources, and the build finds the files the code
// reads beside and above itself (console and sandbox assets, data/).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { startServer } from './helpers/server-process.js';
import { tempDir } from './helpers/temp.js';
import { npmStart } from './helpers/npm-start.js';


const launcher = (mode: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['src/start.mjs', mode], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

test('npm start runs the compiled build, without tsx', async (t) => {
  t.timeout(180_000);
  const start = npmStart();
  t.deepEqual(start.args, ['src/start.mjs']);
  t.is(launcher('--build').status, 0);
  const server = await startServer({ DATA_DIR: await tempDir(t) }, 120_000);
  t.teardown(() => server.child.kill('SIGKILL'));
  // The demo data (data/demo, found through import.meta.url) was seeded, and the assets are served.
  t.regex(server.output(), /demo data seeded/);
  for (const asset of ['/sandbox/app.css', '/sandbox/app.js', '/admin/assets/console.css']) {
    t.is((await fetch(`${server.url}${asset}`)).status, 200, asset);
  }
  t.notRegex(await readFile(`/proc/${server.child.pid}/cmdline`, 'utf8'), /tsx/);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});

test('a build older than the sources: --check says to build, and npm start rebuilds before starting', async (t) => {
  t.timeout(240_000);
  // A build of this test's own, so that the servers other tests start keep theirs.
  const name = `gongkai-build-test-${process.pid}`;
  const env = { GONGKAI_BUILD_NAME: name };
  const dir = `node_modules/.cache/${name}`;
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.is(launcher('--build', env).status, 0);
  t.is(launcher('--check', env).status, 0, 'fresh after a build');

  // As if a source file had changed since: the build's fingerprint no longer matches.
  await writeFile(`${dir}/fingerprint`, 'made from older sources');
  const check = launcher('--check', env);
  t.is(check.status, 1);
  t.regex(check.stderr, /older than the sources: run `npm run build`/);

  const server = await startServer({ DATA_DIR: await tempDir(t), ...env }, 180_000);
  t.teardown(() => server.child.kill('SIGKILL'));
  t.regex(server.output(), /Built the server to JavaScript in [\d.]+ s/);
  t.is((await fetch(`${server.url}/healthz`)).status, 200);
  t.is(launcher('--check', env).status, 0, 'fresh again');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});
