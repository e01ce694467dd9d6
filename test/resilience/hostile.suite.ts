// (2) 2,000 malformed or hostile requests to /wechat, /mp/v1 and /admin/v1, generated from a seed
// (hostile-cases.ts says what each kind may do). The server runs in this process in production mode
// against the fake WeChat API. After every request: the answer is what the case allows (never a
// 5xx), /healthz still answers, and no data file changed beyond what the case allows. On
// PostgreSQL the same, with the tables in place of the files: each table counts as the data file
// that holds its records on the embedded engine.
import test, { type ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN, client, personApplication, startApp, testClock } from '../helpers/app.js';
import { engines, type EngineName } from '../helpers/pg.js';
import type { Database } from '../../src/store/pg/database.js';
import { TOKEN } from '../helpers/wechat-client.js';
import { hostileCases, type Expectation, type HostileCase } from './hostile-cases.js';
import { rawRequest } from './raw-http.js';
import { changedFiles, fakeWechatServer, wechatEnv, hashDataFiles, onEngine, seededRandom } from './support.js';

const COUNT = Number(process.env.RESILIENCE_HOSTILE ?? 2000);
const SEED = Number(process.env.RESILIENCE_SEED ?? 20260316);
const DAY = 86_400_000;
const VICTIM = { username: 'victim', password: 'victim-password-1' };
const CLERK = { username: 'clerk', password: 'clerk-password-1' };

/** What each kind of case may change (file names in the data folder). */
const MAY_CHANGE: Record<Expectation, readonly string[]> = {
  refuse: [],
  read: [],
  'signed-odd': ['wechat-inbox.json', 'conversations.json', 'notify.json'],
  // Only the counter and lock-out, checked on the normalised hash below.
  'failed-login': ['staff.json'],
};

/** staff.json without the failed-login counters: what a wrong password may change. */
function withoutLoginCounters(name: string, text: string): string {
  if (name !== 'staff.json') return text;
  const file = JSON.parse(text);
  for (const user of file.data.users) {
    delete user.failedLogins;
    delete user.lockedUntil;
  }
  return JSON.stringify(file);
}

/**
 * The tables of the PostgreSQL engine by the data file that holds the same records on the embedded
 * engine, so that MAY_CHANGE says the same on both. A table not listed counts as a file of its own.
 */
const TABLE_FILES: Record<string, string> = {
  applications: 'applications.json',
  application_events: 'applications.json',
  application_sequences: 'applications.json',
  application_idempotency: 'applications.json',
  application_intents: 'applications.json',
  notify_entries: 'notify.json',
  notify_planned: 'notify.json',
  notify_deliveries: 'notify.json',
  notify_consents: 'notify.json',
  notify_interactions: 'notify.json',
  notify_binding_codes: 'notify.json',
  notify_binding_failures: 'notify.json',
  catalog_state: 'catalog.json',
  catalog_items: 'catalog.json',
  subscribers: 'subscribers.json',
  push_state: 'push-ledger.json',
  push_runs: 'push-ledger.json',
  push_deliveries: 'push-ledger.json',
  push_sent_days: 'push-ledger.json',
  staff_users: 'staff.json',
  sessions: 'sessions.json',
  audit_entries: 'audit.json',
  identities: 'identities.json',
  link_codes: 'identities.json',
  link_windows: 'identities.json',
  conversations: 'conversations.json',
  unanswered_questions: 'conversations.json',
  conversation_messages: 'wechat-inbox.json',
  guide_phrasings: 'guide-additions.json',
  guide_entries: 'guide-additions.json',
  report_years: 'report.json',
  report_review_cases: 'report.json',
};

/**
 * Tables that are not records: what the embedded engine keeps in the server's memory (the login
 * attempt windows, job runs, the access token, signed URLs seen) and which instances are alive.
 */
const NOT_RECORDS = new Set(['login_windows', 'job_runs', 'wechat_tokens', 'used_urls', 'instances', 'schema_migrations']);

/** What the server holds, hashed by data file (PostgreSQL: by the file its tables stand for). */
interface Records {
  hashes(normalise: boolean): Promise<Record<string, string>>;
  users(): Promise<string[]>;
}

function dataFolderRecords(dir: string): Records {
  return {
    hashes: (normalise) => hashDataFiles(dir, normalise ? withoutLoginCounters : undefined),
    users: async () => JSON.parse(await readFile(path.join(dir, 'staff.json'), 'utf8')).data.users.map((u: any) => u.username),
  };
}

async function databaseRecords(db: Database): Promise<Records> {
  const { rows: tables } = await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`);
  const names = tables.map((r) => r.name).filter((name) => !NOT_RECORDS.has(name));
  const digest = (name: string, row: string) => `SELECT '${name}' AS name, md5(coalesce(string_agg(${row}, E'\n' ORDER BY ${row}), '')) AS hash FROM ${name} x`;
  // One statement for every table, so that each request costs one round trip to compare.
  const rawSql = names.map((name) => digest(name, 'x::text')).join(' UNION ALL ');
  // A wrong password may change only the failed-login counters in a staff user's record.
  const normalisedSql = names
    .map((name) => digest(name, name === 'staff_users' ? `(x.office, x.username, x.data - 'failedLogins' - 'lockedUntil')::text` : 'x::text'))
    .join(' UNION ALL ');
  return {
    async hashes(normalise) {
      const { rows } = await db.query<{ name: string; hash: string }>(normalise ? normalisedSql : rawSql);
      const byFile: Record<string, string> = {};
      for (const { name, hash } of rows.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const file = TABLE_FILES[name] ?? name;
        byFile[file] = `${byFile[file] ?? ''}${name}:${hash} `;
      }
      return byFile;
    },
    users: async () => (await db.query<{ username: string }>('SELECT username FROM staff_users WHERE office = $1 ORDER BY seq', [db.office])).rows.map((r) => r.username),
  };
}

function statusAllowed(expect: Expectation, status: number): boolean {
  const clientError = status >= 400 && status < 500;
  if (expect === 'refuse' || expect === 'failed-login') return clientError;
  return (status >= 200 && status < 300) || clientError;
}

/** The contract's error shape, and Chinese words for citizens on the mini-program's API. */
function errorShapeProblem(c: HostileCase, status: number, text: string): string | null {
  if (status < 400 || status >= 500 || c.notJson || c.path.startsWith('/wechat')) return null;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string') return 'not {error:{code, message}}';
  if (c.path.startsWith('/mp/v1') && !/[\u4e00-\u9fff]/.test(body.error.message)) return `message for citizens not in Chinese: ${body.error.message}`;
  return null;
}

// Before any test is declared: ava takes declarations only until the file's first await after one.
const ENGINES = await engines();

// One after the other, as the suite ran alone before (each case is followed by a /healthz check).
for (const engine of ENGINES) {
  test.serial(onEngine('2,000 hostile requests: each is refused with a 4xx, the server stays up, and no record changes', engine), (t) => hostileRequests(t, engine));
}

async function hostileRequests(t: ExecutionContext, engine: EngineName): Promise<void> {
  t.timeout(10 * 60_000);
  const began = Date.now();
  const wechat = await fakeWechatServer();
  t.teardown(() => wechat.close());
  // Sessions are made 8 days "ago" so they have expired when the requests come.
  const clock = testClock(new Date(Date.now() - 8 * DAY).toISOString());
  const app = await startApp(t, {
    clock,
    env: wechatEnv(wechat.url),
    engine,
  });
  const records = app.repos.database ? await databaseRecords(app.repos.database) : dataFolderRecords(app.config.dataDir);
  const call = client(app.url);
  const login = async (route: string, body: unknown) => {
    const answer = await call('POST', route, body);
    if (answer.status !== 200) throw new Error(`${route} ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.token as string;
  };

  const expiredMp = await login('/mp/v1/session', { code: 'dev:oldtimer' });
  const expiredStaff = await login('/admin/v1/session', ADMIN);
  for (const user of [{ ...CLERK, roles: ['submitter'] }, { ...VICTIM, roles: ['handler'] }]) {
    t.is((await call('POST', '/admin/v1/users', user, { Authorization: `Bearer ${expiredStaff}` })).status, 201);
  }
  clock.advance(8 * DAY + 3_600_000);

  const alice = await login('/mp/v1/session', { code: 'dev:alice' });
  const bob = await login('/mp/v1/session', { code: 'dev:bob' });
  const admin = await login('/admin/v1/session', ADMIN);
  const clerk = await login('/admin/v1/session', CLERK);
  const submit = async (token: string) => {
    const answer = await call('POST', '/mp/v1/applications', personApplication(), { Authorization: `Bearer ${token}` });
    t.is(answer.status, 201);
    return answer.body.id as string;
  };
  const aliceApp = await submit(alice);
  const bobApp = await submit(bob);
  // Let the outbox finish with these two, so that from here on nothing writes unless a request does.
  for (let pass = 0; pass < 5; pass++) {
    const run = await call('POST', '/admin/v1/jobs/outbox/run', {}, { Authorization: `Bearer ${admin}` });
    const r = run.body.result;
    if (r.planned + r.sent + r.unconfirmed + r.retrying === 0) break;
  }

  const cases = hostileCases(
    seededRandom(SEED),
    {
      now: () => clock.now.getTime(),
      wechatToken: TOKEN,
      mp: { alice, bob, expired: expiredMp, aliceApp, bobApp },
      staff: { admin, clerk, expired: expiredStaff, victim: VICTIM.username },
      processingApps: [aliceApp, bobApp],
    },
    COUNT,
  );

  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const initial = await records.hashes(false);
  let raw = initial;
  let normalised = await records.hashes(true);
  const findings: Record<string, string[]> = {};
  const note = (family: string, line: string) => (findings[family] ??= []).push(line);
  const tally: Record<string, number> = {};

  for (const [index, c] of cases.entries()) {
    const body = c.body === undefined ? '' : ` ${String(c.body).slice(0, 120)}${String(c.body).length > 120 ? '…' : ''}`;
    const label = `#${index} ${c.method} ${c.path.slice(0, 140)}${c.path.length > 140 ? '…' : ''}${body}`;
    let status: number;
    let text: string;
    try {
      ({ status, text } = await rawRequest(app.url, c));
    } catch (error) {
      note(c.family, `${label} → no answer: ${(error as Error).message}`);
      continue;
    }
    tally[`${c.expect} ${status}`] = (tally[`${c.expect} ${status}`] ?? 0) + 1;
    if (!statusAllowed(c.expect, status)) note(c.family, `${label} → ${status} ${text.slice(0, 300)}`);
    const shape = errorShapeProblem(c, status, text);
    if (shape) note(c.family, `${label} → ${status}: ${shape}`);

    const health = await fetch(`${app.url}/healthz`).then((r) => r.status).catch(() => 0);
    if (health !== 200) {
      note(c.family, `${label} → /healthz answered ${health} afterwards`);
      break;
    }

    const nextRaw = await records.hashes(false);
    const nextNormalised = await records.hashes(true);
    const changed = changedFiles(raw, nextRaw).filter((name) => !MAY_CHANGE[c.expect].includes(name));
    if (c.expect === 'failed-login') changed.push(...changedFiles(normalised, nextNormalised).filter((name) => name === 'staff.json'));
    if (changed.length) note(c.family, `${label} → ${status}, and it changed ${changed.join(', ')}`);
    raw = nextRaw;
    normalised = nextNormalised;
  }

  t.log(`${cases.length} cases in ${Math.round((Date.now() - began) / 1000)} s; answers: ${JSON.stringify(tally)}`);
  for (const [family, lines] of Object.entries(findings)) {
    t.log(`${family}: ${lines.length} failing, e.g.\n      ${lines.slice(0, 3).join('\n      ')}`);
  }
  // Besides what pushes and failed logins may change, the folder is as it was before the first case.
  const untouched = (hashes: Record<string, string>) =>
    Object.fromEntries(Object.entries(hashes).filter(([name]) => !MAY_CHANGE['signed-odd'].includes(name) && name !== 'staff.json'));
  t.deepEqual(
    {
      failing: Object.fromEntries(Object.entries(findings).map(([family, lines]) => [family, lines.length])),
      changed: changedFiles(untouched(initial), untouched(await records.hashes(false))),
      users: await records.users(),
      prototype: Object.getOwnPropertyNames(Object.prototype).sort(),
      polluted: ({} as Record<string, unknown>).polluted,
    },
    { failing: {}, changed: [], users: ['admin', CLERK.username, VICTIM.username], prototype: prototypeBefore, polluted: undefined },
    'every hostile request is answered as its kind allows and changes nothing it may not',
  );
}
