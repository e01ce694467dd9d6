// The WeChat simulator in a real browser (Debian's Chromium through playwright-core), on a freshly
// started server: the page signs (and in safe mode encrypts) its pushes with WebCrypto, so these
// tests are also the proof that its WeChat protocol is the server's.
import test from 'ava';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { incoming, launchChromium, outputFolder, say, waitForIncoming } from './helpers/browser.js';
import { client, staffLogin, startApp } from './helpers/app.js';

const OUTPUT = outputFolder();
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;
// Functions handed to page.evaluate run in the page, where globalThis is the window; the project
// compiles without DOM types, hence `(globalThis as any)` in them.
/** Script errors and failed loads each page reported; every test ends by checking there were none. */
const pageProblems = new WeakMap<Page, string[]>();
const noPageErrors = (t: import('ava').ExecutionContext, page: Page) => t.deepEqual(pageProblems.get(page), [], 'the page reported errors');

test.before(async () => {
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
});

async function openSimulator(t: import('ava').ExecutionContext, url: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // API answers of 4xx are expected (a refused form); a page resource that fails is not.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('response', (response) => {
    const kind = response.request().resourceType();
    if (response.status() >= 400 && ['document', 'script', 'stylesheet', 'image', 'font'].includes(kind)) {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  pageProblems.set(page, problems);
  await page.goto(`${url}/sandbox`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}


async function clickMenu(page: Page, parent: string, item: string, expected: RegExp): Promise<string> {
  const before = (await incoming(page)).length;
  await page.click(`.menu-parent:has-text("${parent}")`);
  await page.click(`.submenu:visible .menu-leaf:has-text("${item}")`);
  return waitForIncoming(page, before, expected);
}

test.serial('a guide question, a request filled and confirmed in the chat, and the staff decision arriving in the chat', async (t) => {
  const running = await startApp(t, { env: { DEMO_DATA: 'on' } });
  const page = await openSimulator(t, running.url);
  try {
    await t.notThrowsAsync(waitForIncoming(page, 0, /欢迎关注/), 'following the account is greeted');
    t.regex(await page.textContent('.banner') ?? '', /沙盒模式 · 模拟微信，不会发送真实消息/);

    t.regex(await say(page, '申请公开要多久', /20个工作日/), /第三十三条/);

    await clickMenu(page, '我要申请', '对话申请', /以什么身份申请/);
    await say(page, '个人', /申请人姓名/);
    await say(page, '张三', /身份证号/);
    await say(page, '11010519491231002X', /联系电话/);
    await say(page, '13800138000', /描述您要申请公开的政府信息/);
    await say(page, '请公开本市人防工程建设审批事项的办理结果清单', /什么形式/);
    await say(page, '电子', /什么方式获取/);
    await say(page, '电子邮件', /电子邮箱/);
    const summary = await say(page, 'zhangsan@example.com', /请核对您的申请/);
    t.false(summary.includes('11010519491231002X'), 'the summary masks the ID number');
    const receipt = await say(page, '确认', /申请已提交，申请编号 \d{4}-\d{6}/);
    t.regex(receipt, /收到日期/);
    const trackingNo = /申请编号 (\d{4}-\d{6})/.exec(receipt)![1]!;
    await page.screenshot({ path: path.join(OUTPUT, 'sandbox-receipt.png') });

    // The handler decides through the staff API; the notification reaches the chat through WeChat.
    const application = (await running.services.applications.byTrackingNo(trackingNo));
    t.truthy(application, `the chat's request ${trackingNo} is stored`);
    const staff = await staffLogin(running.url);
    const call = client(running.url);
    const decided = await call(
      'POST',
      `/admin/v1/applications/${application!.id}/events`,
      { type: 'decide', on: running.services.applications.today(), outcome: 'granted' },
      staff,
    );
    t.is(decided.status, 200, JSON.stringify(decided.body));
    t.is(decided.body.status, 'decided');
    const before = (await incoming(page)).length;
    // The decision is sent by the outbox at once (nudged by the event); running the job too is harmless.
    const job = await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);
    t.is(job.status, 200, `outbox job answered ${job.status}`);
    const decision = await waitForIncoming(page, before, new RegExp(`${trackingNo}[\\s\\S]*予以公开|予以公开[\\s\\S]*${trackingNo}`), 20_000);
    t.regex(decision, /予以公开/);
    noPageErrors(t, page);
  } finally {
    await page.screenshot({ path: path.join(OUTPUT, 'sandbox-chat.png') });
  }
});

test.serial('message text is shown as text, the two test users keep separate chats, and later messages come from the outbox', async (t) => {
  const running = await startApp(t);
  const page = await openSimulator(t, running.url);
  await waitForIncoming(page, 0, /欢迎关注/);

  const markup = '<img src=x onerror="document.body.dataset.injected=1">';
  await say(page, markup, /./);
  t.is(await page.locator('#messages img').count(), 0);
  t.true((await page.locator('#messages .msg.out').allTextContents()).includes(markup));
  t.is(await page.evaluate(() => (globalThis as any).document.body.dataset.injected), undefined);

  // A customer-service message to user B while A is on screen: B gets it, A does not see it.
  await running.wechat.sendCustomText('o-sandbox-user-b', '这是发给用户 B 的客服消息');
  await page.waitForFunction(() => /1 条新消息/.test((globalThis as any).document.querySelector('#user-switch option[value="o-sandbox-user-b"]')?.textContent ?? ''));
  t.false((await incoming(page)).some((text) => text.includes('用户 B 的客服消息')));

  await page.selectOption('#user-switch', 'o-sandbox-user-b');
  const forB = await waitForIncoming(page, 0, /用户 B 的客服消息/);
  t.regex(forB, /客服消息/, 'the channel is named under the message');
  await say(page, '联系我们', /秘书科/);

  await page.selectOption('#user-switch', 'o-sandbox-user-a');
  const a = await page.locator('#messages .msg.out').allTextContents();
  t.true(a.includes(markup));
  t.false(a.includes('联系我们'), "B's message is not in A's chat");
  noPageErrors(t, page);
});

test.serial('safe mode: the page encrypts with 32-byte padding and decrypts the encrypted replies', async (t) => {
  const encodingAESKey = randomBytes(32).toString('base64').slice(0, 43);
  const running = await startApp(t, { env: { WECHAT_AES_KEY: encodingAESKey } });
  const page = await openSimulator(t, running.url);
  t.regex((await page.textContent('.phone-bar')) ?? '', /安全模式/);
  await waitForIncoming(page, 0, /欢迎关注/);
  // Lengths around the block boundaries, multi-byte text, and "]]>" that must be split in CDATA.
  t.regex(await say(page, '申请公开要多久', /20个工作日/), /第三十三条/);
  t.regex(await say(page, '要收费吗]]>', /./), /./);
  for (const text of ['a', 'ab'.repeat(8), '费'.repeat(11), '申请公开要多久'.repeat(6)]) {
    await t.notThrowsAsync(say(page, text, /./), `message of ${Buffer.byteLength(text)} bytes`);
  }
  t.is(await page.locator('#messages .msg.note:has-text("没有送达")').count(), 0);
  noPageErrors(t, page);
});

test.serial('the mini-program panel logs in, submits a request, shows its timeline, and handles subscriptions', async (t) => {
  const running = await startApp(t);
  const page = await openSimulator(t, running.url);

  await page.click('#mp-login');
  await page.waitForSelector('#mp-session:has-text("o-sandbox-user-a")');

  // A wrong ID number is refused next to its field, in Chinese.
  await page.click('#mp-sample');
  await page.fill('[name="applicant.idNumber"]', '110105194912310021');
  await page.click('#mp-apply button[type="submit"]');
  await page.waitForSelector('[data-error-for="applicant.idNumber"]:has-text("校验位")');

  await page.click('#mp-sample');
  await page.click('#mp-apply button[type="submit"]');
  const result = (await page.waitForSelector('#mp-apply-result:has-text("申请编号")')).textContent();
  const trackingNo = /申请编号 (\d{4}-\d{6})/.exec((await result) ?? '')![1]!;

  await page.click(`#mp-applications button:has-text("${trackingNo}")`);
  const detail = await page.waitForSelector('#mp-detail .timeline');
  const timeline = (await detail.textContent()) ?? '';
  t.regex(timeline, /提交申请/);
  t.regex(timeline, /确认收到/);

  // The same user in the chat sees the request made in the mini-program.
  t.regex(await say(page, '查询进度', new RegExp(trackingNo)), /答复期限/);

  await page.click('#mp-subscriptions');
  const subscriptions = (await page.waitForSelector('#mp-subscriptions-result:not(:empty)')).textContent();
  t.regex((await subscriptions) ?? '', /订阅接口尚未开通|已订阅 \d+ 个栏目/);
  noPageErrors(t, page);
});

test.serial('at phone width the chat fits the screen without sideways scrolling', async (t) => {
  const running = await startApp(t);
  const page = await openSimulator(t, running.url, PHONE);
  await waitForIncoming(page, 0, /欢迎关注/);
  t.true(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth));
  for (const selector of ['#composer-text', '.menu', '.banner']) {
    const box = await page.locator(selector).boundingBox();
    t.truthy(box, `${selector} is shown`);
    t.true(box!.x >= 0 && box!.x + box!.width <= PHONE.width && box!.y + box!.height <= PHONE.height, `${selector} is on screen`);
  }
  t.regex(await say(page, '要收费吗', /./), /./);
  await page.screenshot({ path: path.join(OUTPUT, 'sandbox-phone.png') });
  noPageErrors(t, page);
});
