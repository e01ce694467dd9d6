// Issue 20, point 4: the data folder stops taking writes (ENOSPC, EIO), injected through the store's
// fault seam under the whole server. Writes are refused with 503 and one log line, reads and the
// guide's chat answers go on, WeChat gets a kind answer within 5 s, nothing acknowledged is lost, and
// the server recovers by itself once writes work again. The same on a real full tmpfs is in
// test/resilience/full-disk.suite.ts.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { startApp, client, mpLogin, staffLogin, personApplication } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';
import { push, textXml } from './helpers/wechat-client.js';
import { ScriptedFaults } from './helpers/write-faults.js';

const msgId = () => String(BigInt('0x' + randomBytes(7).toString('hex')));
const FAILING = 'DATA_DIR cannot be written';
const RECOVERED = 'DATA_DIR can be written again';

for (const code of ['ENOSPC', 'EIO'] as const) {
  test(`${code} on every write: 503s and one log line, reads and chat answers go on, recovery by itself, nothing acknowledged lost`, async (t) => {
    const dataDir = await tempDir(t);
    const faults = new ScriptedFaults();
    const app = await startApp(t, { dataDir, storeFaults: faults });
    const call = client(app.url);
    const citizen = await mpLogin(app.url, 'o-disk-citizen');
    // Logging in writes a session: the storm's citizens log in before the disk fills.
    const citizens = await Promise.all(Array.from({ length: 25 }, (_, i) => mpLogin(app.url, `o-disk-storm-${i}`)));
    const staff = await staffLogin(app.url);
    const before = await call('POST', '/mp/v1/applications', personApplication(), citizen);
    t.is(before.status, 201);

    for (const step of ['journal-append', 'file-write'] as const) faults.fail(step, code, { times: Infinity });

    // A storm of submissions: each refused at once, clearly, none half-saved.
    const storm = await Promise.all(
      citizens.map((who, i) => call('POST', '/mp/v1/applications', personApplication({ request: { description: `请公开2025年度本市人防工程审批清单（第 ${i} 份）` } }), who)),
    );
    for (const answer of storm) {
      t.is(answer.status, 503);
      t.is(answer.body.error.code, 'storage-unavailable');
      t.regex(answer.body.error.message, /暂时无法保存.*没有保存.*稍后再试/);
      t.is(answer.headers.get('retry-after'), '60');
    }
    // A staff event and a staff account change are refused the same way.
    t.is((await call('POST', `/admin/v1/applications/${before.body.id}/events`, { type: 'receive', on: before.body.receivedOn ?? '2026-12-07' }, staff)).status, 503);

    // Reads go on: the citizen's own request, the staff list, the health check.
    t.is((await call('GET', `/mp/v1/applications/${before.body.id}`, undefined, citizen)).status, 200);
    const list = await call('GET', '/admin/v1/applications', undefined, staff);
    t.is(list.status, 200);
    t.deepEqual(list.body.applications.map((a: { id: string }) => a.id), [before.body.id], 'nothing refused shows up');
    t.is((await call('GET', '/healthz')).status, 200);

    // WeChat: a guide question is answered as usual; a message that would change something gets a
    // kind message saying it was not recorded; both well within WeChat's 5 s.
    for (const [text, expected] of [
      ['申请公开要多久', /20个工作日|二十个工作日/],
      ['我要申请', /暂时无法保存.*没有记录下来/],
    ] as const) {
      const started = performance.now();
      const { status, reply } = await push(app.url, textXml('o-disk-wechat', text, msgId()));
      t.is(status, 200, text);
      t.true(performance.now() - started < 5000, `${text} answered in ${Math.round(performance.now() - started)} ms`);
      t.regex(reply ?? '', expected, `${text} → ${reply}`);
    }

    const failingLines = app.logs.filter((line) => line.includes(FAILING));
    t.is(failingLines.length, 1, `one line for the whole storm:\n${app.logs.join('')}`);
    t.regex(failingLines[0]!, new RegExp(`"code":"${code}"`));
    const otherErrors = app.logs.filter((line) => /"level":[56]0/.test(line) && !line.includes(FAILING));
    t.deepEqual(otherErrors, [], 'no other error lines (no stack per request)');

    // Space returns: the next write works without a restart, and says so once.
    faults.heal();
    await new Promise((resolve) => setTimeout(resolve, faults.recoveryQuietMs));
    const after = await call('POST', '/mp/v1/applications', personApplication({ request: { description: '请公开2026年度本市人防工程审批清单（恢复后）' } }), citizen);
    t.is(after.status, 201);
    t.is(app.logs.filter((line) => line.includes(RECOVERED)).length, 1);
    t.regex(app.logs.find((line) => line.includes(RECOVERED))!, /"refused":\d+/);

    // Every acknowledged request, and nothing refused, is there after a restart.
    await app.stop();
    const again = await startApp(t, { dataDir });
    const all = await client(again.url)('GET', '/admin/v1/applications', undefined, await staffLogin(again.url));
    const ids = all.body.applications.map((a: { id: string }) => a.id).sort();
    t.deepEqual(ids, [before.body.id, after.body.id].sort());
  });
}
