// Demo content for sandbox mode (DEMO_DATA=on): seeded once, on the first start of an empty store,
// from data/demo/. The same requests, tracking numbers, states and catalog on every fresh start;
// only the dates move with today, so that due dates look live.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { addDays } from '../domain/calendar.js';
import type { Role } from '../domain/roles.js';
import type { ApplicationsService } from '../applications/service.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { Logger } from '../log.js';
import { fillYears, workingDaysBefore } from './relative-dates.js';

/** The shipped demo content (data/demo/). */
export const DEMO_DIR = fileURLToPath(new URL('../../data/demo/', import.meta.url));

/** The fields of a catalog item, as the catalog service takes them from a feed. */
export interface DemoCatalogFields {
  title: string;
  category: string;
  documentNumber: string | null;
  summary: string | null;
  url: string | null;
  documentKind: 'regulations' | 'normativeDocuments' | null;
}

/** What the demo needs of the catalog service (src/catalog/service.ts CatalogService). */
export interface DemoCatalog {
  categories(): ReadonlyArray<{ id: string }>;
  importFromFeed(
    candidates: Array<{ fields: DemoCatalogFields; indexNo: string | null; publishedOn: string | null }>,
    reviewedAtSource: boolean,
    record: { at: string; url: string; found: number; imported: number; duplicates: number; invalid: number; error: string | null },
  ): Promise<unknown[]>;
  draft(body: Record<string, unknown>, by: string): Promise<{ id: string }>;
  review(id: string, body: Record<string, unknown>, actor: { username: string; roles: readonly Role[] }): Promise<unknown>;
}

export interface DemoDeps {
  applications: ApplicationsService;
  accounts: StaffAccounts;
  clock: () => Date;
  /** When the catalog is running: published items across categories and a few in review. */
  catalog?: DemoCatalog;
  /**
   * True only in sandbox mode: creates the demo staff accounts, whose passwords are fixed and
   * printed. Never in production, where DEMO_DATA=on must not open a door with a public key.
   */
  sandbox?: boolean;
  /** Where the demo staff accounts are printed. */
  logger?: Logger;
  /** Defaults to the shipped data/demo/. */
  demoDir?: string;
}

export interface DemoStaff {
  username: string;
  password: string;
  roles: Role[];
  displayName: string;
  /** Only needed (and only created) when the catalog runs: its review has three roles. */
  forCatalog: boolean;
}

interface DemoEvent {
  type: string;
  workingDaysAgo: number;
  [detail: string]: unknown;
}

interface DemoApplication {
  scenario: string;
  applicant: Record<string, unknown>;
  request: { description: string; documentNumber?: string };
  delivery: Record<string, unknown>;
  events: DemoEvent[];
}

interface DemoCatalogItem {
  category: string;
  title: string;
  summary?: string;
  documentNumber?: string;
  documentKind?: DemoCatalogFields['documentKind'];
  workingDaysAgo?: number;
  stage?: 'draft' | 'confidentiality-review' | 'leader-review' | 'published';
}

async function readDemoFile<T>(demoDir: string, name: string): Promise<T> {
  const file = path.join(demoDir, name);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new Error(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
}

export async function loadDemoStaff(demoDir: string = DEMO_DIR): Promise<DemoStaff[]> {
  const { staff } = await readDemoFile<{ staff: Array<Omit<DemoStaff, 'forCatalog'> & { forCatalog?: boolean }> }>(demoDir, 'staff.json');
  return staff.map((s) => ({ ...s, forCatalog: s.forCatalog === true }));
}

/** Returns true when it seeded, false when the store already had content. */
export async function seedDemo(deps: DemoDeps): Promise<boolean> {
  // "Empty" means no request yet: the requests are written first, so a restart finds them and
  // seeds nothing, and an office's real data is never mixed with the demo.
  if ((await deps.applications.count()) > 0) return false;
  const demoDir = deps.demoDir ?? DEMO_DIR;

  const today = deps.applications.today();
  // The service knows the official calendar; a day is a working day when it adds one to the count.
  const isWorkingDay = (date: string) => deps.applications.workingDaysBetween(addDays(date, -1), date) === 1;
  const dateOf = (workingDaysAgo: number) => workingDaysBefore(today, workingDaysAgo, isWorkingDay);

  const { applications } = await readDemoFile<{ applications: DemoApplication[] }>(demoDir, 'applications.json');
  const records = applications.map((demo) => {
    const events = demo.events.map(({ workingDaysAgo, ...event }) => ({ ...event, on: dateOf(workingDaysAgo) }));
    const firstDay = events[0]?.on ?? today;
    return {
      applicant: demo.applicant,
      request: { ...demo.request, description: fillYears(demo.request.description, firstDay) },
      delivery: demo.delivery,
      events,
    };
  });
  const imported = await deps.applications.import(records, 'demo');

  const created: DemoStaff[] = [];
  if (deps.sandbox) {
    const existingUsers = new Set((await deps.accounts.directory()).map((u) => u.username));
    const staff = (await loadDemoStaff(demoDir)).filter((s) => !s.forCatalog || deps.catalog);
    for (const s of staff) {
      if (existingUsers.has(s.username)) continue;
      await deps.accounts.createUser('demo', { username: s.username, password: s.password, roles: s.roles, displayName: s.displayName });
      created.push(s);
    }
  }

  const items = deps.catalog ? await seedCatalog(deps.catalog, demoDir, dateOf, deps.clock) : 0;

  deps.logger?.info(
    { requests: imported.length, catalogItems: items },
    `demo data seeded: ${imported.length} requests, ${items} catalog items` +
      (created.length
        ? `; demo staff accounts (sandbox only): ${created.map((s) => `${s.username} / ${s.password}`).join(', ')}`
        : ''),
  );
  return true;
}

async function seedCatalog(catalog: DemoCatalog, demoDir: string, dateOf: (workingDaysAgo: number) => string, clock: () => Date): Promise<number> {
  const demo = await readDemoFile<{ published: DemoCatalogItem[]; inReview: DemoCatalogItem[] }>(demoDir, 'catalog.json');
  const known = new Set(catalog.categories().map((c) => c.id));
  const fieldsOf = (item: DemoCatalogItem, date: string): DemoCatalogFields => ({
    title: fillYears(item.title, date),
    category: item.category,
    documentNumber: item.documentNumber ? fillYears(item.documentNumber, date) : null,
    summary: item.summary ?? null,
    url: null,
    documentKind: item.documentKind ?? null,
  });

  // Already on the portal: published as reviewed at the source, oldest first so that publication
  // order follows the dates.
  const published = demo.published
    .filter((item) => known.has(item.category))
    .map((item) => ({ item, on: dateOf(item.workingDaysAgo ?? 0) }))
    .sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0))
    .map(({ item, on }) => ({ fields: fieldsOf(item, on), indexNo: null, publishedOn: on }));
  if (published.length > 0) {
    await catalog.importFromFeed(published, true, {
      at: clock().toISOString(),
      url: 'demo:data/demo/catalog.json',
      found: published.length,
      imported: published.length,
      duplicates: 0,
      invalid: 0,
      error: null,
    });
  }

  // Drafted here and taken through the office's own review as far as each item's stage.
  const submitter = { username: 'submitter', roles: ['submitter'] as Role[] };
  const reviewer = { username: 'reviewer', roles: ['reviewer'] as Role[] };
  const leader = { username: 'leader', roles: ['leader'] as Role[] };
  const steps: Record<NonNullable<DemoCatalogItem['stage']>, Array<[Record<string, unknown>, typeof submitter]>> = {
    draft: [],
    'confidentiality-review': [[{ type: 'submit' }, submitter]],
    'leader-review': [[{ type: 'submit' }, submitter], [{ type: 'approve' }, reviewer]],
    published: [[{ type: 'submit' }, submitter], [{ type: 'approve' }, reviewer], [{ type: 'approve' }, leader]],
  };
  let inReview = 0;
  for (const item of demo.inReview.filter((i) => known.has(i.category))) {
    const { id } = await catalog.draft({ ...fieldsOf(item, dateOf(0)) }, submitter.username);
    for (const [command, actor] of steps[item.stage ?? 'draft']) await catalog.review(id, command, actor);
    inReview++;
  }
  return published.length + inReview;
}
