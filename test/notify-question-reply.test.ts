// A staff member's answer to a chat question, through the notify outbox and the fake WeChat API on
// a real HTTP server that enforces the customer-service window: the window first, then the
// template the office configured for the purpose, then the asker's next message; once.
import test, { type ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { NotifyRepo } from '../src/store/notify-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { WechatApiClient } from '../src/wechat/api-client.js';
import { createNotify } from '../src/notify/index.js';
import { parseNotifyTemplates } from '../src/notify/templates.js';
import { DomainError } from '../src/domain/errors.js';
import { tempDir } from './helpers/temp.js';
import { CREDENTIALS, serveFakeWechat } from './helpers/fake-wechat-server.js';

const CONTENT = path.resolve(import.meta.dirname, '..', 'data');
const OFFICE = { name: '黄石市人民防空办公室', contact: '电话 0714-1234567', supplementPeriodWorkingDays: null };
/** Monday 2025-09-01, 09:00 in China. */
const T0 = Date.parse('2025-09-01T01:00:00Z');

/** The shipped templates, with (or without) an official-account template for answers to questions. */
async function templates(withTemplate: boolean) {
  const file = JSON.parse(await readFile(path.join(CONTENT, 'notify', 'templates.json'), 'utf8'));
  if (withTemplate) {
    file.templates['oa-template']['consult-reply'] = {
      templateId: 'GK_OA_CONSULT_REPLY',
      purpose: '咨询答复通知',
      fields: { thing1: '{question}', thing2: '{replyText}', time3: '{eventDate}' },
    };
    file.messages['question-reply'].use = { 'oa-template': 'consult-reply' };
  }
  return parseNotifyTemplates(file);
}

async function setup(t: ExecutionContext, withTemplate: boolean) {
  const dir = await tempDir(t);
  const clock = { now: T0 };
  const now = () => new Date(clock.now);
  const { fake, baseUrl } = await serveFakeWechat(t, { clock: () => clock.now, enforceCustomWindow: true, prefix: '' });
  const wechat = new WechatApiClient({ baseUrl, ...CREDENTIALS, now: () => clock.now, sleep: async () => {}, retry: { attempts: 1 }, timeoutMs: 2_000 });
  const store = await Store.open(dir, now);
  const [appsRepo, accountsRepo, repo] = await Promise.all([ApplicationsRepo.open(store), AccountsRepo.open(store), NotifyRepo.open(store)]);
  const calendar = await CalendarSource.open(CONTENT, dir);
  const notify = createNotify({
    repo,
    applications: new ApplicationsService(appsRepo, () => calendar.current(), now),
    intents: { pending: (limit) => appsRepo.pendingIntents(limit), markPlanned: (keys) => appsRepo.markIntentsPlanned(keys) },
    accounts: new StaffAccounts(accountsRepo, now),
    unanswered: async () => [],
    wechat,
    templates: await templates(withTemplate),
    office: OFFICE,
    calendar: () => calendar.current(),
    clock: now,
  });
  t.teardown(() => store.close());
  t.teardown(() => notify.idle());
  const reply = (text = '可以，请带身份证到一楼窗口查询。') =>
    notify.replyToQuestion({ questionId: 'q1', openid: 'o_asker', question: '人防地下室的平面图能不能给我看看，电话13800138000', text, by: 'han' });
  const userWrites = async () => {
    fake.noteInteraction('o_asker', 'message');
    await notify.noteInteraction('o_asker');
    await notify.runOutbox();
  };
  return { notify, fake, clock, reply, userWrites, sends: () => fake.outbox.list().filter((r) => r.touser === 'o_asker') };
}

test('inside the window the answer is a customer-service message quoting the question, masked', async (t) => {
  const h = await setup(t, true);
  h.fake.noteInteraction('o_asker', 'message');
  await h.notify.noteInteraction('o_asker');
  await h.reply();
  await h.notify.runOutbox();
  const [sent, ...more] = h.sends();
  t.is(more.length, 0);
  t.is(sent!.api, 'custom_send');
  t.is((sent!.payload as { text: { content: string } }).text.content, '【黄石市人民防空办公室】您之前问：“人防地下室的平面图能不能给我看看，电话138****8000”\n工作人员答复：可以，请带身份证到一楼窗口查询。');
  t.like(await h.notify.questionReply('q1'), { text: '可以，请带身份证到一楼窗口查询。', by: 'han', delivery: { status: 'sent', sentVia: 'customer-service' } });
});

test('outside the window it goes by the template the office configured for the purpose, once', async (t) => {
  const h = await setup(t, true);
  await h.reply();
  await h.notify.runOutbox();
  await h.notify.runOutbox();
  const sent = h.sends();
  t.is(sent.length, 1);
  t.is(sent[0]!.api, 'template_send');
  t.like(sent[0]!.payload, { template_id: 'GK_OA_CONSULT_REPLY', data: { thing2: { value: '可以，请带身份证到一楼窗口查询。' } } });
  t.like((await h.notify.questionReply('q1'))!.delivery, { status: 'sent', sentVia: 'oa-template' });
});

test('without a template it waits for the asker’s next message, also when WeChat says the window closed', async (t) => {
  const h = await setup(t, false);
  // We think the window is open (the user wrote an hour ago), WeChat says it is closed (45015).
  await h.notify.noteInteraction('o_asker', new Date(T0 - 3_600_000));
  await h.reply();
  await h.notify.runOutbox();
  t.is(h.sends().length, 0);
  const waiting = (await h.notify.questionReply('q1'))!.delivery!;
  t.like(waiting, { status: 'awaiting-user' });
  t.like(waiting.history[0], { channel: 'customer-service', result: 'unavailable', code: 45015 });
  t.deepEqual((await h.notify.outbox.needsContact()).deliveries, [], 'nothing for staff to phone about');

  h.clock.now += 5 * 86_400_000;
  await h.userWrites();
  t.deepEqual(h.sends().map((s) => s.api), ['custom_send']);
  t.like((await h.notify.questionReply('q1'))!.delivery, { status: 'sent', sentVia: 'customer-service' });
  await h.userWrites();
  t.is(h.sends().length, 1, 'sent once');
});

test('one answer per question, of a length that fits one message', async (t) => {
  const h = await setup(t, false);
  await t.throwsAsync(h.reply(''), { instanceOf: DomainError, message: '请填写答复内容' });
  await t.throwsAsync(h.reply('答'.repeat(501)), { instanceOf: DomainError, message: /答复不超过500字/ });
  t.is(await h.notify.questionReply('q1'), undefined);
  await h.reply();
  const error = await t.throwsAsync(h.reply('第二次'), { instanceOf: DomainError });
  t.is((error as DomainError).code, 'conflict');
  t.is((await h.notify.questionReply('q1'))!.text, '可以，请带身份证到一楼窗口查询。');
});
