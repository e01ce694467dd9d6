// The office running this instance (data/agency.json). Facts the office has not supplied stay
// null, and every text built from them says where to look instead of inventing a number.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

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
  reviewAuthority: string | null;
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
    reviewAuthority: text('reviewAuthority'),
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
