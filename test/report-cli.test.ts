import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReportCliError, parseReportArgs, runReportCli, type ReportCliIo } from '../src/report/cli.js';
import type { ReportInputs } from '../src/report/types.js';

const zeros = { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 0 };

function inputs(previous = true): ReportInputs {
  return {
    agency: { name: '测试市人民防空办公室' },
    requests: [{ receivedOn: '2022-02-01', closedOn: '2022-02-10', outcome: 'granted', applicant: { type: 'person' } }],
    catalogItems: [],
    entered: {
      proactive: {
        regulations: { issued: 0, repealed: 0, inForce: 0 },
        normativeDocuments: { issued: 1, repealed: 0, inForce: 4 },
        licensing: { decisions: 3 },
        penalties: { decisions: 0 },
        enforcement: { decisions: 0 },
        fees: { amount: 0 },
      },
    },
    reviewCases: [],
    ...(previous ? { previous: { carryForward: zeros } } : {}),
    texts: { overview: '概况。', problems: '问题。', otherMatters: '无。' },
  };
}

function fakeIo(env: Record<string, string | undefined> = {}) {
  const out = { stdout: '', stderr: '', files: new Map<string, string | Buffer>() };
  const io: ReportCliIo = {
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    writeFile: async (path, data) => void out.files.set(path, data),
    env,
  };
  return { io, out };
}

const badArguments: [string[], RegExp][] = [
  [[], /缺少 --year/],
  [['--year', '22'], /--year 应为四位数字的年份，收到的是“22”/],
  [['--year', '2018'], /只支持 2019 年度起/],
  [['--year', '2022', '--format', '2020'], /--format 只能是 2019 或 2021，收到的是“2020”/],
  [['--year', '2022', '--out', 'report.pdf'], /扩展名应为 \.md、\.html、\.docx、\.xlsx 或 \.json/],
  [['--year', '2022', '--colour', 'red'], /参数有误：不认识的参数 --colour/],
  [['--year', '2022', 'extra'], /参数有误：多余的内容“extra”/],
  [['--year'], /参数有误：--year 后面缺少取值/],
  [['--year', '2022', '--final=yes'], /参数有误：--final 不需要取值/],
];

for (const [argv, message] of badArguments) {
  test(`bad arguments ${JSON.stringify(argv)} are refused in Chinese`, (t) => {
    t.throws(() => parseReportArgs(argv), { instanceOf: ReportCliError, message });
  });
}

test('arguments: the format follows the year unless given; the output kind follows --out', (t) => {
  t.like(parseReportArgs(['--year', '2020']), { year: 2020, format: '2019', kind: 'md', out: null, final: false, input: null });
  t.like(parseReportArgs(['--year=2023', '--out', 'r.docx', '--final']), { year: 2023, format: '2021', kind: 'docx', out: 'r.docx', final: true });
  t.like(parseReportArgs(['--year', '2023', '--format', '2019']), { format: '2019' });
  t.like(parseReportArgs(['--year', '2023'], { REPORT_INPUT: '/data/in.json' }), { input: '/data/in.json' });
  t.like(parseReportArgs(['--year', '2023', '--input', 'x.json'], { REPORT_INPUT: '/data/in.json' }), { input: 'x.json' });
});

test('without --out the Markdown goes to stdout; the loader is asked for the year', async (t) => {
  const { io, out } = fakeIo();
  const asked: number[] = [];
  const code = await runReportCli(['--year', '2022'], async (year) => (asked.push(year), inputs()), io);
  t.is(code, 0);
  t.deepEqual(asked, [2022]);
  t.true(out.stdout.startsWith('# 政府信息公开工作年度报告'));
  t.true(out.stdout.includes('（六）其他处理'));
  t.is(out.stderr, '');
});

test('--out writes the file of that kind and says so', async (t) => {
  const { io, out } = fakeIo();
  const code = await runReportCli(['--year', '2022', '--out', 'r.xlsx'], async () => inputs(), io);
  t.is(code, 0);
  const file = out.files.get('r.xlsx');
  t.true(Buffer.isBuffer(file));
  t.is((file as Buffer).subarray(0, 2).toString('latin1'), 'PK');
  t.regex(out.stderr, /已写入 r\.xlsx（2022 年度，2021 格式，校验全部通过）/);
});

test('a failing report is written as a draft, but refused with --final', async (t) => {
  const draft = fakeIo();
  t.is(await runReportCli(['--year', '2022', '--out', 'r.html'], async () => inputs(false), draft.io), 0);
  t.true(String(draft.out.files.get('r.html')).includes('草稿：校验未通过'));
  t.regex(draft.out.stderr, /未通过：未提供 2021 年度报告/);

  const final = fakeIo();
  t.is(await runReportCli(['--year', '2022', '--out', 'r.html', '--final'], async () => inputs(false), final.io), 1);
  t.is(final.out.files.size, 0);
  t.regex(final.out.stderr, /校验未通过，不能导出正式版/);
});

test('bad arguments exit with 2 and print the usage', async (t) => {
  const { io, out } = fakeIo();
  t.is(await runReportCli(['--year', 'abc'], async () => inputs(), io), 2);
  t.regex(out.stderr, /用法：npm run report -- --year 年份/);
});

test('--input reads a JSON file instead of the store; a broken file is named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'report-cli-'));
  const good = join(dir, 'in.json');
  await writeFile(good, JSON.stringify(inputs()));
  const notCalled = async (): Promise<ReportInputs> => {
    throw new Error('the store must not be read');
  };
  const ok = fakeIo();
  t.is(await runReportCli(['--year', '2022', '--input', good], notCalled, ok.io), 0);
  t.true(ok.out.stdout.includes('测试市人民防空办公室（2022年度）'));

  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{"agency": ');
  const bad = fakeIo();
  t.is(await runReportCli(['--year', '2022'], notCalled, fakeIo({ REPORT_INPUT: broken }).io), 1);
  t.is(await runReportCli(['--year', '2022', '--input', broken], notCalled, bad.io), 1);
  t.regex(bad.out.stderr, /不是有效的 JSON/);

  const nameless = join(dir, 'nameless.json');
  await writeFile(nameless, JSON.stringify({ ...inputs(), agency: {} }));
  const noName = fakeIo();
  t.is(await runReportCli(['--year', '2022', '--input', nameless], notCalled, noName.io), 1);
  t.regex(noName.out.stderr, /缺少机关名称（agency\.name）/);
});

test('the CLI runs as a program (the command behind npm run report)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'report-cli-'));
  const source = join(dir, 'in.json');
  const target = join(dir, 'out.json');
  await writeFile(source, JSON.stringify(inputs()));
  const run = promisify(execFile);
  const { stderr } = await run('npx', ['tsx', 'src/report/cli.ts', '--year', '2022', '--input', source, '--out', target, '--final']);
  t.regex(stderr, /已写入/);
  const report = JSON.parse(await readFile(target, 'utf8'));
  t.is(report.year, 2022);
  t.is(report.tables.requests.granted.person, 1);
  const refused = await run('npx', ['tsx', 'src/report/cli.ts', '--year', 'x']).catch((error: { code: number; stderr: string }) => error);
  t.is((refused as { code: number }).code, 2);
});
