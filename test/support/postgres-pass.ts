// The second pass of `npm test`: every test that starts the server (test/helpers/app.ts) runs again
// with the server on PostgreSQL (GONGKAI_TEST_ENGINE=postgres: a throwaway database per data folder).
// The repositories' own tests already run on both engines in the first pass. Files about the data
// folder itself (its disk faults, backups and permissions, sandbox:reset wiping it) and the deploy
// test (nginx in front of one server) stay on the embedded engine. Without PostgreSQL the pass is
// left out, saying so; in CI (GONGKAI_REQUIRE_PG=1) that is a failure.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgReachable, PG_ADMIN_URL } from '../helpers/pg.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMBEDDED_ONLY = new Set(['disk-faults.test.ts', 'disk-faults-browser.test.ts', 'store-backup.test.ts', 'security-files.test.ts', 'sandbox-reset.test.ts', 'deploy.test.ts']);

if (!(await pgReachable())) {
  process.stdout.write(`PostgreSQL at ${PG_ADMIN_URL} does not answer: the tests ran on the embedded engine only.\n`);
  process.exit(0);
}

const files = readdirSync(path.join(ROOT, 'test'))
  .filter((name) => name.endsWith('.test.ts') && !EMBEDDED_ONLY.has(name))
  .filter((name) => /helpers\/(app|console-app)\.js/.test(readFileSync(path.join(ROOT, 'test', name), 'utf8')))
  .map((name) => path.join('test', name));

process.stdout.write(`The same ${files.length} server tests again, with the server on PostgreSQL:\n`);
// One file at a time: each of its tests starts a server with a database and pools of its own, and
// two files' worth at once can keep PostgreSQL on 2 cores from accepting connections in time.
const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs'), '--concurrency=1', ...files, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, GONGKAI_TEST_ENGINE: 'postgres' },
});
process.exit(result.status ?? 1);
