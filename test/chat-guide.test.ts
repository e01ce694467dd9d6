// The guide as a citizen meets it in the official account's chat, through the real webhook: a sure
// answer, a best guess with numbered choices that work, the office's own business answered from the
// published catalog, and a kind decline for other services. No disclosure question is told "out of
// scope", and commands are not logged as questions for staff.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startApp, testClock } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';
import { push, textXml } from './helpers/wechat-client.js';

const msgId = () => String(BigInt('0x' + randomBytes(7).toString('hex')));
const DECLINE = /不在政府信息公开的范围/;

/**
 * The office's data with a twin of the 20-working-days entry, so that one question is sure to fit
 * two entries equally (the real guide's unsure questions change as its data is tuned).
 */
async function contentWithTwin(t: any): Promise<string> {
  const dir = await tempDir(t);
  await cp('data', dir, { recursive: true, filter: (source) => !source.includes(`${path.sep}runtime`) });
  const file = path.join(dir, 'guide/entries.json');
  const entries = JSON.parse(await readFile(file, 'utf8'));
  const original = entries.find((e: any) => e.id === 'reply-time-limit');
  entries.push({ ...original, id: 'reply-time-limit-twin', questions: [`${original.questions[0]}（另一问）`, ...original.questions.slice(1)] });
  await writeFile(file, JSON.stringify(entries));
  return dir;
}

async function chat(t: any, env: Record<string, string> = {}) {
  const app = await startApp(t, { clock: testClock(new Date().toISOString()), env });
  const say = async (openid: string, text: string) => {
    const { status, reply } = await push(app.url, textXml(openid, text, msgId()));
    t.is(status, 200, text);
    return reply ?? '';
  };
  return { app, say };
}

test('a question that names disclosure words is never told it is out of scope', async (t) => {
  const { say } = await chat(t);
  // Each names 申请/公开/答复/补正/复议/收费/年度报告/人防办/你们, in words the guide's phrasings do not use.
  for (const question of [
    '我那个申请交上去到现在都没个音信，你们到底管不管',
    '补正的日子过了会咋样',
    '答复能不能直接发我邮箱里',
    '人防办去年的年度报告放哪了',
    '东西要得多是不是要收费',
    '不服能不能覆议',
  ]) {
    const reply = await say('o-never-off', question);
    t.notRegex(reply, DECLINE, question);
    t.true(reply.length > 40, `${question} → ${reply}`);
  }
});

test('other services are declined kindly, with 12345 to turn to', async (t) => {
  const { say } = await chat(t);
  for (const question of ['明天黄石下雨吗', '公积金怎么提取', '小孩上户口要带啥材料', '帮我写首诗']) {
    const reply = await say('o-off', question);
    t.regex(reply, DECLINE, question);
    t.regex(reply, /12345/, question);
  }
});

test('unsure: the best guess is answered, the next topics are numbered choices that a number or a title opens', async (t) => {
  const { app, say } = await chat(t, { CONTENT_DIR: await contentWithTwin(t) });
  const question = '申请后多久答复';
  const ask = app.services.guide.ask(question);
  t.is(ask.status, 'unsure', 'this question fits two entries equally');
  const reply = await say('o-choices', question);
  t.true(reply.startsWith(`【${ask.title}】`), reply);
  t.true(reply.includes(ask.answer!));
  const [first, second] = ask.alternatives;
  t.true(reply.includes(`1. ${first!.title}`) && reply.includes(`2. ${second!.title}`), reply);

  const byNumber = await say('o-choices', '2');
  t.is(byNumber, `【${second!.title}】\n${app.services.guide.answerById(second!.id)!.answer}`);
  // The choices stay on offer: the other one by its title.
  const byTitle = await say('o-choices', first!.title);
  t.is(byTitle, `【${first!.title}】\n${app.services.guide.answerById(first!.id)!.answer}`);
  t.regex(await say('o-choices', '7'), /请回复 1 到 2 之间的数字/);
  // Another user's "2" is not a choice of theirs.
  t.notRegex(await say('o-other', '2'), new RegExp(second!.title));
});

test('the best guess is passed on to staff as an unanswered question; a bare 取消 is not', async (t) => {
  const { app, say } = await chat(t, { CONTENT_DIR: await contentWithTwin(t) });
  await say('o-staff', '申请后多久答复');
  t.regex(await say('o-staff', '取消'), /没有需要取消的操作/);
  const open = (await app.repos.conversations.listUnanswered({}, { order: 'oldest' })).questions.map((q) => q.text);
  t.deepEqual(open, ['申请后多久答复']);
});

test("the office's own business is answered with what it has published on it, else its contact", async (t) => {
  const { app, say } = await chat(t);
  t.regex(await say('o-business', '人防车位能不能买'), /联系我们|人防车位/);
  await app.services.catalog.service.importFromFeed([
    { fields: { title: '2026年防空警报试鸣公告', category: 'emergency', documentNumber: null, summary: '9月20日上午10时试鸣防空警报', url: 'https://rfb.example.gov.cn/jb/2026', documentKind: null }, indexNo: null, publishedOn: '2026-09-01' },
    { fields: { title: '2025年防空警报试鸣公告', category: 'emergency', documentNumber: null, summary: '9月20日试鸣', url: 'https://rfb.example.gov.cn/jb/2025', documentKind: null }, indexNo: null, publishedOn: '2025-09-01' },
    { fields: { title: '人防警报器维护保养服务采购结果公告', category: 'procurement', documentNumber: null, summary: null, url: null, documentKind: null }, indexNo: null, publishedOn: '2026-10-01' },
    { fields: { title: '2026年部门预算公开', category: 'budgets', documentNumber: null, summary: null, url: null, documentKind: null }, indexNo: null, publishedOn: '2026-02-01' },
  ], true, { at: new Date().toISOString(), url: 'test', found: 4, imported: 4, duplicates: 0, invalid: 0, error: null });

  const reply = await say('o-business', '今年防空警报啥时候试鸣');
  t.regex(reply, /我们公开过这些相关信息/);
  t.true(reply.indexOf('2026年防空警报试鸣公告') < reply.indexOf('2025年防空警报试鸣公告'), 'newest first');
  t.regex(reply, /https:\/\/rfb\.example\.gov\.cn\/jb\/2026/);
  t.notRegex(reply, /部门预算/);
  t.notRegex(reply, /维护保养/, 'an item naming fewer of the words is about something else');
});

test('a number is a choice only when numbered choices were shown', async (t) => {
  const { app, say } = await chat(t);
  const sure = '申请公开要多久';
  t.is(app.services.guide.ask(sure).status, 'answered');
  const answer = await say('o-sure', sure);
  t.notRegex(answer, /回复数字/);
  t.regex(await say('o-sure', '2'), /请直接输入您想了解的问题/);
});
