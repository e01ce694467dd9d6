import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  WechatCipher,
  WechatCryptoError,
  aesKeyFromEncodingAESKey,
  pkcs7Pad,
  pkcs7Unpad,
  type WechatCryptoErrorKind,
} from '../src/wechat/crypto.js';
import { msgSignature } from '../src/wechat/signature.js';

// A key chosen as bytes; its EncodingAESKey is base64 without the trailing '='.
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const ENCODING_AES_KEY = KEY.toString('base64').replace(/=$/, '');
const APPID = 'wxsandbox0000000';
const TOKEN = 'sandbox-token';
const RANDOM16 = Buffer.from('r'.repeat(16));

/** The plaintext layout built by hand: random ‖ uint32 BE length ‖ msg ‖ appid, padded to 32 by hand. */
function handPlaintext(message: string, appid: string, padOverride?: Buffer): Buffer {
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.from([(msg.length >>> 24) & 0xff, (msg.length >>> 16) & 0xff, (msg.length >>> 8) & 0xff, msg.length & 0xff]);
  const body = Buffer.concat([RANDOM16, len, msg, Buffer.from(appid, 'utf8')]);
  if (padOverride) return Buffer.concat([body, padOverride]);
  const n = 32 - (body.length % 32);
  return Buffer.concat([body, Buffer.alloc(n, n)]);
}

/** AES-256-CBC without padding by the openssl CLI, independent of Node's crypto and of our code. */
function opensslEncrypt(plain: Buffer): string {
  const out = execFileSync('openssl', [
    'enc', '-aes-256-cbc', '-nopad', '-K', KEY.toString('hex'), '-iv', KEY.subarray(0, 16).toString('hex'),
  ], { input: plain });
  return out.toString('base64');
}

function opensslDecrypt(encrypted: string): Buffer {
  return execFileSync('openssl', [
    'enc', '-d', '-aes-256-cbc', '-nopad', '-K', KEY.toString('hex'), '-iv', KEY.subarray(0, 16).toString('hex'),
  ], { input: Buffer.from(encrypted, 'base64') });
}

const cipher = () => new WechatCipher({ token: TOKEN, encodingAESKey: ENCODING_AES_KEY, appid: APPID, random: () => Buffer.from(RANDOM16) });

const MESSAGES = [
  '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[你好]]></Content></xml>',
  '',
  'x'.repeat(12), // 16 + 4 + 12 + 16 = 48 bytes: pad 16
  'x'.repeat(28), // 16 + 4 + 28 + 16 = 64 bytes: a full block of 32 padding bytes
  '申请公开人防工程信息 🙂'.repeat(40),
];

test('EncodingAESKey decodes to the 32-byte key; malformed keys are refused with a typed error', (t) => {
  t.deepEqual(aesKeyFromEncodingAESKey(ENCODING_AES_KEY), KEY);
  for (const bad of ['', ENCODING_AES_KEY.slice(1), ENCODING_AES_KEY + 'A', ENCODING_AES_KEY.slice(0, 42) + '!']) {
    const error = t.throws(() => aesKeyFromEncodingAESKey(bad), { instanceOf: WechatCryptoError });
    t.is(error?.kind, 'invalid-aes-key');
  }
});

test('decrypts ciphertexts made by the openssl CLI from hand-built plaintexts', (t) => {
  for (const message of MESSAGES) {
    const encrypted = opensslEncrypt(handPlaintext(message, APPID));
    t.is(cipher().decrypt(encrypted), message);
  }
});

test('encrypt produces exactly the openssl ciphertext of the hand-built plaintext', (t) => {
  for (const message of MESSAGES) {
    t.is(cipher().encrypt(message), opensslEncrypt(handPlaintext(message, APPID)));
  }
});

test('padding is PKCS#7 to 32-byte blocks, not 16', (t) => {
  for (const message of MESSAGES) {
    const plain = opensslDecrypt(cipher().encrypt(message));
    t.is(plain.length % 32, 0);
    const pad = plain[plain.length - 1];
    t.true(pad >= 1 && pad <= 32);
  }
  // 48 bytes of content need 16 bytes of pad under a 32-byte block (a 16-byte block would add 16 as well),
  // 64 bytes need a whole block of 32 (a 16-byte block would add only 16).
  t.is(opensslDecrypt(cipher().encrypt('x'.repeat(28))).length, 96);
  t.is(pkcs7Pad(Buffer.alloc(64)).length, 96);
  t.is(pkcs7Pad(Buffer.alloc(1))[31], 31);
});

test('round trip with real random bytes gives different ciphertexts for the same message', (t) => {
  const c = new WechatCipher({ token: TOKEN, encodingAESKey: ENCODING_AES_KEY, appid: APPID });
  const a = c.encrypt('同一条消息');
  const b = c.encrypt('同一条消息');
  t.not(a, b);
  t.is(c.decrypt(a), '同一条消息');
  t.is(c.decrypt(b), '同一条消息');
});

test('a message for another appid is refused; decryptRaw still reports which appid it was', (t) => {
  const encrypted = opensslEncrypt(handPlaintext('<xml/>', 'wxsomeoneelse0000'));
  const error = t.throws(() => cipher().decrypt(encrypted), { instanceOf: WechatCryptoError });
  t.is(error?.kind, 'appid-mismatch');
  t.is(error?.referenceCode, -40005);
  t.deepEqual(cipher().decryptRaw(encrypted), { message: '<xml/>', appid: 'wxsomeoneelse0000' });
});

test('bad padding, bad lengths and garbage are typed errors, never crashes', (t) => {
  const body = handPlaintext('abc', APPID, Buffer.alloc(0)); // 16 + 4 + 3 + 16 = 39 bytes
  const cases: [string, string, WechatCryptoErrorKind][] = [
    ['pad byte 0', opensslEncrypt(Buffer.concat([body, Buffer.alloc(24, 7), Buffer.from([0])])), 'invalid-padding'],
    ['pad byte 33', opensslEncrypt(Buffer.concat([body, Buffer.alloc(24, 7), Buffer.from([33])])), 'invalid-padding'],
    ['inconsistent pad bytes', opensslEncrypt(Buffer.concat([body, Buffer.alloc(20, 7), Buffer.alloc(5, 25)])), 'invalid-padding'],
    ['length field beyond the plaintext', opensslEncrypt(Buffer.concat([RANDOM16, Buffer.from([0, 0, 1, 0]), Buffer.from('short'), Buffer.alloc(7, 7)])), 'invalid-length'],
    ['plaintext shorter than the header', opensslEncrypt(Buffer.concat([Buffer.from('tiny'), Buffer.alloc(28, 28)])), 'invalid-length'],
    ['not whole blocks', Buffer.alloc(20).toString('base64'), 'invalid-ciphertext'],
    ['not base64', '!!!not base64!!!', 'invalid-ciphertext'],
    ['empty', '', 'invalid-ciphertext'],
  ];
  for (const [name, encrypted, kind] of cases) {
    const error = t.throws(() => cipher().decrypt(encrypted), { instanceOf: WechatCryptoError }, name);
    t.is(error?.kind, kind, name);
  }
});

test('pkcs7Unpad refuses a pad longer than the data', (t) => {
  const error = t.throws(() => pkcs7Unpad(Buffer.from([5, 5, 5])), { instanceOf: WechatCryptoError });
  t.is(error?.kind, 'invalid-padding');
});

test('open checks msg_signature before decrypting', (t) => {
  const encrypt = opensslEncrypt(handPlaintext('<xml>hi</xml>', APPID));
  const input = { encrypt, timestamp: '1700000000', nonce: 'n1' };
  const good = msgSignature(TOKEN, input.timestamp, input.nonce, encrypt);
  t.is(cipher().open({ ...input, msgSignature: good }), '<xml>hi</xml>');
  const error = t.throws(() => cipher().open({ ...input, msgSignature: good.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) }), {
    instanceOf: WechatCryptoError,
  });
  t.is(error?.kind, 'invalid-signature');
});

test('seal signs the reply over the TimeStamp (seconds) and Nonce it carries', (t) => {
  const envelope = cipher().seal('<xml>reply</xml>', '1700000000', 'nonce-1');
  t.is(envelope.timeStamp, '1700000000');
  t.is(envelope.nonce, 'nonce-1');
  t.is(envelope.msgSignature, msgSignature(TOKEN, '1700000000', 'nonce-1', envelope.encrypt));
  t.is(cipher().decrypt(envelope.encrypt), '<xml>reply</xml>');
  t.throws(() => cipher().seal('<xml/>', '1700000000000', 'n'), { instanceOf: RangeError }, 'milliseconds are refused');
});
