import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  DEFAULT_REPLAY_WINDOW_SECONDS,
  isWithinReplayWindow,
  msgSignature,
  plainSignature,
  safeEqual,
  verifyMsgSignature,
  verifyPlainSignature,
} from '../src/wechat/signature.js';

// The reference digest comes from the openssl CLI over a concatenation sorted by hand in the table,
// so neither the sort nor the hashing of the code under test is reused.
function opensslSha1(input: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha1', '-r'], { input }).toString();
  return out.split(' ')[0].trim();
}

const TOKEN = 'sandbox-token';

test('plain signature is sha1 of token, timestamp and nonce sorted and joined', (t) => {
  const cases = [
    { timestamp: '1700000000', nonce: 'abc123', sortedJoin: '1700000000abc123sandbox-token' },
    { timestamp: '1409304348', nonce: 'zzz', sortedJoin: '1409304348sandbox-tokenzzz' },
    { timestamp: '1', nonce: 'A', sortedJoin: '1Asandbox-token' },
  ];
  for (const c of cases) {
    t.is(plainSignature(TOKEN, c.timestamp, c.nonce), opensslSha1(c.sortedJoin), c.sortedJoin);
  }
});

test('msg_signature adds the Encrypt text to the sorted parts', (t) => {
  const encrypt = 'Qm9ndXNDaXBoZXJ0ZXh0';
  // Sorted: '1700000000' < 'Qm9…' < 'nonce' < 'sandbox-token' (upper case sorts before lower case).
  const expected = opensslSha1(`1700000000${encrypt}noncesandbox-token`);
  t.is(msgSignature(TOKEN, '1700000000', 'nonce', encrypt), expected);
});

test('verifyPlainSignature accepts the genuine signature and refuses forged, truncated or missing ones', (t) => {
  const good = plainSignature(TOKEN, '1700000000', 'n1');
  const base = { timestamp: '1700000000', nonce: 'n1' };
  t.true(verifyPlainSignature(TOKEN, { ...base, signature: good }));
  t.true(verifyPlainSignature(TOKEN, { ...base, signature: good.toUpperCase() }), 'hex case does not matter');
  const forged = (good[0] === '0' ? '1' : '0') + good.slice(1);
  const cases: [string, Record<string, string | undefined>][] = [
    ['forged', { ...base, signature: forged }],
    ['shorter', { ...base, signature: good.slice(0, 39) }],
    ['longer', { ...base, signature: good + '0' }],
    ['empty', { ...base, signature: '' }],
    ['missing', { ...base, signature: undefined }],
    ['other nonce', { timestamp: '1700000000', nonce: 'n2', signature: good }],
    ['other token', { ...base, signature: plainSignature('other-token', '1700000000', 'n1') }],
  ];
  for (const [name, query] of cases) t.false(verifyPlainSignature(TOKEN, query), name);
});

test('verifyMsgSignature checks the ciphertext too', (t) => {
  const input = { timestamp: '1700000000', nonce: 'n1', encrypt: 'abc=' };
  const good = msgSignature(TOKEN, input.timestamp, input.nonce, input.encrypt);
  t.true(verifyMsgSignature(TOKEN, { ...input, msgSignature: good }));
  t.false(verifyMsgSignature(TOKEN, { ...input, encrypt: 'abd=', msgSignature: good }));
  t.false(verifyMsgSignature(TOKEN, { ...input, msgSignature: good.slice(2) }));
  t.false(verifyMsgSignature(TOKEN, { ...input, msgSignature: undefined }));
});

test('safeEqual compares content and answers false on unequal lengths without throwing', (t) => {
  t.true(safeEqual('abc', 'abc'));
  t.false(safeEqual('abc', 'abd'));
  t.false(safeEqual('abc', 'abcd'));
  t.false(safeEqual('', 'a'));
  t.true(safeEqual('', ''));
  t.false(safeEqual('é', 'e'), 'compares bytes, not code units');
});

test('replay window: WeChat retries and ordinary clock drift pass, old or future requests do not', (t) => {
  const now = 1_700_000_000_000;
  const cases: [string | undefined, boolean, string][] = [
    ['1700000000', true, 'now'],
    ['1699999985', true, 'third try of a push 15 s after the first'],
    [String(1_700_000_000 - DEFAULT_REPLAY_WINDOW_SECONDS), true, 'edge of the window'],
    [String(1_700_000_000 - DEFAULT_REPLAY_WINDOW_SECONDS - 1), false, 'just outside'],
    ['1700000120', true, 'our clock two minutes slow'],
    ['1700000301', false, 'too far in the future'],
    ['1700000000000', false, 'milliseconds are not seconds'],
    ['17e8', false, 'not plain digits'],
    ['', false, 'empty'],
    [undefined, false, 'missing'],
  ];
  for (const [timestamp, expected, name] of cases) t.is(isWithinReplayWindow(timestamp, now), expected, name);
  t.false(isWithinReplayWindow('1699999900', now, 60), 'window is configurable');
  t.true(isWithinReplayWindow('1699999950', now, 60));
});
