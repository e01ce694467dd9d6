/**
 * Safe mode (安全模式) message encryption of WeChat official accounts and mini-programs.
 *
 * Key: base64(EncodingAESKey + '=') → 32 bytes; AES-256-CBC with IV = the key's first 16 bytes.
 * Plaintext: 16 random bytes ‖ uint32 big-endian length of msg ‖ msg (UTF-8) ‖ appid, padded with
 * PKCS#7 to a multiple of 32 bytes — WeChat's block size, not AES's 16, which is why Node's own
 * padding is switched off.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { msgSignature, safeEqual } from './signature.js';

/** The padding block of WeChat's PKCS#7 variant. */
export const WECHAT_PAD_BLOCK = 32;

export type WechatCryptoErrorKind =
  | 'invalid-aes-key'
  | 'invalid-signature'
  | 'invalid-ciphertext'
  | 'invalid-padding'
  | 'invalid-length'
  | 'appid-mismatch';

/** The codes of WeChat's reference library, for logs that someone compares with WeChat's docs. */
const REFERENCE_CODES: Record<WechatCryptoErrorKind, number> = {
  'invalid-signature': -40001,
  'invalid-aes-key': -40004,
  'appid-mismatch': -40005,
  'invalid-ciphertext': -40007,
  'invalid-padding': -40007,
  'invalid-length': -41003,
};

/** A message that cannot be trusted or read. Never thrown for anything but the input's fault. */
export class WechatCryptoError extends Error {
  override readonly name = 'WechatCryptoError';
  readonly referenceCode: number;
  constructor(
    readonly kind: WechatCryptoErrorKind,
    message: string,
  ) {
    super(message);
    this.referenceCode = REFERENCE_CODES[kind];
  }
}

/** Decodes the 43-character EncodingAESKey into the 32-byte AES key. */
export function aesKeyFromEncodingAESKey(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAESKey)) {
    throw new WechatCryptoError('invalid-aes-key', 'EncodingAESKey must be 43 base64 characters');
  }
  const key = Buffer.from(encodingAESKey + '=', 'base64');
  if (key.length !== 32) {
    throw new WechatCryptoError('invalid-aes-key', 'EncodingAESKey does not decode to 32 bytes');
  }
  return key;
}

/** PKCS#7 padding to a multiple of `block` bytes (1..block bytes of value n are always added). */
export function pkcs7Pad(data: Buffer, block: number = WECHAT_PAD_BLOCK): Buffer {
  const n = block - (data.length % block);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

/** Removes PKCS#7 padding of up to `block` bytes; a pad that is not n bytes of value n is refused. */
export function pkcs7Unpad(data: Buffer, block: number = WECHAT_PAD_BLOCK): Buffer {
  const n = data.length > 0 ? data[data.length - 1] : 0;
  if (n < 1 || n > block || n > data.length) {
    throw new WechatCryptoError('invalid-padding', 'bad padding');
  }
  for (let i = data.length - n; i < data.length; i++) {
    if (data[i] !== n) throw new WechatCryptoError('invalid-padding', 'bad padding');
  }
  return data.subarray(0, data.length - n);
}

export interface DecryptedMessage {
  message: string;
  appid: string;
}

/** The four fields of an encrypted passive reply; `timeStamp` is Unix seconds. */
export interface EncryptedReplyEnvelope {
  encrypt: string;
  msgSignature: string;
  timeStamp: string;
  nonce: string;
}

export interface WechatCipherOptions {
  token: string;
  encodingAESKey: string;
  /** The account's appid, written into every ciphertext and required in every one received. */
  appid: string;
  /** Source of the 16 random prefix bytes; injectable so that tests can pin a ciphertext. */
  random?: (size: number) => Buffer;
}

export class WechatCipher {
  readonly #token: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #appid: string;
  readonly #random: (size: number) => Buffer;

  constructor(options: WechatCipherOptions) {
    this.#token = options.token;
    this.#key = aesKeyFromEncodingAESKey(options.encodingAESKey);
    this.#iv = this.#key.subarray(0, 16);
    this.#appid = options.appid;
    this.#random = options.random ?? randomBytes;
  }

  /** Encrypts a message (normally reply XML) to the base64 `<Encrypt>` text. */
  encrypt(message: string): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = pkcs7Pad(Buffer.concat([this.#random(16), length, body, Buffer.from(this.#appid, 'utf8')]));
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  /** Decrypts `<Encrypt>` text and checks that it was made for this account's appid. */
  decrypt(encrypted: string): string {
    const { message, appid } = this.decryptRaw(encrypted);
    if (!safeEqual(this.#appid, appid)) {
      throw new WechatCryptoError('appid-mismatch', 'message was encrypted for another appid');
    }
    return message;
  }

  /** Decrypts without judging the appid; `decrypt` is what a webhook wants. */
  decryptRaw(encrypted: string): DecryptedMessage {
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0 || data.toString('base64') !== encrypted.replace(/\s+/g, '')) {
      throw new WechatCryptoError('invalid-ciphertext', 'ciphertext is not base64 of whole AES blocks');
    }
    const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
    decipher.setAutoPadding(false);
    const plain = pkcs7Unpad(Buffer.concat([decipher.update(data), decipher.final()]));
    if (plain.length < 20) throw new WechatCryptoError('invalid-length', 'plaintext too short');
    const length = plain.readUInt32BE(16);
    if (20 + length > plain.length) throw new WechatCryptoError('invalid-length', 'message length exceeds plaintext');
    return {
      message: plain.subarray(20, 20 + length).toString('utf8'),
      appid: plain.subarray(20 + length).toString('utf8'),
    };
  }

  /** Checks `msg_signature` over the ciphertext, then decrypts it. */
  open(input: { encrypt: string; msgSignature: string; timestamp: string; nonce: string }): string {
    const expected = msgSignature(this.#token, input.timestamp, input.nonce, input.encrypt);
    if (!safeEqual(expected, input.msgSignature.toLowerCase())) {
      throw new WechatCryptoError('invalid-signature', 'msg_signature does not match');
    }
    return this.decrypt(input.encrypt);
  }

  /**
   * Encrypts a passive reply and signs it over the TimeStamp and Nonce it carries. WeChat accepts
   * the request's own timestamp and nonce echoed back; the timestamp must be seconds, never ms.
   */
  seal(replyXml: string, timestamp: string, nonce: string): EncryptedReplyEnvelope {
    if (!/^\d{1,11}$/.test(timestamp)) {
      throw new RangeError('reply TimeStamp must be Unix seconds');
    }
    const encrypt = this.encrypt(replyXml);
    return { encrypt, msgSignature: msgSignature(this.#token, timestamp, nonce, encrypt), timeStamp: timestamp, nonce };
  }
}
