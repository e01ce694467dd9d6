// The small things staff noticed in the console (issue 18, point 8): Chinese throughout, a page
// rather than JSON for an unknown address, figure names in Chinese in the report form, a registered
// letter's dates in order, one name per document, no nested 书名号, the delivery form's
// double-submit guard, and on a phone the actions before the applicant and a menu that shows it
// scrolls. Walked in Chromium at desktop and phone widths; screenshots in test/output/.
import { CHROMIUM } from './helpers/browser.js';
import test, { type ExecutionContext } from 'ava';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleApp, loggedIn, record, PASSWORD, type ConsoleApp } from './helpers/console-app.js';
import { bookTitle } from '../src/domain/book-title.js';
import { fillPlaceholders } from '../src/report/figures.js';
import { idNumber } from './helpers/id-number.js';

const OUTPUT = path.resolve('test/output');

async function logIn(page: Page, app: ConsoleApp, username: string): Promise<void> {
  await page.goto(`${app.url}/admin`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${app.url}/admin`);
}

async function openBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch(CHROMIUM);
  t.teardown(() => browser.close());
  return browser;
}

test('titles in 书名号 never nest: inner marks become 〈〉', (t) => {
  t.is(bookTitle('关于加强人防工程管理的通知'), '《关于加强人防工程管理的通知》');
  t.is(bookTitle('《关于加强人防工程管理的通知》政策解读'), '《〈关于加强人防工程管理的通知〉政策解读》');
  t.is(bookTitle('《人民防空法》'), '《人民防空法》', 'already a title: not wrapped twice');
  t.is(bookTitle('《甲》与《乙》对照'), '《〈甲〉与〈乙〉对照》');
});

test('the report texts take Chinese figure names; the dotted ones keep working', (t) => {
  const figures = { 'requests.newReceived.total': 12, 'published.total': 30 };
  t.deepEqual(fillPlaceholders('本年新收申请 {{本年新收申请数}} 件，公开 {{ 主动公开信息数 }} 条。', figures), { text: '本年新收申请 12 件，公开 30 条。', unknown: [] });
  t.deepEqual(fillPlaceholders('{{requests.newReceived.total}}', figures), { text: '12', unknown: [] });
  t.deepEqual(fillPlaceholders('{{不存在的名称}}', figures).unknown, ['不存在的名称']);
});

test('console pages speak Chinese: no (system), (demo), feed or dotted figure names; an unknown page is a page', async (t) => {
  const app = await consoleApp(t);
  const admin = await loggedIn(app, 'admin');

  const users = await admin.page('/admin/users');
  t.false(/（system）|（demo）|\(system\)|\(demo\)/.test(users.html), 'who created an account is said in Chinese');
  t.regex(users.html, /（系统）/);

  const report = await admin.page('/admin/report?year=2025');
  t.is(report.status, 200);
  t.false(report.html.includes('{{requests.'), 'the hint names figures in Chinese');
  t.regex(report.html, /\{\{本年新收申请数\}\}/);

  const unknown = await admin.page('/admin/no-such-page');
  t.is(unknown.status, 404);
  t.regex(unknown.response.headers.get('content-type') ?? '', /text\/html/);
  t.regex(unknown.html, /<h1>找不到页面<\/h1>/);
  t.regex(unknown.html, /<nav aria-label="主菜单">/, 'in the console frame, with the menu');
  t.false(unknown.html.includes('"error"'));
  // The staff API keeps answering JSON.
  const api = await admin.request('GET', '/admin/v1/no-such-route');
  t.is(api.status, 404);
  t.regex(api.headers.get('content-type') ?? '', /json/);
  // So does a version of it that does not exist: a program reads an error it can parse.
  const guessed = await admin.request('GET', '/admin/v2/users');
  t.is(guessed.status, 404);
  t.regex(guessed.headers.get('content-type') ?? '', /json/);

  // Someone not logged in is sent to the login page first, as for every console page.
  const anonymous = await fetch(`${app.url}/admin/no-such-page`, { redirect: 'manual' });
  t.is(anonymous.status, 303);
});

test('a registered letter is submitted on the day it came, so 收到日期 is never before 提交日期', async (t) => {
  const app = await consoleApp(t);
  const reg = await loggedIn(app, 'reg');
  const { html: blank } = await reg.page('/admin/applications/new');
  const formId = /name="form-id" value="([\w-]+)"/.exec(blank)![1]!;
  const done = await reg.post(
    '/admin/applications/new',
    {
      'form-id': formId,
      'received-on': '2026-03-10',
      'applicant-type': 'person',
      name: '陈来信',
      'id-number': idNumber('42020219800101123'),
      phone: '13900001111',
      address: '湖北省黄石市下陆区团城山街道 1 号',
      postcode: '435000',
      description: '请公开本市 2025 年人防工程易地建设费的收缴和使用情况。',
      'delivery-form': 'paper',
      'delivery-method': 'post',
    },
    '/admin/applications/new',
  );
  t.is(done.status, 303);
  const view = app.applications.view((await app.applications.all())[0]!, 'staff-full');
  t.is(view.submittedOn, '2026-03-10');
  t.is(view.receivedOn, '2026-03-10');
  const { html } = await reg.page(done.headers.get('location')!);
  t.regex(html, /<dt>提交日期<\/dt><dd>2026年3月10日（周二）<\/dd>\s*<dt>收到日期<\/dt><dd>2026年3月10日（周二）<\/dd>/);
});

test('in Chromium: one name per document, the delivery form sends once, and on a phone the actions come first and the menu shows it scrolls', async (t) => {
  await mkdir(OUTPUT, { recursive: true });
  const app = await consoleApp(t);
  const [decided] = await app.applications.import(
    [record('请公开2025年度人防工程建设审批事项清单', [{ type: 'receive', on: '2026-03-02' }, { type: 'decide', on: '2026-03-13', outcome: 'granted' }])],
    'admin',
  );
  const browser = await openBrowser(t);

  const desk = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })).newPage();
  const problems: string[] = [];
  desk.on('pageerror', (error) => problems.push(error.message));
  await logIn(desk, app, 'han');
  await desk.goto(`${app.url}/admin/applications/${decided!.id}`);

  // The timeline's link and the document list say the same name.
  const listed = (await desk.locator('ul.documents .doc-title').allInnerTexts()).map((s) => s.trim());
  const linked = (await desk.locator('table.timeline td[data-label="文书"] a').allInnerTexts()).map((s) => s.trim());
  t.true(linked.length >= 2);
  for (const name of linked) t.true(listed.includes(name), `${name} is in the document list under the same name`);

  // The delivery form has a field named "method"; a double click still records one delivery.
  const action = desk.locator('details.action', { has: desk.locator('summary', { hasText: /^送达答复$/ }) });
  await action.locator('summary').click();
  await desk.screenshot({ path: path.join(OUTPUT, 'console-deliver-form.png'), fullPage: true });
  const button = action.getByRole('button', { name: '送达答复' });
  await button.dblclick();
  await desk.locator('.flash.ok', { hasText: '已记录：送达答复' }).waitFor();
  const delivered = (await app.applications.get(decided!.id)).events.filter((e) => e.type === 'deliver');
  t.is(delivered.length, 1, 'one delivery recorded');
  t.deepEqual(problems, [], 'no script errors (form.method.toLowerCase is not a function)');

  // A phone-sized WeChat webview.
  const phone = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })).newPage();
  phone.on('pageerror', (error) => problems.push(error.message));
  await logIn(phone, app, 'admin');
  const [open] = await app.applications.import([record('请公开人防工程竣工验收备案材料目录', [{ type: 'receive', on: '2026-03-02' }])], 'admin');
  await phone.goto(`${app.url}/admin/applications/${open!.id}`);
  const actionsTop = (await phone.locator('#h-actions').boundingBox())!.y;
  const applicantTop = (await phone.locator('#h-applicant').boundingBox())!.y;
  t.true(actionsTop < applicantTop, 'what to do next comes before who applied');
  await phone.screenshot({ path: path.join(OUTPUT, 'console-request-phone.png'), fullPage: true });

  // The menu is wider than the screen: it scrolls, shows a shadow at the edge with more entries,
  // and keeps the current page's entry in sight.
  await phone.goto(`${app.url}/admin/users`);
  const menu = phone.locator('.top nav ul');
  const sizes = await menu.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, left: el.scrollLeft, background: el.ownerDocument.defaultView!.getComputedStyle(el).backgroundImage }));
  t.true(sizes.scroll > sizes.client, 'the menu overflows on a phone');
  t.regex(sizes.background, /radial-gradient/, 'an edge shadow says there is more');
  t.true(sizes.left > 0, 'scrolled to the current entry');
  const current = (await phone.locator('.top nav a[aria-current="page"]').boundingBox())!;
  t.true(current.x >= 0 && current.x + current.width <= 375, 'the current entry (用户) is in sight');
  await phone.screenshot({ path: path.join(OUTPUT, 'console-menu-phone.png') });
  t.deepEqual(problems, []);
});
