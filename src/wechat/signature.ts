/**
 * Request signatures of WeChat server pushes.
 *
 * `signature` proves the request comes from WeChat (URL verification and every POST, in every mode);
 * `msg_signature` signs the ciphertext in safe mode. Both are sha1 over the lexicographically sorted
 * parts, joined without separator.
 */
import { hash, timingSafeEqual } from 'node:crypto';

/** sha1 hex of the parts sorted as strings (code-unit order, the same as WeChat's byte order for ASCII). */
export function sortedSha1(parts: readonly string[]): string {
  // One-shot hash: half the cost of a Hash object, and it runs on every push.
  return hash('sha1', [...parts].sort().join(''), 'hex');
}

/** The `signature` query parameter: sha1(sort([token, timestamp, nonce])). */
export function plainSignature(token: string, timestamp: string, nonce: string): string {
  return sortedSha1([token, timestamp, nonce]);
}

/** The `msg_signature` of safe mode: sha1(sort([token, timestamp, nonce, encrypt])). */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sortedSha1([token, timestamp, nonce, encrypt]);
}

/**
 * Constant-time string comparison. Unequal lengths answer false at once: the length of a sha1 hex
 * digest is public, so that shortcut leaks nothing.
 */
export function safeEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export interface PlainSignatureQuery {
  signature?: string;
  timestamp?: string;
  nonce?: string;
}

/** Checks `signature` of a GET verification or a POST push; a missing part is a failure. */
export function verifyPlainSignature(token: string, query: PlainSignatureQuery): boolean {
  const { signature, timestamp, nonce } = query;
  // Query values come from the network: anything but three non-empty strings is not a signature.
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || typeof nonce !== 'string') return false;
  if (!signature || !timestamp || !nonce) return false;
  return safeEqual(plainSignature(token, timestamp, nonce), signature.toLowerCase());
}

export interface MsgSignatureInput {
  msgSignature?: string;
  timestamp?: string;
  nonce?: string;
  encrypt?: string;
}

/** Checks `msg_signature` over the `<Encrypt>` text of a safe-mode push; a missing part is a failure. */
export function verifyMsgSignature(token: string, input: MsgSignatureInput): boolean {
  const { msgSignature: received, timestamp, nonce, encrypt } = input;
  if (!received || !timestamp || !nonce || !encrypt) return false;
  return safeEqual(msgSignature(token, timestamp, nonce, encrypt), received.toLowerCase());
}

/**
 * Default replay window, in seconds, either side of now. WeChat gives up on a push after 5 s and
 * retries it, 3 tries in all (about 15 s from the first); 5 minutes leaves that plus ordinary clock
 * drift between WeChat and this server, while still refusing a request captured and replayed later.
 */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

/**
 * Whether a push's `timestamp` (Unix seconds, as WeChat sends it) lies within `windowSeconds` of
 * `nowMs`, in either direction. Anything that is not a plain decimal number is outside.
 */
export function isWithinReplayWindow(
  timestamp: string | undefined,
  nowMs: number,
  windowSeconds: number = DEFAULT_REPLAY_WINDOW_SECONDS,
): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const skewSeconds = Math.abs(Number(timestamp) - nowMs / 1000);
  return skewSeconds <= windowSeconds;
}
