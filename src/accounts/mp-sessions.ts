// Mini-program sessions: wx.login's code is exchanged for the user's openid (jscode2session; in
// sandbox mode the code "dev:<openid>" stands for that openid), and the mini-program gets a bearer
// token of ours. WeChat's session_key never leaves the server.
import { DomainError } from '../domain/errors.js';
import type { AccountsRepository } from '../store/accounts-repo.js';
import { newToken, tokenHash } from './tokens.js';

const SESSION_MS = 7 * 24 * 3600_000;

export type CodeExchange = (code: string) => Promise<{ openid: string; unionid?: string }>;

export class MiniProgramSessions {
  constructor(
    private readonly repo: AccountsRepository,
    private readonly exchange: CodeExchange,
    private readonly clock: () => Date = () => new Date(),
    /** Told of every login, with the UnionID when WeChat gave one (identity-links.ts links by it). */
    private readonly onLogin?: (openid: string, unionid: string | undefined) => Promise<void>,
  ) {}

  async login(code: unknown): Promise<{ token: string; openid: string }> {
    if (typeof code !== 'string' || code.trim() === '' || code.length > 256) {
      throw new DomainError('validation', '登录凭证 code 缺失或格式不正确', { code: '请传入 wx.login 得到的 code' });
    }
    let openid: string;
    let unionid: string | undefined;
    try {
      ({ openid, unionid } = await this.exchange(code.trim()));
    } catch (error) {
      const errcode = (error as { errcode?: number }).errcode;
      // 40029 invalid code, 40163 code used: the mini-program should call wx.login again.
      if (errcode === 40029 || errcode === 40163 || errcode === 40226) {
        throw new DomainError('unauthorized', '登录凭证无效或已使用，请重新登录');
      }
      throw new DomainError('upstream-unavailable', '微信登录服务暂时不可用，请稍后再试');
    }
    const now = this.clock();
    const token = newToken();
    await this.repo.addSession(
      { tokenHash: tokenHash(token), subject: openid, kind: 'mp', createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_MS).toISOString() },
      now.toISOString(),
    );
    await this.onLogin?.(openid, unionid);
    return { token, openid };
  }

  /** The openid behind a token, or null when the token is unknown or expired. */
  async authenticate(token: string): Promise<string | null> {
    const session = await this.repo.session(tokenHash(token), this.clock().toISOString());
    if (!session || session.kind !== 'mp') return null;
    return session.subject;
  }
}
