import test, { type ExecutionContext } from 'ava';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { NotifyRepo } from '../src/store/notify-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { MiniProgramSessions } from '../src/accounts/mp-sessions.js';
import { WechatApiClient } from '../src/wechat/api-client.js';
import { createMiniProgramApi } from '../miniprogram-api/router.js';
import { createAdminApi } from '../src/admin/api.js';
import { createNotify, loadNotifyTemplates, mountNotifyAdminRoutes, mountNotifyMiniProgramRoutes } from '../src/notify/index.js';
import { json, listen } from './helpers/http.js';
import { tempDir } from './helpers/temp.js';
import { idNumber } from './helpers/id-number.js';
import { CREDENTIALS, serveFakeWechat } from './helpers/fake-wechat-server.js';

const CONTENT = path.resolve(import.meta.dirname, '..', 'data');

const BODY = {
  applicant: { type: 'person', name: '王五', idNumber: idNumber('42020319850505123'), phone: '13712345678' },
  request: { description: '请公开人防工程审批信息' },
  delivery: { form: 'electronic', method: 'wechat' },
};

/** The two APIs with notify's routes mounted as the lead wires them, on a real port. */
async function setup(t: ExecutionContext, options: { assumeConsent?: boolean } = {}) {
  const dir = await tempDir(t);
  const clock = { now: Date.parse('2025-09-01T01:00:00Z') };
  const now = () => new Date(clock.now);
  const store = await Store.open(dir, now);
  t.teardown(() => store.close());
  const [appsRepo, accountsRepo, notifyRepo] = await Promise.all([ApplicationsRepo.open(store), AccountsRepo.open(store), NotifyRepo.open(store)]);
  const calendar = await CalendarSource.open(CONTENT, dir);
  const applications = new ApplicationsService(appsRepo, () => calendar.current(), now);
  const accounts = new StaffAccounts(accountsRepo, now);
  const sessions = new MiniProgramSessions(accountsRepo, async (code) => ({ openid: code.slice(4) }), now);
  const { fake, baseUrl } = await serveFakeWechat(t, { clock: () => clock.now, prefix: '' });
  const templates = await loadNotifyTemplates(CONTENT);
  const notify = createNotify({
    repo: notifyRepo,
    applications,
    intents: { pending: (limit) => appsRepo.pendingIntents(limit), markPlanned: (keys) => appsRepo.markIntentsPlanned(keys) },
    accounts,
    unanswered: async () => [],
    wechat: new WechatApiClient({ baseUrl, ...CREDENTIALS, now: () => clock.now, sleep: async () => {} }),
    templates,
    office: { name: '某办', contact: '电话 1', supplementPeriodWorkingDays: null },
    calendar: () => calendar.current(),
    clock: now,
    assumeConsent: options.assumeConsent,
  });
  t.teardown(() => notify.idle());
  const app = createApp({
    config: loadConfig({}),
    logger: createLogger('silent'),
    routers: [
      createMiniProgramApi({ sessions, applications, extensions: [(router) => mountNotifyMiniProgramRoutes(router, { sessions, notify })] }),
      createAdminApi({ accounts, applications, extensions: [(router) => mountNotifyAdminRoutes(router, { accounts, applications, notify, templates: notify.templates })] }),
    ],
  });
  const server = await listen(app);
  t.teardown(() => server.close());
  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const response = await fetch(server.url + url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await json(response) };
  };
  const mpLogin = async (openid: string) => (await call('POST', '/mp/v1/session', undefined, { code: `dev:${openid}` })).body.token as string;
  const staffLogin = async (username: string, roles: string[]) => {
    await accounts.createUser('system', { username, password: 'a-long-password', roles });
    return (await call('POST', '/admin/v1/session', undefined, { username, password: 'a-long-password' })).body.token as string;
  };
  return { call, mpLogin, staffLogin, notify, notifyRepo, accounts, applications, fake };
}

test('the mini-program lists the subscribe templates and reports consents, which become send credits', async (t) => {
  const h = await setup(t);
  t.is((await h.call('GET', '/mp/v1/notify/templates')).status, 401);
  const token = await h.mpLogin('o_mp');
  const { body } = await h.call('GET', '/mp/v1/notify/templates', token);
  t.deepEqual(body, {
    templates: [
      { id: 'GK_MP_RECEIPT', purpose: '申请受理通知' },
      { id: 'GK_MP_PROGRESS', purpose: '办理进度提醒（补正、延期、征求意见、收费）' },
      { id: 'GK_MP_RESULT', purpose: '答复结果通知' },
    ],
  });
  const accepted = await h.call('POST', '/mp/v1/notify/consents', token, { accepted: ['GK_MP_RECEIPT', 'GK_MP_RESULT'], rejected: ['GK_MP_PROGRESS'] });
  t.is(accepted.status, 200);
  await h.call('POST', '/mp/v1/notify/consents', token, { accepted: ['GK_MP_RESULT'] });
  t.deepEqual((await h.notifyRepo.consent('o_mp', 'GK_MP_RESULT'))?.credits, 2);
  t.deepEqual((await h.notifyRepo.consent('o_mp', 'GK_MP_RECEIPT'))?.credits, 1);
  t.deepEqual((await h.notifyRepo.consent('o_mp', 'GK_MP_PROGRESS'))?.credits, 0);
  t.is(await h.notifyRepo.consent('o_other', 'GK_MP_RESULT'), undefined, 'consents are per user');
});

test('consents naming unknown templates or no list are refused in Chinese', async (t) => {
  const h = await setup(t);
  const token = await h.mpLogin('o_mp');
  const unknown = await h.call('POST', '/mp/v1/notify/consents', token, { accepted: ['NOPE'] });
  t.is(unknown.status, 400);
  t.deepEqual(unknown.body.error, { code: 'validation', message: '包含未知的订阅消息模板', fields: { accepted: '未知的模板：NOPE' } });
  const notAList = await h.call('POST', '/mp/v1/notify/consents', token, { accepted: 'GK_MP_RESULT' });
  t.is(notAList.status, 400);
  t.regex(notAList.body.error.message, /accepted 应为模板编号的列表/);
});

test('staff get a binding code, and the code sent from WeChat binds the account', async (t) => {
  const h = await setup(t);
  t.is((await h.call('POST', '/admin/v1/notify/binding-code')).status, 401);
  // Any staff role may bind: it only decides where their own reminders go.
  const token = await h.staffLogin('registrar1', ['registrar']);
  const { status, body } = await h.call('POST', '/admin/v1/notify/binding-code', token);
  t.is(status, 200);
  t.regex(body.code, /^\d{6}$/);
  t.is(body.expiresAt, '2025-09-01T01:10:00.000Z');
  t.regex((await h.notify.handleBindingMessage('o_reg', `绑定 ${body.code}`))!, /绑定成功/);
  t.deepEqual(await h.accounts.staffWithWechat(), [{ username: 'registrar1', roles: ['registrar'], openid: 'o_reg' }]);
});

test('dead letters: listed for staff who may see them, and retried on request', async (t) => {
  const h = await setup(t);
  const handler = await h.staffLogin('handler1', ['handler']);
  const registrar = await h.staffLogin('registrar1', ['registrar']);
  h.fake.inject('template_send', { errcode: 40037, errmsg: 'invalid template_id' });
  const { application } = await h.applications.submit(BODY, { channel: 'wechat', openid: 'o_oa', by: 'applicant' });
  await h.notify.runOutbox();
  t.is((await h.call('GET', '/admin/v1/notify/dead-letters', registrar)).status, 403);
  const list = await h.call('GET', '/admin/v1/notify/dead-letters', handler);
  const key = `${application.id}:1:applicant`;
  const dead = list.body.deadLetters.find((d: { key: string }) => d.key === key);
  t.like(dead, { kind: 'receipt', label: '受理回执', trackingNo: application.trackingNo, recipient: 'applicant', status: 'dead', attempts: 0 });
  t.regex(dead.reason, /公众号模板消息拒绝发送：40037 invalid template_id/);
  const retried = await h.call('POST', `/admin/v1/notify/dead-letters/${encodeURIComponent(key)}/retry`, handler);
  t.like(retried.body, { key, status: 'pending' });
  await h.notify.idle();
  t.like(await h.notifyRepo.delivery(key), { status: 'sent', sentVia: 'oa-template' });
  const again = await h.call('POST', `/admin/v1/notify/dead-letters/${encodeURIComponent(key)}/retry`, handler);
  t.is(again.status, 409);
  t.is((await h.call('POST', '/admin/v1/notify/dead-letters/nope/retry', handler)).status, 404);
});

test('needs-contact lists what to tell whom, with contact details for those allowed to see them', async (t) => {
  const h = await setup(t);
  const handler = await h.staffLogin('handler1', ['handler']);
  const mp = await h.mpLogin('o_mp');
  const created = await h.call('POST', '/mp/v1/applications', mp, BODY);
  t.is(created.status, 201);
  await h.notify.runOutbox();
  const { body } = await h.call('GET', '/admin/v1/notify/needs-contact', handler);
  t.is(body.entries.length, 1);
  const [entry] = body.entries;
  t.like(entry, { kind: 'receipt', trackingNo: created.body.trackingNo, status: 'needs-contact', applicant: { name: '王五', phone: '13712345678' } });
  t.regex(entry.text, new RegExp(`受理编号：${created.body.trackingNo}`));
  t.regex(entry.reason, /小程序订阅消息：用户没有授权/);
  const done = await h.call('POST', `/admin/v1/notify/needs-contact/${encodeURIComponent(entry.key)}/contacted`, handler, { note: '已电话告知' });
  t.like(done.body, { status: 'contacted' });
  t.deepEqual((await h.call('GET', '/admin/v1/notify/needs-contact', handler)).body.entries, []);
});

test('sandbox: with consent assumed, deciding a request puts the decision message in the fake outbox', async (t) => {
  const h = await setup(t, { assumeConsent: true });
  const handler = await h.staffLogin('handler1', ['handler']);
  const mp = await h.mpLogin('o_sandbox');
  const created = (await h.call('POST', '/mp/v1/applications', mp, BODY)).body;
  const decided = await h.call('POST', `/admin/v1/applications/${created.id}/events`, handler, { type: 'decide', on: '2025-09-01', outcome: 'granted' });
  t.is(decided.status, 200);
  await h.notify.runOutbox();
  const messages = h.fake.outbox.list().filter((r) => r.touser === 'o_sandbox');
  t.deepEqual(
    messages.map((r) => [r.api, (r.payload as { data: { phrase2: { value: string } } }).data.phrase2.value]),
    [
      ['subscribe_send', '已受理'],
      ['subscribe_send', '已答复'],
    ],
  );
});
