// The accounts, audit and identities repositories, the same tests on each engine: staff users,
// sessions found by token hash and gone once expired or ended, login windows, the append-only audit
// log, identities linked by UnionID or by a code used once; the move between engines; and on
// PostgreSQL two instances doing the same thing at once, which must add up and never duplicate.
import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { AccountsRepo, type AccountsRepository, type StaffUser } from '../src/store/accounts-repo.js';
import { AuditRepo, type AuditRepository } from '../src/store/audit-repo.js';
import { IdentitiesRepo, identityKey, type IdentitiesRepository } from '../src/store/identities-repo.js';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgAccountsRepo } from '../src/store/pg/accounts-repo.js';
import { PgAuditRepo } from '../src/store/pg/audit-repo.js';
import { PgIdentitiesRepo } from '../src/store/pg/identities-repo.js';
import type { Transferable, TransferRecord } from '../src/store/transfer.js';
import { LoginGuard } from '../src/accounts/login-guard.js';
import { IdentityLinks } from '../src/accounts/identity-links.js';
import { engines, testDatabase, type EngineName } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';

interface Repos {
  accounts: AccountsRepository;
  audit: AuditRepository;
  identities: IdentitiesRepository;
}

async function embedded(t: ExecutionContext): Promise<Repos> {
  const store = await Store.open(await tempDir(t));
  t.teardown(() => store.close());
  const [accounts, audit, identities] = await Promise.all([AccountsRepo.open(store), AuditRepo.open(store), IdentitiesRepo.open(store)]);
  return { accounts, audit, identities };
}

async function onPg(t: ExecutionContext, url: string): Promise<Repos> {
  const db = new Database(url);
  t.teardown(() => db.close());
  await migrate(db);
  const [accounts, audit, identities] = await Promise.all([PgAccountsRepo.open(db), PgAuditRepo.open(db), PgIdentitiesRepo.open(db)]);
  return { accounts, audit, identities };
}

async function open(t: ExecutionContext, engine: EngineName): Promise<Repos> {
  return engine === 'embedded' ? embedded(t) : onPg(t, await testDatabase(t));
}

function staff(username: string, extra: Partial<StaffUser> = {}): StaffUser {
  return {
    username,
    displayName: username,
    passwordHash: 'scrypt$x',
    roles: ['handler'],
    createdAt: '2026-01-05T01:00:00.000Z',
    createdBy: 'system',
    disabled: false,
    failedLogins: 0,
    lockedUntil: null,
    wechatOpenid: null,
    ...extra,
  };
}

const NOW = '2026-01-05T02:00:00.000Z';
const LATER = '2026-01-06T02:00:00.000Z';
const HOUR = 3_600_000;

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** JSON with every object's keys in order: jsonb keeps its own order of keys, which means nothing. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v,
  );
}

function sorted(records: TransferRecord[]): string[] {
  return records.map(canonical).sort();
}

async function* listed(records: TransferRecord[]): AsyncIterable<TransferRecord> {
  yield* records;
}

for (const engine of await engines()) {
  test(`[${engine}] staff users: added once per name, read as copies, changed in one step`, async (t) => {
    const { accounts } = await open(t, engine);
    t.true(await accounts.addUser(staff('wang')));
    t.true(await accounts.addUser(staff('li', { roles: ['admin'] })));
    t.false(await accounts.addUser(staff('wang', { displayName: 'another' })), 'a taken name is refused');
    t.deepEqual((await accounts.users()).map((u) => u.username), ['wang', 'li'], 'in the order added');
    t.is((await accounts.user('wang'))!.displayName, 'wang');
    t.is(await accounts.user('nobody'), undefined);

    const read = (await accounts.user('wang'))!;
    read.roles.push('admin');
    t.deepEqual((await accounts.user('wang'))!.roles, ['handler'], 'changing a read changes nothing stored');

    const changed = await accounts.updateUser('wang', (u) => {
      u.disabled = true;
      u.wechatOpenid = 'o-wang';
    });
    t.like(changed, { username: 'wang', disabled: true, wechatOpenid: 'o-wang' });
    t.like(await accounts.user('wang'), { disabled: true, wechatOpenid: 'o-wang' });
    t.is(await accounts.updateUser('nobody', () => t.fail()), undefined);
    await t.throwsAsync(
      accounts.updateUser('wang', (u) => {
        u.displayName = 'half';
        throw new Error('refused');
      }),
    );
    t.is((await accounts.user('wang'))!.displayName, 'wang', 'a change that throws leaves the user as it was');
  });

  test(`[${engine}] sessions: found by token hash until they expire, ended one by one or all of a subject`, async (t) => {
    const { accounts } = await open(t, engine);
    const session = (tokenHash: string, subject: string, kind: 'staff' | 'mp', expiresAt: string) => ({ tokenHash, subject, kind, createdAt: NOW, expiresAt, ...(kind === 'staff' ? { csrf: `c-${tokenHash}` } : {}) });
    await accounts.addSession(session('h1', 'wang', 'staff', LATER), NOW);
    await accounts.addSession(session('h2', 'wang', 'staff', LATER), NOW);
    await accounts.addSession(session('h3', 'li', 'staff', '2026-01-05T03:00:00.000Z'), NOW);
    await accounts.addSession(session('m1', 'o-citizen', 'mp', LATER), NOW);
    t.deepEqual(await accounts.session('h1', NOW), session('h1', 'wang', 'staff', LATER));
    t.deepEqual(await accounts.session('m1', NOW), session('m1', 'o-citizen', 'mp', LATER));
    t.is(await accounts.session('unknown', NOW), undefined);
    t.is(await accounts.session('h3', '2026-01-05T03:00:00.000Z'), undefined, 'expired at its expiry');
    t.deepEqual(await accounts.sessionCounts('staff', NOW), { wang: 2, li: 1 });
    t.deepEqual(await accounts.sessionCounts('staff', '2026-01-05T04:00:00.000Z'), { wang: 2 });
    t.deepEqual(await accounts.sessionCounts('mp', NOW), { 'o-citizen': 1 });

    await accounts.removeSession('h1');
    t.is(await accounts.session('h1', NOW), undefined);
    t.is(await accounts.removeSessionsOf('wang'), 1);
    t.is(await accounts.removeSessionsOf('o-citizen'), 0, 'staff sessions by default');
    t.is(await accounts.removeSessionsOf('o-citizen', 'mp'), 1);
    // A new session drops those expired meanwhile.
    await accounts.addSession(session('h4', 'li', 'staff', LATER), '2026-01-05T04:00:00.000Z');
    t.deepEqual(await accounts.counts(), { 'staff-user': 0, session: 1 });
  });

  test(`[${engine}] login windows: empty when new, kept between steps, forgotten per name, pruned when idle`, async (t) => {
    const { accounts } = await open(t, engine);
    const keys = [{ address: '10.0.0.1', name: 'wang' }, { name: 'wang' }, { address: '10.0.0.1' }];
    const seen = await accounts.changeLoginWindows(keys, 1000, (windows) => {
      t.deepEqual(windows.map((w) => w.failures), [0, 0, 0]);
      windows.forEach((w, i) => {
        w.failures = i + 1;
        w.blockedUntil = i === 1 ? 90_000 : 0;
      });
      return 'answer';
    });
    t.is(seen, 'answer');
    await accounts.changeLoginWindows([{ address: '10.0.0.2', name: 'wang' }], 2000, ([w]) => {
      w!.blockedUntil = 50_000;
    });
    await accounts.changeLoginWindows(keys, 3000, (windows) => t.deepEqual(windows.map((w) => w.failures), [1, 2, 3]));
    t.deepEqual((await accounts.loginWindowsOf('wang')).map((w) => w.blockedUntil).sort((a, b) => a - b), [0, 50_000, 90_000]);
    t.is((await accounts.loginWindowsOf('li')).length, 0);

    // Idle since before 2500 and not blocking at 60 000: only the pair from 10.0.0.2 (blocked until
    // 50 000) goes; the others were touched at 3000.
    t.is(await accounts.pruneLoginWindows(2500, 60_000), 1);
    await accounts.forgetLoginWindowsOf('wang');
    t.deepEqual(await accounts.loginWindowsOf('wang'), []);
    await accounts.changeLoginWindows([{ address: '10.0.0.1' }], 4000, ([w]) => t.is(w!.failures, 3, "the address's own window stays"));
  });

  test(`[${engine}] the login guard on the repository: five tries of a name, then a backoff an admin lifts`, async (t) => {
    const { accounts } = await open(t, engine);
    let now = Date.parse(NOW);
    const guard = new LoginGuard(accounts, () => new Date(now));
    const tickets = await Promise.all(Array.from({ length: 12 }, () => guard.attempt('wang', '10.0.0.1')));
    const reserved = tickets.filter((x) => 'failed' in x);
    t.is(reserved.length, 5);
    for (const ticket of reserved) if ('failed' in ticket) await ticket.failed();
    t.like(await guard.attempt('wang', '10.0.0.1'), { kind: 'backoff', retryAfterMs: 60_000 });
    t.truthy(await guard.lockedUntil('wang'));
    now += 61_000;
    const after = await guard.attempt('wang', '10.0.0.1');
    t.true('failed' in after, 'one try after the wait');
    if ('failed' in after) await after.succeeded();
    t.is(await guard.lockedUntil('wang'), null);
    await guard.unlock('wang');
    t.deepEqual(await accounts.loginWindowsOf('wang'), []);
  });

  test(`[${engine}] the audit log: appended, read newest first, all or of one account`, async (t) => {
    const { audit } = await open(t, engine);
    for (let i = 0; i < 5; i++) {
      await audit.append({ at: `2026-01-05T0${i}:00:00.000Z`, by: 'admin', action: 'user.update', target: i % 2 ? 'li' : 'wang', detail: { step: i }, ...(i === 0 ? { address: '10.0.0.1' } : {}) });
    }
    t.deepEqual((await audit.latest(3)).map((e) => e.detail!.step), [4, 3, 2]);
    t.deepEqual((await audit.latest(10, 'li')).map((e) => e.detail!.step), [3, 1]);
    t.deepEqual(await audit.latest(1, 'nobody'), []);
    t.deepEqual((await audit.latest(10, 'wang')).at(-1), { at: '2026-01-05T00:00:00.000Z', by: 'admin', action: 'user.update', target: 'wang', detail: { step: 0 }, address: '10.0.0.1' });
    const read = await audit.latest(1);
    read[0]!.detail!.step = 99;
    t.is((await audit.latest(1))[0]!.detail!.step, 4, 'a read is a copy');
    t.deepEqual(await audit.counts(), { 'audit-entry': 5 });
  });

  test(`[${engine}] identities: a UnionID links the two channels; reads by key, person and UnionID`, async (t) => {
    const { identities } = await open(t, engine);
    t.is(await identities.noteUnionid('miniprogram', 'o-mp', 'u-1', NOW), null, 'nobody else has it yet');
    const mp = (await identities.get('miniprogram', 'o-mp'))!;
    t.like(mp, { key: 'miniprogram:o-mp', channel: 'miniprogram', openid: 'o-mp', unionid: 'u-1', unionidCheckedAt: NOW });
    t.is(mp.linked, undefined);
    const linked = await identities.noteUnionid('official-account', 'o-oa', 'u-1', LATER);
    t.deepEqual(linked?.map((i) => i.key).sort(), ['miniprogram:o-mp', 'official-account:o-oa']);
    const oa = (await identities.byKey('official-account:o-oa'))!;
    t.is(oa.person, (await identities.get('miniprogram', 'o-mp'))!.person, 'one person now');
    t.deepEqual(oa.linked, { by: 'unionid', at: LATER });
    t.deepEqual((await identities.samePerson(oa.person)).map((i) => i.key), ['miniprogram:o-mp', 'official-account:o-oa']);
    t.deepEqual((await identities.byUnionid('u-1')).length, 2);
    t.deepEqual(await identities.byUnionid('u-none'), []);
    t.is(await identities.get('miniprogram', 'o-unknown'), undefined);
  });

  test(`[${engine}] link codes: kept per owner, limited per hour, used once; failures counted per window`, async (t) => {
    const { identities } = await open(t, engine);
    const owner = identityKey('miniprogram', 'o-mp');
    const code = (hash: string, expiresAt = '2026-01-05T02:10:00.000Z') => ({ hash, owner, expiresAt });
    t.true(await identities.saveCode(code('h-old'), NOW, HOUR, 2));
    t.truthy(await identities.get('miniprogram', 'o-mp'), 'the owner is known from its first code');
    t.true(await identities.saveCode(code('h-new'), NOW, HOUR, 2));
    t.false(await identities.saveCode(code('h-third'), NOW, HOUR, 2), 'two an hour');
    t.deepEqual(await identities.redeemCode('h-old', 'official-account', 'o-oa', NOW), { outcome: 'unknown' }, 'a new code replaces the old');
    t.deepEqual(await identities.redeemCode('h-new', 'miniprogram', 'o-other', NOW), { outcome: 'same-channel' });
    t.deepEqual(await identities.redeemCode('h-new', 'official-account', 'o-oa', '2026-01-05T02:10:00.000Z'), { outcome: 'unknown' }, 'expired');

    await identities.countFailure(['official-account:o-oa', '*'], NOW, HOUR);
    await identities.countFailure(['official-account:o-oa', '*'], NOW, HOUR);
    t.deepEqual(await identities.attemptWindows(['official-account:o-oa', '*', 'nobody']), {
      'official-account:o-oa': { failures: 2, since: NOW },
      '*': { failures: 2, since: NOW },
    });

    const linked = await identities.redeemCode('h-new', 'official-account', 'o-oa', NOW);
    t.is(linked.outcome, 'linked');
    if (linked.outcome === 'linked') t.deepEqual(linked.identities.map((i) => i.key), ['miniprogram:o-mp', 'official-account:o-oa']);
    t.deepEqual(await identities.attemptWindows(['official-account:o-oa']), {}, "a link forgets the redeemer's failures");
    t.deepEqual(await identities.redeemCode('h-new', 'official-account', 'o-oa', NOW), { outcome: 'unknown' }, 'used once');
    const oa = (await identities.get('official-account', 'o-oa'))!;
    t.deepEqual(oa.linked, { by: 'code', at: NOW });

    // The same two again: nothing to link, the code is used up.
    t.true(await identities.saveCode(code('h-again', '2026-01-06T02:10:00.000Z'), LATER, HOUR, 2));
    t.deepEqual(await identities.redeemCode('h-again', 'official-account', 'o-oa', LATER), { outcome: 'already' });
    t.deepEqual(await identities.redeemCode('h-again', 'official-account', 'o-oa', LATER), { outcome: 'unknown' });
    // Another chat user may not take over a mini-program already linked.
    t.true(await identities.saveCode(code('h-taken', '2026-01-06T02:10:00.000Z'), LATER, HOUR, 2));
    t.deepEqual(await identities.redeemCode('h-taken', 'official-account', 'o-stranger', LATER), { outcome: 'taken' });
    t.deepEqual(await identities.redeemCode('h-taken', 'official-account', 'o-stranger', LATER), { outcome: 'taken' }, 'not used up by a refusal');
  });

  if (engine === 'postgres') {
    test('[postgres] moving the office: embedded → PostgreSQL → embedded keeps every record and count', async (t) => {
      const source = await embedded(t);
      await source.accounts.addUser(staff('wang', { roles: ['admin', 'handler'], wechatOpenid: 'o-wang' }));
      await source.accounts.addUser(staff('li'));
      await source.accounts.addSession({ tokenHash: 'h1', subject: 'wang', kind: 'staff', createdAt: NOW, expiresAt: LATER, csrf: 'c1' }, NOW);
      await source.accounts.addSession({ tokenHash: 'm1', subject: 'o-mp', kind: 'mp', createdAt: NOW, expiresAt: LATER }, NOW);
      await source.audit.append({ at: NOW, by: 'system', action: 'user.create', target: 'wang', detail: { roles: ['admin'] } });
      await source.audit.append({ at: LATER, by: 'wang', action: 'user.unlock', target: 'li', address: '10.0.0.1' });
      await source.identities.noteUnionid('miniprogram', 'o-mp', 'u-1', NOW);
      await source.identities.noteUnionid('official-account', 'o-oa', 'u-1', NOW);
      await source.identities.saveCode({ hash: 'h-code', owner: 'miniprogram:o-lone', expiresAt: LATER }, NOW, HOUR, 5);
      await source.identities.countFailure(['official-account:o-x', '*'], NOW, HOUR);

      const middle = await onPg(t, await testDatabase(t));
      const back = await embedded(t);
      for (const name of ['accounts', 'audit', 'identities'] as const) {
        const from: Transferable = source[name];
        const records = await all(from.exportRecords());
        t.true(records.length > 0, name);
        await middle[name].importRecords(listed(records));
        t.deepEqual(await middle[name].counts(), await from.counts(), `${name} counts on PostgreSQL`);
        const again = await all(middle[name].exportRecords());
        await back[name].importRecords(listed(again));
        t.deepEqual(await back[name].counts(), await from.counts(), `${name} counts back on the embedded engine`);
        // The same records; the order within a kind may differ where it means nothing (windows, codes).
        t.deepEqual(sorted(await all(back[name].exportRecords())), sorted(records), `${name} records round trip`);
        await t.throwsAsync(middle[name].importRecords(listed(records)), undefined, 'only into an empty repository');
      }
      // What was moved works there.
      t.like(await middle.accounts.session('h1', NOW), { subject: 'wang', csrf: 'c1' });
      t.deepEqual((await middle.audit.latest(1))[0]!.action, 'user.unlock');
      t.deepEqual((await middle.identities.samePerson((await middle.identities.get('miniprogram', 'o-mp'))!.person)).length, 2);
      t.is((await middle.identities.redeemCode('h-code', 'official-account', 'o-new', NOW)).outcome, 'linked');
    });

    test('[postgres] two instances: login attempts add up, so guesses spread over both meet one limit', async (t) => {
      const url = await testDatabase(t);
      const [a, b] = [await onPg(t, url), await onPg(t, url)];
      const now = () => new Date(NOW);
      const guards = [new LoginGuard(a.accounts, now), new LoginGuard(b.accounts, now)];
      // 20 guesses at once, half at each instance: five are tried in all, not five at each.
      const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => guards[i % 2]!.attempt('wang', '203.0.113.9')));
      const reserved = tickets.filter((x) => 'failed' in x);
      t.is(reserved.length, 5);
      await Promise.all(reserved.map((x) => ('failed' in x ? x.failed() : undefined)));
      for (const guard of guards) t.like(await guard.attempt('wang', '203.0.113.9'), { kind: 'backoff' });
      t.truthy(await guards[1]!.lockedUntil('wang'), 'the backoff shows at the other instance');
      // An admin at one instance lifts it for both.
      await guards[0]!.unlock('wang');
      t.true('failed' in (await guards[1]!.attempt('wang', '203.0.113.9')));

      // The flood limit per address counts at both: 60 a minute in all.
      const flood = await Promise.all(Array.from({ length: 70 }, (_, i) => guards[i % 2]!.attempt(`name-${i}`, '198.51.100.7')));
      t.is(flood.filter((x) => !('failed' in x) && x.kind === 'flood').length, 10);
    });

    test('[postgres] two instances: a user changed at both loses no change, a name is taken once, a logout counts everywhere', async (t) => {
      const url = await testDatabase(t);
      const [a, b] = [await onPg(t, url), await onPg(t, url)];
      await a.accounts.addUser(staff('wang'));
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? a : b).accounts.updateUser('wang', (u) => {
            u.failedLogins += 1;
          }),
        ),
      );
      t.is((await b.accounts.user('wang'))!.failedLogins, 30);

      const added = await Promise.all([a.accounts.addUser(staff('li', { displayName: 'A' })), b.accounts.addUser(staff('li', { displayName: 'B' }))]);
      t.deepEqual(added.filter(Boolean).length, 1);
      t.is((await a.accounts.users()).filter((u) => u.username === 'li').length, 1);

      await a.accounts.addSession({ tokenHash: 'h1', subject: 'wang', kind: 'staff', createdAt: NOW, expiresAt: LATER, csrf: 'c' }, NOW);
      t.truthy(await b.accounts.session('h1', NOW));
      await b.accounts.removeSession('h1');
      t.is(await a.accounts.session('h1', NOW), undefined);

      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).audit.append({ at: NOW, by: 'admin', action: 'user.update', target: 'wang', detail: { i } })));
      t.is((await a.audit.latest(100, 'wang')).length, 20);
    });

    test('[postgres] two instances: one link code redeemed at both at once links once', async (t) => {
      const url = await testDatabase(t);
      const [a, b] = [await onPg(t, url), await onPg(t, url)];
      const clock = () => new Date(NOW);
      const [linksA, linksB] = [new IdentityLinks(a.identities, { clock }), new IdentityLinks(b.identities, { clock })];
      for (let round = 0; round < 5; round++) {
        const { code } = await linksA.issueCode('miniprogram', `o-mp-${round}`);
        const results = await Promise.allSettled([linksA.redeem('official-account', `o-a-${round}`, code), linksB.redeem('official-account', `o-b-${round}`, code)]);
        t.is(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results));
        const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        t.regex(refused.reason.message, /关联码不正确或已过期/);
        const person = (await b.identities.get('miniprogram', `o-mp-${round}`))!.person;
        t.is((await a.identities.samePerson(person)).length, 2, 'the mini-program is linked to one chat user');
      }
      // Both instances noting the same UnionID at once make one person of the two channels.
      await Promise.all([a.identities.noteUnionid('miniprogram', 'o-u-mp', 'u-9', NOW), b.identities.noteUnionid('official-account', 'o-u-oa', 'u-9', NOW)]);
      const [mp, oa] = [await a.identities.get('miniprogram', 'o-u-mp'), await a.identities.get('official-account', 'o-u-oa')];
      t.is(mp!.person, oa!.person);
    });
  }
}
