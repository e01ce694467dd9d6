// The bot on wechaty-puppet-mock: the same dialogs as on the official account, driven through
// Wechaty's own message path, with the real services on a temporary store.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { Store } from '../src/store/store.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { ConversationsRepo } from '../src/store/conversations-repo.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { loadAgency } from '../src/agency.js';
import { loadGuideService } from '../src/guide/service.js';
import { createDialog } from '../bot/dialog.js';
import { createBot } from '../bot/bot.js';
import { tempDir } from './helpers/temp.js';

async function setup(t: any, now = new Date('2026-11-30T02:00:00Z')) {
  const dir = await tempDir(t);
  let clockNow = now;
  const clock = () => clockNow;
  const store = await Store.open(dir);
  const applications = new ApplicationsService(await ApplicationsRepo.open(store), await calendarOf(dir), clock);
  const conversations = await ConversationsRepo.open(store);
  const agency = await loadAgency('data');
  const guide = await loadGuideService('data', agency);
  const dialog = createDialog({ guide, applications, conversations, agency: { name: agency.name, contact: agency.contactLine }, clock });

  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const bot = createBot({ puppet, dialog, onError: (e) => t.log(String(e)) });
  await bot.start();
  const account = mocker.createContact({ name: '黄石民防' });
  mocker.login(account);
  await new Promise((resolve) => bot.once('login', resolve));
  const citizen = mocker.createContact({ name: '市民' });

  const replies: string[] = [];
  (citizen as unknown as EventEmitter).on('message', (m: { payload?: { talkerId?: string; text?: string } }) => {
    if (m.payload?.talkerId === account.id) replies.push(m.payload.text ?? '');
  });
  /** Says `text` as the citizen and resolves with the bot's reply. */
  const say = async (text: string): Promise<string> => {
    const before = replies.length;
    citizen.say(text).to(account);
    for (let i = 0; i < 200 && replies.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    return replies[before] ?? '(no reply)';
  };
  t.teardown(async () => {
    await bot.stop();
    await store.close();
  });
  return { say, citizen, applications, setNow: (iso: string) => (clockNow = new Date(iso)) };
}

async function calendarOf(dir: string) {
  const source = await CalendarSource.open('data', dir);
  return () => source.current();
}

test('a guide question is answered through Wechaty', async (t) => {
  const { say } = await setup(t);
  t.regex(await say('申请公开要多久'), /20\s*个工作日/);
  t.regex(await say('今天天气怎么样'), /不在政府信息公开的范围/);
});

test('the chat form end to end: re-asks on bad answers, goes back, confirms, creates one request', async (t) => {
  const { say, citizen, applications } = await setup(t);
  t.regex(await say('我要申请'), /个人.*单位/s);
  t.regex(await say('外星人'), /个人|单位/);
  t.regex(await say('个人'), /姓名/);
  t.regex(await say('张三'), /身份证/);
  const wrongId = await say('110105194912310021');
  t.regex(wrongId, /校验|不正确/);
  t.regex(await say('11010519491231002X'), /电话/);
  t.regex(await say('123'), /电话|手机/);
  t.regex(await say('返回'), /身份证/);
  t.regex(await say('11010519491231002X'), /电话/);
  t.regex(await say('13800138000'), /描述|申请公开的政府信息/);
  t.regex(await say('请公开2025年度人防工程建设审批结果清单'), /纸质|电子/);
  t.regex(await say('电子版'), /方式/);
  const summary = await say('微信');
  t.regex(summary, /请核对/);
  t.regex(summary, /110\*+002X/, 'the ID number is masked in the summary');
  const receipt = await say('确认');
  t.regex(receipt, /申请编号 2026-\d{6}/);
  t.regex(receipt, /2026年12月28日/);
  const mine = await applications.listMine(citizen.id);
  t.is(mine.length, 1);
  t.is(mine[0]!.channel, 'wechat');
  t.regex(await say('查询进度'), /办理中/);
});

test('"取消" drops the form; an idle form expires after a day with a polite message', async (t) => {
  const { say, applications, citizen, setNow } = await setup(t);
  await say('我要申请');
  t.regex(await say('取消'), /已取消/);
  t.regex(await say('个人'), /.+/);
  await say('我要申请');
  await say('个人');
  setNow('2026-12-02T02:00:00Z');
  t.regex(await say('张三'), /超过一天未完成/);
  t.is((await applications.listMine(citizen.id)).length, 0);
});
