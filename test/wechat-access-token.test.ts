import test from 'ava';
import { AccessTokenManager, type StoredAccessToken } from '../src/wechat/access-token.js';
import { WechatApiError } from '../src/wechat/errors.js';

/**
 * A scripted stable_token endpoint: each call takes the next answer. It stands in for the network,
 * not for the token manager, which is what is under test.
 */
function tokenEndpoint(answers: object[]) {
  const requests: Record<string, unknown>[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let gated = false;
  const fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    requests.push({ url: String(url), ...JSON.parse(String(init?.body)) });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    if (gated) await gate;
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return {
    fetch,
    requests,
    /** Holds every answer until `open()`, so that callers pile up on one refresh. */
    hold: () => {
      gated = true;
    },
    open: () => release(),
  };
}

function manager(endpoint: ReturnType<typeof tokenEndpoint>, clock: { now: number }, extra: Partial<ConstructorParameters<typeof AccessTokenManager>[0]> = {}) {
  return new AccessTokenManager({
    appid: 'wxapp',
    secret: 'secret',
    baseUrl: 'http://wechat.test/',
    fetch: endpoint.fetch,
    now: () => clock.now,
    ...extra,
  });
}

const T0 = 1_700_000_000_000;

test('calls stable_token with the credentials in normal mode', async (t) => {
  const endpoint = tokenEndpoint([{ access_token: 'A', expires_in: 7200 }]);
  const tokens = manager(endpoint, { now: T0 });
  t.is(await tokens.get(), 'A');
  t.deepEqual(endpoint.requests, [
    { url: 'http://wechat.test/cgi-bin/stable_token', grant_type: 'client_credential', appid: 'wxapp', secret: 'secret', force_refresh: false },
  ]);
});

test('100 concurrent callers with no token cause one refresh; after expiry, 100 more cause one more', async (t) => {
  const endpoint = tokenEndpoint([
    { access_token: 'A', expires_in: 7200 },
    { access_token: 'B', expires_in: 7200 },
  ]);
  const clock = { now: T0 };
  const tokens = manager(endpoint, clock);
  endpoint.hold();
  const first = Array.from({ length: 100 }, () => tokens.get());
  endpoint.open();
  t.deepEqual(new Set(await Promise.all(first)), new Set(['A']));
  t.is(endpoint.requests.length, 1);

  clock.now = T0 + 7200_000; // expired
  const second = await Promise.all(Array.from({ length: 100 }, () => tokens.get()));
  t.deepEqual(new Set(second), new Set(['B']));
  t.is(endpoint.requests.length, 2);
  t.is(tokens.refreshCount, 2);
});

test('the token is renewed a safety margin before it expires', async (t) => {
  const endpoint = tokenEndpoint([
    { access_token: 'A', expires_in: 7200 },
    { access_token: 'B', expires_in: 7200 },
  ]);
  const clock = { now: T0 };
  const tokens = manager(endpoint, clock, { safetyMarginMs: 300_000 });
  t.is(await tokens.get(), 'A');
  clock.now = T0 + (7200 - 301) * 1000;
  t.is(await tokens.get(), 'A');
  clock.now = T0 + (7200 - 299) * 1000;
  t.is(await tokens.get(), 'B');
});

test('a short-lived token is kept for half its life, not refetched in a loop', async (t) => {
  const endpoint = tokenEndpoint([
    { access_token: 'A', expires_in: 200 },
    { access_token: 'B', expires_in: 7200 },
  ]);
  const clock = { now: T0 };
  const tokens = manager(endpoint, clock, { safetyMarginMs: 300_000 });
  t.is(await tokens.get(), 'A');
  clock.now = T0 + 99_000;
  t.is(await tokens.get(), 'A');
  clock.now = T0 + 101_000;
  t.is(await tokens.get(), 'B');
});

test('invalidate drops only the token that failed; a stale invalidate keeps the newer token', async (t) => {
  const endpoint = tokenEndpoint([
    { access_token: 'A', expires_in: 7200 },
    { access_token: 'B', expires_in: 7200 },
    { access_token: 'C', expires_in: 7200 },
  ]);
  const tokens = manager(endpoint, { now: T0 });
  t.is(await tokens.get(), 'A');
  t.true(tokens.invalidate('A'));
  t.is(await tokens.get(), 'B');
  // A second caller that also failed with A reports it late: B must survive.
  t.false(tokens.invalidate('A'));
  t.is(await tokens.get(), 'B');
  t.is(endpoint.requests.length, 2);
});

test('when normal mode hands back the rejected token, the manager forces a new one', async (t) => {
  const endpoint = tokenEndpoint([
    { access_token: 'A', expires_in: 7200 },
    { access_token: 'A', expires_in: 7000 },
    { access_token: 'B', expires_in: 7200 },
  ]);
  const tokens = manager(endpoint, { now: T0 });
  await tokens.get();
  tokens.invalidate('A');
  t.is(await tokens.get(), 'B');
  t.deepEqual(endpoint.requests.map((r) => r.force_refresh), [false, false, true]);
});

test('an error answer reaches every waiting caller and the next call tries again', async (t) => {
  const endpoint = tokenEndpoint([{ errcode: 40125, errmsg: 'invalid appsecret' }, { access_token: 'A', expires_in: 7200 }]);
  const tokens = manager(endpoint, { now: T0 });
  endpoint.hold();
  const waiting = Array.from({ length: 10 }, () => tokens.get());
  endpoint.open();
  const results = await Promise.allSettled(waiting);
  for (const result of results) {
    t.is(result.status, 'rejected');
    const reason = (result as PromiseRejectedResult).reason;
    t.true(reason instanceof WechatApiError);
    t.like(reason, { api: 'stable_token', errcode: 40125 });
  }
  t.is(endpoint.requests.length, 1);
  t.is(await tokens.get(), 'A');
});

test('a persisted token that is still fresh is used without a call; a fresh one is saved', async (t) => {
  const saved: StoredAccessToken[] = [];
  const clock = { now: T0 };
  const stored = { accessToken: 'STORED', expiresAt: T0 + 3600_000 };
  const endpoint = tokenEndpoint([{ access_token: 'NEW', expires_in: 7200 }]);
  const tokens = manager(endpoint, clock, { persistence: { load: async () => stored, save: async (token) => void saved.push(token) } });
  t.is(await tokens.get(), 'STORED');
  t.is(endpoint.requests.length, 0);
  clock.now = T0 + 3600_000;
  t.is(await tokens.get(), 'NEW');
  t.deepEqual(saved, [{ accessToken: 'NEW', expiresAt: T0 + 3600_000 + 7200_000 }]);
});

test('an expired persisted token is not used', async (t) => {
  const endpoint = tokenEndpoint([{ access_token: 'NEW', expires_in: 7200 }]);
  const tokens = manager(endpoint, { now: T0 }, {
    persistence: { load: async () => ({ accessToken: 'OLD', expiresAt: T0 - 1 }), save: async () => {} },
  });
  t.is(await tokens.get(), 'NEW');
});

test('an answer without a token is a bad response, not a token', async (t) => {
  const endpoint = tokenEndpoint([{ expires_in: 7200 }]);
  const tokens = manager(endpoint, { now: T0 });
  await t.throwsAsync(tokens.get(), { name: 'WechatUnknownOutcomeError' });
});
