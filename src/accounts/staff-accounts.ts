// Staff accounts: the first admin, users with roles, login with lockout, session tokens.
import { DomainError } from '../domain/errors.js';
import { isRole, type Role } from '../domain/roles.js';
import type { AccountsRepo, StaffUser } from '../store/accounts-repo.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { newToken, tokenHash } from './tokens.js';

export interface StaffPrincipal {
  username: string;
  displayName: string;
  roles: Role[];
  csrf: string;
}

const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60_000;
const SESSION_MS = 12 * 3600_000;
// Verifying against a real hash even for unknown users keeps the answer time the same, so the
// timing does not tell which usernames exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export class StaffAccounts {
  constructor(private readonly repo: AccountsRepo, private readonly clock: () => Date = () => new Date()) {}

  /**
   * Makes sure someone can log in: with ADMIN_USERNAME/ADMIN_PASSWORD that user is created if no
   * admin exists; in sandbox mode without them an "admin" with a fresh password is created and the
   * password is returned so the caller can print it once.
   */
  async ensureFirstAdmin(configured: { username: string | null; password: string | null }, sandbox: boolean): Promise<{ username: string; password: string } | null> {
    if (this.repo.users().some((u) => u.roles.includes('admin'))) return null;
    if (configured.username && configured.password) {
      await this.createUser('system', { username: configured.username, password: configured.password, roles: ['admin'] });
      return null;
    }
    if (!sandbox) return null;
    const password = generatePassword();
    await this.createUser('system', { username: 'admin', password, roles: ['admin', 'handler'], displayName: '管理员' });
    return { username: 'admin', password };
  }

  users(): Array<Omit<StaffUser, 'passwordHash'>> {
    return this.repo.users().map(({ passwordHash: _, ...rest }) => rest);
  }

  async createUser(by: string, input: unknown): Promise<Omit<StaffUser, 'passwordHash'>> {
    const { username, password, roles, displayName } = validateNewUser(input);
    if (this.repo.user(username)) {
      throw new DomainError('conflict', `用户名 ${username} 已存在`, { username: '用户名已存在' });
    }
    const user: StaffUser = {
      username,
      displayName: displayName ?? username,
      passwordHash: await hashPassword(password),
      roles,
      createdAt: this.clock().toISOString(),
      createdBy: by,
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      wechatOpenid: null,
    };
    await this.repo.addUser(user);
    const { passwordHash: _, ...rest } = user;
    return rest;
  }

  async login(username: unknown, password: unknown): Promise<{ token: string; principal: StaffPrincipal }> {
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      throw new DomainError('validation', '请输入用户名和密码', {
        ...(typeof username === 'string' && username ? {} : { username: '请输入用户名' }),
        ...(typeof password === 'string' && password ? {} : { password: '请输入密码' }),
      });
    }
    const now = this.clock();
    const user = this.repo.user(username);
    if (user?.lockedUntil && user.lockedUntil > now.toISOString()) {
      throw new DomainError('rate-limited', '登录失败次数过多，账号已暂时锁定，请 15 分钟后再试');
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      if (user && !ok) {
        await this.repo.updateUser(user.username, (u) => {
          u.failedLogins += 1;
          if (u.failedLogins >= MAX_FAILED_LOGINS) {
            u.lockedUntil = new Date(now.getTime() + LOCKOUT_MS).toISOString();
            u.failedLogins = 0;
          }
        });
      }
      throw new DomainError('unauthorized', '用户名或密码错误');
    }
    if (user.failedLogins || user.lockedUntil) {
      await this.repo.updateUser(user.username, (u) => {
        u.failedLogins = 0;
        u.lockedUntil = null;
      });
    }
    const token = newToken();
    const csrf = newToken();
    await this.repo.addSession(
      {
        tokenHash: tokenHash(token),
        subject: user.username,
        kind: 'staff',
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + SESSION_MS).toISOString(),
        csrf,
      },
      now.toISOString(),
    );
    return { token, principal: { username: user.username, displayName: user.displayName, roles: user.roles, csrf } };
  }

  authenticate(token: string): StaffPrincipal | null {
    const session = this.repo.session(tokenHash(token));
    if (!session || session.kind !== 'staff' || session.expiresAt <= this.clock().toISOString()) return null;
    const user = this.repo.user(session.subject);
    if (!user || user.disabled) return null;
    return { username: user.username, displayName: user.displayName, roles: user.roles, csrf: session.csrf ?? '' };
  }

  async logout(token: string): Promise<void> {
    await this.repo.removeSession(tokenHash(token));
  }

  async bindWechat(username: string, openid: string | null): Promise<void> {
    await this.repo.updateUser(username, (u) => {
      u.wechatOpenid = openid;
    });
  }

  staffWithWechat(): Array<{ username: string; roles: Role[]; openid: string }> {
    return this.repo
      .users()
      .filter((u) => u.wechatOpenid && !u.disabled)
      .map((u) => ({ username: u.username, roles: u.roles, openid: u.wechatOpenid! }));
  }
}

function validateNewUser(input: unknown): { username: string; password: string; roles: Role[]; displayName?: string } {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  const username = typeof body.username === 'string' ? body.username.trim() : '';
  if (!/^[A-Za-z0-9_.-]{2,32}$/.test(username)) fields.username = '用户名应为 2–32 位字母、数字、点、横线或下划线';
  const password = typeof body.password === 'string' ? body.password : '';
  if (password.length < 10) fields.password = '密码至少 10 位';
  const roles = Array.isArray(body.roles) ? body.roles : [];
  if (roles.length === 0 || !roles.every(isRole)) {
    fields.roles = '角色应为 registrar、handler、submitter、reviewer、leader、admin 中的一个或多个';
  }
  const displayName = typeof body.displayName === 'string' && body.displayName.trim() ? body.displayName.trim().slice(0, 40) : undefined;
  if (Object.keys(fields).length) throw new DomainError('validation', '用户信息不完整或不正确', fields);
  return { username, password, roles: [...new Set(roles as Role[])], displayName };
}
