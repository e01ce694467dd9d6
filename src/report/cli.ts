// `npm run report -- --year YYYY [--format 2021|2019] [--out FILE] [--final] [--input FILE]`
// Builds the annual report and writes it to FILE (kind by extension: .md .html .docx .xlsx .json)
// or, without --out, prints the Markdown. Without --final a report that fails its checks is still
// written, marked as a draft; with --final it is refused. --input (or REPORT_INPUT) reads the inputs
// from a JSON file instead of the store.
//
// Without --input the report is built from the data folder (DATA_DIR) — read-only, and also while the
// server runs: the server holds the folder's lock and is its only writer, so the command copies the
// data files to a temporary folder and opens the store there. Each data file is replaced atomically
// (written aside, then renamed), so every copy is a whole version of its file, never half a write.
// Nothing in DATA_DIR is written, and a final export made here is not recorded: the record of final
// exports belongs to the staff API (POST /admin/v1/reports/annual).

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAnnualReport } from './build.js';
import { outputKindForFile, renderReport, type OutputKind } from './export.js';
import { ReportNotFinalError } from './final-gate.js';
import { ReportInputError, loadReportInputsFile } from './inputs-file.js';
import { defaultFormatForYear } from './labels.js';
import { loadReportInputs } from './store-inputs.js';
import type { ReportFormat, ReportInputs } from './types.js';
import { ConfigError, loadConfig } from '../config.js';
import { loadAgency } from '../agency.js';
import { openCatalog } from '../catalog/index.js';
import { copyDataFolder, type FolderCopy } from '../store/folder-copy.js';
import { Store } from '../store/store.js';
import { StoreFileError } from '../store/durable-json-file.js';
import { ApplicationsRepo } from '../store/applications-repo.js';
import { ReportRepo } from '../store/report-repo.js';
import { CalendarSource } from '../applications/calendar-source.js';
import { ApplicationsService } from '../applications/service.js';

export const USAGE = `用法：npm run report -- --year 年份 [--format 2021|2019] [--out 文件] [--final] [--input 数据文件]
  --year    报告年度，四位数字，如 2024（必填，2019 年起）
  --format  报告格式：2019（试行格式，用于 2019、2020 年度）或 2021（2021 年度起）；默认按年度选择
  --out     输出文件，按扩展名决定格式：.md .html .docx .xlsx .json；不填则在屏幕上输出 Markdown
  --final   导出正式版：校验未通过时拒绝导出（不加则导出带“草稿”标记的预览）
  --input   从 JSON 数据文件读取报告数据（也可用环境变量 REPORT_INPUT），不读数据库`;

export class ReportCliError extends Error {
  readonly code = 'REPORT_BAD_ARGUMENTS';
  constructor(message: string) {
    super(message);
    this.name = 'ReportCliError';
  }
}

export interface ReportCliOptions {
  year: number;
  format: ReportFormat;
  out: string | null;
  kind: OutputKind;
  final: boolean;
  input: string | null;
}

export function parseReportArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ReportCliOptions {
  let values: { year?: string; format?: string; out?: string; final?: boolean; input?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        year: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        final: { type: 'boolean' },
        input: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ReportCliError(describeParseError(error));
  }
  if (values.year === undefined) throw new ReportCliError('缺少 --year：请写明报告年度，如 --year 2024。');
  if (!/^\d{4}$/.test(values.year)) throw new ReportCliError(`--year 应为四位数字的年份，收到的是“${values.year}”。`);
  const year = Number(values.year);
  if (year < 2019) throw new ReportCliError('本系统只支持 2019 年度起的报告格式（《条例》2019 年修订后的格式）。');
  if (values.format !== undefined && values.format !== '2019' && values.format !== '2021') {
    throw new ReportCliError(`--format 只能是 2019 或 2021，收到的是“${values.format}”。`);
  }
  const format = (values.format as ReportFormat | undefined) ?? defaultFormatForYear(year);
  const out = values.out ?? null;
  let kind: OutputKind = 'md';
  if (out !== null) {
    const byExtension = outputKindForFile(out);
    if (!byExtension) throw new ReportCliError(`无法从文件名“${out}”判断输出格式：扩展名应为 .md、.html、.docx、.xlsx 或 .json。`);
    kind = byExtension;
  }
  const input = values.input ?? env.REPORT_INPUT ?? null;
  return { year, format, out, kind, final: values.final ?? false, input: input === '' ? null : input };
}

/** node:util parseArgs explains itself in English; staff get the same in Chinese. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const token = /'([^']+)'/.exec(error instanceof Error ? error.message : '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `参数有误：不认识的参数 ${token}。`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `参数有误：多余的内容“${token}”（每个值前面要写参数名，如 --year 2024）。`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return token.includes(' ') ? `参数有误：${token.split(' ')[0]} 后面缺少取值。` : `参数有误：${token} 不需要取值。`;
    default:
      return `参数有误：${error instanceof Error ? error.message : String(error)}`;
  }
}

export interface ReportCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  writeFile: (path: string, data: string | Buffer) => Promise<void>;
  env: Record<string, string | undefined>;
}

const processIo: ReportCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  writeFile: (path, data) => writeFile(path, data),
  env: process.env,
};

/** Runs the report command; resolves to the process exit code (0 ok, 1 failed, 2 bad arguments). */
export async function runReportCli(
  argv: readonly string[],
  loadInputs: (year: number) => Promise<ReportInputs>,
  io: ReportCliIo = processIo,
): Promise<number> {
  let options: ReportCliOptions;
  try {
    options = parseReportArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof ReportCliError)) throw error;
    io.stderr(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const inputs = options.input ? await loadReportInputsFile(options.input) : await loadInputs(options.year);
    const report = buildAnnualReport({ ...inputs, year: options.year, format: options.format });
    const rendered = await renderReport(report, options.kind, { final: options.final });
    for (const check of report.checks.filter((c) => !c.ok)) io.stderr(`未通过：${check.detail}\n`);
    if (options.out === null) {
      io.stdout(String(rendered.body));
    } else {
      await io.writeFile(options.out, rendered.body);
      const state = report.final ? '校验全部通过' : '草稿，校验未通过';
      io.stderr(`已写入 ${options.out}（${options.year} 年度，${options.format} 格式，${state}）。\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ReportNotFinalError || error instanceof ReportInputError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** The report inputs from the data folder named by DATA_DIR (see the note at the top). */
export async function loadInputsFromDataDir(year: number, env: NodeJS.ProcessEnv = process.env): Promise<ReportInputs> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ReportInputError(`环境变量配置有误，无法读取数据：\n${error.message}`);
    throw error;
  }
  let copy: FolderCopy;
  try {
    copy = await copyDataFolder(config.dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ReportInputError(`数据目录 ${config.dataDir} 不存在：请检查环境变量 DATA_DIR，或用 --input 指定 JSON 数据文件。`);
    }
    throw error;
  }
  const snapshot = copy.dir;
  try {
    if (!copy.files.includes('applications.json')) {
      throw new ReportInputError(
        `数据目录 ${config.dataDir} 中没有申请数据（applications.json）：请检查环境变量 DATA_DIR，或用 --input 指定 JSON 数据文件。`,
      );
    }
    const agency = await loadAgency(config.contentDir).catch((error: Error) => {
      throw new ReportInputError(`读不到机关信息：${error.message}（请检查环境变量 CONTENT_DIR）`);
    });
    const calendar = await CalendarSource.open(config.contentDir, config.dataDir);
    const store = await Store.open(snapshot);
    try {
      const [applicationsRepo, reportRepo] = await Promise.all([ApplicationsRepo.open(store), ReportRepo.open(store)]).catch((error: unknown) => {
        // A damaged or newer-than-known data file: say which, in the store's own words.
        if (error instanceof StoreFileError) throw new ReportInputError(`数据文件无法读取：${error.message.replaceAll(snapshot, config.dataDir)}`);
        throw error;
      });
      // The catalog is opened only to list what was published; the report never sends anything.
      const catalog = await openCatalog({
        store,
        agency,
        contentDir: config.contentDir,
        wechat: () => {
          throw new Error('the report command sends nothing');
        },
      });
      const { previousSource: _, ...inputs } = await loadReportInputs(year, {
        applications: new ApplicationsService(applicationsRepo, () => calendar.current()),
        calendar: () => calendar.current(),
        reportRepo,
        agency,
        catalog,
      });
      return inputs;
    } finally {
      await store.close();
    }
  } finally {
    await copy.remove();
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = await runReportCli(process.argv.slice(2), (year) => loadInputsFromDataDir(year));
}
