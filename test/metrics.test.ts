// GET /metrics through HTTP, on the whole product: the Prometheus text, what each figure counts
// after real traffic (a webhook push, an application, an outbox run against a failing WeChat, job
// runs), and who may read it (this machine, or the METRICS_TOKEN bearer).
import test from 'ava';
import { loadConfig, ConfigError } from '../src/config.js';
import { startApp, mpLogin, staffLogin, personApplication, client } from './helpers/app.js';
import { push, textXml } from './helpers/wechat-client.js';

const TOKEN = 'metrics-token-0123456789abcdef';

async function scrape(base: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/metrics`, { headers });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** The value of one sample, e.g. value(text, 'gongkai_requests_open{status="submitted"}'); 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Every sample of a metric, by its label text. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) out.set(match[1] ?? '', Number(match[2]));
  }
  return out;
}

test('GET /metrics answers the Prometheus text format to this machine, with every figure described', async (t) => {
  const app = await startApp(t);
  const { status, type, text } = await scrape(app.url);
  t.is(status, 200);
  t.regex(type, /^text\/plain; version=0\.0\.4/);
  for (const name of [
    'gongkai_webhook_duration_seconds',
    'gongkai_replies_total',
    'gongkai_customer_service_failures_total',
    'gongkai_outbox_backlog',
    'gongkai_outbox_failed',
    'gongkai_outbox_failed_attempts',
    'gongkai_outbox_needs_contact',
    'gongkai_requests_open',
    'gongkai_requests_overdue',
    'gongkai_job_runs_total',
    'gongkai_job_duration_seconds',
    'gongkai_store_write_duration_seconds',
    'gongkai_store_write_failures_total',
    'gongkai_process_resident_memory_bytes',
  ]) {
    t.regex(text, new RegExp(`^# HELP ${name} \\S`, 'm'), name);
    t.regex(text, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'), name);
  }
  t.is(value(text, 'gongkai_requests_overdue'), 0);
});

test('webhook answers, requests by state, store writes and the outbox against a failing WeChat are counted', async (t) => {
  const app = await startApp(t);
  const { status, reply } = await push(app.url, textXml('o-metrics-1', '申请公开要多久', 'm-1'));
  t.is(status, 200);
  t.truthy(reply, 'the guide answers passively');

  // WeChat refuses every send for now ("system error"): the receipt stays in the outbox, to retry.
  for (const api of ['template_send', 'custom_send', 'subscribe_send', 'subscribe_bizsend'] as const) {
    app.fakeWechat!.inject(api, { errcode: -1, errmsg: 'system error', times: 1000 });
  }
  const mp = await mpLogin(app.url, 'o-metrics-2');
  const submitted = await client(app.url)('POST', '/mp/v1/applications', personApplication(), mp);
  t.is(submitted.status, 201);
  const staff = await staffLogin(app.url);
  // The outbox job also fires on its schedule, every minute: a fire during this test counts too.
  const outboxRuns = (text: string) => value(text, 'gongkai_job_runs_total{job="outbox",result="ok"}');
  const runsBefore = outboxRuns((await scrape(app.url)).text);
  t.is((await client(app.url)('POST', '/admin/v1/jobs/outbox/run', undefined, staff)).status, 200);

  const { text } = await scrape(app.url);
  t.is(value(text, 'gongkai_webhook_duration_seconds_count{reply="passive"}'), 1);
  t.is(value(text, 'gongkai_replies_total{via="passive"}'), 1);
  t.deepEqual(samples(text, 'gongkai_requests_open'), new Map([[`{status="${submitted.body.status}"}`, 1]]));
  t.is(value(text, 'gongkai_requests_overdue'), 0);
  t.true(value(text, 'gongkai_store_write_duration_seconds_count{file="applications"}') >= 1, 'the application was written durably');
  t.true(outboxRuns(text) >= runsBefore + 1, 'the run staff asked for is counted');
  t.is(value(text, 'gongkai_job_duration_seconds_count{job="outbox"}'), outboxRuns(text), 'each run is timed once');

  // The figures agree with the outbox itself, channel by channel (every delivery there is about this request).
  const deliveries = await app.repos.notify.deliveriesOf(submitted.body.id);
  const pending = deliveries.filter((d) => d.status === 'pending');
  t.true(pending.length >= 1, 'the receipt waits for a retry');
  const backlog = samples(text, 'gongkai_outbox_backlog');
  for (const d of pending) t.true((backlog.get(`{channel="${d.channels[d.channelIndex]}"}`) ?? 0) >= 1);
  t.is([...backlog.values()].reduce((a, b) => a + b, 0), pending.length);
  const failedAttempts = [...samples(text, 'gongkai_outbox_failed_attempts').values()].reduce((a, b) => a + b, 0);
  t.is(failedAttempts, deliveries.flatMap((d) => d.history).filter((h) => h.result === 'retry' || h.result === 'failed' || h.result === 'unavailable').length);
  t.true(failedAttempts >= 1);
});

test('a job that fails is counted as failed', async (t) => {
  // Nothing listens on port 9: the feed cannot be fetched.
  const app = await startApp(t, { env: { FEED_URL: 'http://127.0.0.1:9/feed.xml' } });
  const staff = await staffLogin(app.url);
  const run = await client(app.url)('POST', '/admin/v1/jobs/feed-import/run', undefined, staff);
  // The portal, not this server, failed: 503 upstream-unavailable, as the contract has it.
  t.is(run.status, 503);
  t.like(run.body, { error: { code: 'upstream-unavailable' } });
  const { text } = await scrape(app.url);
  t.is(value(text, 'gongkai_job_runs_total{job="feed-import",result="failed"}'), 1);
  t.is(value(text, 'gongkai_job_runs_total{job="feed-import",result="ok"}'), 0);
  t.is(value(text, 'gongkai_job_last_success_timestamp_seconds{job="feed-import"}'), 0);
});

test('through a proxy or from elsewhere, /metrics needs the METRICS_TOKEN bearer', async (t) => {
  const open = await startApp(t);
  // A proxy on this machine connects from 127.0.0.1 on anyone's behalf.
  const proxied = await scrape(open.url, { 'X-Forwarded-For': '203.0.113.7' });
  t.is(proxied.status, 403);
  t.like(JSON.parse(proxied.text), { error: { code: 'forbidden' } });
  t.regex(JSON.parse(proxied.text).error.message, /METRICS_TOKEN/);
  t.is((await scrape(open.url, { Authorization: `Bearer ${TOKEN}` })).status, 401, 'no token is configured');

  const guarded = await startApp(t, { env: { METRICS_TOKEN: TOKEN } });
  t.is((await scrape(guarded.url, { 'X-Forwarded-For': '203.0.113.7' })).status, 403);
  const wrong = await scrape(guarded.url, { Authorization: 'Bearer not-the-metrics-token', 'X-Forwarded-For': '203.0.113.7' });
  t.is(wrong.status, 401);
  t.like(JSON.parse(wrong.text), { error: { code: 'unauthorized' } });
  const right = await scrape(guarded.url, { Authorization: `Bearer ${TOKEN}`, 'X-Forwarded-For': '203.0.113.7' });
  t.is(right.status, 200);
  t.regex(right.text, /^# TYPE gongkai_requests_open gauge$/m);
  // Loopback without a proxy header stays open, token or not.
  t.is((await scrape(guarded.url)).status, 200);
});

test('METRICS_TOKEN is validated at start, naming the variable', (t) => {
  const error = t.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), { instanceOf: ConfigError });
  t.regex(error!.message, /METRICS_TOKEN: must be 16 to 256/);
  t.is(loadConfig({ METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
  t.is(loadConfig({}).metricsToken, null);
});
