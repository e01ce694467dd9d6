// Issue 20, point 4, on a real full disk: the data folder on a 2 MiB tmpfs (needs root to mount, as
// CI runs), filled to the last byte while the server runs. Writes are refused with 503 (small
// journal appends that still fit in an allocated page may succeed, and are then kept), one log line
// says so, reads and the chat go on within WeChat's 5 s, and once space is freed the server takes
// writes again by itself. After a restart every acknowledged request is there, and nothing else.
// The same with injected ENOSPC and EIO is test/disk-faults.test.ts. Embedded store only: it is
// about the data folder's disk (PostgreSQL going away is test/pg-outage.test.ts).
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startApp, client, mpLogin, staffLogin, personApplication } from '../helpers/app.js';
import { tempDir } from '../helpers/temp.js';
import { push, textXml } from '../helpers/wechat-client.js';
import { ScriptedFaults } from '../helpers/write-faults.js';

const run = promisify(execFile);
const msgId = () => String(BigInt('0x' + randomBytes(7).toString('hex')));

/** Writes `file` until the file system refuses another byte. */
async function fill(file: string): Promise<number> {
  const handle = await open(file, 'w');
  let written = 0;
  try {
    for (const size of [64 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          await handle.write(chunk);
          written += size;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    await handle.close();
  }
  return written;
}

test('a full tmpfs under the data folder: 503s and one log line, reads and chat go on, recovery when space returns, nothing acknowledged lost', async (t) => {
  t.timeout(5 * 60_000);
  const dataDir = path.join(await tempDir(t), 'data');
  await mkdir(dataDir);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', dataDir]);
  } catch (error) {
    t.fail(`this test mounts a tmpfs and needs root (as CI runs it): ${(error as { stderr?: string }).stderr ?? error}`);
    return;
  }
  t.teardown(() => run('umount', ['-l', dataDir]).then(() => undefined));

  // No injected faults: the seam only shortens how long writes must work before the log says so.
  const app = await startApp(t, { dataDir, storeFaults: new ScriptedFaults(), engine: 'embedded' });
  const call = client(app.url);
  const staff = await staffLogin(app.url);
  const citizens = await Promise.all(Array.from({ length: 20 }, (_, i) => mpLogin(app.url, `o-full-${i}`)));
  const acked: string[] = [];
  const first = await call('POST', '/mp/v1/applications', personApplication(), citizens[0]);
  t.is(first.status, 201);
  acked.push(first.body.id);

  const filler = path.join(dataDir, 'filler');
  t.true((await fill(filler)) > 1024 * 1024, 'the disk was filled');

  const statuses: number[] = [];
  await Promise.all(
    citizens.map(async (who, i) => {
      const answer = await call('POST', '/mp/v1/applications', personApplication({ request: { description: `请公开2025年度本市人防工程审批清单（满盘第 ${i} 份）` } }), who);
      statuses.push(answer.status);
      if (answer.status === 201) acked.push(answer.body.id);
      else t.like(answer.body, { error: { code: 'storage-unavailable' } });
    }),
  );
  t.log(`on the full disk: ${statuses.filter((s) => s === 201).length} saved, ${statuses.filter((s) => s === 503).length} refused`);
  t.deepEqual(statuses.filter((s) => s !== 201 && s !== 503), [], 'only saved or 503');
  t.true(statuses.includes(503), `some were refused: ${statuses.join(' ')}`);

  // Reads and the chat go on.
  t.is((await call('GET', `/mp/v1/applications/${first.body.id}`, undefined, citizens[0])).status, 200);
  t.is((await call('GET', '/admin/v1/applications', undefined, staff)).status, 200);
  for (const text of ['申请公开要多久', '我要申请']) {
    const started = performance.now();
    const { status, reply } = await push(app.url, textXml('o-full-wechat', text, msgId()));
    t.is(status, 200);
    t.true(performance.now() - started < 5000, `${text}: ${Math.round(performance.now() - started)} ms`);
    t.truthy(reply, text);
  }
  t.is(app.logs.filter((line) => line.includes('DATA_DIR cannot be written (ENOSPC)')).length, 1, app.logs.join(''));
  t.deepEqual(app.logs.filter((line) => /"level":[56]0/.test(line) && !line.includes('DATA_DIR cannot be written')), []);

  // Space returns: no restart, the next change is saved, and the log says so once.
  await rm(filler);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await call('POST', '/mp/v1/applications', personApplication({ request: { description: '请公开2026年度本市人防工程审批清单（空间恢复后）' } }), citizens[1]);
  t.is(after.status, 201);
  acked.push(after.body.id);
  t.is(app.logs.filter((line) => line.includes('DATA_DIR can be written again')).length, 1);

  await app.stop();
  const again = await startApp(t, { dataDir, engine: 'embedded' });
  const list = await client(again.url)('GET', '/admin/v1/applications', undefined, await staffLogin(again.url));
  t.deepEqual(list.body.applications.map((a: { id: string }) => a.id).sort(), [...acked].sort(), 'every acknowledged request, and nothing refused');
});
