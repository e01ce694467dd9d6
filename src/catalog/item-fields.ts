// Checking what staff type in for an item, and the 索引号 the office gives it.
import { DomainError } from '../domain/errors.js';
import type { Category, DocumentKind, ItemFields } from './types.js';

const LIMITS = { title: 200, summary: 2000, url: 1000, documentNumber: 100, indexNo: 64 };
const DOCUMENT_KINDS: readonly DocumentKind[] = ['regulations', 'normativeDocuments'];
const INDEX_NO = /^[^\s]{1,64}$/u;

type Fields = Record<string, string>;

function optionalText(body: Record<string, unknown>, key: keyof typeof LIMITS, label: string, fields: Fields): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    fields[key] = `${label}应为文字`;
    return null;
  }
  const text = value.trim();
  if ([...text].length > LIMITS[key]) fields[key] = `${label}不能超过 ${LIMITS[key]} 个字`;
  return text || null;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The fields of a new item (`partial` false) or of an edit (`partial` true: only what is present).
 * Throws a validation error naming every bad field.
 */
export function validateItemFields(body: Record<string, unknown>, categories: readonly Category[], partial = false): Partial<ItemFields> {
  const fields: Fields = {};
  const out: Partial<ItemFields> = {};
  const present = (key: string) => !partial || body[key] !== undefined;

  if (present('title')) {
    const title = optionalText(body, 'title', '标题', fields);
    if (!title && !fields.title) fields.title = '请填写标题';
    out.title = title ?? '';
  }
  if (present('category')) {
    const category = typeof body.category === 'string' ? body.category.trim() : '';
    const known = categories.find((c) => c.id === category || c.name === category);
    if (!known) fields.category = category ? `没有“${category}”这个栏目` : '请选择栏目';
    out.category = known?.id ?? '';
  }
  if (present('summary')) out.summary = optionalText(body, 'summary', '摘要', fields);
  if (present('documentNumber')) out.documentNumber = optionalText(body, 'documentNumber', '文号', fields);
  if (present('url')) {
    const url = optionalText(body, 'url', '链接', fields);
    if (url && !fields.url && !isHttpUrl(url)) fields.url = '链接应以 http:// 或 https:// 开头';
    out.url = url;
  }
  if (present('documentKind')) {
    const kind = body.documentKind;
    if (kind === undefined || kind === null || kind === '') out.documentKind = null;
    else if (DOCUMENT_KINDS.includes(kind as DocumentKind)) out.documentKind = kind as DocumentKind;
    else fields.documentKind = '应为 regulations（规章）或 normativeDocuments（规范性文件）';
  }
  if (Object.keys(fields).length > 0) throw new DomainError('validation', '条目内容有误，请检查标出的项目', fields);
  return out;
}

/** A 索引号 given by staff or a feed; null when none was given. */
export function validateIndexNo(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !INDEX_NO.test(value.trim())) {
    throw new DomainError('validation', '索引号格式不正确', { indexNo: '索引号应为不含空格的 1–64 个字符' });
  }
  return value.trim();
}

/** 索引号 per the usual convention: <机构代码或简称>-<年份>-<五位序号>, e.g. 市人防办-2026-00012. */
export function formatIndexNo(prefix: string, year: number, seq: number): string {
  return `${prefix}-${year}-${String(seq).padStart(5, '0')}`;
}
