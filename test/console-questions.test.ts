// The 未答问题 page makes the bot's "已转给工作人员" true: through the real console (session cookie,
// CSRF), the real store and the in-process fake WeChat API, a clerk answers the asker (once, by the
// notify outbox), links the question to an entry as a new phrasing, or drafts a new entry.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { consoleApp, loggedIn, type ConsoleApp } from './helpers/console-app.js';
import { startApp } from './helpers/app.js';
import { push, textXml } from './helpers/wechat-client.js';
import type { FakeOutboxRecord } from '../src/wechat/fake-api.js';

/** Monday 16 March 2026, 10:00 in China (the console app's clock). */
const NOW = '2026-03-16T02:00:00Z';
/** A question the shipped guide does not answer; "超过期限还没答复怎么办" is its entry. */
// A question the guide does not answer with overdue-no-reply until staff link it (checked in the test).
const UNANSWERED = '寄出去的东西石沉大海了';

let messageId = 9_100_000_000_000_000_000n;
/** The citizen writes to the official account (as WeChat pushes it, signed, at the app's time). */
async function say(app: ConsoleApp, openid: string, text: string) {
  const result = await push(app.url, textXml(openid, text, String(messageId++)), { timestamp: Math.floor(app.clock.now.getTime() / 1000) });
  if (result.status !== 200) throw new Error(`push answered ${result.status}`);
  return result;
}

async function sentTo(app: ConsoleApp, openid: string): Promise<FakeOutboxRecord[]> {
  const outbox = (await (await fetch(`${app.url}/__sandbox/outbox`)).json()) as FakeOutboxRecord[];
  return outbox.filter((m) => m.touser === openid);
}

async function question(app: ConsoleApp, fields: { id: string; text: string; openid?: string; suggestions?: string[] }) {
  await app.conversations.recordUnanswered({ at: NOW, suggestions: [], status: 'open', ...fields });
}

test('a reply inside the 48-hour window goes once as a customer-service message, and the page shows it', async (t) => {
  const app = await consoleApp(t);
  await say(app, 'o-asker', '你好'); // opens the customer-service window
  await question(app, { id: 'q1', text: '我的电话13800138000，人防地下室能不能参观', openid: 'o-asker', suggestions: ['civil-defence-projects'] });
  const han = await loggedIn(app, 'han');

  const list = (await han.page('/admin/questions')).html;
  t.true(list.includes('138****8000'));
  t.false(list.includes('13800138000'));
  t.true(list.includes('想查小区人防工程的信息'), 'topic titles, not entry ids');
  t.false(list.includes('civil-defence-projects'));
  const detail = (await han.page('/admin/questions/q1')).html;
  t.false(detail.includes('o-asker'), 'the openid is never shown');
  t.false(detail.includes('13800138000'));

  const reply = '可以。每年9月全民国防教育日开放参观，请关注公众号通知。';
  const posted = await han.post('/admin/questions/q1/reply', { text: reply }, '/admin/questions/q1');
  t.is(posted.status, 303);
  t.is(posted.headers.get('location'), '/admin/questions/q1');
  await app.notify.runOutbox();

  const sent = await sentTo(app, 'o-asker');
  t.is(sent.length, 1);
  t.is(sent[0]!.api, 'custom_send');
  const content = (sent[0]!.payload as { text: { content: string } }).text.content;
  t.true(content.includes(reply));
  t.true(content.includes('人防地下室能不能参观'));
  const page = (await han.page('/admin/questions/q1')).html;
  t.regex(page, /答复已提交发送/);
  t.regex(page, /已通过公众号客服消息送达/);
  t.is((await app.conversations.listUnanswered({}, { order: 'oldest' })).questions[0]!.status, 'replied');
  t.regex((await han.page('/admin/questions?status=replied')).html, /已通过公众号客服消息送达/);

  // A second answer (a double click, a second clerk) is refused: the citizen hears once.
  await han.post('/admin/questions/q1/reply', { text: '再说一遍' }, '/admin/questions/q1');
  t.regex((await han.page('/admin/questions/q1')).html, /这个问题已经答复过了/);
  await app.notify.runOutbox();
  t.is((await sentTo(app, 'o-asker')).length, 1);
  t.false(app.logs.join('').includes('o-asker'), 'nor is it logged');
});

test('outside the window, with no template configured, the reply goes with the asker’s next message', async (t) => {
  const app = await consoleApp(t);
  await question(app, { id: 'q2', text: UNANSWERED, openid: 'o-quiet' });
  const han = await loggedIn(app, 'han');
  await han.post('/admin/questions/q2/reply', { text: '请拨打12345或直接联系我们，我们会督促办理。' }, '/admin/questions/q2');
  await app.notify.runOutbox();
  t.is((await app.notify.questionReply('q2'))!.delivery!.status, 'awaiting-user');
  t.is((await sentTo(app, 'o-quiet')).length, 0);
  t.regex((await han.page('/admin/questions/q2')).html, /将在其下次给公众号发消息时送达/);

  app.clock.advance(3 * 86_400_000);
  await say(app, 'o-quiet', '在吗');
  await app.notify.runOutbox();
  const sent = (await sentTo(app, 'o-quiet')).filter((m) => JSON.stringify(m.payload).includes('督促办理'));
  t.is(sent.length, 1);
  t.is(sent[0]!.api, 'custom_send');
  // Three days on, the clerk logs in again.
  t.regex((await (await loggedIn(app, 'han')).page('/admin/questions/q2')).html, /已通过公众号客服消息送达/);

  // Later messages do not send it again.
  await say(app, 'o-quiet', '谢谢');
  await app.notify.runOutbox();
  t.is((await sentTo(app, 'o-quiet')).filter((m) => JSON.stringify(m.payload).includes('督促办理')).length, 1);
});

test('replying needs the page’s role, a question with an asker and a text that fits one message', async (t) => {
  const app = await consoleApp(t);
  await question(app, { id: 'q3', text: UNANSWERED, openid: 'o-asker' });
  await question(app, { id: 'old', text: '记录时没有保存提问人的问题' });
  const reg = await loggedIn(app, 'reg');
  await reg.post('/admin/questions/q3/reply', { text: '答复' }, '/admin');
  t.is(await app.notify.questionReply('q3'), undefined, 'a registrar cannot reply');

  const han = await loggedIn(app, 'han');
  for (const [id, text, message] of [
    ['q3', '   ', /请填写答复内容/],
    ['q3', '答'.repeat(501), /答复不超过500字（现在501字）/],
    ['old', '答复', /没有保存提问人，无法答复/],
    ['nope', '答复', /找不到这个问题/],
  ] as const) {
    const response = await han.post(`/admin/questions/${id}/reply`, { text }, '/admin/questions');
    t.is(response.status, 303);
    t.regex((await han.page(response.headers.get('location')!)).html, message);
  }
  t.is(await app.notify.questionReply('q3'), undefined);
  t.is(await app.notify.questionReply('old'), undefined);
  t.regex((await han.page('/admin/questions/old')).html, /无法答复/);
});

test('a question linked to an entry as a phrasing is answered with it at once, and after a restart', async (t) => {
  const app = await consoleApp(t);
  await question(app, { id: 'q4', text: UNANSWERED, openid: 'o-asker', suggestions: ['overdue-no-reply'] });
  const han = await loggedIn(app, 'han');
  t.not(app.guide.ask(UNANSWERED).entry?.id, 'overdue-no-reply');
  await han.post('/admin/questions/q4/phrasing', { entryId: 'overdue-no-reply', text: UNANSWERED }, '/admin/questions/q4');
  t.regex((await han.page('/admin/questions/q4')).html, /已加为“超过期限还没答复怎么办”的问法/);
  t.is((await app.conversations.listUnanswered({}, { order: 'oldest' })).questions[0]!.status, 'added-to-guide');
  t.is(app.guide.ask(UNANSWERED).entry?.id, 'overdue-no-reply');
  const entry = app.guide.guide.entry('overdue-no-reply')!;
  // The citizen asking again gets the entry's answer in the chat.
  const { reply } = await say(app, 'o-asker', UNANSWERED);
  t.true(reply?.includes(entry.answer.slice(0, 20)), reply ?? '(no passive reply)');

  await app.stop();
  const again = await startApp(t, { dataDir: app.dir, clock: app.clock });
  t.is(again.services.guide.ask(UNANSWERED).entry?.id, 'overdue-no-reply');
  // In the store (under DATA_DIR on the embedded engine), not in data/guide/.
  if (again.repos.engine === 'embedded') t.true((await readFile(path.join(app.dir, 'guide-additions.json'), 'utf8')).includes(UNANSWERED));
  else t.true((await again.repos.guideAdditions.phrasings()).some((p) => p.text === UNANSWERED && p.entryId === 'overdue-no-reply'));
  t.false((await readFile(path.join(process.cwd(), 'data/guide/entries.json'), 'utf8')).includes(UNANSWERED));
});

test('a drafted entry is answered at once; bad input gives a clear Chinese message and changes nothing', async (t) => {
  const app = await consoleApp(t);
  await question(app, { id: 'q5', text: '防空地下室开放日是哪天', openid: 'o-asker' });
  const han = await loggedIn(app, 'han');
  const entries = app.guide.guide.entries().length;

  for (const [form, message] of [
    [{ section: '', question: '防空地下室开放日是哪天', answer: '每年9月。' }, /请选择栏目/],
    [{ section: 'contact', question: '', answer: '每年9月。' }, /请填写标题问题/],
    [{ section: 'contact', question: '防空地下室开放日是哪天', answer: '' }, /请填写答案/],
    [{ section: 'contact', question: '防空地下室开放日是哪天', answer: '开'.repeat(601) }, /答案不超过600字（现在601字）/],
    [{ section: 'contact', question: '什么是政府信息', answer: '每年9月。' }, /已有同样标题的条目/],
  ] as const) {
    const response = await han.post('/admin/questions/q5/entry', form, '/admin/questions/q5');
    t.is(response.status, 303);
    t.regex((await han.page('/admin/questions/q5')).html, message);
  }
  const phrasing = await han.post('/admin/questions/q5/phrasing', { entryId: 'nope', text: '问法' }, '/admin/questions/q5');
  t.is(phrasing.status, 303);
  t.regex((await han.page('/admin/questions/q5')).html, /请选择指南中已有的条目/);
  t.is(app.guide.guide.entries().length, entries);
  t.is((await app.conversations.listUnanswered({}, { order: 'oldest' })).questions[0]!.status, 'open');

  const answer = '每年9月第三个星期六（全民国防教育日）开放参观，9:00—16:00。';
  await han.post('/admin/questions/q5/entry', { section: 'contact', question: '防空地下室开放日是哪天', answer }, '/admin/questions/q5');
  t.regex((await han.page('/admin/questions/q5')).html, /已新增条目“防空地下室开放日是哪天”/);
  t.is(app.guide.guide.entries().length, entries + 1);
  const reply = app.guide.ask('防空地下室开放日是哪天');
  t.is(reply.status, 'answered');
  t.is(reply.answer, answer);
  t.is((await app.conversations.listUnanswered({}, { order: 'oldest' })).questions[0]!.status, 'added-to-guide');
});

test('the bot’s record of an unanswered question carries the asker, for the reply', async (t) => {
  const app = await consoleApp(t);
  // A question the guide is unsure about (it names a topic, but not clearly enough to answer): the
  // first of a few vague ones, since which are vague changes as the guide's data is tuned.
  const vague = ['能不能查人防工程的位置', '人防的事找谁', '那个材料的事怎么弄', '信息的事情问一下', '我想了解一下情况']
    .map((q) => `我的电话13800138000，${q}`)
    .find((q) => app.guide.ask(q).status === 'unsure');
  t.truthy(vague, 'one of the vague questions leaves the guide unsure');
  const { reply } = await say(app, 'o-chat', vague!);
  t.regex(reply ?? '', /已转给工作人员/);
  const [recorded] = (await app.conversations.listUnanswered({}, { order: 'oldest' })).questions;
  t.is(recorded!.openid, 'o-chat');
  const page = (await (await loggedIn(app, 'han')).page(`/admin/questions/${recorded!.id}`)).html;
  t.false(page.includes('o-chat'));
  t.regex(page, /发送答复/);
});
