// The staff console over HTTP, as a browser without JavaScript uses it: login, the pages each role
// sees, forms that post and come back with a message, and the protections around them.
import test from 'ava';
import { Browserless, consoleApp, csrfOf, loggedIn, record, seedInbox, PASSWORD } from './helpers/console-app.js';
import { CONSOLE_CSP } from '../src/admin/console/kit.js';
import { idNumber } from './helpers/id-number.js';
import type { Delivery } from '../src/store/notify-repo.js';

/** Monday 16 March 2026, 10:00 in China. */
const NOW = '2026-03-16T02:00:00Z';

/** The inbox rows, in order: tracking number and the row's classes. */
function inboxRows(html: string): Array<{ no: string; classes: string }> {
  return [...html.matchAll(/<tr(?: class="([^"]*)")?>\s*<td data-label="编号"><a href="\/admin\/applications\/[^"]+">([^<]+)<\/a>/g)].map((m) => ({ no: m[2]!, classes: m[1] ?? '' }));
}

/** A delivery record as the outbox stores it: an applicant's message by template, not yet sent. */
function delivery(fields: Partial<Delivery> & Pick<Delivery, 'key' | 'entryKey'>): Delivery {
  return {
    kind: 'applicant:decided',
    audience: 'applicant',
    applicationId: null,
    recipient: { type: 'applicant', openid: 'o-applicant', app: 'mp' },
    channels: ['oa-template'],
    channelIndex: 0,
    vars: {},
    status: 'pending',
    attempts: 0,
    nextAttemptAt: NOW,
    inFlight: null,
    sentVia: null,
    confirmed: null,
    msgid: null,
    reason: null,
    history: [],
    createdAt: NOW,
    updatedAt: NOW,
    ...fields,
  };
}

function count(html: string, label: string): number {
  const match = new RegExp(`<strong>(\\d+)</strong><span>${label}</span>`).exec(html);
  if (!match) throw new Error(`no count ${label}`);
  return Number(match[1]);
}

test('anonymous visitors go to the login page, which remembers where they were going', async (t) => {
  const app = await consoleApp(t);
  const anonymous = new Browserless(app.url);
  for (const [route, next] of [
    ['/admin', '/admin'],
    ['/admin/applications/abc?x=1', '/admin/applications/abc?x=1'],
    ['/admin/users', '/admin/users'],
  ]) {
    const response = await anonymous.request('GET', route!);
    t.is(response.status, 303, route);
    t.is(response.headers.get('location'), `/admin/login?next=${encodeURIComponent(next!)}`);
  }
  const css = await anonymous.request('GET', '/admin/assets/console.css');
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /text\/css/);
  const login = await anonymous.page('/admin/login?next=%2Fadmin%2Fusers');
  const versioned = /href="(\/admin\/assets\/console\.css\?v=[0-9a-f]+)"/.exec(login.html)![1]!;
  t.regex((await anonymous.request('GET', versioned)).headers.get('cache-control') ?? '', /immutable/);
  t.true(login.html.includes('name="next" value="/admin/users"'));
});

test('login: a CSRF-protected form, an HttpOnly strict session cookie that the staff API accepts, lockout', async (t) => {
  const app = await consoleApp(t);
  const browser = new Browserless(app.url);

  const forged = await browser.request('POST', '/admin/login', { username: 'han', password: PASSWORD });
  t.is(forged.status, 403, 'no login without the form’s token');
  t.regex(await forged.text(), /页面已过期/);

  const wrong = await browser.login('han', 'not-the-password');
  t.is(wrong.status, 401);
  t.regex(await wrong.text(), /用户名或密码错误/);
  t.false(browser.cookies.has('gk_staff'));

  const page = await browser.page('/admin/login?next=%2Fadmin%2Fstats');
  const ok = await browser.request('POST', '/admin/login', { _csrf: csrfOf(page.html), username: 'han', password: PASSWORD, next: '/admin/stats' });
  t.is(ok.status, 303);
  t.is(ok.headers.get('location'), '/admin/stats');
  const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('gk_staff='))!;
  t.regex(cookie, /httponly/i);
  t.regex(cookie, /samesite=strict/i);
  t.regex(cookie, /path=\//i);
  const me = await browser.request('GET', '/admin/v1/me');
  t.is(me.status, 200);
  t.is(((await me.json()) as { username: string }).username, 'han');

  const victim = new Browserless(app.url);
  for (let i = 0; i < 5; i++) await victim.login('reg', `wrong-password-${i}`);
  const locked = await victim.login('reg');
  t.is(locked.status, 429);
  t.regex(await locked.text(), /锁定/);
});

test('every console page has the strict CSP, is not cached, and has no inline script, style or handler', async (t) => {
  const app = await consoleApp(t, {});
  const { overdue } = await seedInbox(app);
  const admin = await loggedIn(app, 'admin');
  for (const route of ['/admin/login', '/admin', '/admin/applications/new', `/admin/applications/${overdue.id}`, '/admin/stats', '/admin/report', '/admin/catalog', '/admin/notify', '/admin/questions', '/admin/calendar', '/admin/users', '/admin/account', '/admin/applications/nope']) {
    const { response, html } = await admin.page(route);
    t.is(response.headers.get('content-security-policy'), CONSOLE_CSP, route);
    t.is(response.headers.get('cache-control'), 'no-store', route);
    t.false(/<script(?![^>]*\ssrc=)[^>]*>/.test(html), `${route}: inline script`);
    t.false(/<style|\sstyle=/.test(html), `${route}: inline style`);
    t.false(/\son[a-z]+=/.test(html), `${route}: inline event handler`);
  }
  t.regex(CONSOLE_CSP, /script-src 'self'/);
  t.regex(CONSOLE_CSP, /style-src 'self'/);
  t.notRegex(CONSOLE_CSP, /unsafe-inline/);
});

test('the inbox: overdue first and marked, due within 5 working days highlighted, paused marked, counts, filters', async (t) => {
  const app = await consoleApp(t);
  const seeded = await seedInbox(app);
  const han = await loggedIn(app, 'han');
  const { html } = await han.page('/admin');

  const rows = inboxRows(html);
  const no = (app: { trackingNo: string }) => app.trackingNo;
  t.deepEqual(
    rows.map((r) => r.no),
    [no(seeded.overdue), no(seeded.dueSoon), no(seeded.normal), no(seeded.paused), no(seeded.unreceived)],
    'overdue first, then by due date; paused and unreceived (no date) last; closed ones not listed',
  );
  t.deepEqual(rows.map((r) => r.classes), ['overdue', 'due-soon', '', 'paused', '']);
  t.regex(html, /逾期 6 个工作日/);
  t.regex(html, /剩 3 个工作日/);
  t.deepEqual(
    ['未办结', '已逾期', '5 个工作日内到期', '暂停计时', '待确认收到', '全部申请'].map((label) => count(html, label)),
    [5, 1, 1, 1, 1, 6],
  );

  const only = async (route: string) => inboxRows((await han.page(route)).html).map((r) => r.no);
  t.deepEqual(await only('/admin?filter=overdue'), [no(seeded.overdue)]);
  t.deepEqual(await only('/admin?filter=due-soon'), [no(seeded.dueSoon)]);
  t.deepEqual(await only('/admin?status=consulting'), [no(seeded.paused)]);
  // The pause shows its end: 15 working days from 5 March (第三十二条、第三十四条).
  t.regex((await han.page(`/admin/applications/${seeded.paused.id}`)).html, /暂停计时：征求意见期间不计入答复期限；对方的 15 个工作日至 2026年3月26日（周四） 届满，未回复的次日起恢复计时/);
  t.deepEqual(await only('/admin?status=delivered'), [no(seeded.closed)]);
  t.deepEqual(await only('/admin?handler=han'), [no(seeded.normal)]);
  t.deepEqual(await only(`/admin?q=${encodeURIComponent('李四')}`), [no(seeded.dueSoon)]);
});

test('what applicants wrote is shown as text, never as markup', async (t) => {
  const app = await consoleApp(t);
  const [evil] = await app.applications.import(
    [record('请公开<script>alert("x")</script>的审批结果清单', [{ type: 'receive', on: '2026-03-02' }], { name: '<b onmouseover=alert()>张三</b>' })],
    'admin',
  );
  const han = await loggedIn(app, 'han');
  for (const route of ['/admin', `/admin/applications/${evil!.id}`]) {
    const { html } = await han.page(route);
    t.false(html.includes('<script>alert'), route);
    t.false(html.includes('<b onmouseover'), route);
    t.true(html.includes('&lt;b onmouseover=alert()&gt;张三&lt;/b&gt;'), route);
  }
});

test('personal data: masked for a role that does not need it, in full for the handler; documents only with it', async (t) => {
  const app = await consoleApp(t);
  const { overdue } = await seedInbox(app);
  const route = `/admin/applications/${overdue.id}`;
  const reviewer = (await (await loggedIn(app, 'rev')).page(route)).html;
  t.true(reviewer.includes('110***********002X'));
  t.true(reviewer.includes('138****8000'));
  t.false(reviewer.includes('13800138000'));
  t.false(reviewer.includes('11010519491231002X'));
  t.false(reviewer.includes('/documents/'), 'documents carry the full data: not offered');
  t.regex(reviewer, /已部分隐去/);

  const handler = (await (await loggedIn(app, 'han')).page(route)).html;
  t.true(handler.includes('11010519491231002X'));
  t.true(handler.includes('13800138000'));
  t.true(handler.includes(`/admin/v1/applications/${overdue.id}/documents/receipt?event=1&amp;format=docx`));
});

test('roles decide the buttons, and a forged post by the wrong role records nothing', async (t) => {
  const app = await consoleApp(t);
  const { overdue } = await seedInbox(app);
  const route = `/admin/applications/${overdue.id}`;
  const buttons = (html: string) => [...html.matchAll(/<details class="action" id="act-([a-z-]+)">/g)].map((m) => m[1]);

  const registrar = await loggedIn(app, 'reg');
  t.deepEqual(buttons((await registrar.page(route)).html), ['receive', 'request-supplement', 'withdraw']);
  t.deepEqual(buttons((await (await loggedIn(app, 'han')).page(route)).html), ['receive', 'request-supplement', 'consult-start', 'extend', 'fee-notice', 'decide', 'withdraw']);
  t.deepEqual(buttons((await (await loggedIn(app, 'chief')).page(route)).html), ['extend', 'decide']);
  const reviewer = (await (await loggedIn(app, 'rev')).page(route)).html;
  t.deepEqual(buttons(reviewer), []);
  t.regex(reviewer, /当前账号的角色不能办理这一环节/);

  const forged = await registrar.post(`${route}/events`, { type: 'decide', on: '2026-03-16', outcome: 'granted' }, route);
  t.is(forged.status, 303);
  t.regex((await registrar.page(route)).html, /flash error[\s\S]*无权进行此操作/);
  t.is(app.applications.view((await app.applications.get(overdue.id)), 'staff').status, 'processing');

  t.is((await registrar.page('/admin/users')).status, 403);
  t.false((await registrar.page('/admin')).html.includes('href="/admin/users"'), 'no menu entry either');
});

test('a form without the session’s CSRF token is refused and records nothing', async (t) => {
  const app = await consoleApp(t);
  const { overdue } = await seedInbox(app);
  const han = await loggedIn(app, 'han');
  const response = await han.request('POST', `/admin/applications/${overdue.id}/events`, { type: 'decide', on: '2026-03-16', outcome: 'granted', _csrf: 'guessed' });
  t.is(response.status, 403);
  t.regex(await response.text(), /页面已过期，请刷新后重试/);
  t.is((await app.applications.get(overdue.id)).events.length, 2);
});

test('Post/Redirect/Get: a refused step comes back as a Chinese message on the page, once; a good one is recorded', async (t) => {
  const app = await consoleApp(t);
  const { overdue } = await seedInbox(app);
  const han = await loggedIn(app, 'han');
  const route = `/admin/applications/${overdue.id}`;

  const refused = await han.post(`${route}/events`, { type: 'decide', on: '2026-03-16', outcome: '' }, route);
  t.is(refused.status, 303);
  t.is(refused.headers.get('location'), route);
  const shown = (await han.page(route)).html;
  t.regex(shown, /<div class="flash error" role="alert">\s*<p>未知的办理结果/);
  t.notRegex((await han.page(route)).html, /flash error/, 'shown once');

  const future = await han.post(`${route}/events`, { type: 'request-supplement', on: '2026-03-17', items: '请写明年份', days: '10' }, route);
  t.is(future.status, 303);
  t.regex((await han.page(route)).html, /flash error/);

  // The form asks for the 补正 period (第三十条); the shipped agency sets none, so it starts empty.
  t.regex((await han.page(route)).html, /<input type="number" name="days" min="1" max="60" step="1" required>/);
  await han.post(`${route}/events`, { type: 'request-supplement', on: '2026-03-16', items: '请写明年份' }, route);
  t.regex((await han.page(route)).html, /flash error[\s\S]*请填写补正期限（工作日数）/, 'no period, no notice');
  const asked = await han.post(`${route}/events`, { type: 'request-supplement', on: '2026-03-16', items: '请写明所需信息的年份\n请提供身份证明复印件', days: '10' }, route);
  t.is(asked.status, 303);
  const after = (await han.page(route)).html;
  t.regex(after, /flash ok[\s\S]*已记录：要求补正/);
  t.regex(after, /<li>请写明所需信息的年份<\/li><li>请提供身份证明复印件<\/li>/);
  t.regex(after, /李承办（han）/);
  t.true(after.includes('id="act-supplement-received"'));
  t.is(app.applications.view((await app.applications.get(overdue.id)), 'staff').status, 'awaiting-supplement');

  // A 部分公开 from the console names the ground of its withheld part (第三十七条), which the letter cites.
  await han.post(`${route}/events`, { type: 'supplement-received', on: '2026-03-16' }, route);
  t.regex((await han.page(route)).html, /<select name="ground">[\s\S]*<option value="withheld-third-party">保护第三方合法权益（第三十六条第（三）项和第十五条）<\/option>/);
  await han.post(`${route}/events`, { type: 'decide', on: '2026-03-16', outcome: 'partial', reason: '涉及个人隐私' }, route);
  t.regex((await han.page(route)).html, /flash error[\s\S]*部分公开须选择不予公开部分的依据/);
  // The letter states the reasons of a refusal (第三十六条第（三）项、第三十七条): never a blank 理由.
  await han.post(`${route}/events`, { type: 'decide', on: '2026-03-16', outcome: 'partial', ground: 'withheld-third-party' }, route);
  t.regex((await han.page(route)).html, /flash error[\s\S]*请写明理由/);
  await han.post(`${route}/events`, { type: 'decide', on: '2026-03-16', outcome: 'withheld-state-secret' }, route);
  t.regex((await han.page(route)).html, /flash error[\s\S]*请写明理由/);
  t.is(app.applications.view((await app.applications.get(overdue.id)), 'staff').status, 'processing', 'nothing recorded');
  await han.post(`${route}/events`, { type: 'decide', on: '2026-03-16', outcome: 'partial', ground: 'withheld-third-party', reason: '涉及个人隐私' }, route);
  t.like(app.applications.view((await app.applications.get(overdue.id)), 'staff'), { status: 'decided', outcome: 'partial' });
});

test('logout ends the session for the console and the API', async (t) => {
  const app = await consoleApp(t);
  const han = await loggedIn(app, 'han');
  const token = han.cookies.get('gk_staff')!;
  const out = await han.post('/admin/logout', {}, '/admin');
  t.is(out.status, 303);
  t.is(out.headers.get('location'), '/admin/login');
  t.is(await app.accounts.authenticate(token), null);
  t.is((await han.request('GET', '/admin')).status, 303);
});

test('calendar: anyone reads it, the admin uploads next year; a bad file’s problems are listed and nothing changes', async (t) => {
  const app = await consoleApp(t);
  const han = await loggedIn(app, 'han');
  const handlerView = (await han.page('/admin/calendar')).html;
  t.regex(handlerView, /2027 年/);
  t.false(handlerView.includes('action="/admin/calendar"'), 'no upload form for a handler');
  await han.post('/admin/calendar', { year: '2028', json: '{}' }, '/admin/calendar');
  t.regex((await han.page('/admin/calendar')).html, /无权修改节假日安排/);

  const admin = await loggedIn(app, 'admin');
  await admin.post('/admin/calendar', { year: '2028', json: '{"year": 2028, "papers": [], "days": [' }, '/admin/calendar');
  t.regex((await admin.page('/admin/calendar')).html, /不是有效的 JSON/);

  const bad = { year: 2027, papers: [], days: [{ name: '元旦', date: '2028-13-01', isOffDay: 'yes' }] };
  await admin.post('/admin/calendar', { year: '2028', json: JSON.stringify(bad) }, '/admin/calendar');
  const listed = (await admin.page('/admin/calendar')).html;
  t.regex(listed, /2028 年的安排文件有误，未保存/);
  t.regex(listed, /<li>year 应为 2028，实际为 2027<\/li>/);
  t.regex(listed, /isOffDay 应为 true 或 false/);
  t.false(app.calendar.current().covers(2028));

  const good = { year: 2028, papers: ['https://www.gov.cn/example'], days: [{ name: '元旦', date: '2028-01-01', isOffDay: true }, { name: '春节', date: '2028-01-29', isOffDay: false }] };
  await admin.post('/admin/calendar', { year: '2028', json: JSON.stringify(good) }, '/admin/calendar');
  const saved = (await admin.page('/admin/calendar')).html;
  t.regex(saved, /已更新 2028 年节假日安排/);
  t.regex(saved, /2028 年（1 天放假，1 天调休上班）/);
  t.true(app.calendar.current().covers(2028));
});

test('users: the admin adds a user through the form, who can then log in with those roles', async (t) => {
  const app = await consoleApp(t);
  const admin = await loggedIn(app, 'admin');
  await admin.post('/admin/users', { username: 'x', password: 'short', roles: [] }, '/admin/users');
  const refused = (await admin.page('/admin/users')).html;
  t.regex(refused, /用户信息不完整或不正确/);
  t.regex(refused, /密码至少 10 位/);

  await admin.post('/admin/users', { username: 'qian', displayName: '钱登记', password: 'qian-password-1', roles: ['registrar', 'handler'] }, '/admin/users');
  const listed = (await admin.page('/admin/users')).html;
  t.regex(listed, /已新增用户 qian（登记员、承办人）/);
  t.regex(listed, /<td data-label="姓名">钱登记<\/td>/);
  const qian = new Browserless(app.url);
  t.is((await qian.login('qian', 'qian-password-1')).status, 303);
  t.regex((await qian.page('/admin')).html, /钱登记/);
});

test('annual report page: checks, downloads and preview through the report’s own routes with the session cookie', async (t) => {
  const app = await consoleApp(t);
  await seedInbox(app);
  const admin = await loggedIn(app, 'admin');
  const { html } = await admin.page('/admin/report?year=2026');
  t.regex(html, /2026 年度政府信息公开工作年度报告/);
  t.regex(html, /核对结果/);
  t.regex(html, /<li class="failed"><span class="mark">未通过<\/span>/, 'an empty year has missing figures');
  const preview = /<iframe class="report-preview" src="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
  t.is(preview, '/admin/v1/reports/annual?year=2026&format=2021&output=html');
  const rendered = await admin.request('GET', preview);
  t.is(rendered.status, 200);
  t.regex(rendered.headers.get('content-type') ?? '', /text\/html/);
  const docx = await admin.request('GET', '/admin/v1/reports/annual?year=2026&format=2021&output=docx');
  t.is(docx.status, 200);
  t.is(Buffer.from(await docx.arrayBuffer()).subarray(0, 2).toString(), 'PK');

  t.is((await (await loggedIn(app, 'han')).page('/admin/report')).status, 403, 'handlers do not see the report');
});

test('this year at a glance: receipts per month and outcomes as SVG with the same numbers in a table', async (t) => {
  const app = await consoleApp(t);
  await seedInbox(app);
  const { html } = await (await loggedIn(app, 'han')).page('/admin/stats');
  t.regex(html, /本年收到申请 5 件，办结 1 件/);
  t.is([...html.matchAll(/<svg class="chart"/g)].length, 2);
  // By date of receipt: January 1, February 2, March 2; the unreceived one is not counted.
  t.regex(html, /<tbody><tr><td>1<\/td><td>2<\/td><td>2<\/td><td>0<\/td>/);
  t.regex(html, /<title>予以公开：1<\/title>/);
});

test('unanswered questions: personal numbers masked, and set aside with a button', async (t) => {
  const app = await consoleApp(t);
  await app.conversations.recordUnanswered({ id: 'q1', text: '我的电话13800138000，能不能查人防工程的位置', at: NOW, suggestions: ['如何申请政府信息公开'], status: 'open' });
  const han = await loggedIn(app, 'han');
  const page = (await han.page('/admin/questions')).html;
  t.true(page.includes('138****8000'));
  t.false(page.includes('13800138000'));
  t.regex(page, /2026-03-16 10:00/);
  await han.post('/admin/questions/q1', { status: 'dismissed' }, '/admin/questions');
  t.regex((await han.page('/admin/questions')).html, /已标记为已忽略[\s\S]*没有待处理的问题/);
  t.is((await app.conversations.listUnanswered({}, { order: 'oldest' })).questions[0]!.status, 'dismissed');
  t.is((await (await loggedIn(app, 'reg')).page('/admin/questions')).status, 403);
});

test('publication review through the console: submitted, checked for secrets, approved by the leader, published', async (t) => {
  const app = await consoleApp(t);
  const item = await app.catalog.service.draft({ title: '2026年防空警报试鸣公告', category: 'service-guides' }, 'clerk');
  const clerk = await loggedIn(app, 'clerk');
  t.is((await clerk.request('GET', '/admin')).headers.get('location'), '/admin/catalog', 'the submitting section starts at its queue');
  await clerk.post(`/admin/catalog/${item.id}?back=draft`, { type: 'submit' }, '/admin/catalog?state=draft');

  const rev = await loggedIn(app, 'rev');
  const queue = (await rev.page('/admin/catalog')).html;
  t.regex(queue, /2026年防空警报试鸣公告/);
  t.regex(queue, /保密审查通过/);
  t.false((await (await loggedIn(app, 'chief')).page('/admin/catalog')).html.includes('审核通过并发布'), 'not the leader’s turn yet');
  await rev.post(`/admin/catalog/${item.id}`, { type: 'approve' }, '/admin/catalog');

  const chief = await loggedIn(app, 'chief');
  const leaderQueue = (await chief.page('/admin/catalog?state=leader-review')).html;
  t.regex(leaderQueue, /审核通过并发布/);
  await chief.post(`/admin/catalog/${item.id}?back=leader-review`, { type: 'approve' }, '/admin/catalog?state=leader-review');
  t.regex((await chief.page('/admin/catalog?state=leader-review')).html, /《2026年防空警报试鸣公告》：已发布/);
  t.is(app.catalog.service.staffView(await app.catalog.service.get(item.id)).state, 'published');
});

test('notifications: failed deliveries can be sent again; the binding code is shown to its owner', async (t) => {
  const app = await consoleApp(t);
  const { overdue } = await seedInbox(app);
  const dead = delivery({
    key: 'k1>han',
    entryKey: 'k1',
    kind: 'staff:overdue',
    audience: 'staff',
    applicationId: overdue.id,
    recipient: { type: 'staff', username: 'han', openid: 'o-han' },
    vars: { trackingNo: overdue.trackingNo },
    status: 'dead',
    attempts: 5,
    reason: '模板消息发送失败',
    history: [{ at: NOW, channel: 'oa-template', result: 'failed', code: 43004 }],
  });
  await app.notifyRepo.plan([{ entryKey: 'k1', deliveries: [dead] }], NOW);

  const han = await loggedIn(app, 'han');
  const page = (await han.page('/admin/notify')).html;
  t.regex(page, /发送失败（1）/);
  t.regex(page, /模板消息发送失败/);
  t.true(page.includes(overdue.trackingNo));
  await han.post('/admin/notify/retry', { key: 'k1>han' }, '/admin/notify');
  t.regex((await han.page('/admin/notify')).html, /已放回发送队列[\s\S]*发送失败（0）/);
  t.not((await app.notifyRepo.delivery('k1>han'))!.status, 'dead');
  t.is((await (await loggedIn(app, 'reg')).page('/admin/notify')).status, 403);

  await han.post('/admin/account/binding-code', {}, '/admin/account');
  const account = (await han.page('/admin/account')).html;
  const code = /绑定码：(\d{6})/.exec(account)![1]!;
  t.regex(account, new RegExp(`发送“绑定 ${code}”`));
  t.regex((await han.page('/admin/account')).html, /获取绑定码/);
  t.false((await han.page('/admin/account')).html.includes(code), 'shown once');
});

test('annual report page: staff type in table 二, fees, texts, last year’s carry-forward and review cases, and the checks follow', async (t) => {
  const app = await consoleApp(t);
  const admin = await loggedIn(app, 'admin');
  const page = '/admin/report?year=2025';
  const inputs = async () => (await (await admin.request('GET', '/admin/v1/reports/annual/2025/inputs')).json()) as Record<string, any>;
  const passed = (html: string, detail: string) => html.includes(`<li class="ok"><span class="mark">通过</span> ${detail}</li>`);
  let { html } = await admin.page(page);
  t.regex(html, /以下数据尚未填写/);
  t.regex(html, /未提供 2024 年度报告的“四、结转下年度继续办理”数据/);

  // A figure that is not a number is refused, named, and nothing is saved.
  const cells = [...html.matchAll(/name="(p-[\w-]+)"/g)].map((m) => m[1]!);
  t.true(cells.length >= 10, 'every cell of table 二 has a field');
  const refused = await admin.post('/admin/report/2025/entered', { format: '2021', [cells[0]!]: '-3', feesCollected: '12.5' }, page);
  t.is(refused.status, 303);
  ({ html } = await admin.page(page));
  t.regex(html, /<div class="flash error"/);
  t.deepEqual((await inputs()).entered, {});

  const saved = await admin.post('/admin/report/2025/entered', { format: '2021', ...Object.fromEntries(cells.map((c) => [c, '2'])), feesCollected: '12.5' }, page);
  t.is(saved.headers.get('location'), '/admin/report?year=2025&format=2021');
  ({ html } = await admin.page(page));
  t.regex(html, /已保存 2025 年度表二和收费数字/);
  t.true(passed(html, '需人工填报的数据均已填写。'), 'no figure is missing any more');
  const [row, column] = cells[0]!.split('-').slice(1);
  t.is((await inputs()).entered.proactive[row!][column!], 2);
  t.is((await inputs()).entered.feesCollected, 12.5);
  t.true(html.includes(`name="${cells[0]!}" value="2"`), 'the form shows what was saved');

  await admin.post('/admin/report/2025/texts', { format: '2021', overview: '本年度收到申请 {{requests.newReceived.total}} 件。', problems: '无。', otherMatters: '无。', issuedOn: '2026-01-20' }, page);
  await admin.post('/admin/report/2025/previous', { format: '2021', ...Object.fromEntries(['person', 'commercial', 'research', 'publicWelfare', 'legalService', 'otherOrg'].map((k) => [`c-${k}`, '0'])) }, page);
  ({ html } = await admin.page(page));
  t.true(passed(html, '文字部分均已撰写，占位符均已替换。'));
  t.true(passed(html, '本年上年结转数与 2024 年度报告的结转下年度数一致。'));
  t.is((await inputs()).texts.issuedOn, '2026-01-20');

  await admin.post('/admin/report/2025/cases', { format: '2021', kind: 'reconsideration', result: 'upheld', filedOn: '2025-05-06', closedOn: '2025-08-01', note: '黄政复〔2025〕12号' }, page);
  const wrong = await admin.post('/admin/report/2025/cases', { format: '2021', kind: 'reconsideration', result: 'upheld', filedOn: '2025-05-06' }, page);
  t.is(wrong.status, 303);
  ({ html } = await admin.page(page));
  t.regex(html, /已有审理结果的案件，请填写结案日期/);
  const cases = (await inputs()).reviewCases as Array<{ id: string; note: string }>;
  t.deepEqual(cases.map((c) => c.note), ['黄政复〔2025〕12号']);
  t.regex(html, /<td data-label="备注">黄政复〔2025〕12号<\/td>/);
  await admin.post(`/admin/report/2025/cases/${cases[0]!.id}/delete`, { format: '2021' }, page);
  t.deepEqual((await inputs()).reviewCases, []);

  // A leader reads the report but cannot change it.
  const chief = await loggedIn(app, 'chief');
  const read = await chief.page(page);
  t.is(read.status, 200);
  t.false(read.html.includes('action="/admin/report/2025/entered"'));
  await chief.post('/admin/report/2025/texts', { format: '2021', overview: '改', problems: '改', otherMatters: '改' }, page);
  t.regex((await chief.page(page)).html, /当前账号的角色无权修改年度报告/);
  t.is((await inputs()).texts.overview, '本年度收到申请 {{requests.newReceived.total}} 件。');
});

test('a registrar registers a request that came by letter, with the day it was received; a refused form keeps what was typed', async (t) => {
  const app = await consoleApp(t);
  const reg = await loggedIn(app, 'reg');
  t.regex((await reg.page('/admin')).html, /<a class="button" href="\/admin\/applications\/new">/);
  t.false((await (await loggedIn(app, 'han')).page('/admin')).html.includes('/admin/applications/new'), 'handlers do not register requests');
  const { html: blank } = await reg.page('/admin/applications/new');
  t.regex(blank, /name="received-on" value="2026-03-16"/);
  t.false(blank.includes('<option value="wechat">'), 'a paper applicant cannot be answered through WeChat');
  const formId = /name="form-id" value="([\w-]+)"/.exec(blank)![1]!;

  const letter = {
    'form-id': formId,
    'received-on': '2026-03-12',
    'applicant-type': 'person',
    name: '陈来信',
    'id-number': '420202198001011234',
    phone: '',
    address: '湖北省黄石市下陆区团城山街道 1 号',
    description: '请公开本市 2025 年人防工程易地建设费的收缴和使用情况。',
    'delivery-form': 'paper',
    'delivery-method': 'post',
  };
  const refused = await reg.post('/admin/applications/new', letter, '/admin/applications/new');
  t.is(refused.status, 422);
  const again = await refused.text();
  t.regex(again, /有 3 处需要修改，申请尚未登记/);
  t.regex(again, /name="name" value="陈来信"/, 'what was typed is kept');
  t.regex(again, /<span class="error-text" id="e-id-number">[^<]+<\/span>/);
  t.regex(again, /<span class="error-text" id="e-phone">请填写联系电话<\/span>/);
  t.regex(again, /<span class="error-text" id="e-postcode">选择邮寄方式获取信息，请填写邮政编码<\/span>/);
  t.is((await app.applications.all()).length, 0);

  const future = await reg.post('/admin/applications/new', { ...letter, 'id-number': idNumber('42020219800101123'), phone: '13900001111', postcode: '435000', 'received-on': '2026-03-17' }, '/admin/applications/new');
  t.is(future.status, 422);
  t.regex(await future.text(), /收到日期不能晚于今天/);
  t.is((await app.applications.all()).length, 0);

  const done = await reg.post('/admin/applications/new', { ...letter, 'id-number': idNumber('42020219800101123'), phone: '13900001111', postcode: '435000' }, '/admin/applications/new');
  t.is(done.status, 303);
  const [created] = (await app.applications.all());
  t.is(done.headers.get('location'), `/admin/applications/${created!.id}`);
  const view = app.applications.view(created!, 'staff-full');
  t.is(view.receivedOn, '2026-03-12');
  t.is(view.submittedOn, '2026-03-12', 'submitted on the day it came: 收到日期 is not before 提交日期');
  t.is(created!.channel, 'staff');
  const { html } = await reg.page(done.headers.get('location')!);
  t.regex(html, new RegExp(`已登记申请 ${view.trackingNo}，2026-03-12 收到，答复期限 ${view.dueDate}`));

  // The same form sent again (a double click, a reload) finds the request it made.
  const twice = await reg.post('/admin/applications/new', { ...letter, 'id-number': idNumber('42020219800101123'), phone: '13900001111', postcode: '435000' }, '/admin/applications/new');
  t.is(twice.headers.get('location'), `/admin/applications/${created!.id}`);
  t.regex((await reg.page(twice.headers.get('location')!)).html, new RegExp(`这份申请已经登记过（申请编号 ${view.trackingNo}）`));
  t.is((await app.applications.all()).length, 1);
  t.is((await app.applications.get(created!.id)).events.filter((e) => e.type === 'receive').length, 1);

  const handler = await loggedIn(app, 'han');
  const forbidden = await handler.post('/admin/applications/new', { ...letter, 'form-id': 'another-form-1', 'id-number': idNumber('42020219800101123'), phone: '13900001111', postcode: '435000' }, '/admin');
  t.is(forbidden.status, 403);
  t.is((await app.applications.all()).length, 1);
});

test('notifications whose arrival is unknown (the send was cut off) are listed for a month, so staff can check', async (t) => {
  const app = await consoleApp(t);
  const { overdue } = await seedInbox(app);
  const sent = (key: string, confirmed: boolean, updatedAt: string) =>
    delivery({
      key,
      entryKey: key,
      applicationId: overdue.id,
      vars: { trackingNo: overdue.trackingNo },
      channels: ['mp-subscribe'],
      status: 'sent',
      sentVia: 'mp-subscribe',
      confirmed,
      history: [{ at: updatedAt, channel: 'mp-subscribe', result: 'unknown', detail: '上次发送的结果未知（进程中断），为避免重复不再发送' }],
      nextAttemptAt: updatedAt,
      createdAt: updatedAt,
      updatedAt,
    });
  await app.notifyRepo.plan(
    [
      { entryKey: 'recent', deliveries: [sent('recent', false, '2026-03-14T02:00:00.000Z')] },
      { entryKey: 'old', deliveries: [sent('old', false, '2026-01-20T02:00:00.000Z')] },
      { entryKey: 'fine', deliveries: [sent('fine', true, '2026-03-15T02:00:00.000Z')] },
    ],
    NOW,
  );
  const page = (await (await loggedIn(app, 'han')).page('/admin/notify')).html;
  t.regex(page, /送达情况未知（近 30 天，1）/);
  const section = page.slice(page.indexOf('id="h-unconfirmed"'));
  t.is([...section.matchAll(/<td data-label="申请">/g)].length, 1);
  t.true(section.includes(overdue.trackingNo));
  t.regex(section, /<td data-label="时间">2026-03-14/);
});
