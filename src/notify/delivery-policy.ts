// What a failed send means for the outbox, and when to try again. Pure.
import { createHash } from 'node:crypto';
import { WechatApiError, WechatNetworkError, WechatUnknownOutcomeError } from '../wechat/errors.js';
import { WecomRobotError } from './wecom-robot.js';

export interface OutboxPolicy {
  /** Failed tries (retryable errors, unknown outcomes) before a delivery becomes a dead letter. */
  maxAttempts: number;
  /** Wait after the first failure; doubled after each further one, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Wait before repeating a send whose outcome is unknown, with the same client_msg_id. WeChat
   * drops a repeat of the same client_msg_id for 10 minutes only, so this must stay well below that.
   */
  unknownRetryMs: number;
  /** At most this many deliveries per pass, so one pass cannot run for hours. */
  batchSize: number;
  /**
   * How long at most a pass holds the deliveries it claimed (several instances share the outbox).
   * Another instance takes them over sooner when the claimer died (PostgreSQL: once it stopped
   * beating, src/store/pg/instance.ts); after this, even from an instance that still beats but is
   * stuck. Either way within WeChat's 10 minutes of client_msg_id memory, so a send whose answer
   * never came is repeated while WeChat still drops the repeat.
   */
  claimLeaseMs: number;
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  maxAttempts: 8,
  baseDelayMs: 60_000,
  maxDelayMs: 3_600_000,
  unknownRetryMs: 60_000,
  batchSize: 500,
  claimLeaseMs: 5 * 60_000,
};

/**
 * unavailable: this channel cannot reach this person now (45015 window closed, 45047 window used up,
 * 43101 refused): try the next channel. retry: nothing was delivered and a later try may work.
 * unknown: the request left and no answer came: it may have been delivered. permanent: WeChat
 * refused the message itself (bad openid, template, data): trying again cannot help.
 */
export type SendFailure =
  | { kind: 'unavailable'; code: number; detail: string }
  | { kind: 'retry'; code?: number; detail: string }
  | { kind: 'unknown'; detail: string }
  | { kind: 'permanent'; code?: number; detail: string };

export function classifySendError(error: unknown): SendFailure {
  if (error instanceof WechatApiError) {
    const detail = `${error.errcode} ${error.errmsg}`.trim();
    if (error.isChannelUnavailable) return { kind: 'unavailable', code: error.errcode, detail };
    // The client already refreshed the token once; a second token error, -1 and the daily quota pass.
    if (error.isRetryable || error.isRateLimited || error.isTokenError) return { kind: 'retry', code: error.errcode, detail };
    return { kind: 'permanent', code: error.errcode, detail };
  }
  if (error instanceof WechatUnknownOutcomeError) {
    // Losing the answer to an access-token request says nothing about the message: it was never
    // sent, so it can simply be tried again.
    if (error.api === 'stable_token') return { kind: 'retry', detail: error.message };
    return { kind: 'unknown', detail: error.message };
  }
  if (error instanceof WechatNetworkError) return { kind: 'retry', detail: error.message };
  if (error instanceof WecomRobotError) {
    if (error.outcomeUnknown) return { kind: 'unknown', detail: error.message };
    return error.retryable ? { kind: 'retry', code: error.errcode, detail: error.message } : { kind: 'permanent', code: error.errcode, detail: error.message };
  }
  // Anything else is ours (a bug, a missing configuration): keep the message and let staff see it.
  return { kind: 'retry', detail: error instanceof Error ? error.message : String(error) };
}

/** Delay before the next try after `attempts` failed tries (1 → base, 2 → 2·base, ...). */
export function backoffMs(attempts: number, policy: OutboxPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * The client_msg_id of a delivery on a channel: derived, not random, so it is the same after a
 * restart even if the record of it were lost. WeChat accepts up to 64 characters.
 */
export function clientMsgIdFor(deliveryKey: string, channel: string): string {
  return `gk-${createHash('sha256').update(`${deliveryKey}|${channel}`).digest('hex').slice(0, 40)}`;
}
