// Report inputs from a JSON file (the shape of ReportInputs), for running the report without the
// store: `npm run report -- --year 2019 --input data.json`. The checks validate the figures; this
// only makes sure the file has the shape, so a typo fails here with a message that names the field.

import { readFile } from 'node:fs/promises';
import type { ReportInputs } from './types.js';

export class ReportInputError extends Error {
  readonly code = 'REPORT_BAD_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseReportInputs(json: unknown, source = '数据文件'): ReportInputs {
  if (!isObject(json)) throw new ReportInputError(`${source}的内容应当是一个 JSON 对象。`);
  const agency = json.agency;
  if (!isObject(agency) || typeof agency.name !== 'string' || agency.name.trim() === '') {
    throw new ReportInputError(`${source}缺少机关名称（agency.name）。`);
  }
  for (const field of ['requests', 'catalogItems', 'reviewCases'] as const) {
    if (json[field] !== undefined && !Array.isArray(json[field])) throw new ReportInputError(`${source}中的 ${field} 应当是数组。`);
  }
  for (const field of ['entered', 'texts', 'article20Map', 'previous'] as const) {
    if (json[field] !== undefined && !isObject(json[field])) throw new ReportInputError(`${source}中的 ${field} 应当是对象。`);
  }
  const requests = (json.requests ?? []) as unknown[];
  requests.forEach((request, index) => {
    if (!isObject(request) || !isObject(request.applicant)) {
      throw new ReportInputError(`${source}中第 ${index + 1} 件申请缺少申请人类型（applicant.type）。`);
    }
  });
  const texts = (json.texts ?? {}) as Record<string, unknown>;
  return {
    agency: { name: agency.name },
    requests: requests as ReportInputs['requests'],
    catalogItems: (json.catalogItems ?? []) as ReportInputs['catalogItems'],
    article20Map: json.article20Map as ReportInputs['article20Map'],
    entered: (json.entered ?? {}) as ReportInputs['entered'],
    reviewCases: (json.reviewCases ?? []) as ReportInputs['reviewCases'],
    previous: json.previous as ReportInputs['previous'],
    texts: {
      overview: String(texts.overview ?? ''),
      problems: String(texts.problems ?? ''),
      otherMatters: String(texts.otherMatters ?? ''),
      ...(typeof texts.issuedOn === 'string' ? { issuedOn: texts.issuedOn } : {}),
    },
  };
}

export async function loadReportInputsFile(path: string): Promise<ReportInputs> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ReportInputError(`读不到数据文件 ${path}，请检查路径。`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReportInputError(`数据文件 ${path} 不是有效的 JSON。`);
  }
  return parseReportInputs(json, `数据文件 ${path} `);
}
