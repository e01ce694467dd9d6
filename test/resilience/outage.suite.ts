// (3) The WeChat API failing or slow for a minute. The server runs in this process with a clock the
// test moves (so is the fake's), in production mode against the fake. While the fault lasts,
// citizens apply in the mini-program and the chat and staff decide; the outbox runs, the clock
// moves on past the minute and the outbox's back-off, and then every message the applications call
// for has reached WeChat exactly once: nothing lost, nothing doubled. On each engine (support.ts).
import test from 'ava';
import type { FakeFault } from '../../src/wechat/fake-api.js';
import type { WechatApiName } from '../../src/wechat/errors.js';
import { ADMIN, client, personApplication, startApp, testClock } from '../helpers/app.js';
import { chatUser, fillChatForm } from './chat-driver.js';
import { engines } from '../helpers/pg.js';
import { wechatEnv, expectedMessages, fakeWechatServer, matches, onEngine, sentMessages, storedDeliveries, TEMPLATES, type FakeWechatServer } from './support.js';

const STAFF_OPENID = 'staffadmin';
const MINUTE = 60_000;

interface Scenario {
  name: string;
  /** Starts the minute of trouble; `until` is when it ends on the clock. */
  begin: (wechat: FakeWechatServer) => Promise<void> | void;
  /** Ends it, for faults the fake does not end by itself. */
  end?: (wechat: FakeWechatServer) => Promise<void> | void;
}

const fault = (api: WechatApiName | 'all', f: FakeFault) => (wechat: FakeWechatServer) => wechat.fake.inject(api, { durationMs: MINUTE, ...f });

const SCENARIOS: Scenario[] = [
  { name: 'every API answers -1 (system busy)', begin: fault('all', { errcode: -1 }) },
  { name: 'every send answers 45009 (quota)', begin: (w) => ['template_send', 'subscribe_send'].forEach((api) => fault(api as WechatApiName, { errcode: 45009 })(w)) },
  { name: 'every API is slow', begin: fault('all', { delayMs: 400 }) },
  { name: 'the API cannot be reached', begin: (w) => w.close(), end: (w) => w.open() },
  { name: 'template sends lose the connection before WeChat reads them', begin: fault('template_send', { drop: 'before' }) },
  { name: 'every API loses the connection after doing the work', begin: fault('all', { drop: 'after' }) },
];

// Before any test is declared: ava takes declarations only until the file's first await after one.
const ENGINES = await engines();

for (const engine of ENGINES) {
  for (const scenario of SCENARIOS) {
    test(onEngine(`WeChat API down for a minute (${scenario.name}): every message is delivered once it recovers, none twice`, engine), async (t) => {
      t.timeout(3 * 60_000);
      const began = Date.now();
      const clock = testClock(new Date().toISOString());
      const wechat = await fakeWechatServer({ clock: () => clock.now.getTime() });
      t.teardown(() => wechat.close().catch(() => undefined));
      const app = await startApp(t, {
        clock,
        env: wechatEnv(wechat.url),
        engine,
      });
      const call = client(app.url);
      const staff = { Authorization: `Bearer ${(await call('POST', '/admin/v1/session', ADMIN)).body.token}` };
      const via = <T>(request: (url: string) => Promise<T>) => request(app.url);
      const seconds = () => Math.floor(clock.now.getTime() / 1000);
      const code = (await call('POST', '/admin/v1/notify/binding-code', {}, staff)).body.code;
      t.regex((await chatUser(STAFF_OPENID, via, wechat.fake, seconds)(`绑定 ${code}`)) ?? '', /绑定成功/);

      // Logging in asks WeChat too (jscode2session), so citizens log in and consent before the trouble.
      const users: Array<Record<string, string>> = [];
      for (const openid of ['mpa', 'mpb', 'mpc']) {
        const session = await call('POST', '/mp/v1/session', { code: `dev:${openid}` });
        const auth = { Authorization: `Bearer ${session.body.token}` };
        t.is((await call('POST', '/mp/v1/notify/consents', { accepted: [TEMPLATES.mpReceipt, TEMPLATES.mpResult] }, auth)).status, 200);
        users.push(auth);
      }

      await scenario.begin(wechat);
      const troubleEnds = clock.now.getTime() + MINUTE;
      const ids: string[] = [];
      for (const auth of users) {
        const answer = await call('POST', '/mp/v1/applications', personApplication(), auth);
        t.is(answer.status, 201, JSON.stringify(answer.body));
        ids.push(answer.body.id);
      }
      for (const openid of ['chata', 'chatb']) {
        const outcome = await fillChatForm(chatUser(openid, via, wechat.fake, seconds), {
          name: '李四',
          idNumber: '11010519491231002X',
          phone: '13800138000',
          description: '请公开本市人防工程平战结合使用情况',
        });
        t.is(outcome.kind, 'submitted', JSON.stringify(outcome));
      }
      for (const id of ids.slice(0, 2)) {
        const answer = await call('POST', `/admin/v1/applications/${id}/events`, { type: 'decide', on: app.services.applications.today(), outcome: 'granted' }, staff);
        t.is(answer.status, 200, JSON.stringify(answer.body));
      }

      // The outbox keeps trying on its schedule while the clock runs through the minute and beyond.
      const expected = expectedMessages((await app.services.applications.all()), { openid: STAFF_OPENID, username: ADMIN.username });
      const passes: string[] = [];
      let ended = false;
      for (let step = 0; step < 40; step++) {
        if (!ended && clock.now.getTime() >= troubleEnds) {
          await scenario.end?.(wechat);
          ended = true;
        }
        const run = await call('POST', '/admin/v1/jobs/outbox/run', {}, staff);
        t.is(run.status, 200, JSON.stringify(run.body));
        const r = run.body.result;
        passes.push(`${Math.round((clock.now.getTime() - troubleEnds + MINUTE) / 1000)}s:${r.sent}/${r.retrying}/${r.unconfirmed}`);
        const pending = (await storedDeliveries(app.repos.notify)).filter((d) => d.status === 'pending');
        if (ended && pending.length === 0 && r.planned + r.sent + r.retrying === 0) break;
        clock.advance(20_000);
      }

      const sent = sentMessages(wechat.fake.outbox.list());
      const stored = await storedDeliveries(app.repos.notify);
      const counts = expected.map((e) => ({ what: e.what, times: sent.filter((s) => matches(s, e)).length, delivery: describe(stored.find((d) => d.key === e.deliveryKey)) }));
      t.log(`${expected.length} messages; passes (clock:sent/retrying/unconfirmed): ${passes.join(' ')}; ${Math.round((Date.now() - began) / 1000)} s`);
      t.deepEqual(
        {
          notOnce: counts.filter((c) => c.times !== 1),
          unexpected: sent.filter((s) => !expected.some((e) => matches(s, e))).map((s) => `${s.templateId} ${s.trackingNo} ${s.status} to ${s.touser}`),
          notSent: stored.filter((d) => d.status !== 'sent').map(describe),
        },
        { notOnce: [], unexpected: [], notSent: [] },
      );
      t.is(expected.length, 3 * 2 + 2 * 2 + 2, 'receipts and new-request alerts for 5 requests, 2 decisions');
    });
  }
}

function describe(d: any) {
  if (!d) return 'no delivery planned';
  return `${d.key} ${d.status}${d.confirmed === false ? ' (unconfirmed)' : ''}: ${d.history.map((h: any) => `${h.channel} ${h.result}${h.code ? ` ${h.code}` : ''}${h.detail ? ` ${h.detail.slice(0, 60)}` : ''}`).join(' → ')}`;
}

