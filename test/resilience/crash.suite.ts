// (1) kill -9 under load. The server runs as a child process in production mode against the fake
// WeChat API of this process; mini-program users submit applications, citizens fill in the chat
// form, a staff member decides, while the server is killed 30 times at random moments. After every
// kill: each acknowledged request is in the data folder and every data file parses. At the end:
// no message reached WeChat twice, and every message that is missing is one whose send was cut off
// by a kill on a channel that is at-most-once by design (src/notify/outbox.ts).
// Again with the server on PostgreSQL: every generation on the same throwaway database, where each
// acknowledged request must be after every kill; what a killed server had claimed in the outbox is
// taken over by the next one once it sees the killed one dead (src/store/pg/instance.ts).
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ADMIN, personApplication } from '../helpers/app.js';
import { engines, testDatabase, type EngineName } from '../helpers/pg.js';
import { fillChatForm, chatUser } from './chat-driver.js';
import { ServerLife } from './server-life.js';
import {
  chinaToday,
  fakeWechatServer,
  productionEnv,
  readDataFiles,
  repeated,
  seededRandom,
  sentMessages,
  sleep,
  storedRecords,
  onEngine,
  TEMPLATES,
  type StoreAt,
  expectedMessages,
  matches,
  type Expected,
} from './support.js';

const KILLS = Number(process.env.RESILIENCE_KILLS ?? 30);
const SEED = Number(process.env.RESILIENCE_SEED ?? 20260316);
const MP_LOOPS = 2;
const CHAT_LOOPS = 2;
const STAFF_OPENID = 'staffadmin';
const debug = (...args: unknown[]) => process.env.RESILIENCE_DEBUG && console.error(new Date().toISOString().slice(11, 23), ...args);
/** How long the outbox may take at the end to send what is left (on PostgreSQL: after a takeover). */
const WIND_DOWN_MS = 90_000;

// Before any test is declared: ava takes declarations only until the file's first await after one.
const ENGINES = await engines();

interface AckedApplication {
  id: string | null;
  trackingNo: string;
  openid: string;
  via: 'mp' | 'chat';
}

/** What the server acknowledged, and what went wrong on the way. */
class Ledger {
  readonly applications: AckedApplication[] = [];
  readonly decisions = new Set<string>();
  readonly toDecide: string[] = [];
  readonly problems: string[] = [];
  readonly chat = { submitted: 0, garbled: [] as string[], replyLost: 0, stuck: [] as string[] };
}

async function json(response: Response): Promise<{ status: number; body: any }> {
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { raw: text.slice(0, 300) };
  }
  return { status: response.status, body };
}

function post(url: string, route: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(json);
}

// One after the other: two loads with kills at once on two cores would each measure the other.
for (const engine of ENGINES) {
  test.serial(onEngine('kill -9 under concurrent submissions and chat: acknowledged requests survive, files parse, nothing is sent twice', engine), (t) => killUnderLoad(t, engine));
}

async function killUnderLoad(t: ExecutionContext, engine: EngineName): Promise<void> {
  t.timeout(10 * 60_000);
  const began = Date.now();
  const random = seededRandom(SEED);
  const wechat = await fakeWechatServer();
  t.teardown(() => wechat.close());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gongkai-crash-'));
  // Dropped after the last server is stopped (teardowns run last first).
  const databaseUrl = engine === 'postgres' ? await testDatabase(t) : null;
  const at: StoreAt = { dir, databaseUrl };
  const life = new ServerLife({ ...productionEnv(wechat.url, dir), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  t.teardown(async () => {
    await life.kill().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  const ledger = new Ledger();
  await life.start();
  debug('started', life.url);

  // The admin's WeChat is bound, so every new request also becomes a template message to staff.
  const staff = { Authorization: '' };
  const login = await post(life.url, '/admin/v1/session', ADMIN);
  staff.Authorization = `Bearer ${login.body.token}`;
  const code = await post(life.url, '/admin/v1/notify/binding-code', {}, staff);
  const say = chatUser(STAFF_OPENID, (request) => life.call(request), wechat.fake);
  t.regex((await say(`绑定 ${code.body.code}`)) ?? '', /绑定成功/);

  const call = <T>(request: (url: string) => Promise<T>) => life.call(request);

  async function miniProgramLoop(loop: number): Promise<void> {
    const pace = seededRandom(SEED + loop + 1);
    let token = '';
    for (let n = 0; !life.stopping; n++) {
      // Four requests per user stay under the limit of five an hour.
      const openid = `mp${loop}u${Math.floor(n / 4)}`;
      if (n % 4 === 0) {
        const session = await call((url) => post(url, '/mp/v1/session', { code: `dev:${openid}` }));
        if (session.status !== 200) {
          ledger.problems.push(`mini-program login ${openid}: ${session.status} ${JSON.stringify(session.body)}`);
          return;
        }
        token = session.body.token;
      }
      const auth = { Authorization: `Bearer ${token}` };
      const consent = await call((url) => post(url, '/mp/v1/notify/consents', { accepted: [TEMPLATES.mpReceipt, TEMPLATES.mpResult] }, auth));
      if (consent.status !== 200) ledger.problems.push(`consents ${openid}: ${consent.status} ${JSON.stringify(consent.body)}`);
      const body = personApplication({ request: { description: `请公开本市2025年度人防工程建设审批结果清单（第${loop}组第${n}份）` } });
      const answer = await call((url) => post(url, '/mp/v1/applications', body, { ...auth, 'Idempotency-Key': `crash-${SEED}-${loop}-${n}` }));
      if (answer.status === 201 || answer.status === 200) {
        ledger.applications.push({ id: answer.body.id, trackingNo: answer.body.trackingNo, openid, via: 'mp' });
        ledger.toDecide.push(answer.body.id);
      } else {
        ledger.problems.push(`submit ${openid} #${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      // A busy office, not a flood: the outbox should keep up between kills.
      await sleep(pace.int(50, 400));
    }
  }

  async function chatLoop(loop: number): Promise<void> {
    for (let n = 0; !life.stopping; n++) {
      const openid = `chat${loop}u${n}`;
      const outcome = await fillChatForm(chatUser(openid, call, wechat.fake), {
        name: '李四',
        idNumber: '11010519491231002X',
        phone: '13800138000',
        description: `请公开本市人防工程平战结合使用情况（第${loop}组第${n}份）`,
      });
      if (outcome.kind === 'submitted') {
        ledger.chat.submitted++;
        ledger.applications.push({ id: null, trackingNo: outcome.trackingNo, openid, via: 'chat' });
      } else if (outcome.kind === 'garbled') ledger.chat.garbled.push(`${openid}: ${outcome.summary}`);
      else if (outcome.kind === 'reply-lost') ledger.chat.replyLost++;
      else ledger.chat.stuck.push(`${openid}: after "${outcome.sent}" the bot said: ${outcome.reply.slice(0, 120)}`);
    }
  }

  async function staffLoop(): Promise<void> {
    while (!life.stopping || ledger.toDecide.length > 0) {
      const id = ledger.toDecide.shift();
      if (!id) {
        await sleep(50);
        continue;
      }
      const event = { type: 'decide', on: chinaToday(), outcome: 'granted' };
      const answer = await call((url) => post(url, `/admin/v1/applications/${id}/events`, event, staff));
      if (answer.status === 200) ledger.decisions.add(id);
      // 409: the decision of an earlier try was saved before the kill cut off its answer.
      else if (answer.status !== 409) ledger.problems.push(`decide ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  const loops = [
    ...Array.from({ length: MP_LOOPS }, (_, i) => miniProgramLoop(i)),
    ...Array.from({ length: CHAT_LOOPS }, (_, i) => chatLoop(i)),
    staffLoop(),
  ].map((loop) => loop.catch((error: unknown) => void ledger.problems.push(`load loop failed: ${(error as Error).stack}`)));

  const perKill: string[] = [];
  /** PostgreSQL: deliveries a killed server held claimed, which the next one had to take over. */
  let claimsLeft = 0;
  const lostAcked: string[] = [];
  const corrupt: string[] = [];
  for (let kill = 1; kill <= KILLS; kill++) {
    await sleep(random.int(100, 1500));
    debug('kill', kill, 'acked', ledger.applications.length);
    await life.kill();
    // The folder (or the database) as the next start will find it.
    if (!databaseUrl) corrupt.push(...(await readDataFiles(dir)).corrupt.map((c) => `kill ${kill}: ${c}`));
    const stored = (await storedRecords(at)).applications;
    const byId = new Map<string, any>(stored.map((a: any) => [a.id, a]));
    const byTrackingNo = new Map<string, any>(stored.map((a: any) => [a.trackingNo, a]));
    for (const acked of ledger.applications) {
      const found = acked.id ? byId.get(acked.id) : byTrackingNo.get(acked.trackingNo);
      if (!found || found.trackingNo !== acked.trackingNo || found.openid !== acked.openid) {
        lostAcked.push(`kill ${kill}: ${acked.via} application ${acked.trackingNo} (${acked.id ?? acked.openid}) ${found ? `is now ${found.trackingNo}/${found.openid}` : 'is missing'}`);
      }
    }
    for (const id of ledger.decisions) {
      if (!byId.get(id)?.events.some((e: any) => e.type === 'decide')) lostAcked.push(`kill ${kill}: the acknowledged decision of ${id} is missing`);
    }
    if (databaseUrl) claimsLeft += await claimsHeld(databaseUrl);
    perKill.push(`${stored.length}`);
    await life.start();
  }

  // Wind down: the loops finish what they are doing, then the outbox sends whatever is left.
  life.stopping = true;
  debug('stopping');
  await Promise.all(loops);
  debug('loops done');
  // A pass with nothing to do means nothing is due on the embedded store (one process). On
  // PostgreSQL, what the last killed server had claimed is still held until this one sees it dead:
  // the passes go on until no due delivery is left.
  const passes: unknown[] = [];
  const windDown = Date.now();
  let heldFrom: number | null = null;
  while (Date.now() - windDown < WIND_DOWN_MS) {
    const run = await post(life.url, '/admin/v1/jobs/outbox/run', {}, staff);
    t.is(run.status, 200, JSON.stringify(run.body));
    const r = run.body.result;
    passes.push(r);
    if (r.planned + r.sent + r.unconfirmed + r.retrying > 0) {
      if (r.retrying > 0) await sleep(1000);
      continue;
    }
    const now = new Date().toISOString();
    const held = databaseUrl ? (await storedRecords(at)).deliveries.filter((d) => d.status === 'pending' && d.nextAttemptAt <= now).length : 0;
    if (held === 0) break;
    heldFrom ??= Date.now();
    await sleep(1000);
  }
  const heldMs = heldFrom === null ? 0 : Date.now() - heldFrom;
  t.is(await life.kill('SIGTERM'), 0, 'the last server stops cleanly');

  if (!databaseUrl) corrupt.push(...(await readDataFiles(dir)).corrupt.map((c) => `at the end: ${c}`));
  const { applications, deliveries } = await storedRecords(at);
  const sent = sentMessages(wechat.fake.outbox.list());

  const expected = expectedMessages(applications, { openid: STAFF_OPENID, username: ADMIN.username });
  const lost = expected.filter((e) => !sent.some((s) => matches(s, e)));
  const deliveryOf = (e: Expected) => deliveries.find((d) => d.key === e.deliveryKey);
  const lostUnconfirmed = lost.filter((e) => {
    const d = deliveryOf(e);
    return d?.status === 'sent' && d.confirmed === false && e.channel !== 'oa-template';
  });
  const lostOtherwise = lost.filter((e) => !lostUnconfirmed.includes(e)).map((e) => `${e.what} → ${JSON.stringify(deliveryOf(e) ? summary(deliveryOf(e)) : 'no delivery planned')}`);
  const phantoms = sent
    .filter((s) => {
      const app = applications.find((a) => a.trackingNo === s.trackingNo);
      return !app || (s.templateId !== TEMPLATES.staffTask && app.openid !== s.touser);
    })
    .map((s) => `${s.templateId} ${s.trackingNo} to ${s.touser}`);

  t.log(`kills: ${KILLS}; starts took ${Math.min(...life.startMs)}–${Math.max(...life.startMs)} ms; applications after each kill: ${perKill.join(' ')}`);
  t.log(`acknowledged: ${ledger.applications.filter((a) => a.via === 'mp').length} mini-program submissions, ${ledger.chat.submitted} chat forms, ${ledger.decisions.size} decisions; chat replies lost with a kill: ${ledger.chat.replyLost}`);
  t.log(`messages: ${expected.length} expected, ${sent.length} sent; lost to an at-most-once send cut by a kill: ${lostUnconfirmed.length} (${lostUnconfirmed.map((e) => e.what).join('; ') || 'none'})`);
  // A kill between a template send and the record of its result makes the next server repeat it
  // with the same client_msg_id; WeChat (the fake) drops the repeat. This many were dropped:
  const templateRecords = wechat.fake.outbox.list().filter((r) => r.api === 'template_send').length;
  t.log(`template sends repeated after a kill and dropped by client_msg_id: ${wechat.fake.calls('template_send') - templateRecords}`);
  t.log(`outbox passes at the end: ${JSON.stringify(passes)}${databaseUrl ? `; ${Math.round(heldMs / 1000)} s of them waiting for the killed server's claims to be taken over` : ''}`);
  if (databaseUrl) t.log(`due deliveries found claimed right after a kill, summed over the kills (taken over by a later server): ${claimsLeft}`);
  t.log(`runtime ${Math.round((Date.now() - began) / 1000)} s`);

  // Every check at once, so one run shows all that went wrong.
  const findings: Record<string, unknown[]> = {
    'data files that do not parse': corrupt,
    'the server exited on its own': life.unexpectedExits,
    'requests not answered as the contract says': ledger.problems,
    'acknowledged requests or decisions missing after a kill': lostAcked,
    'chat messages resent after a kill taken as two answers': ledger.chat.garbled,
    'chat forms stuck on a question the citizen cannot answer': ledger.chat.stuck,
    'messages that reached WeChat more than once': repeated(sent, (s) => s.key),
    'client_msg_ids used twice': repeated(sent.filter((s) => s.clientMsgId), (s) => s.clientMsgId!),
    'messages about a request that does not exist or to someone else': phantoms,
    'tracking numbers given twice': repeated(applications, (a) => a.trackingNo),
    'messages lost (not an at-most-once send cut by a kill)': lostOtherwise,
  };
  for (const [what, found] of Object.entries(findings)) if (found.length) t.log(`${what}: ${found.length}`);
  t.deepEqual(findings, Object.fromEntries(Object.keys(findings).map((k) => [k, []])));
  t.true(ledger.applications.length > KILLS, 'the load kept going between kills');
}

/** Due deliveries that some server's outbox pass holds claimed (after a kill: the killed one). */
async function claimsHeld(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM notify_deliveries WHERE status = 'pending' AND claimed_by IS NOT NULL`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

function summary(d: any) {
  return { status: d.status, confirmed: d.confirmed, reason: d.reason, history: d.history.map((h: any) => `${h.result}${h.code ? ` ${h.code}` : ''}`) };
}
