// Plays WeChat's server: signs (and in safe mode encrypts) pushes to POST /wechat the way WeChat
// does, using node:crypto's sha1 and the openssl CLI directly — never the product's own code.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';

export const TOKEN = 'sandbox-token';
export const APPID = 'wxsandbox0000000';
export const GH_ID = 'gh_sandbox000001';

function sha1(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

export interface SafeMode {
  encodingAESKey: string;
}

export function safeModeKey(): SafeMode {
  return { encodingAESKey: randomBytes(32).toString('base64').replace(/=$/, '') };
}

function keyOf(mode: SafeMode): Buffer {
  return Buffer.from(`${mode.encodingAESKey}=`, 'base64');
}

function opensslEncrypt(mode: SafeMode, plain: Buffer): string {
  const key = keyOf(mode);
  return execFileSync('openssl', ['enc', '-aes-256-cbc', '-nopad', '-K', key.toString('hex'), '-iv', key.subarray(0, 16).toString('hex')], {
    input: plain,
  }).toString('base64');
}

function opensslDecrypt(mode: SafeMode, encrypted: string): Buffer {
  const key = keyOf(mode);
  return execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-nopad', '-K', key.toString('hex'), '-iv', key.subarray(0, 16).toString('hex')], {
    input: Buffer.from(encrypted, 'base64'),
  });
}

/** random(16) ‖ uint32 BE length ‖ msg ‖ appid, PKCS#7-padded to 32 bytes, encrypted by openssl. */
export function encryptLikeWechat(mode: SafeMode, xml: string, appid = APPID): string {
  const msg = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length);
  const body = Buffer.concat([randomBytes(16), length, msg, Buffer.from(appid)]);
  const pad = 32 - (body.length % 32);
  return opensslEncrypt(mode, Buffer.concat([body, Buffer.alloc(pad, pad)]));
}

export function decryptLikeWechat(mode: SafeMode, encrypted: string): { xml: string; appid: string } {
  const plain = opensslDecrypt(mode, encrypted);
  const unpadded = plain.subarray(0, plain.length - plain[plain.length - 1]!);
  const length = unpadded.readUInt32BE(16);
  return { xml: unpadded.subarray(20, 20 + length).toString('utf8'), appid: unpadded.subarray(20 + length).toString('utf8') };
}

export function textXml(openid: string, content: string, msgId: string, createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[${GH_ID}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

export function eventXml(openid: string, event: string, key = '', createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[${GH_ID}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event><EventKey><![CDATA[${key}]]></EventKey></xml>`;
}

export interface PushOptions {
  token?: string;
  timestamp?: number;
  nonce?: string;
  safeMode?: SafeMode;
  forgeSignature?: boolean;
  /** Send the body as is (e.g. malformed XML); still signed. */
  raw?: boolean;
}

export async function push(base: string, xml: string, options: PushOptions = {}): Promise<{ status: number; body: string; reply: string | null }> {
  const token = options.token ?? TOKEN;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  const query = new URLSearchParams({ timestamp, nonce, openid: 'x' });
  let body = xml;
  if (options.safeMode) {
    const encrypt = encryptLikeWechat(options.safeMode, xml);
    body = `<xml><ToUserName><![CDATA[${GH_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    query.set('encrypt_type', 'aes');
    query.set('msg_signature', sha1([token, timestamp, nonce, encrypt]));
  }
  query.set('signature', options.forgeSignature ? 'f'.repeat(40) : sha1([token, timestamp, nonce]));
  const response = await fetch(`${base}/wechat?${query}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  const text = await response.text();
  let reply: string | null = null;
  if (response.status === 200 && text !== 'success') {
    let inner = text;
    if (options.safeMode) {
      const encrypted = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/s.exec(text)?.[1];
      const signature = /<MsgSignature><!\[CDATA\[(.*?)\]\]><\/MsgSignature>/s.exec(text)?.[1];
      const stamp = /<TimeStamp>(\d+)<\/TimeStamp>/.exec(text)?.[1];
      const replyNonce = /<Nonce><!\[CDATA\[(.*?)\]\]><\/Nonce>/.exec(text)?.[1];
      if (!encrypted || signature !== sha1([token, stamp!, replyNonce!, encrypted])) throw new Error(`bad encrypted reply: ${text}`);
      if (stamp!.length > 11) throw new Error('reply TimeStamp is not in seconds');
      const decrypted = decryptLikeWechat(options.safeMode, encrypted);
      if (decrypted.appid !== APPID) throw new Error(`reply appid ${decrypted.appid}`);
      inner = decrypted.xml;
    }
    // Undo the CDATA split that protects "]]>", as an XML parser would.
    const match = /<Content><!\[CDATA\[(.*)\]\]><\/Content>/s.exec(inner);
    reply = match ? match[1]!.replaceAll(']]]]><![CDATA[>', ']]>') : inner;
  }
  return { status: response.status, body: text, reply };
}

export function verifyUrl(base: string, echostr: string, options: { token?: string; forge?: boolean } = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'n0nce';
  const signature = options.forge ? '0'.repeat(40) : sha1([options.token ?? TOKEN, timestamp, nonce]);
  return fetch(`${base}/wechat?${new URLSearchParams({ signature, timestamp, nonce, echostr })}`);
}
