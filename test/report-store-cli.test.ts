// `npm run report -- --year 2025` against a data folder, as a separate process, while the folder is
// held open (and locked) by this process as a running server would hold it.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { ReportRepo } from '../src/store/report-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { tempDir } from './helpers/temp.js';

const run = promisify(execFile);
const clock = () => new Date('2026-02-10T02:00:00Z');

const record = (events: object[]) => ({
  applicant: { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' },
  request: { description: '请公开本单位人防工程建设审批事项的办理结果' },
  delivery: { form: 'paper', method: 'pickup' },
  events,
});

function report(dataDir: string, ...args: string[]) {
  return run(process.execPath, ['--import=tsx', 'src/report/cli.ts', '--year', '2025', ...args], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
  }).catch((error: { code: number; stdout: string; stderr: string }) => error);
}

/** Every file in the folder with its bytes, to show that nothing was written. */
async function contents(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, file)] = await readFile(file, 'utf8');
    }
  }
  return files;
}

test('the report command reads the data folder while the server holds it, and writes nothing there', async (t) => {
  const dataDir = await tempDir(t);
  const store = await Store.open(dataDir, clock);
  t.teardown(() => store.close());
  const [applicationsRepo, reportRepo] = await Promise.all([ApplicationsRepo.open(store), ReportRepo.open(store, clock)]);
  const calendar = await CalendarSource.open('data', dataDir);
  const applications = new ApplicationsService(applicationsRepo, () => calendar.current(), clock);
  await applications.import(
    [
      record([{ type: 'receive', on: '2024-12-20' }, { type: 'decide', on: '2025-01-10', outcome: 'granted' }]),
      record([{ type: 'receive', on: '2025-03-03' }, { type: 'decide', on: '2025-03-20', outcome: 'unavailable-not-held' }]),
      record([{ type: 'receive', on: '2025-12-26' }]),
    ],
    'admin',
  );
  await reportRepo.setEntered(
    2025,
    {
      proactive: {
        regulations: { issued: 0, repealed: 0, inForce: 0 },
        normativeDocuments: { issued: 0, repealed: 0, inForce: 2 },
        licensing: { decisions: 5 },
        penalties: { decisions: 0 },
        enforcement: { decisions: 0 },
        fees: { amount: 0 },
      },
    },
    'admin',
  );
  await reportRepo.setTexts(2025, { overview: '本年新收申请 {{requests.newReceived.total}} 件。', problems: '无。', otherMatters: '无。' }, 'admin');
  const before = await contents(dataDir);
  t.truthy(before['.lock'], 'the folder is locked, as by a running server');

  const markdown = await report(dataDir);
  t.is(markdown.stderr, '');
  t.true(markdown.stdout.startsWith('# 政府信息公开工作年度报告'));
  t.true(markdown.stdout.includes('本年新收申请 2 件。'));

  const out = path.join(await tempDir(t), 'report.json');
  const final = await report(dataDir, '--final', '--out', out);
  t.regex(final.stderr, /已写入 .*report\.json（2025 年度，2021 格式，校验全部通过）/);
  const json = JSON.parse(await readFile(out, 'utf8'));
  t.like(json.tables.requests, {
    newReceived: { person: 2, total: 2 },
    carriedOver: { person: 1, total: 1 },
    granted: { person: 1 },
    'unavailable.notHeld': { person: 1 },
    carryForward: { person: 1, total: 1 },
  });
  t.true(json.final);

  t.deepEqual(await contents(dataDir), before);
});

test('a data folder that does not exist or holds no applications is named in the message', async (t) => {
  const root = await tempDir(t);
  const missing = await report(path.join(root, 'nowhere'));
  t.is((missing as { code: number }).code, 1);
  t.regex(missing.stderr, /数据目录 .*nowhere 不存在：请检查环境变量 DATA_DIR/);

  const empty = path.join(root, 'empty');
  await mkdir(empty);
  const nothing = await report(empty);
  t.is((nothing as { code: number }).code, 1);
  t.regex(nothing.stderr, /中没有申请数据（applications\.json）/);
  t.deepEqual(await readdir(empty), []);
});
