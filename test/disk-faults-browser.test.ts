// A full disk as people meet it, in Debian's Chromium: in the WeChat simulator a citizen still gets
// the guide's answers and is told kindly that a request could not be recorded, the mini-program
// panel says the request was not saved, and a staff member's step in the console is refused with
// the same words; once space returns, the same actions work. Screenshots in test/output/.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, outputFolder, say } from './helpers/browser.js';
import { ADMIN, client, mpLogin, personApplication, startApp } from './helpers/app.js';
import { ScriptedFaults } from './helpers/write-faults.js';

const OUTPUT = outputFolder();
const NOT_SAVED = /暂时无法保存/;
let browser: Browser;

test.before(async () => {
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
});

/** Script errors each page reported; the test ends by checking there were none. */
const problems: string[] = [];

async function newPage(t: import('ava').ExecutionContext): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  return page;
}

test('a full disk in the chat simulator, the mini-program panel and the staff console, and after space returns', async (t) => {
  const faults = new ScriptedFaults();
  const app = await startApp(t, { storeFaults: faults });
  const existing = await client(app.url)('POST', '/mp/v1/applications', personApplication(), await mpLogin(app.url, 'o-browser-existing'));

  const sim = await newPage(t);
  await sim.goto(`${app.url}/sandbox`);
  await sim.waitForSelector('body[data-ready="true"]');
  await sim.click('#mp-login');
  await sim.waitForSelector('#mp-session:has-text("o-sandbox-user-a")');
  const staff = await newPage(t);
  await staff.goto(`${app.url}/admin`);
  await staff.getByLabel('用户名').fill(ADMIN.username);
  await staff.getByLabel('密码').fill(ADMIN.password);
  await Promise.all([staff.waitForURL(/\/admin(\/.*)?$/), staff.getByRole('button', { name: '登录' }).click()]);

  for (const step of ['journal-append', 'file-write'] as const) faults.fail(step, 'ENOSPC', { times: Infinity });

  // The chat: the guide answers as usual; a request cannot start, and the citizen is told so.
  t.regex(await say(sim, '申请公开要多久', /工作日/), /20个工作日|二十个工作日/);
  t.regex(await say(sim, '我要申请', NOT_SAVED), /没有记录下来.*再发一次/);
  // The mini-program panel: the request is refused with the same plain words.
  await sim.click('#mp-sample');
  await sim.click('#mp-apply button[type="submit"]');
  await sim.waitForSelector('#mp-apply-result:has-text("暂时无法保存")');
  await sim.screenshot({ path: `${OUTPUT}disk-full-simulator.png`, fullPage: true });

  // The console: the request is still there to read; a step is refused, and says why.
  await staff.goto(`${app.url}/admin/applications/${existing.body.id}`);
  t.regex(await staff.locator('body').innerText(), new RegExp(existing.body.trackingNo));
  staff.on('dialog', (dialog) => void dialog.accept());
  const action = staff.locator('#act-consult-start');
  await action.locator('summary').click();
  await action.getByLabel('征求意见的对象（第三方或其他机关）').fill('市自然资源和规划局');
  await Promise.all([staff.waitForLoadState('load'), action.locator('button[type="submit"]').click()]);
  t.regex(await staff.locator('body').innerText(), NOT_SAVED);
  await staff.screenshot({ path: `${OUTPUT}disk-full-console.png`, fullPage: true });

  // Space returns: the same actions work, without a restart.
  faults.heal();
  t.regex(await say(sim, '我要申请', /以什么身份申请/), /身份/);
  await sim.click('#mp-sample');
  await sim.click('#mp-apply button[type="submit"]');
  await sim.waitForSelector('#mp-apply-result:has-text("申请编号")');
  await sim.screenshot({ path: `${OUTPUT}disk-full-simulator-after.png`, fullPage: true });
  t.deepEqual(problems, [], 'the pages reported script errors');
});
