// The console in a real browser (Debian's chromium, headless, driven by playwright-core): a handler
// logs in, finds the overdue request, asks for a supplement, records it, decides, downloads the reply
// as Word; a registrar does not get the decide button; on a phone-sized screen the inbox is cards.
// Screenshots go to test/output/ (git-ignored) for people to look at.
import { CHROMIUM } from './helpers/browser.js';
import test, { type ExecutionContext } from 'ava';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { consoleApp, seedInbox, PASSWORD, type ConsoleApp } from './helpers/console-app.js';

const OUTPUT = path.resolve('test/output');
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

async function openBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch(CHROMIUM);
  t.teardown(() => browser.close());
  return browser;
}

/** A page that records every Content-Security-Policy complaint and every failed request. */
async function watchedPage(browser: Browser, options: Parameters<Browser['newContext']>[0]) {
  const context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { page, problems };
}

/** A computed style of an element (or of its ::before), read in the page; the test's tsconfig has no DOM types. */
function computed(locator: Locator, property: string, pseudo: string | null = null): Promise<string> {
  return locator.evaluate(
    (element, [name, before]) => element.ownerDocument.defaultView!.getComputedStyle(element, before).getPropertyValue(name),
    [property, pseudo] as const,
  );
}

async function logIn(page: Page, app: ConsoleApp, username: string) {
  await page.goto(`${app.url}/admin`);
  await page.waitForURL(/\/admin\/login\?next=/);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${app.url}/admin`);
}

/** Opens one step's form on the request page, fills it, and posts it. */
async function recordStep(page: Page, step: string, fill: (form: Locator) => Promise<void> = async () => {}) {
  const action = page.locator('details.action', { has: page.locator('summary', { hasText: new RegExp(`^${step}$`) }) });
  await action.locator('summary').click();
  await fill(action);
  await Promise.all([page.waitForLoadState('load'), page.waitForURL(/\/admin\/applications\/[^/]+$/), action.getByRole('button', { name: step }).click()]);
}

test('a handler works an overdue request from the inbox to a decided reply; the wrong role has no decide button', async (t) => {
  await mkdir(OUTPUT, { recursive: true });
  const app = await consoleApp(t);
  const seeded = await seedInbox(app);
  const browser = await openBrowser(t);
  const { page, problems } = await watchedPage(browser, { viewport: { width: 1366, height: 768 } });

  await logIn(page, app, 'han');

  // The inbox: the overdue request is the first row, in red, with its count at the top.
  const first = page.locator('table.inbox tbody tr').first();
  t.is(await first.getAttribute('class'), 'overdue');
  t.is((await first.locator('td').first().innerText()).trim(), seeded.overdue.trackingNo);
  t.is(await computed(first, 'background-color'), 'rgb(253, 236, 234)', 'the stylesheet applies under the CSP');
  t.is(await page.locator('table.inbox tbody tr.due-soon').count(), 1);
  t.is((await page.locator('.counts .overdue strong').innerText()).trim(), '1');
  await page.screenshot({ path: path.join(OUTPUT, 'console-inbox.png') });

  // The request page, from the inbox.
  await Promise.all([page.waitForURL(`${app.url}/admin/applications/${seeded.overdue.id}`), first.getByRole('link').click()]);
  t.regex(await page.locator('.due-box').innerText(), /已逾期/);
  await page.screenshot({ path: path.join(OUTPUT, 'console-request.png'), fullPage: true });

  await recordStep(page, '要求补正', async (form) => {
    await form.getByLabel('需要补正的事项（每行一项）').fill('请写明所需信息的年份\n请提供身份证明复印件');
    await form.getByLabel('补正期限（工作日）').fill('10');
  });
  t.regex(await page.locator('.flash.ok').innerText(), /已记录：要求补正/);
  t.regex(await page.locator('h1').innerText(), /等待补正/);
  t.regex(await page.locator('table.timeline').innerText(), /请提供身份证明复印件/);

  await recordStep(page, '收到补正', (form) => form.getByLabel('补正内容（可选）').fill('所需信息为2025年度'));
  t.regex(await page.locator('h1').innerText(), /办理中/);

  // Deciding asks once more (console.js), then records the outcome.
  const confirmations: string[] = [];
  page.on('dialog', (dialog) => {
    confirmations.push(dialog.message());
    void dialog.accept();
  });
  await recordStep(page, '作出答复', async (form) => {
    await form.getByLabel('办理结果').selectOption('partial');
    await form.getByLabel(/不予公开部分的依据/).selectOption('withheld-third-party');
    await form.getByLabel(/^理由/).fill('其中涉及第三方商业秘密的部分不予公开');
  });
  t.deepEqual(confirmations, ['确定作出答复吗？记录后办理结果不能修改。']);
  t.regex(await page.locator('.flash.ok').innerText(), /已记录：作出答复/);
  t.regex(await page.locator('h1').innerText(), /已答复待送达/);
  t.is(app.applications.view((await app.applications.get(seeded.overdue.id)), 'staff').outcome, 'partial');

  // The reply letter as Word, through the staff API's document route with the console's cookie.
  const reply = page.locator('ul.documents li').last();
  t.regex(await reply.innerText(), /答复|告知/);
  const [download] = await Promise.all([page.waitForEvent('download'), reply.getByRole('link', { name: '下载 Word' }).click()]);
  t.regex(download.suggestedFilename(), /\.docx$/);
  const saved = path.join(OUTPUT, 'console-reply.docx');
  await download.saveAs(saved);
  const docx = await readFile(saved);
  const xml = await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');
  t.true(xml.includes('张三'), 'the reply is addressed to the applicant');
  t.true(xml.includes('部分公开'), 'and says what was decided');
  await page.screenshot({ path: path.join(OUTPUT, 'console-request-decided.png'), fullPage: true });
  t.deepEqual(problems, [], 'no CSP violations, script errors or failed requests');

  // A registrar on an open request: receipt and 补正, but no decision.
  const other = await watchedPage(browser, { viewport: { width: 1366, height: 768 } });
  await logIn(other.page, app, 'reg');
  await other.page.goto(`${app.url}/admin/applications/${seeded.normal.id}`);
  t.is(await other.page.locator('summary', { hasText: '要求补正' }).count(), 1);
  t.is(await other.page.getByRole('button', { name: '作出答复' }).count(), 0);
  t.is(await other.page.locator('summary', { hasText: '作出答复' }).count(), 0);
  t.deepEqual(other.problems, []);
});

test('in a phone-sized WeChat webview the inbox collapses to cards', async (t) => {
  await mkdir(OUTPUT, { recursive: true });
  const app = await consoleApp(t);
  const seeded = await seedInbox(app);
  const browser = await openBrowser(t);
  const { page, problems } = await watchedPage(browser, { viewport: { width: 375, height: 740 }, userAgent: WECHAT_UA, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await logIn(page, app, 'han');

  t.false(await page.locator('table.inbox thead').isVisible(), 'no column headings');
  const card = page.locator('table.inbox tbody tr').first();
  t.is(await computed(card, 'display'), 'block');
  const number = card.locator('td').first();
  t.is(await computed(number, 'content', '::before'), '"编号"', 'each field carries its label');
  t.is((await number.innerText()).trim(), seeded.overdue.trackingNo);
  const width = await page.evaluate<number>('document.documentElement.scrollWidth');
  t.true(width <= 375, `no sideways scrolling (page is ${width}px wide)`);
  await page.screenshot({ path: path.join(OUTPUT, 'console-inbox-wechat.png'), fullPage: true });

  await Promise.all([page.waitForURL(/\/admin\/applications\//), card.getByRole('link').click()]);
  await page.screenshot({ path: path.join(OUTPUT, 'console-request-wechat.png'), fullPage: true });
  t.deepEqual(problems, []);
});
