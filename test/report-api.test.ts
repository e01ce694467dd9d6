// The annual report in the staff API, over real HTTP: the staff router with the report routes mounted
// as main.ts will mount them, on a store in a temporary folder.
import test, { type ExecutionContext } from 'ava';
import JSZip from 'jszip';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { Store } from '../src/store/store.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { ReportRepo } from '../src/store/report-repo.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { createAdminApi } from '../src/admin/api.js';
import { mountReportAdminRoutes } from '../src/report/admin-routes.js';
import { listen } from './helpers/http.js';
import { tempDir } from './helpers/temp.js';

const AGENCY = { name: '测试市人民防空办公室' };
const PASSWORD = 'report-password-1';

const person = (name: string, idNumber: string) => ({ type: 'person', name, idNumber, phone: '13800138000', address: '测试市人民路 1 号' });
const organization = (orgKind: string, name: string) => ({
  type: 'organization',
  orgKind,
  name,
  creditCode: '91350100M000100Y43',
  phone: '13800138000',
  address: '测试市人民路 2 号',
  contactName: '周八',
});
const record = (applicant: object, events: object[]) => ({
  applicant,
  request: { description: '请公开本单位人防工程建设审批事项的办理结果' },
  delivery: { form: 'paper', method: 'pickup' },
  events,
});

/** Requests on both sides of the 2025 year boundaries; the comments say how 2025 counts each. */
const RECORDS = [
  // received 2024, decided 2025: 二 carried over, （一）granted
  record(person('张三', '11010519491231002X'), [{ type: 'receive', on: '2024-12-20' }, { type: 'decide', on: '2025-01-10', outcome: 'granted' }]),
  // received and decided 2025, a commercial firm: 一, （二）partial
  record(organization('commercial', '某某建设有限公司'), [
    { type: 'receive', on: '2025-03-03' },
    { type: 'decide', on: '2025-03-20', outcome: 'partial' },
    { type: 'deliver', on: '2025-03-21', method: 'pickup' },
  ]),
  // received 2025, still open on 31 December: 一, 四 carried forward
  record(person('李四', '11010519491231002X'), [{ type: 'receive', on: '2025-12-25' }, { type: 'decide', on: '2026-01-15', outcome: 'granted' }]),
  // a research institute that paid a fee: 一, （一）granted, 30 元 collected
  record(organization('research', '某某研究院'), [
    { type: 'receive', on: '2025-05-06' },
    { type: 'fee-notice', on: '2025-05-09', amount: 30 },
    { type: 'fee-paid', on: '2025-05-15' },
    { type: 'decide', on: '2025-05-20', outcome: 'granted' },
  ]),
  // no 补正 came: 一, （六）1
  record(person('王五', '11010519491231002X'), [
    { type: 'receive', on: '2025-06-02' },
    { type: 'request-supplement', on: '2025-06-03', items: ['所需信息的名称'] },
    { type: 'supplement-expired', on: '2025-06-20' },
  ]),
  // all in 2024: not in the 2025 report at all
  record(person('赵六', '11010519491231002X'), [{ type: 'receive', on: '2024-03-01' }, { type: 'decide', on: '2024-03-10', outcome: 'unavailable-not-held' }]),
  // withdrawn before it was received: counted nowhere
  record(person('钱七', '11010519491231002X'), [{ type: 'withdraw', on: '2025-04-01' }]),
];

const ENTERED = {
  proactive: {
    regulations: { issued: 0, repealed: 0, inForce: 0 },
    normativeDocuments: { issued: 1, repealed: 0, inForce: 4 },
    licensing: { decisions: 3 },
    penalties: { decisions: 0 },
    enforcement: { decisions: 0 },
    fees: { amount: 1.25 },
  },
  feesCollected: 30,
};

const TEXTS = {
  overview: '{{year}} 年，本办新收政府信息公开申请 {{requests.newReceived.total}} 件，收取信息处理费 {{fees.total}} 元。',
  problems: '申请办理的时限管理还需加强。',
  otherMatters: '无。',
  issuedOn: '2026-01-20',
};

async function serve(t: ExecutionContext, options: { records?: unknown[] } = {}) {
  const dir = await tempDir(t);
  const clock = () => new Date('2026-02-10T02:00:00Z');
  const store = await Store.open(dir, clock);
  t.teardown(() => store.close());
  const [accountsRepo, applicationsRepo, reportRepo] = await Promise.all([AccountsRepo.open(store), ApplicationsRepo.open(store), ReportRepo.open(store, clock)]);
  const accounts = new StaffAccounts(accountsRepo, clock);
  for (const [username, roles] of [['admin', ['admin']], ['leader', ['leader']], ['clerk', ['submitter']]] as const) {
    await accounts.createUser('system', { username, password: PASSWORD, roles });
  }
  const calendar = await CalendarSource.open('data', dir);
  const applications = new ApplicationsService(applicationsRepo, () => calendar.current(), clock);
  if (options.records?.length) await applications.import(options.records, 'admin');

  const reportDeps = { accounts, applications, calendar: () => calendar.current(), reportRepo, agency: AGENCY, clock };
  const admin = createAdminApi({ accounts, applications, extensions: [(router) => mountReportAdminRoutes(router, reportDeps)] });
  const app = createApp({ config: loadConfig({ DATA_DIR: dir }), logger: createLogger('silent'), routers: [admin] });
  const server = await listen(app);
  t.teardown(server.close);

  const call = client(server.url);
  const as = async (username: string) => {
    const { status, body } = await call('POST', '/admin/v1/session', { username, password: PASSWORD });
    if (status !== 200) throw new Error(`login failed: ${JSON.stringify(body)}`);
    const headers = { Authorization: `Bearer ${body.token}` };
    const asUser = (method: string, path: string, payload?: unknown) => call(method, path, payload, headers);
    return Object.assign(asUser, { raw: (path: string, method = 'GET') => rawGet(`${server.url}${path}`, headers, method) });
  };
  return { url: server.url, call, as, reportRepo };
}

const ROW_KEYS_2021 = [
  'newReceived', 'carriedOver', 'granted', 'partial',
  'withheld.stateSecret', 'withheld.lawProhibited', 'withheld.securityStability', 'withheld.thirdParty',
  'withheld.internalAffairs', 'withheld.processInfo', 'withheld.enforcementFile', 'withheld.administrativeQuery',
  'unavailable.notHeld', 'unavailable.needsCreation', 'unavailable.unclear',
  'notProcessed.petition', 'notProcessed.duplicate', 'notProcessed.publication', 'notProcessed.excessive', 'notProcessed.confirmation',
  'other.noSupplement', 'other.feeUnpaid', 'other.other', 'total', 'carryForward',
];
const COLUMN_KEYS = ['person', 'commercial', 'research', 'publicWelfare', 'legalService', 'otherOrg', 'total'];

const checkOf = (body: any, name: string) => body.checks.find((c: { name: string }) => c.name === name);

test('GET /reports/annual: the JSON contract, counted from requests that cross the year boundaries', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  const { status, body } = await admin('GET', '/admin/v1/reports/annual?year=2025&format=2021');
  t.is(status, 200);
  t.is(body.year, 2025);
  t.is(body.format, '2021');
  t.deepEqual(Object.keys(body.tables.requests), ROW_KEYS_2021);
  for (const row of ROW_KEYS_2021) t.deepEqual(Object.keys(body.tables.requests[row]), COLUMN_KEYS, row);
  t.truthy(body.tables.proactive);
  t.truthy(body.tables.reviews);
  for (const check of body.checks) {
    t.deepEqual(Object.keys(check).sort(), ['detail', 'name', 'ok']);
  }

  const requests = body.tables.requests;
  t.like(requests.newReceived, { person: 2, commercial: 1, research: 1, total: 4 });
  t.like(requests.carriedOver, { person: 1, total: 1 });
  t.like(requests.granted, { person: 1, research: 1, total: 2 });
  t.like(requests.partial, { commercial: 1, total: 1 });
  t.like(requests['other.noSupplement'], { person: 1, total: 1 });
  t.like(requests['unavailable.notHeld'], { total: 0 });
  t.like(requests.total, { person: 2, commercial: 1, research: 1, total: 4 });
  t.like(requests.carryForward, { person: 1, total: 1 });

  // Last year is in the system, so 二 is checked against it; the typed-in parts are still missing.
  t.is(body.previousSource, 'computed');
  t.true(checkOf(body, 'requests.balance').ok);
  t.true(checkOf(body, 'requests.carriedOver').ok);
  t.false(checkOf(body, 'entered.complete').ok);
  t.false(checkOf(body, 'texts.complete').ok);
  t.false(body.final);
});

test('the 2019 format folds （六） into one row, and the format follows the year when not given', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  const trial = await admin('GET', '/admin/v1/reports/annual?year=2025&format=2019');
  t.is(trial.status, 200);
  t.like(trial.body.tables.requests.other, { person: 1, total: 1 });
  t.false('other.noSupplement' in trial.body.tables.requests);

  const byYear = await admin('GET', '/admin/v1/reports/annual?year=2020');
  t.is(byYear.body.format, '2019');
  const current = await admin('GET', '/admin/v1/reports/annual?year=2025');
  t.is(current.body.format, '2021');
});

test('entered figures and texts: saved, read back, and used in the report', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  const saved = await admin('PUT', '/admin/v1/reports/annual/2025/entered', ENTERED);
  t.is(saved.status, 200);
  t.deepEqual(saved.body, { year: 2025, entered: ENTERED });
  const texts = await admin('PUT', '/admin/v1/reports/annual/2025/texts', TEXTS);
  t.is(texts.status, 200);

  const inputs = await admin('GET', '/admin/v1/reports/annual/2025/inputs');
  t.deepEqual(inputs.body.entered, ENTERED);
  t.deepEqual(inputs.body.texts, TEXTS);
  t.deepEqual(
    inputs.body.changes.map((c: { what: string; by: string }) => [c.what, c.by]),
    [['entered', 'admin'], ['texts', 'admin']],
  );

  const { body } = await admin('GET', '/admin/v1/reports/annual?year=2025');
  t.like(body.tables.proactive.licensing, { decisions: 3 });
  t.like(body.tables.proactive.fees, { amount: 1.25 });
  t.is(body.sources.proactive['licensing.decisions'], 'entered');
  t.is(body.sections.overview.text, '2025 年，本办新收政府信息公开申请 4 件，收取信息处理费 30 元。');
  t.true(checkOf(body, 'entered.complete').ok);
  t.true(checkOf(body, 'texts.complete').ok);
  t.true(body.final);

  // Another year is untouched.
  const other = await admin('GET', '/admin/v1/reports/annual/2024/inputs');
  t.deepEqual(other.body.entered, {});
  t.is(other.body.texts, null);
});

test('the fees placeholder counts the fees paid in the system when none is typed in', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  await admin('PUT', '/admin/v1/reports/annual/2025/texts', { ...TEXTS, overview: '收取信息处理费 {{fees.total}} 元，{{fees.count}} 笔。' });
  const { body } = await admin('GET', '/admin/v1/reports/annual?year=2025');
  t.is(body.sections.overview.text, '收取信息处理费 30 元，1 笔。');
});

test('review cases are counted in table 四 by the year they are filed and closed in', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  const post = (body: object) => admin('POST', '/admin/v1/reports/annual/2025/review-cases', body);
  const upheld = await post({ kind: 'reconsideration', result: 'upheld', filedOn: '2025-04-01', closedOn: '2025-06-01', note: '复议决定书 2025 第 3 号' });
  t.is(upheld.status, 201);
  t.regex(upheld.body.id, /^rc_/);
  t.is(upheld.body.note, '复议决定书 2025 第 3 号');
  // filed in 2024, decided in 2025: counts in 2025 with its result
  await post({ kind: 'reconsideration', result: 'corrected', filedOn: '2024-11-20', closedOn: '2025-02-10' });
  // still before the court on 31 December: pending
  const pending = await post({ kind: 'litigation-direct', result: 'pending', filedOn: '2025-09-01' });
  // decided in 2025 after a reconsideration
  await post({ kind: 'litigation-after-reconsideration', result: 'other', filedOn: '2025-07-01', closedOn: '2025-11-30' });
  // closed in 2024: not in 2025
  await post({ kind: 'reconsideration', result: 'upheld', filedOn: '2024-02-01', closedOn: '2024-05-01' });

  let { body } = await admin('GET', '/admin/v1/reports/annual?year=2025');
  t.is(body.sources.reviews, 'cases');
  t.deepEqual(body.tables.reviews, {
    reconsideration: { upheld: 1, corrected: 1, other: 0, pending: 0, total: 2 },
    litigationDirect: { upheld: 0, corrected: 0, other: 0, pending: 1, total: 1 },
    litigationAfterReconsideration: { upheld: 0, corrected: 0, other: 1, pending: 0, total: 1 },
  });
  t.true(checkOf(body, 'reviews.blockTotals').ok);

  // The court decides in 2026: the case stays pending in 2025 and carries its result in 2026.
  const decided = await admin('PUT', `/admin/v1/reports/annual/2026/review-cases/${pending.body.id}`, {
    kind: 'litigation-direct',
    result: 'corrected',
    filedOn: '2025-09-01',
    closedOn: '2026-01-20',
  });
  t.is(decided.status, 200);
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2025'));
  t.like(body.tables.reviews.litigationDirect, { pending: 1, corrected: 0 });
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2026'));
  t.like(body.tables.reviews.litigationDirect, { pending: 0, corrected: 1, total: 1 });

  const removed = await admin('DELETE', `/admin/v1/reports/annual/2025/review-cases/${upheld.body.id}`);
  t.is(removed.status, 204);
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2025'));
  t.like(body.tables.reviews.reconsideration, { upheld: 0, corrected: 1, total: 1 });
  t.is((await admin('DELETE', `/admin/v1/reports/annual/2025/review-cases/${upheld.body.id}`)).status, 404);

  // Typed-in figures win over the cases.
  await admin('PUT', '/admin/v1/reports/annual/2025/entered', { reviews: { reconsideration: { upheld: 2, corrected: 0, other: 0, pending: 0 } } });
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2025'));
  t.is(body.sources.reviews, 'entered');
  t.like(body.tables.reviews.reconsideration, { upheld: 2, total: 2 });
});

test('a final export is refused with 409 while a check fails, then allowed and recorded', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  // A final export is recorded, so it is a POST; a GET that asks for one is refused.
  t.is((await admin('GET', '/admin/v1/reports/annual?year=2025&output=docx&final=1')).status, 405);
  const refused = await admin('POST', '/admin/v1/reports/annual?year=2025&output=docx');
  t.is(refused.status, 409);
  t.is(refused.body.error.code, 'conflict');
  t.regex(refused.body.error.message, /校验未通过，不能导出正式版/);
  t.deepEqual(Object.keys(refused.body.error.fields).sort(), ['entered.complete', 'texts.complete']);
  t.is((await admin('POST', '/admin/v1/reports/annual?year=2025&output=json')).status, 409);
  t.deepEqual((await admin('GET', '/admin/v1/reports/annual/2025/inputs')).body.finalExports, []);

  // A draft may always be previewed, and says so.
  const draft = await admin.raw('/admin/v1/reports/annual?year=2025&output=html');
  t.is(draft.status, 200);
  t.regex(draft.type, /^text\/html/);
  t.true(draft.text.includes('草稿：校验未通过'));
  t.regex(draft.disposition, /^inline;/);

  await admin('PUT', '/admin/v1/reports/annual/2025/entered', ENTERED);
  await admin('PUT', '/admin/v1/reports/annual/2025/texts', TEXTS);
  const final = await admin.raw('/admin/v1/reports/annual?year=2025&output=docx', 'POST');
  t.is(final.status, 200);
  t.is(final.type, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  t.regex(final.disposition, /^attachment; filename=".*\.docx"; filename\*=UTF-8''/);
  t.true(decodeURIComponent(final.disposition).includes('测试市人民防空办公室2025年政府信息公开工作年度报告.docx'));
  const zip = await JSZip.loadAsync(final.bytes);
  const documentXml = await zip.file('word/document.xml')!.async('string');
  t.false(documentXml.includes('草稿'));

  const { body } = await admin('GET', '/admin/v1/reports/annual/2025/inputs');
  t.is(body.finalExports.length, 1);
  t.like(body.finalExports[0], { year: 2025, format: '2021', output: 'docx', by: 'admin', at: '2026-02-10T02:00:00.000Z' });
  t.regex(body.finalExports[0].tablesHash, /^[0-9a-f]{64}$/);
  t.is(body.finalExports[0].tablesHash, final.hash);
  t.like(body.finalExports[0].carryForward, { person: 1, total: 1 });

  // The same figures give the same hash; the JSON export is recorded too.
  const json = await admin('POST', '/admin/v1/reports/annual?year=2025&output=json');
  t.is(json.status, 200);
  t.is(json.body.export.tablesHash, final.hash);
  t.is(json.body.finalExports.length, 2);

  // The next year's 二 is checked against what went out.
  const next = await admin('GET', '/admin/v1/reports/annual?year=2026');
  t.is(next.body.previousSource, 'final-export');
  t.like(next.body.tables.requests.carriedOver, { person: 1, total: 1 });
  t.true(checkOf(next.body, 'requests.carriedOver').ok);
});

/** A JSON request helper bound to the server (test/helpers/app.ts has one, but it starts all of main.ts). */
function client(base: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
}

/** A document answer: the bytes and the headers that matter. */
async function rawGet(url: string, headers: Record<string, string>, method = 'GET') {
  const response = await fetch(url, { headers, method });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    disposition: response.headers.get('content-disposition') ?? '',
    hash: response.headers.get('x-report-tables-hash') ?? '',
    bytes,
    text: bytes.toString('utf8'),
  };
}

test('roles: a submitter may not see the report, a leader may see it but not edit or export it as final', async (t) => {
  const { as, call } = await serve(t, { records: RECORDS });
  t.is((await call('GET', '/admin/v1/reports/annual?year=2025')).status, 401);
  t.is((await call('PUT', '/admin/v1/reports/annual/2025/entered', ENTERED)).status, 401);

  const clerk = await as('clerk');
  const refused = await clerk('GET', '/admin/v1/reports/annual?year=2025');
  t.is(refused.status, 403);
  t.is(refused.body.error.code, 'forbidden');
  t.is((await clerk('GET', '/admin/v1/reports/annual/2025/inputs')).status, 403);
  t.is((await clerk('PUT', '/admin/v1/reports/annual/2025/texts', TEXTS)).status, 403);

  const leader = await as('leader');
  t.is((await leader('GET', '/admin/v1/reports/annual?year=2025')).status, 200);
  const markdown = await leader.raw('/admin/v1/reports/annual?year=2025&output=md');
  t.is(markdown.status, 200);
  t.regex(markdown.type, /^text\/markdown/);
  t.true(markdown.text.startsWith('# 政府信息公开工作年度报告'));
  t.is((await leader('POST', '/admin/v1/reports/annual?year=2025&output=md')).status, 403);
  t.is((await leader('PUT', '/admin/v1/reports/annual/2025/entered', ENTERED)).status, 403);
  t.is((await leader('POST', '/admin/v1/reports/annual/2025/review-cases', { kind: 'reconsideration', result: 'pending', filedOn: '2025-03-01' })).status, 403);
  t.is((await leader('PUT', '/admin/v1/reports/annual/2025/previous', { carryForward: null })).status, 403);
});

const badQueries: [string, string, RegExp][] = [
  ['', 'year', /请提供报告年度/],
  ['year=abc', 'year', /四位数字的年份，收到的是“abc”/],
  ['year=2018', 'year', /2019 年度起/],
  ['year=2027', 'year', /2027 年度尚未开始/],
  ['year=2025&year=2024', 'year', /只能给一个值/],
  ['year=2025&format=2020', 'format', /只能是 2019 或 2021，收到的是“2020”/],
  ['year=2025&output=pdf', 'output', /json、html、md、docx 或 xlsx，收到的是“pdf”/],
  ['year=2025&final=yes', 'final', /final 只能是 1/],
];

test('bad report queries answer 400 naming the parameter', async (t) => {
  const { as } = await serve(t);
  const admin = await as('admin');
  for (const [query, field, message] of badQueries) {
    const { status, body } = await admin('GET', `/admin/v1/reports/annual?${query}`);
    t.is(status, 400, query);
    t.is(body.error.code, 'validation', query);
    t.regex(body.error.fields[field], message, query);
  }
  t.is((await admin('PUT', '/admin/v1/reports/annual/20x5/texts', TEXTS)).status, 400);
});

const badBodies: [string, string, unknown, string, RegExp][] = [
  // route, title, body, field, message
  ['entered', 'a negative count', { proactive: { licensing: { decisions: -1 } } }, 'proactive.licensing.decisions', /不小于 0 的整数/],
  ['entered', 'a fraction', { proactive: { penalties: { decisions: 1.5 } } }, 'proactive.penalties.decisions', /不小于 0 的整数/],
  ['entered', 'a number as text', { proactive: { licensing: { decisions: '3' } } }, 'proactive.licensing.decisions', /不小于 0 的整数/],
  ['entered', 'an unknown row', { proactive: { bridges: { decisions: 1 } } }, 'proactive.bridges', /表二没有“bridges”这一行/],
  ['entered', 'a column the row does not have', { proactive: { fees: { decisions: 1 } } }, 'proactive.fees.decisions', /没有“decisions”这一列/],
  ['entered', 'a negative amount', { proactive: { fees: { amount: -2 } } }, 'proactive.fees.amount', /不小于 0 的金额/],
  ['entered', 'a change that is no whole number', { proactive: { licensing: { change: 0.5 } } }, 'proactive.licensing.change', /应为整数（减少时填负数）/],
  ['entered', 'an unknown review block', { reviews: { appeals: { upheld: 1 } } }, 'reviews.appeals', /表四没有“appeals”这一栏/],
  ['entered', 'a negative review count', { reviews: { reconsideration: { upheld: -1 } } }, 'reviews.reconsideration.upheld', /不小于 0 的整数/],
  ['entered', 'fees with three decimals', { feesCollected: 1.005 }, 'feesCollected', /最多两位小数/],
  ['entered', 'an unknown key', { figures: {} }, 'figures', /不认识的项目“figures”/],
  ['texts', 'a section that is no text', { overview: 3 }, 'overview', /“一、总体情况”应为文字/],
  ['texts', 'a bad issue date', { issuedOn: '2026-02-30' }, 'issuedOn', /YYYY-MM-DD/],
  ['previous', 'no carryForward', {}, 'carryForward', /请提供上一年度报告/],
  ['previous', 'a missing column', { carryForward: { person: 1, commercial: 0, research: 0, publicWelfare: 0, legalService: 0 } }, 'carryForward.otherOrg', /请填写“其他法人或组织”列/],
  ['previous', 'a total that does not add up', { carryForward: { person: 1, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, total: 2 } }, 'carryForward.total', /总计应等于各列之和 1/],
  ['previous', 'an unknown column', { carryForward: { person: 1, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0, robots: 1 } }, 'carryForward.robots', /没有“robots”这一列/],
  ['review-cases', 'an unknown kind', { kind: 'appeal', result: 'pending', filedOn: '2025-03-01' }, 'kind', /reconsideration（行政复议）/],
  ['review-cases', 'an unknown result', { kind: 'reconsideration', result: 'won', filedOn: '2025-03-01' }, 'result', /upheld（结果维持）/],
  ['review-cases', 'no filing date', { kind: 'reconsideration', result: 'pending' }, 'filedOn', /请填写立案（受理）日期/],
  ['review-cases', 'a filing date in the future', { kind: 'reconsideration', result: 'pending', filedOn: '2026-03-01' }, 'filedOn', /不能晚于今天/],
  ['review-cases', 'a result without a closing date', { kind: 'reconsideration', result: 'upheld', filedOn: '2025-03-01' }, 'closedOn', /请填写结案日期/],
  ['review-cases', 'a pending case with a closing date', { kind: 'reconsideration', result: 'pending', filedOn: '2025-03-01', closedOn: '2025-04-01' }, 'closedOn', /尚未审结的案件不应有结案日期/],
  ['review-cases', 'closed before it was filed', { kind: 'reconsideration', result: 'upheld', filedOn: '2025-03-01', closedOn: '2025-02-01' }, 'closedOn', /不能早于立案日期/],
];

for (const [route, title, payload, field, message] of badBodies) {
  test(`${route}: ${title} is refused with 400`, async (t) => {
    const { as } = await serve(t);
    const admin = await as('admin');
    const method = route === 'review-cases' ? 'POST' : 'PUT';
    const { status, body } = await admin(method, `/admin/v1/reports/annual/2025/${route}`, payload);
    t.is(status, 400);
    t.is(body.error.code, 'validation');
    t.regex(body.error.fields[field], message);
    const stored = (await admin('GET', '/admin/v1/reports/annual/2025/inputs')).body;
    t.deepEqual([stored.entered, stored.texts, stored.carryForward, stored.reviewCases], [{}, null, null, []]);
  });
}

test('without last year in the system, the carry-forward is typed in (and can be taken back)', async (t) => {
  const thisYearOnly = RECORDS.filter((r) => (r.events[0] as { on: string }).on >= '2025-01-01');
  const { as } = await serve(t, { records: thisYearOnly });
  const admin = await as('admin');
  let { body } = await admin('GET', '/admin/v1/reports/annual?year=2025');
  t.is(body.previousSource, 'none');
  t.regex(checkOf(body, 'requests.carriedOver').detail, /未提供 2024 年度报告/);

  const typed = { person: 0, commercial: 0, research: 0, publicWelfare: 0, legalService: 0, otherOrg: 0 };
  const saved = await admin('PUT', '/admin/v1/reports/annual/2025/previous', { carryForward: typed });
  t.is(saved.status, 200);
  t.deepEqual(saved.body.carryForward, { ...typed, total: 0 });
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2025'));
  t.is(body.previousSource, 'entered');
  t.true(checkOf(body, 'requests.carriedOver').ok);

  // A typed figure that disagrees with this year's 二 fails the check, naming the column.
  await admin('PUT', '/admin/v1/reports/annual/2025/previous', { carryForward: { ...typed, person: 2 } });
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2025'));
  t.regex(checkOf(body, 'requests.carriedOver').detail, /自然人列：本年上年结转 0，2024 年结转下年度 2/);

  await admin('PUT', '/admin/v1/reports/annual/2025/previous', { carryForward: null });
  ({ body } = await admin('GET', '/admin/v1/reports/annual?year=2025'));
  t.is(body.previousSource, 'none');
});

test('names an object inherits (constructor, toString) are neither a case kind nor a figure', async (t) => {
  const { as } = await serve(t, { records: RECORDS });
  const admin = await as('admin');
  for (const [kind, result] of [['constructor', 'upheld'], ['reconsideration', 'toString'], ['__proto__', 'pending']]) {
    const refused = await admin('POST', '/admin/v1/reports/annual/2025/review-cases', { kind, result, filedOn: '2025-04-01', closedOn: '2025-06-01' });
    t.is(refused.status, 400, `${kind}/${result}`);
  }
  t.deepEqual((await admin('GET', '/admin/v1/reports/annual/2025/inputs')).body.reviewCases, []);
  await admin('PUT', '/admin/v1/reports/annual/2025/texts', { overview: '共 {{constructor}} 件。', problems: '无。', otherMatters: '无。' });
  const { status, body } = await admin('GET', '/admin/v1/reports/annual?year=2025');
  t.is(status, 200);
  const texts = body.checks.find((c: { name: string }) => c.name === 'texts.complete');
  t.false(texts.ok);
  t.regex(texts.detail, /constructor/);
});
