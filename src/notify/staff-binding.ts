// Staff bind their WeChat to their account so reminders reach them: the console shows a one-time
// six-digit code, the staff member sends "绑定 123456" to the official account, and the openid that
// sent it is bound. Codes live 10 minutes; an openid that guesses wrong five times in an hour is
// refused for the rest of that hour, so the million codes cannot be tried through the chat.
import { randomInt } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';
import type { NotifyRepository } from '../store/notify-repo.js';

export interface StaffBindingOptions {
  codeTtlMs?: number;
  maxFailures?: number;
  failureWindowMs?: number;
}

const BIND = /^\s*绑定\s*[:：]?\s*(\d{6})\s*$/;
/** Longer than any binding message ("绑定：123456" with some spaces); longer text is not one. */
const MAX_BINDING_MESSAGE = 40;
const UNBIND = /^\s*(解除绑定|解绑|取消绑定)\s*$/;
/** Looks like an attempt to bind, with a wrong shape: answered with how to do it right. */
const BIND_ATTEMPT = /^\s*绑定(\s|[:：]|\d|$)/;

export class StaffBinding {
  readonly #ttlMs: number;
  readonly #maxFailures: number;
  readonly #failureWindowMs: number;

  constructor(
    private readonly repo: NotifyRepository,
    private readonly accounts: Pick<StaffAccounts, 'bindWechat' | 'staffWithWechat'>,
    private readonly clock: () => Date = () => new Date(),
    options: StaffBindingOptions = {},
  ) {
    this.#ttlMs = options.codeTtlMs ?? 10 * 60_000;
    this.#maxFailures = options.maxFailures ?? 5;
    this.#failureWindowMs = options.failureWindowMs ?? 3_600_000;
  }

  /** A fresh code for `username`, replacing any earlier one. */
  async issueCode(username: string): Promise<{ code: string; expiresAt: string }> {
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.#ttlMs).toISOString();
    // A code another staff member holds now is drawn again (the store's unique key says so).
    for (;;) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (await this.repo.putBindingCode({ code, username, expiresAt }, now.toISOString())) return { code, expiresAt };
    }
  }

  /** Binds the account the code was issued to; throws DomainError with the reason otherwise. */
  async redeem(openid: string, code: string): Promise<{ username: string }> {
    const now = this.clock();
    const windowStart = new Date(now.getTime() - this.#failureWindowMs).toISOString();
    const failures = await this.repo.bindingFailures(openid);
    const recent = failures && failures.since > windowStart ? failures : null;
    if (recent && recent.count >= this.#maxFailures) {
      throw new DomainError('rate-limited', '绑定码错误次数过多，请一小时后再试');
    }
    // Taken, not read: a code sent twice at once (two instances) binds once.
    const found = await this.repo.takeBindingCode(code);
    if (!found || found.expiresAt <= now.toISOString()) {
      await this.repo.countBindingFailure(openid, now.toISOString(), windowStart);
      throw new DomainError('validation', '绑定码不正确或已过期，请在工作台重新获取');
    }
    // One WeChat per staff member and one staff member per WeChat: a re-bind moves it.
    for (const other of await this.accounts.staffWithWechat()) {
      if (other.openid === openid && other.username !== found.username) await this.accounts.bindWechat(other.username, null);
    }
    await this.accounts.bindWechat(found.username, openid);
    if (failures) await this.repo.clearBindingFailures(openid);
    return { username: found.username };
  }

  async unbind(openid: string): Promise<string | null> {
    const bound = (await this.accounts.staffWithWechat()).find((s) => s.openid === openid);
    if (!bound) return null;
    await this.accounts.bindWechat(bound.username, null);
    return bound.username;
  }

  /**
   * For the bot: the answer to a binding message, or null when the text is not one (the bot then
   * handles it as usual).
   */
  async handleBindingMessage(openid: string, text: string): Promise<string | null> {
    // Spaces are trimmed and the rest bounded before any pattern runs: "绑定" followed by 64k spaces
    // made BIND backtrack quadratically and held the event loop 1.6 s (issue 19, finding 10). No
    // binding message is longer than a few characters.
    const trimmed = text.trim();
    if (trimmed.length > MAX_BINDING_MESSAGE) return null;
    const normalized = trimmed.normalize('NFKC');
    if (UNBIND.test(normalized)) {
      const username = await this.unbind(openid);
      return username ? `已解除绑定：工作账号 ${username} 不再通过本微信接收工作提醒。` : '您的微信没有绑定工作账号，无需解除。';
    }
    const match = BIND.exec(normalized);
    if (!match) {
      return BIND_ATTEMPT.test(normalized) ? '请发送“绑定”加工作台显示的 6 位数字，例如：绑定 123456' : null;
    }
    try {
      const { username } = await this.redeem(openid, match[1]!);
      return `绑定成功：工作账号 ${username} 将通过本公众号接收新申请和期限提醒。如需解除，请发送“解除绑定”。`;
    } catch (error) {
      if (error instanceof DomainError) return error.message;
      throw error;
    }
  }
}
