// The catalog in the console, walked in Chromium (issue 18, point 7): the submitting section drafts
// an item on a page (not the JSON API), the confidentiality reviewer sends it back with a reason,
// the clerk sees that reason on the edit page, corrects the 文号 and submits again, two reviewers
// approve, and the leader pushes it to a subscriber and reads the run's result. A reviewer who also
// submitted an item is not offered, and is refused, its approval. At desktop and phone widths;
// screenshots in test/output/.
import { CHROMIUM } from './helpers/browser.js';
import test, { type ExecutionContext } from 'ava';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleApp, loggedIn, PASSWORD, type ConsoleApp } from './helpers/console-app.js';
import { client, mpLogin } from './helpers/app.js';

const OUTPUT = path.resolve('test/output');
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function openBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch(CHROMIUM);
  t.teardown(() => browser.close());
  return browser;
}

/** A logged-in page of one staff member, recording script errors; confirmation dialogs are accepted. */
async function staffPage(browser: Browser, app: ConsoleApp, username: string, problems: string[], options: Parameters<Browser['newContext']>[0] = { viewport: DESKTOP }): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'zh-CN', ...options })).newPage();
  page.on('pageerror', (error) => problems.push(`${username}: ${error.message}`));
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${app.url}/admin`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
  return page;
}

async function flash(page: Page): Promise<string> {
  return (await page.locator('.flash').first().innerText()).trim();
}

test('draft on a page, returned with a reason, corrected, approved by two others, pushed to a subscriber; at desktop and phone widths', async (t) => {
  await mkdir(OUTPUT, { recursive: true });
  const app = await consoleApp(t);
  const browser = await openBrowser(t);
  const problems: string[] = [];

  // A citizen subscribed to 政策文件及解读 in the mini-program before anything was published.
  const citizen = await mpLogin(app.url, 'o-subscriber-1');
  t.is((await client(app.url)('PUT', '/mp/v1/subscriptions', { categories: ['policies'] }, citizen)).status, 200);

  // The clerk drafts the item; a wrong link comes back with what was typed and a message at the field.
  const clerk = await staffPage(browser, app, 'clerk', problems);
  await clerk.goto(`${app.url}/admin/catalog`);
  await clerk.getByRole('link', { name: '起草条目' }).click();
  await clerk.getByLabel('标题').fill('关于加强结合民用建筑修建防空地下室管理的通知');
  await clerk.getByLabel('栏目').selectOption({ label: '政策文件及解读' });
  await clerk.getByLabel('文号（如有）').fill('黄人防〔2026〕3号');
  await clerk.getByLabel('摘要').fill('明确结建标准、易地建设审批和竣工验收备案的办理要求。');
  await clerk.locator('input[name="url"]').evaluate((input) => input.setAttribute('type', 'text'));
  await clerk.getByLabel(/原文链接/).fill('rfb.huangshi.gov.cn/tzgg/3.html');
  await clerk.getByRole('button', { name: '保存并报送审核' }).click();
  await clerk.locator('.flash.error').waitFor();
  t.regex(await flash(clerk), /有 1 处需要修改，尚未保存/);
  t.regex(await clerk.locator('#e-url').innerText(), /链接应以 http:\/\/ 或 https:\/\/ 开头/);
  t.is(await clerk.getByLabel('标题').inputValue(), '关于加强结合民用建筑修建防空地下室管理的通知', 'what was typed is kept');
  t.is((await app.catalog.service.list({})).total, 0, 'nothing saved from a refused form');
  await clerk.getByLabel(/原文链接/).fill('https://rfb.huangshi.gov.cn/tzgg/3.html');
  await clerk.getByRole('button', { name: '保存并报送审核' }).click();
  await clerk.waitForURL(/\/admin\/catalog\?state=confidentiality-review$/);
  t.regex(await flash(clerk), /《关于加强结合民用建筑修建防空地下室管理的通知》已保存并报送审核：待保密审查/);
  const [item] = (await app.catalog.service.list({})).items;
  t.is(item!.documentNumber, '黄人防〔2026〕3号');

  // The confidentiality reviewer sends it back: the 文号 is wrong.
  const rev = await staffPage(browser, app, 'rev', problems);
  await rev.goto(`${app.url}/admin/catalog`);
  const article = rev.locator('article.item', { hasText: '防空地下室管理的通知' });
  await article.getByLabel('退回原因').fill('文号有误，应为黄人防〔2026〕5号');
  await article.getByRole('button', { name: '退回修改' }).click();
  await rev.locator('.flash.ok').waitFor();
  t.regex(await flash(rev), /已退回修改/);

  // The clerk finds it under 已退回修改, opens it, and reads the reason above the form.
  await clerk.goto(`${app.url}/admin/catalog?state=returned`);
  await clerk.getByRole('link', { name: '按退回意见修改' }).click();
  await clerk.waitForURL(/\/admin\/catalog\/[^/]+\/edit$/);
  t.regex(await clerk.locator('section.returned').innerText(), /退回原因：文号有误，应为黄人防〔2026〕5号[\s\S]*赵保密（rev）（保密审查）退回于/);
  t.is(await clerk.getByLabel('文号（如有）').inputValue(), '黄人防〔2026〕3号', 'the form holds the item as it is');
  await clerk.screenshot({ path: path.join(OUTPUT, 'console-catalog-edit-returned.png'), fullPage: true });
  await clerk.getByLabel('文号（如有）').fill('黄人防〔2026〕5号');
  await clerk.getByRole('button', { name: '保存并报送审核' }).click();
  await clerk.waitForURL(/state=confidentiality-review$/);
  t.regex(await flash(clerk), /已保存并报送审核/);
  const corrected = app.catalog.service.staffView(await app.catalog.service.get(item!.id));
  t.is(corrected.documentNumber, '黄人防〔2026〕5号');
  t.deepEqual(corrected.events.filter((e) => e.type === 'edit').map((e) => (e as { fields: string[] }).fields), [['documentNumber']], 'only the changed field is recorded');

  // Two other people approve; the leader's approval publishes it.
  await rev.goto(`${app.url}/admin/catalog`);
  await rev.locator('article.item', { hasText: '防空地下室管理的通知' }).getByRole('button', { name: '保密审查通过' }).click();
  await rev.locator('.flash.ok').waitFor();
  const chief = await staffPage(browser, app, 'chief', problems);
  await chief.goto(`${app.url}/admin/catalog?state=leader-review`);
  await chief.locator('article.item', { hasText: '防空地下室管理的通知' }).getByRole('button', { name: '审核通过并发布' }).click();
  await chief.locator('.flash.ok').waitFor();
  t.regex(await flash(chief), /已发布/);

  // The leader pushes it now and reads the result: one digest delivered.
  await chief.goto(`${app.url}/admin/catalog`);
  await chief.getByRole('link', { name: '推送记录' }).click();
  t.regex(await chief.locator('main').innerText(), /还没有推送过/);
  await chief.getByRole('button', { name: '立即推送' }).click();
  await chief.locator('.flash.ok').waitFor();
  t.regex(await flash(chief), /推送完成：1 条新条目，已送达 1 位订阅者/);
  const row = chief.locator('table.push-runs tbody tr').first();
  t.is((await row.locator('td[data-label="已送达"]').innerText()).trim(), '1');
  t.is((await row.locator('td[data-label="状态"]').innerText()).trim(), '已完成');
  await chief.screenshot({ path: path.join(OUTPUT, 'console-catalog-push.png'), fullPage: true });
  const outbox = (await client(app.url)('GET', '/__sandbox/outbox')).body as Array<{ api: string; touser: string }>;
  const sent = outbox.filter((r) => r.api === 'subscribe_send' && r.touser === 'o-subscriber-1');
  t.is(sent.length, 1, 'the subscriber got the digest');

  // Pushing again finds nothing new.
  await chief.getByRole('button', { name: '立即推送' }).click();
  await chief.locator('.flash.ok').waitFor();
  t.regex(await flash(chief), /没有新发布的条目需要推送/);

  // A submitter cannot push: no button, and a posted form is refused.
  await clerk.goto(`${app.url}/admin/catalog/push`);
  t.is(await clerk.getByRole('button', { name: '立即推送' }).count(), 0);

  // On a phone: the draft form and the push page fit the screen.
  const phoneClerk = await staffPage(browser, app, 'clerk', problems, PHONE);
  await phoneClerk.goto(`${app.url}/admin/catalog/new`);
  const width = await phoneClerk.evaluate<number>('document.documentElement.scrollWidth');
  t.true(width <= 375, `no sideways scrolling of the page (${width}px)`);
  await phoneClerk.screenshot({ path: path.join(OUTPUT, 'console-catalog-new-phone.png'), fullPage: true });
  const phoneChief = await staffPage(browser, app, 'chief', problems, PHONE);
  await phoneChief.goto(`${app.url}/admin/catalog/push`);
  t.is((await phoneChief.locator('table.push-runs td[data-label="已送达"]').first().innerText()).trim(), '1');
  await phoneChief.screenshot({ path: path.join(OUTPUT, 'console-catalog-push-phone.png'), fullPage: true });

  t.deepEqual(problems, []);
});

test('a reviewer who submitted an item is not offered its approval, and the server refuses it', async (t) => {
  const app = await consoleApp(t);
  await app.accounts.createUser('system', { username: 'both', password: PASSWORD, roles: ['submitter', 'reviewer'], displayName: '钱兼任' });
  const browser = await openBrowser(t);
  const problems: string[] = [];

  const both = await staffPage(browser, app, 'both', problems);
  await both.goto(`${app.url}/admin/catalog/new`);
  await both.getByLabel('标题').fill('2026年人防工程建设情况统计');
  await both.getByLabel('栏目').selectOption({ label: '统计数据' });
  await both.getByRole('button', { name: '保存并报送审核' }).click();
  await both.waitForURL(/state=confidentiality-review$/);
  const article = both.locator('article.item', { hasText: '2026年人防工程建设情况统计' });
  t.is(await article.getByRole('button', { name: '保密审查通过' }).count(), 0, 'no approve button on their own item');
  t.is(await article.getByRole('button', { name: '退回修改' }).count(), 1, 'they may still take it back');

  // Posting the approval anyway (an old page, a crafted form) is refused by the server.
  const [item] = (await app.catalog.service.list({})).items;
  const forged = await loggedIn(app, 'both');
  const answer = await forged.post(`/admin/catalog/${item!.id}?back=confidentiality-review`, { type: 'approve' }, '/admin/catalog');
  t.is(answer.status, 303);
  t.regex((await forged.page('/admin/catalog')).html, /您是该条目的报送人，不能审核通过自己报送的条目/);
  t.is(app.catalog.service.staffView(await app.catalog.service.get(item!.id)).state, 'confidentiality-review');

  // The staff API says the same.
  const login = await client(app.url)('POST', '/admin/v1/session', { username: 'both', password: PASSWORD });
  const api = await client(app.url)('POST', `/admin/v1/catalog/items/${item!.id}/events`, { type: 'approve' }, { Authorization: `Bearer ${login.body.token}` });
  t.is(api.status, 403);
  t.regex(api.body.error.message, /不能审核通过自己报送的条目/);

  // Another reviewer approves it.
  const rev = await staffPage(browser, app, 'rev', problems);
  await rev.goto(`${app.url}/admin/catalog`);
  await rev.locator('article.item', { hasText: '2026年人防工程建设情况统计' }).getByRole('button', { name: '保密审查通过' }).click();
  await rev.locator('.flash.ok').waitFor();
  t.is(app.catalog.service.staffView(await app.catalog.service.get(item!.id)).state, 'leader-review');
  t.deepEqual(problems, []);
});
