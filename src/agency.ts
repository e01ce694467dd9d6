// The office running this instance (data/agency.json). Facts the office has not supplied stay
// null, and every text built from them says where to look instead of inventing a number.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { reviewAuthorityOf } from './domain/remedies.js';

export interface CatalogCategory {
  id: string;
  name: string;
  /** The 条例 article this category discloses under, e.g. "第二十条第（七）项". */
  basis: string | null;
}

export interface Agency {
  name: string;
  shortName: string;
  portalName: string | null;
  portalUrl: string | null;
  wechatAccountName: string | null;
  disclosureOffice: string | null;
  onsiteWindow: string | null;
  address: string | null;
  postcode: string | null;
  phone: string | null;
  fax: string | null;
  email: string | null;
  officeHours: string | null;
  complaintAuthority: string | null;
  /** The 行政复议机关; when agency.json leaves it null, 本级人民政府 of the region (see domain/remedies.ts). */
  reviewAuthority: string | null;
  region?: { province?: string | null; city?: string | null; county?: string | null } | null;
  catalogCategories: CatalogCategory[];
  /** One line with every known contact, for chat replies and letters. */
  contactLine: string;
  [field: string]: unknown;
}

export async function loadAgency(contentDir: string): Promise<Agency> {
  const file = path.join(contentDir, 'agency.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (typeof raw.name !== 'string' || !raw.name) throw new Error(`${file}: "name" (the office's full name) is required`);
  if (!Array.isArray(raw.catalogCategories)) throw new Error(`${file}: "catalogCategories" must be a list`);
  const text = (key: string) => (typeof raw[key] === 'string' && raw[key] ? (raw[key] as string) : null);
  const agency = {
    ...raw,
    name: raw.name,
    shortName: text('shortName') ?? raw.name,
    portalName: text('portalName'),
    portalUrl: text('portalUrl'),
    wechatAccountName: text('wechatAccountName'),
    disclosureOffice: text('disclosureOffice'),
    onsiteWindow: text('onsiteWindow'),
    address: text('address'),
    postcode: text('postcode'),
    phone: text('phone'),
    fax: text('fax'),
    email: text('email'),
    officeHours: text('officeHours'),
    complaintAuthority: text('complaintAuthority'),
    // Named in every decision (行政复议法 第二十条第三款), so never left unknown: derived from the region.
    reviewAuthority: reviewAuthorityOf({ reviewAuthority: text('reviewAuthority'), region: raw.region as Agency['region'] }),
    catalogCategories: raw.catalogCategories as CatalogCategory[],
    contactLine: '',
  } as Agency;
  agency.contactLine = contactLine(agency);
  return agency;
}

export function contactLine(a: Agency): string {
  const parts: string[] = [];
  if (a.disclosureOffice) parts.push(`${a.shortName}${a.disclosureOffice}`);
  if (a.phone) parts.push(`电话 ${a.phone}`);
  if (a.email) parts.push(`邮箱 ${a.email}`);
  if (a.address) parts.push(`地址 ${a.address}`);
  if (a.officeHours) parts.push(`办公时间 ${a.officeHours}`);
  if (!a.phone && !a.address) {
    if (a.portalName || a.portalUrl) parts.push(`联系方式请见${a.portalName ?? '门户网站'}${a.portalUrl ? `（${a.portalUrl}）` : ''}`);
    if (a.onsiteWindow) parts.push(`也可到${a.onsiteWindow}现场咨询`);
  }
  return parts.join('；') || `请联系${a.name}`;
}
