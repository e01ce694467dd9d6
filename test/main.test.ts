import test from 'ava';
import { spawn } from 'node:child_process';
import { startServer } from './helpers/server-process.js';
import { tempDir } from './helpers/temp.js';

// How fast it starts is measured by the cold-start benchmark (bench/), not asserted here: these
// machines are shared and a timed assertion would only measure the neighbours.
test('the server starts, answers /healthz, and stops cleanly on SIGTERM', async (t) => {
  const dir = await tempDir(t);
  const server = await startServer({ DATA_DIR: dir });
  t.teardown(() => server.child.kill('SIGKILL'));
  const response = await fetch(`${server.url}/healthz`);
  t.deepEqual(await response.json(), { status: 'ok' });
  t.regex(server.output(), /SANDBOX MODE/);
  // The newcomer is told where to go, and the generated admin password, once.
  t.regex(server.output(), /http:\/\/127\.0\.0\.1:\d+\/sandbox/);
  t.regex(server.output(), /user: admin {3}password: \w{14}/);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
  t.regex(server.output(), /"msg":"stopped"/);
});

test('an invalid environment stops the start with a message naming the variable', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, PORT: 'abc', WECHAT_AES_KEY: 'short' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  t.is(code, 2);
  t.regex(stderr, /PORT: must be a whole number/);
  t.regex(stderr, /WECHAT_AES_KEY: must be the 43-character/);
});

test('a corrupt data file stops the start and is left as it was', async (t) => {
  const dir = await tempDir(t);
  const { writeFile, readFile } = await import('node:fs/promises');
  await writeFile(`${dir}/applications.json`, '{"schemaVersion":1,"data":{"appl');
  const error = await t.throwsAsync(startServer({ DATA_DIR: dir }));
  t.regex(error!.message, /applications\.json is not valid JSON/);
  t.is(await readFile(`${dir}/applications.json`, 'utf8'), '{"schemaVersion":1,"data":{"appl');
});
