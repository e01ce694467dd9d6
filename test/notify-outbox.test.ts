import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { NotifyRepo, type Delivery, type NotifyRepository } from '../src/store/notify-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { WechatApiClient, type WechatApiClientOptions } from '../src/wechat/api-client.js';
import type { FakeOutboxRecord } from '../src/wechat/fake-api.js';
import { createNotify, loadNotifyTemplates, type NotifyDeps } from '../src/notify/index.js';
import { renderMessage } from '../src/notify/templates.js';
import { tempDir } from './helpers/temp.js';
import { CREDENTIALS, serveFakeWechat } from './helpers/fake-wechat-server.js';
import { idNumber } from './helpers/id-number.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONTENT = path.join(ROOT, 'data');
const OFFICE = { name: '黄石市人民防空办公室', contact: '市人防办秘书科；电话 0714-1234567', supplementPeriodWorkingDays: 15, reviewAuthority: '黄石市人民政府' };
/** Monday 2025-09-01, 09:00 in China. */
const T0 = Date.parse('2025-09-01T01:00:00Z');
const MP_RECEIPT = 'GK_MP_RECEIPT';
const MP_PROGRESS = 'GK_MP_PROGRESS';
const MP_RESULT = 'GK_MP_RESULT';

const BODY = {
  applicant: { type: 'person', name: '张小明', idNumber: idNumber('42010219900101123'), phone: '13812345678', email: 'zhang@example.com', address: '湖北省黄石市下陆区团城山街道1号' },
  request: { description: '请公开2024年人防工程易地建设费的收取和使用情况，联系电话13812345678' },
  delivery: { form: 'electronic', method: 'email' },
};

/** The fake WeChat API on a real HTTP server. */
function fakeServer(t: ExecutionContext, clock: { now: number }) {
  return serveFakeWechat(t, { clock: () => clock.now, enforceCustomWindow: true, prefix: '' });
}

/** The services on a store folder, with notify wired as main would wire it. */
async function services(dir: string, clock: { now: number }, wechat: NotifyDeps['wechat'], options: Partial<NotifyDeps> = {}) {
  const store = await Store.open(dir, () => new Date(clock.now));
  const [appsRepo, accountsRepo, notifyRepo] = await Promise.all([ApplicationsRepo.open(store), AccountsRepo.open(store), NotifyRepo.open(store)]);
  const calendar = await CalendarSource.open(CONTENT, dir);
  const now = () => new Date(clock.now);
  const applications = new ApplicationsService(appsRepo, () => calendar.current(), now);
  const accounts = new StaffAccounts(accountsRepo, now);
  const templates = await loadNotifyTemplates(CONTENT);
  const notify = createNotify({
    repo: notifyRepo,
    applications,
    intents: { pending: (limit) => appsRepo.pendingIntents(limit), markPlanned: (keys) => appsRepo.markIntentsPlanned(keys) },
    accounts,
    unanswered: async () => [],
    wechat,
    templates,
    office: OFFICE,
    calendar: () => calendar.current(),
    clock: now,
    policy: { maxAttempts: 4, baseDelayMs: 60_000, maxDelayMs: 600_000, unknownRetryMs: 60_000 },
    ...options,
  });
  return { store, appsRepo, notifyRepo, applications, accounts, templates, notify, calendar };
}

async function setup(t: ExecutionContext, options: { client?: Partial<WechatApiClientOptions>; notify?: Partial<NotifyDeps> } = {}) {
  const dir = await tempDir(t);
  const clock = { now: T0 };
  const { fake, baseUrl } = await fakeServer(t, clock);
  const client = new WechatApiClient({
    baseUrl,
    ...CREDENTIALS,
    now: () => clock.now,
    sleep: async () => {},
    retry: { attempts: 1 },
    timeoutMs: 2_000,
    ...options.client,
  });
  const s = await services(dir, clock, client, options.notify);
  t.teardown(() => s.store.close());
  t.teardown(() => s.notify.idle());
  let n = 0;
  const submit = async (channel: 'wechat' | 'miniprogram', openid = `o_user${++n}`) =>
    (await s.applications.submit(BODY, { channel, openid, by: 'applicant' })).application;
  const record = (id: string, event: Record<string, unknown>) => s.applications.record(id, { on: today(clock), ...event }, 'handler1');
  const openWindow = async (openid: string) => {
    fake.noteInteraction(openid, 'message');
    await s.notify.noteInteraction(openid);
  };
  const sends = (api?: FakeOutboxRecord['api']) => fake.outbox.list().filter((r) => !api || r.api === api);
  return { ...s, dir, clock, fake, client, baseUrl, submit, record, openWindow, sends };
}

function today(clock: { now: number }): string {
  return new Date(clock.now + 8 * 3_600_000).toISOString().slice(0, 10);
}

const values = (record: FakeOutboxRecord) =>
  Object.fromEntries(Object.entries((record.payload as { data: Record<string, { value: string }> }).data).map(([k, v]) => [k, v.value]));

async function applicantDelivery(h: { notifyRepo: NotifyRepository }, appId: string, eventIndex: number): Promise<Delivery> {
  const d = await h.notifyRepo.delivery(`${appId}:${eventIndex}:applicant`);
  if (!d) throw new Error(`no delivery for ${appId}:${eventIndex}`);
  return d;
}

// ------------------------------------------------------------------------------------------------

test('an official-account applicant gets the receipt as a template message with a client_msg_id', async (t) => {
  const h = await setup(t);
  const app = await h.submit('wechat', 'o_citizen');
  const summary = await h.notify.runOutbox();
  t.like(summary, { sent: 1, dead: 0 });
  const [receipt] = h.sends('template_send');
  t.is(receipt!.touser, 'o_citizen');
  const payload = receipt!.payload as { template_id: string; client_msg_id: string };
  t.is(payload.template_id, 'GK_OA_APPLICATION_PROGRESS');
  t.regex(payload.client_msg_id, /^gk-[0-9a-f]{40}$/);
  t.deepEqual(values(receipt!), { character_string1: app.trackingNo, phrase2: '已受理', thing3: '答复期限2025年9月28日', time4: '2025年9月1日' });
  t.like(await applicantDelivery(h, app.id, 1), { status: 'sent', sentVia: 'oa-template', confirmed: true });
  // A second pass finds nothing to do.
  t.like(await h.notify.runOutbox(), { planned: 0, sent: 0 });
  t.is(h.sends().length, 1);
});

test('every applicant message kind is rendered from the templates and accepted by WeChat', async (t) => {
  const h = await setup(t);
  const texts = new Map<string, string>();
  const mp = new Map<string, Record<string, string>>();
  // The text of each kind, from the first application where it has one (the one that went all the way).
  const collect = async (first: string, all: string[]) => {
    for (const d of (await Promise.all(all.map((id) => h.notifyRepo.deliveriesOf(id)))).flat()) {
      if (d.audience === 'applicant' && (!texts.has(d.kind) || d.applicationId === first)) texts.set(d.kind, renderMessage(h.templates, d.kind, d.vars).text);
    }
  };
  // Mini-program applicants whose every one-time consent is there: each message is a subscribe
  // message, checked by the fake against WeChat's value rules (phrase ≤ 5 Han, thing ≤ 20, ...).
  const consentAll = (openid: string) => h.notify.consents.record(openid, 'mp', { accepted: [MP_RECEIPT, MP_PROGRESS, MP_RESULT] });
  const apps = [];
  for (let i = 0; i < 4; i++) {
    const openid = `o_mp${i}`;
    for (let k = 0; k < 5; k++) await consentAll(openid);
    apps.push(await h.submit('miniprogram', openid));
  }
  const [a, b, c, d] = apps.map((x) => x.id) as [string, string, string, string];
  await h.record(a, { type: 'request-supplement', items: ['申请的具体年份', '工程名称'] });
  await h.applications.supplementByApplicant(a, 'o_mp0', '2024年，人防工程名称为某某地下室');
  await h.record(a, { type: 'consult-start', party: '某建设单位' });
  await h.record(a, { type: 'consult-end' });
  await h.record(a, { type: 'extend', days: 15 });
  await h.record(a, { type: 'fee-notice', amount: 100 });
  await h.record(a, { type: 'fee-paid' });
  await h.record(a, { type: 'decide', outcome: 'partial', ground: 'withheld-third-party' });
  await h.record(a, { type: 'deliver', method: 'email' });
  await h.record(b, { type: 'request-supplement', items: ['请说明所需信息的名称'] });
  await h.record(b, { type: 'supplement-expired' });
  await h.record(c, { type: 'fee-notice', amount: 200 });
  await h.record(c, { type: 'fee-expired' });
  await h.record(d, { type: 'withdraw' });
  const summary = await h.notify.runOutbox();
  t.like(summary, { dead: 0, needsContact: 0 });
  await collect(a, [a, b, c, d]);
  for (const record of h.sends('subscribe_send')) {
    const p = record.payload as { template_id: string; page: string };
    mp.set(`${record.touser}:${values(record).phrase2}`, values(record));
    t.regex(p.page, /^pages\/application\/detail\?id=[\w-]+$/);
  }
  t.deepEqual(
    [...texts.keys()].sort(),
    ['closed-fee-unpaid', 'closed-no-supplement', 'consultation-ended', 'consultation-started', 'decided', 'delivered', 'extended', 'fee-notice', 'receipt', 'supplement-requested', 'withdrawn'],
  );
  for (const [kind, text] of texts) {
    t.false(/[{}]|—/.test(text), `${kind} has an unfilled value: ${text}`);
    t.true([...text].length <= 600, `${kind} is longer than one message`);
  }
  // 20 working days after Monday 1 September 2025: the make-up Sunday 28 September counts.
  t.regex(texts.get('receipt')!, /受理编号：2025-\d{6}\n收到日期：2025年9月1日\n答复期限：最迟于2025年9月28日（含当日）答复/);
  t.regex(texts.get('supplement-requested')!, /1\. 申请的具体年份\n2\. 工程名称[\s\S]*请最迟于2025年9月22日（含当日）通过原申请渠道提交补正/);
  // 第三十二条、第三十四条: the consulted party has 15 working days; the applicant is told the last one.
  t.regex(texts.get('consultation-started')!, /最迟于2025年\d+月\d+日（含当日）提出意见，到期未回复的，答复期限也恢复计算/);
  t.regex(texts.get('extended')!, /延长15个工作日，我们将最迟于2025年\d+月\d+日（含当日）作出答复/);
  t.regex(texts.get('fee-notice')!, /信息处理费\d+元[\s\S]*请最迟于2025年9月28日（含当日）缴纳/);
  // A 部分公开 refuses its withheld part: 行政复议 first (行政复议法 2023 第二十三条第一款第（四）项), not a free choice.
  t.regex(texts.get('decided')!, /部分公开。\n您申请的信息部分公开[\s\S]*通过电子邮件送达[\s\S]*应当先向黄石市人民政府申请行政复议[\s\S]*十五日内[\s\S]*第二十三条第一款第（四）项[\s\S]*行政诉讼法》第四十五条/);
  t.false(/六个月|条例第五十一条/.test(texts.get('decided')!), 'no direct lawsuit offered against a refusal');
  // Closing for want of a 补正 is not a refusal: 复议 or 诉讼, with the real sources of the periods.
  t.regex(texts.get('closed-no-supplement')!, /六十日内向黄石市人民政府申请行政复议，也可以[\s\S]*六个月内[\s\S]*第四十六条/);
  t.regex(texts.get('delivered')!, /通过电子邮件送达/);
  t.regex(texts.get('closed-no-supplement')!, /没有在期限内补正/);
  t.regex(texts.get('closed-fee-unpaid')!, /没有在期限内缴纳信息处理费/);
  t.like(mp.get('o_mp0:已答复'), { thing3: '部分公开' });
  t.like(mp.get('o_mp0:需补正'), { thing3: '补正截止2025年9月22日' });
  // No personal data goes to applicants' templates, and nothing the applicant did is echoed back.
  t.false(h.sends().some((r) => JSON.stringify(r.payload).includes('13812345678')));
  t.false([...texts.values()].some((text) => text.includes('张小明')));
});

test('mini-program one-time consents are counted and used up, then staff must contact the applicant', async (t) => {
  const h = await setup(t);
  await h.notify.consents.record('o_mp', 'mp', { accepted: [MP_RECEIPT] });
  const app = await h.submit('miniprogram', 'o_mp');
  await h.notify.runOutbox();
  t.is(h.sends('subscribe_send').length, 1);
  t.is((await h.notifyRepo.consent('o_mp', MP_RECEIPT))!.credits, 0);
  await h.record(app.id, { type: 'extend', days: 10 });
  t.like(await h.notify.runOutbox(), { needsContact: 1 });
  const extended = await applicantDelivery(h, app.id, 2);
  t.is(extended.status, 'needs-contact');
  t.like(extended.history[0], { channel: 'mp-subscribe', result: 'not-authorised' });
  t.is(h.sends('subscribe_send').length, 1);
  t.true(await h.notifyRepo.hasEntry(`alert:contact:${extended.key}`), 'staff are told to phone or write');
});

for (const [name, inject, expected] of [
  ['43101 (template refused) falls back to the customer-service message', [['template_send', 43101]], 'custom_send'],
  ['43101, then 45015 (window closed) leaves the applicant for staff to contact', [['template_send', 43101], ['custom_send', 45015]], null],
  ['43101, then 45047 (window used up) leaves the applicant for staff to contact', [['template_send', 43101], ['custom_send', 45047]], null],
] as const) {
  test(`fallback: ${name}`, async (t) => {
    const h = await setup(t);
    await h.openWindow('o_oa');
    for (const [api, errcode] of inject) h.fake.inject(api, { errcode, errmsg: 'injected' });
    const app = await h.submit('wechat', 'o_oa');
    await h.notify.runOutbox();
    const d = await applicantDelivery(h, app.id, 1);
    // Channels in the configured order: template, OA subscribe (no consent: not asked), customer service.
    t.deepEqual(
      d.history.map((x) => [x.channel, x.result, x.code ?? null]),
      [
        ['oa-template', 'unavailable', 43101],
        ['oa-subscribe', 'not-authorised', null],
        ['customer-service', expected ? 'sent' : 'unavailable', expected ? null : inject[1]![1]],
      ],
    );
    t.is(h.fake.calls('template_send'), 1);
    if (expected) {
      t.like(d, { status: 'sent', sentVia: 'customer-service' });
      const [text] = h.sends('custom_send');
      t.regex((text!.payload as { text: { content: string } }).text.content, new RegExp(`您的政府信息公开申请已收到。\\n受理编号：${app.trackingNo}`));
    } else {
      t.like(d, { status: 'needs-contact' });
      t.deepEqual(h.sends(), []);
      t.is(await h.notifyRepo.lastInteraction('o_oa'), undefined, 'a closed window is forgotten');
    }
  });
}

test('fallback: a mini-program 43101 forgets the consent and the applicant is listed for staff', async (t) => {
  const h = await setup(t);
  await h.notify.consents.record('o_mp', 'mp', { accepted: [MP_RECEIPT, MP_RECEIPT] });
  h.fake.inject('subscribe_send', { errcode: 43101 });
  const app = await h.submit('miniprogram', 'o_mp');
  t.like(await h.notify.runOutbox(), { needsContact: 1 });
  t.like((await applicantDelivery(h, app.id, 1)).history[0], { channel: 'mp-subscribe', result: 'unavailable', code: 43101 });
  t.is((await h.notifyRepo.consent('o_mp', MP_RECEIPT))!.credits, 0);
  t.deepEqual((await h.notify.outbox.needsContact()).deliveries.map((d) => d.key), [`${app.id}:1:applicant`]);
  const contacted = await h.notify.outbox.markContacted(`${app.id}:1:applicant`, 'handler1', '已电话告知');
  t.is(contacted.status, 'contacted');
  t.deepEqual((await h.notify.outbox.needsContact()).deliveries, []);
});

test('-1 is retried with exponential backoff, then the delivery becomes a dead letter and staff hear of it', async (t) => {
  const h = await setup(t);
  h.fake.inject('template_send', { errcode: -1, errmsg: 'system error', times: 100 });
  const app = await h.submit('wechat', 'o_oa');
  const key = `${app.id}:1:applicant`;
  const waits: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    t.like(await h.notify.runOutbox(), { sent: 0 });
    const d = (await h.notifyRepo.delivery(key))!;
    t.is(d.status, 'pending');
    waits.push(Date.parse(d.nextAttemptAt) - h.clock.now);
    // Not due yet: a pass now does not try again.
    const calls = h.fake.calls('template_send');
    await h.notify.runOutbox();
    t.is(h.fake.calls('template_send'), calls);
    h.clock.now = Date.parse(d.nextAttemptAt);
  }
  t.deepEqual(waits, [60_000, 120_000, 240_000]);
  await h.notify.runOutbox();
  const dead = (await h.notifyRepo.delivery(key))!;
  t.like(dead, { status: 'dead', attempts: 4, inFlight: null });
  t.regex(dead.reason!, /尝试4次仍未发出：-1 system error/);
  t.true((await h.notify.outbox.deadLetters()).deliveries.some((d) => d.key === key));
  t.true(await h.notifyRepo.hasEntry(`alert:dead:${key}`), 'staff are told');

  // Staff retry it once WeChat is well again: it goes out once.
  h.fake.reset();
  const retried = await h.notify.outbox.retry(key, 'handler1');
  t.like(retried, { status: 'pending', attempts: 0, channelIndex: 0 });
  await h.notify.runOutbox();
  t.like(await h.notifyRepo.delivery(key), { status: 'sent', sentVia: 'oa-template' });
  t.is(h.sends('template_send').filter((r) => r.touser === 'o_oa').length, 1);
});

test('a permanent refusal (40037 bad template) goes to the dead letters at once', async (t) => {
  const h = await setup(t);
  h.fake.inject('template_send', { errcode: 40037, errmsg: 'invalid template_id' });
  const app = await h.submit('wechat', 'o_oa');
  t.like(await h.notify.runOutbox(), { dead: 1 });
  t.like(await applicantDelivery(h, app.id, 1), { status: 'dead', attempts: 0 });
  await t.throwsAsync(h.notify.outbox.retry('no-such-key', 'x'), { message: '找不到这条消息' });
  const other = await h.submit('wechat', 'o_oa2');
  await h.notify.runOutbox();
  await t.throwsAsync(h.notify.outbox.retry(`${other.id}:1:applicant`, 'x'), { message: /不在发送失败列表中/ });
});

test('a template send that times out is repeated with the same client_msg_id and arrives once', async (t) => {
  const h = await setup(t, { client: { timeoutMs: 300 } });
  await h.client.sendCustomText('o_warm', 'x').catch(() => {}); // fetch the token before the slow part
  h.fake.inject('template_send', { delayMs: 1_000 });
  const app = await h.submit('wechat', 'o_oa');
  t.like(await h.notify.runOutbox(), { retrying: 1 });
  const waiting = await applicantDelivery(h, app.id, 1);
  t.like(waiting.inFlight, { channel: 'oa-template' });
  t.is(h.sends('template_send').length, 1, 'WeChat got it; we do not know');
  h.clock.now += 60_000;
  t.like(await h.notify.runOutbox(), { sent: 1 });
  t.is(h.fake.calls('template_send'), 2);
  t.is(h.sends('template_send').length, 1, 'the repeat with the same client_msg_id was dropped');
  t.like(await applicantDelivery(h, app.id, 1), { status: 'sent', confirmed: true, inFlight: null });
});

test('a subscribe send that times out is not repeated (at most once) and is marked unconfirmed', async (t) => {
  const h = await setup(t, { client: { timeoutMs: 300 } });
  await h.notify.consents.record('o_mp', 'mp', { accepted: [MP_RECEIPT] });
  h.fake.inject('subscribe_send', { delayMs: 1_000 });
  const app = await h.submit('miniprogram', 'o_mp');
  t.like(await h.notify.runOutbox(), { unconfirmed: 1 });
  t.like(await applicantDelivery(h, app.id, 1), { status: 'sent', confirmed: false, sentVia: 'mp-subscribe' });
  h.clock.now += 3_600_000;
  await h.notify.runOutbox();
  t.is(h.fake.calls('subscribe_send'), 1);
  t.is(h.sends('subscribe_send').length, 1);
});

test('concurrent passes are single-flight: one message per intent', async (t) => {
  const h = await setup(t);
  const apps = [await h.submit('wechat', 'o_a'), await h.submit('wechat', 'o_b')];
  await Promise.all(Array.from({ length: 5 }, () => h.notify.runOutbox()));
  t.is(h.fake.calls('template_send'), 2);
  t.deepEqual(h.sends('template_send').map((r) => r.touser).sort(), ['o_a', 'o_b']);
  for (const app of apps) t.is((await applicantDelivery(h, app.id, 1)).status, 'sent');
});

test('killed between send and record: the restarted worker repeats with the same client_msg_id, one message', async (t) => {
  const dir = await tempDir(t);
  const clock = { now: T0 };
  const { fake, baseUrl } = await fakeServer(t, clock);
  // Prepare the application, then let a separate process deliver it.
  const before = await services(dir, clock, new WechatApiClient({ baseUrl, ...CREDENTIALS }));
  const app = (await before.applications.submit(BODY, { channel: 'wechat', openid: 'o_killed', by: 'applicant' })).application;
  await before.store.close();

  // WeChat records the message, then answers only after 30 s: the worker is waiting for the answer.
  fake.inject('template_send', { delayMs: 30_000 });
  const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '-e', WORKER_SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, NOTIFY_DIR: dir, NOTIFY_API: baseUrl, NOTIFY_NOW: String(T0), NOTIFY_ROOT: ROOT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = once(child, 'exit');
  t.teardown(() => child.kill('SIGKILL'));
  for (let i = 0; i < 400 && fake.outbox.list().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.is(fake.outbox.list().length, 1, output);
  child.kill('SIGKILL');
  const [, signal] = await exited;
  t.is(signal, 'SIGKILL');
  t.notRegex(output, /pass done/);
  const sentId = (fake.outbox.list()[0]!.payload as { client_msg_id: string }).client_msg_id;

  // The restarted server: same folder, a fresh worker.
  const after = await services(dir, clock, new WechatApiClient({ baseUrl, ...CREDENTIALS, sleep: async () => {} }));
  t.teardown(() => after.store.close());
  const left = (await after.notifyRepo.delivery(`${app.id}:1:applicant`))!;
  t.deepEqual(left.inFlight && { channel: left.inFlight.channel, clientMsgId: left.inFlight.clientMsgId }, { channel: 'oa-template', clientMsgId: sentId });
  t.like(await after.notify.runOutbox(), { sent: 1 });
  t.is(fake.outbox.list().length, 1, 'WeChat dropped the repeat: the applicant has one message');
  t.is(fake.calls('template_send'), 2);
  t.like(await after.notifyRepo.delivery(`${app.id}:1:applicant`), { status: 'sent', confirmed: true, inFlight: null });
});

const WORKER_SCRIPT = `
const root = process.env.NOTIFY_ROOT;
const load = (p) => import(root + '/src/' + p);
const { Store } = await load('store/store.js');
const { ApplicationsRepo } = await load('store/applications-repo.js');
const { AccountsRepo } = await load('store/accounts-repo.js');
const { NotifyRepo } = await load('store/notify-repo.js');
const { ApplicationsService } = await load('applications/service.js');
const { CalendarSource } = await load('applications/calendar-source.js');
const { StaffAccounts } = await load('accounts/staff-accounts.js');
const { WechatApiClient } = await load('wechat/api-client.js');
const { createNotify, loadNotifyTemplates } = await load('notify/index.js');
const dir = process.env.NOTIFY_DIR;
const now = () => new Date(Number(process.env.NOTIFY_NOW));
const store = await Store.open(dir, now);
const [apps, accountsRepo, repo] = await Promise.all([ApplicationsRepo.open(store), AccountsRepo.open(store), NotifyRepo.open(store)]);
const calendar = await CalendarSource.open(root + '/data', dir);
const applications = new ApplicationsService(apps, () => calendar.current(), now);
const wechat = new WechatApiClient({ baseUrl: process.env.NOTIFY_API, appid: '${CREDENTIALS.appid}', secret: '${CREDENTIALS.secret}', timeoutMs: 120000, retry: { attempts: 1 } });
const notify = createNotify({
  repo, applications, intents: { pending: (limit) => apps.pendingIntents(limit), markPlanned: (keys) => apps.markIntentsPlanned(keys) }, accounts: new StaffAccounts(accountsRepo, now), unanswered: async () => [],
  wechat, templates: await loadNotifyTemplates(root + '/data'), office: { name: '办公室', contact: '电话', supplementPeriodWorkingDays: null },
  calendar: () => calendar.current(), clock: now,
});
await notify.runOutbox();
process.stdout.write('pass done\\n');
`;

test('killed mid-send on a channel without client_msg_id: not sent again, marked unconfirmed', async (t) => {
  const h = await setup(t);
  await h.notify.consents.record('o_mp', 'mp', { accepted: [MP_RECEIPT, MP_PROGRESS] });
  const app = await h.submit('miniprogram', 'o_mp');
  // This worker's process "dies" once its request reached WeChat: the answer never comes back.
  const dying = new WechatApiClient({
    baseUrl: h.baseUrl,
    ...CREDENTIALS,
    oaTokens: h.client.oaTokens,
    mpTokens: h.client.mpTokens,
    fetch: async (input, init) => {
      await fetch(input, init);
      return new Promise<Response>(() => {});
    },
  });
  const doomed = createNotify({
    repo: h.notifyRepo,
    applications: h.applications,
    intents: { pending: (limit) => h.appsRepo.pendingIntents(limit), markPlanned: (keys) => h.appsRepo.markIntentsPlanned(keys) },
    accounts: h.accounts,
    unanswered: async () => [],
    wechat: dying,
    templates: h.templates,
    office: OFFICE,
    calendar: () => h.calendar.current(),
    clock: () => new Date(h.clock.now),
  });
  await h.client.sendMiniProgramSubscribe({ touser: 'o_warm', template_id: 'X', data: { thing1: { value: 'warm' } } }); // token
  h.fake.outbox.clear();
  void doomed.runOutbox();
  for (let i = 0; i < 200 && h.sends('subscribe_send').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(h.sends('subscribe_send').length, 1);
  t.like((await applicantDelivery(h, app.id, 1)).inFlight, { channel: 'mp-subscribe', clientMsgId: null });

  // The restart: the store is reopened from disk and a new worker runs.
  const reopened = await services(h.dir, h.clock, h.client);
  t.teardown(() => reopened.store.close());
  t.like(await reopened.notify.runOutbox(), { unconfirmed: 1 });
  t.like(await reopened.notifyRepo.delivery(`${app.id}:1:applicant`), { status: 'sent', confirmed: false, sentVia: 'mp-subscribe', inFlight: null });
  t.is(h.sends('subscribe_send').length, 1);
  t.is((await reopened.notifyRepo.consent('o_mp', MP_RECEIPT))!.credits, 0, 'the credit was used by the send that went out');
  t.is((await reopened.notifyRepo.consent('o_mp', MP_PROGRESS))!.credits, 1);
});

test('staff hear of new requests on their bound WeChat and in the WeCom group, with personal data masked', async (t) => {
  const robot: string[] = [];
  const robotApp = new Koa();
  robotApp.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    robot.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).text.content);
    ctx.body = { errcode: 0, errmsg: 'ok' };
  });
  const server = robotApp.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const h = await setup(t, { notify: { wecomWebhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/webhook/send?key=k` } });
  for (const [username, roles, openid] of [
    ['registrar1', ['registrar'], 'o_reg'],
    ['leader1', ['leader'], 'o_leader'],
    ['handler1', ['handler'], null],
  ] as const) {
    await h.accounts.createUser('system', { username, password: 'a-long-password', roles });
    if (openid) await h.accounts.bindWechat(username, openid);
  }
  const app = await h.submit('miniprogram', 'o_mp');
  await h.notify.runOutbox();
  // The registrar is bound and works new requests; the leader does not; the handler is not bound.
  const staffSends = h.sends('template_send');
  t.deepEqual(staffSends.map((r) => r.touser), ['o_reg']);
  t.like(values(staffSends[0]!), { character_string1: app.trackingNo, thing2: '新申请待办理' });
  t.is(robot.length, 2);
  t.regex(robot[0]!, new RegExp(`【新申请】${app.trackingNo}\\n申请人：张\\*\\*（个人）\\n渠道：小程序`));
  t.regex(robot[0]!, /联系电话138\*\*\*\*5678/);
  t.false(robot[0]!.includes('13812345678'));
  // The applicant (no consent) is listed for staff, and the staff hear about that too.
  t.is((await h.notify.outbox.needsContact()).deliveries.length, 1);
  t.regex(robot[1]!, /【需人工告知】.*“受理回执”无法通过微信送达申请人/);
});

test('a staff message nobody can receive is a dead letter until someone binds, then it is sent', async (t) => {
  const h = await setup(t);
  const app = await h.submit('wechat', 'o_oa');
  await h.notify.runOutbox();
  const key = `${app.id}:0:staff>nobody`;
  t.like(await h.notifyRepo.delivery(key), { status: 'dead', reason: '没有工作人员绑定微信，也没有配置企业微信群机器人' });
  t.false(await h.notifyRepo.hasEntry(`alert:dead:${key}`), 'telling nobody that nobody was told helps nobody');
  await h.accounts.createUser('system', { username: 'handler1', password: 'a-long-password', roles: ['handler'] });
  await h.accounts.bindWechat('handler1', 'o_staff');
  t.is(await h.notify.outbox.retry(key, 'admin'), null);
  await h.notify.runOutbox();
  t.like(await h.notifyRepo.delivery(`${app.id}:0:staff>staff:handler1`), { status: 'sent', sentVia: 'oa-template' });
  t.is(h.sends('template_send').filter((r) => r.touser === 'o_staff').length, 1);
});

test('offline applicants are not messaged: the office answers them on paper', async (t) => {
  const h = await setup(t);
  const { application } = await h.applications.submit(BODY, { channel: 'staff', openid: null, by: 'registrar1' });
  await h.record(application.id, { type: 'receive' });
  await h.notify.runOutbox();
  t.like(await h.notifyRepo.delivery(`${application.id}:1:applicant`), { status: 'skipped', reason: '线下提交的申请，按纸质文书送达' });
  t.deepEqual((await h.notify.outbox.needsContact()).deliveries, []);
});

test('nudge runs a pass without waiting for the schedule', async (t) => {
  const h = await setup(t);
  await h.submit('wechat', 'o_oa');
  h.notify.nudge();
  await h.notify.idle();
  t.is(h.sends('template_send').length, 1);
});
