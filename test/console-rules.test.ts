// The console shows the domain's rules, not copies of them: the periods in its forms and hints, the
// outcomes its decision form offers, and the days left whenever the reply clock runs.
import test from 'ava';
import { MAX_EXTENSION_DAYS, REPLY_WORKING_DAYS, SUPPLEMENT_NOTICE_WORKING_DAYS } from '../src/domain/applications/index.js';
import { OUTCOME_IDS } from '../src/domain/outcomes.js';
import { testClock } from './helpers/app.js';
import { consoleApp, loggedIn, record } from './helpers/console-app.js';

test('a consultation whose 15 working days ran out: the clock runs again, and the inbox counts the days left', async (t) => {
  // Wednesday 18 March 2026. The consultation began on 24 February; its 15 working days (with the
  // make-up Saturday 28 February) ended on Monday 16 March without an answer.
  const app = await consoleApp(t, { clock: testClock('2026-03-18T02:00:00Z') });
  const [lapsed] = await app.applications.import(
    [record('请公开某人防工程的平战转换方案', [{ type: 'receive', on: '2026-02-24' }, { type: 'consult-start', on: '2026-02-24', party: '某物业公司' }])],
    'admin',
  );
  const view = app.applications.view(lapsed!, 'staff');
  t.is(view.status, 'consulting');
  t.false(view.paused);
  t.truthy(view.dueDate);
  t.false(view.overdue);
  const left = app.applications.workingDaysBetween(app.applications.today(), view.dueDate!);
  t.true(left > 5, `${left} working days left: not yet due soon`);

  const han = await loggedIn(app, 'han');
  const { html } = await han.page('/admin');
  t.true(html.includes(view.trackingNo));
  // Before, the inbox counted days left only in processing and awaiting-fee, and showed "—" here.
  t.regex(html, new RegExp(`剩 ${left} 个工作日`));
});

test('the request page prints the statutory periods from the domain and offers every outcome but the two expiry ones', async (t) => {
  const app = await consoleApp(t);
  const [open] = await app.applications.import([record('请公开2025年度人防工程建设审批事项清单', [{ type: 'receive', on: '2026-03-16' }])], 'admin');
  const han = await loggedIn(app, 'han');
  const { html } = await han.page(`/admin/applications/${open!.id}`);

  t.regex(html, new RegExp(`<input type="number" name="days" min="1" max="${MAX_EXTENSION_DAYS}" value="${MAX_EXTENSION_DAYS}" required>`));
  t.regex(html, new RegExp(`最长 ${MAX_EXTENSION_DAYS} 个工作日，只能延期一次`));
  t.regex(html, new RegExp(`补正应在收到申请之日起 ${SUPPLEMENT_NOTICE_WORKING_DAYS} 个工作日内一次性告知`));

  const offered = [...html.matchAll(/<select name="outcome"[^>]*>([\s\S]*?)<\/select>/g)]
    .flatMap((m) => [...m[1]!.matchAll(/<option value="([^"]+)"/g)].map((o) => o[1]!))
    .filter((value) => value !== '');
  t.deepEqual(
    offered.sort(),
    OUTCOME_IDS.filter((id) => id !== 'other-no-supplement' && id !== 'other-fee-unpaid').sort(),
    'the expiry events record those two themselves',
  );

  // A request waiting for its 补正 says the 20 days start again.
  await app.applications.record(open!.id, { type: 'request-supplement', on: '2026-03-16', items: ['请写明年份'] }, 'han');
  t.regex((await han.page(`/admin/applications/${open!.id}`)).html, new RegExp(`补正后重新计算 ${REPLY_WORKING_DAYS} 个工作日`));
});
