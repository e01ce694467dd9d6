// Issue 18's 补正 and decision messages as a citizen sees them in the sandbox simulator (Chromium),
// with the clerk's side in the console: the 补正 card, the answer typed in the chat, the supplement
// on the clerk's page, the decision card, and the reply letter its 详情 opens. Screenshots go to
// test/output/ (journey-*.png).
import test, { type ExecutionContext } from 'ava';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { incoming, launchChromium, outputFolder, say, waitForIncoming } from './helpers/browser.js';
import { ADMIN, client, staffLogin, startApp } from './helpers/app.js';

const OUTPUT = outputFolder();
let browser: Browser;

test.before(async () => {
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
});

/** The server and its simulator page, with the page's script errors collected. */
async function openSimulator(t: ExecutionContext) {
  const running = await startApp(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${running.url}/sandbox`);
  await page.waitForSelector('body[data-ready="true"]');
  return { running, context, page, problems };
}

test('the 补正 and decision messages in the simulator, the supplement on the clerk\'s page, and the letter behind 详情', async (t) => {
  const { running, context, page, problems } = await openSimulator(t);
  await waitForIncoming(page, 0, /欢迎关注/);

  await say(page, '我要申请', /以什么身份申请/);
  for (const [answer, next] of [
    ['个人', /申请人姓名/],
    ['张三', /身份证号/],
    ['11010519491231002X', /联系电话/],
    ['13800138000', /描述您要申请公开的政府信息/],
    ['请公开本市2025年度人防工程建设审批事项的办理结果清单', /什么形式/],
    ['电子', /什么方式获取/],
    ['微信', /请核对您的申请/],
  ] as const) {
    await say(page, answer, next);
  }
  const receipt = await say(page, '确认', /申请已提交，申请编号 \d{4}-\d{6}/);
  const trackingNo = /申请编号 (\d{4}-\d{6})/.exec(receipt)![1]!;
  const application = (await running.services.applications.byTrackingNo(trackingNo))!;
  const call = client(running.url);
  const staff = await staffLogin(running.url);
  const today = running.services.applications.today();

  // The clerk asks for a 补正; the simulator shows the card WeChat would show.
  let before = (await incoming(page)).length;
  const asked = await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'request-supplement', on: today, items: ['申请信息所属的年份', '工程名称或所在位置'], days: 10 }, staff);
  t.is(asked.status, 200, JSON.stringify(asked.body));
  const card = await waitForIncoming(page, before, /需补正/);
  t.regex(card, new RegExp(trackingNo));
  t.regex(card, /补正截止\d{4}年\d+月\d+日/);
  t.regex(card, /申请信息所属的年份等2项/);
  t.regex(card, /详情/);
  await page.screenshot({ path: path.join(OUTPUT, 'journey-supplement-card.png') });

  // 详情 opens the full notice, with its items.
  const [notice] = await Promise.all([context.waitForEvent('page'), page.locator('#messages .msg.in a.card-footer').last().click()]);
  await notice.waitForLoadState();
  const noticeText = (await notice.textContent('body')) ?? '';
  t.regex(noticeText, /申请信息所属的年份/);
  t.regex(noticeText, /工程名称或所在位置/);
  await notice.screenshot({ path: path.join(OUTPUT, 'journey-supplement-notice.png'), fullPage: true });
  await notice.close();

  // The applicant answers in the chat, in one message.
  const received = await say(page, '补正：2025年，黄石市某某路人防地下室', /补正已收到/);
  t.regex(received, /最迟于\d{4}年\d+月\d+日(（暂定）)?（含当日）作出答复/);
  await page.screenshot({ path: path.join(OUTPUT, 'journey-supplement-answered.png') });

  // The clerk's console shows it arrived, and offers delivery by WeChat (the applicant chose it).
  const consolePage = await context.newPage();
  await consolePage.goto(`${running.url}/admin/login`);
  await consolePage.fill('input[name="username"]', ADMIN.username);
  await consolePage.fill('input[name="password"]', ADMIN.password);
  await Promise.all([consolePage.waitForURL(/\/admin(\/|$)/), consolePage.click('button[type="submit"]')]);
  await consolePage.goto(`${running.url}/admin/applications/${application.id}`);
  const timeline = (await consolePage.textContent('table.timeline')) ?? '';
  t.regex(timeline, /收到补正[\s\S]*2025年，黄石市某某路人防地下室/);
  await consolePage.screenshot({ path: path.join(OUTPUT, 'journey-supplement-console.png'), fullPage: true });

  // The decision: its card states the outcome and ground; 详情 opens the reply letter.
  before = (await incoming(page)).length;
  const decided = await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'decide', on: today, outcome: 'withheld-third-party' }, staff);
  t.is(decided.status, 200, JSON.stringify(decided.body));
  const decision = await waitForIncoming(page, before, /已答复/);
  t.regex(decision, /不予公开：保护第三方合法权益/);
  await page.screenshot({ path: path.join(OUTPUT, 'journey-decision-card.png') });
  const [letter] = await Promise.all([context.waitForEvent('page'), page.locator('#messages .msg.in a.card-footer').last().click()]);
  await letter.waitForLoadState();
  const letterText = (await letter.textContent('body')) ?? '';
  t.regex(letterText, /行政复议/);
  t.regex(letterText, /下载 Word 版/);
  t.false(letterText.includes('11010519491231002X'));
  await letter.screenshot({ path: path.join(OUTPUT, 'journey-decision-letter.png'), fullPage: true });

  // The deliver form on the console offers WeChat, which this applicant chose.
  await consolePage.reload();
  t.is(await consolePage.locator('#act-deliver select[name="method"] option[value="wechat"]').count(), 1);
  // 查询进度 in the chat says the same and links the letter again.
  t.regex(await say(page, '查询进度', /已作出答复/), /理由：保护第三方合法权益[\s\S]*答复书：http/);
  await page.screenshot({ path: path.join(OUTPUT, 'journey-decision-progress.png') });
  t.deepEqual(problems, []);
});

test('the mini-program panel shows a pending 补正 with its items and answers it', async (t) => {
  const { running, context, page, problems } = await openSimulator(t);
  await page.click('#mp-login');
  await page.waitForSelector('#mp-session:has-text("o-sandbox-user-a")');
  await page.click('#mp-sample');
  await page.click('#mp-apply button[type="submit"]');
  const result = (await (await page.waitForSelector('#mp-apply-result:has-text("申请编号")')).textContent()) ?? '';
  const trackingNo = /申请编号 (\d{4}-\d{6})/.exec(result)![1]!;
  const application = (await running.services.applications.byTrackingNo(trackingNo))!;
  const staff = await staffLogin(running.url);
  const asked = await client(running.url)(
    'POST',
    `/admin/v1/applications/${application.id}/events`,
    { type: 'request-supplement', on: running.services.applications.today(), items: ['申请信息所属的年份'], days: 10 },
    staff,
  );
  t.is(asked.status, 200);

  await page.click('#mp-list');
  await page.click(`#mp-applications button:has-text("${trackingNo}")`);
  const form = await page.waitForSelector('#mp-supplement');
  t.regex((await form.textContent()) ?? '', /需要补正[\s\S]*申请信息所属的年份[\s\S]*请最迟于/);
  t.regex((await page.textContent('#mp-detail')) ?? '', /等待您补正，答复期限暂停计算/);
  t.notRegex((await page.textContent('#mp-detail')) ?? '', /征求/);
  t.regex((await page.textContent('#mp-detail .documents')) ?? '', /补正申请告知书/);
  await page.locator('#mp-supplement').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUTPUT, 'journey-mp-supplement.png') });
  await page.fill('#mp-supplement textarea[name="text"]', '2025年度');
  await page.click('#mp-supplement button[type="submit"]');
  await page.waitForSelector('#mp-detail .result:has-text("补正已提交")');
  t.regex((await page.textContent('#mp-detail')) ?? '', /办理中，答复期限/);
  t.is(await page.locator('#mp-supplement').count(), 0);
  await page.screenshot({ path: path.join(OUTPUT, 'journey-mp-supplement-sent.png') });
  t.deepEqual(problems, []);
});
