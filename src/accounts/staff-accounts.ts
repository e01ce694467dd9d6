// Staff accounts: the first admin, users with roles, login with backoff (login-guard.ts), session
// tokens, and the account lifecycle (disable, reset or change a password, roles, unlock, revoke
// sessions), each change written to the audit log.
import { DomainError } from '../domain/errors.js';
import { isRole, type Role } from '../domain/roles.js';
import type { AccountsRepository, StaffUser } from '../store/accounts-repo.js';
import type { AuditEntry, AuditRepository } from '../store/audit-repo.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { passwordProblem } from './password-policy.js';
import { LoginGuard } from './login-guard.js';
import { HashQueue } from './hash-queue.js';
import { newToken, tokenHash } from './tokens.js';

export interface StaffPrincipal {
  username: string;
  displayName: string;
  roles: Role[];
  csrf: string;
}

/** Where a request came from: the source address (ctx.ip) for login limits and the audit log. */
export interface RequestOrigin {
  address?: string;
}

export interface StaffAccountsOptions {
  audit?: AuditRepository;
  guard?: LoginGuard;
  hashQueue?: HashQueue;
}

export type StaffUserView = Omit<StaffUser, 'passwordHash'> & { sessions: number };
export type StaffListing = Pick<StaffUser, 'username' | 'displayName' | 'roles' | 'disabled'>;

const SESSION_MS = 12 * 3600_000;
// Verifying against a real hash even for unknown users keeps the answer time the same, so the
// timing does not tell which usernames exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
/** Longer than any password the policy lets anyone set: refused without hashing. */
const MAX_LOGIN_PASSWORD = 1024;

export class StaffAccounts {
  readonly #audit: AuditRepository | null;
  readonly #guard: LoginGuard;
  readonly #hashes: HashQueue;

  constructor(private readonly repo: AccountsRepository, private readonly clock: () => Date = () => new Date(), options: StaffAccountsOptions = {}) {
    this.#audit = options.audit ?? null;
    this.#guard = options.guard ?? new LoginGuard(repo, clock);
    this.#hashes = options.hashQueue ?? new HashQueue();
  }

  /**
   * Makes sure someone can log in: with ADMIN_USERNAME/ADMIN_PASSWORD that user is created if no
   * admin exists; in sandbox mode without them an "admin" with a fresh password is created and the
   * password is returned so the caller can print it once.
   */
  async ensureFirstAdmin(configured: { username: string | null; password: string | null }, sandbox: boolean): Promise<{ username: string; password: string } | null> {
    if ((await this.repo.users()).some((u) => u.roles.includes('admin'))) return null;
    if (configured.username && configured.password) {
      const problem = passwordProblem(configured.password, configured.username);
      // Said in the operator's terms (the variable), not the console form's.
      if (problem) throw new Error(`ADMIN_PASSWORD is refused by the password policy: ${problem}. Choose another one.`);
      await this.#firstAdmin(() => this.createUser('system', { username: configured.username!, password: configured.password!, roles: ['admin'] }));
      return null;
    }
    if (!sandbox) return null;
    const password = generatePassword();
    const made = await this.#firstAdmin(() => this.createUser('system', { username: 'admin', password, roles: ['admin', 'handler'], displayName: '管理员' }));
    return made ? { username: 'admin', password } : null;
  }

  /**
   * Makes the first admin; false when another instance on the same database made one at the same
   * start (the name is taken by an admin): that instance says so, this one starts without.
   */
  async #firstAdmin(create: () => Promise<unknown>): Promise<boolean> {
    try {
      await create();
      return true;
    } catch (error) {
      if ((error as DomainError).code === 'conflict' && (await this.repo.users()).some((u) => u.roles.includes('admin'))) return false;
      throw error;
    }
  }

  /** Who the staff are, without their sessions and backoffs: for names and pickers on every page. */
  async directory(): Promise<StaffListing[]> {
    return (await this.repo.users()).map(({ username, displayName, roles, disabled }) => ({ username, displayName, roles, disabled }));
  }

  async users(): Promise<StaffUserView[]> {
    const [users, sessions] = await Promise.all([this.repo.users(), this.repo.sessionCounts('staff', this.clock().toISOString())]);
    return Promise.all(users.map((user) => this.#view(user, sessions[user.username] ?? 0)));
  }

  async user(username: string): Promise<StaffUserView | undefined> {
    const user = await this.repo.user(username);
    if (!user) return undefined;
    const sessions = await this.repo.sessionCounts('staff', this.clock().toISOString());
    return this.#view(user, sessions[username] ?? 0);
  }

  async #view({ passwordHash: _, ...rest }: StaffUser, sessions: number): Promise<StaffUserView> {
    // The login backoff lives in the login windows (login-guard.ts); shown here where the old lock was.
    return { ...rest, lockedUntil: (await this.#guard.lockedUntil(rest.username))?.toISOString() ?? null, sessions };
  }

  async createUser(by: string, input: unknown, origin: RequestOrigin = {}): Promise<Omit<StaffUser, 'passwordHash'>> {
    const { username, password, roles, displayName } = validateNewUser(input);
    if (await this.repo.user(username)) {
      throw new DomainError('conflict', `用户名 ${username} 已存在`, { username: '用户名已存在' });
    }
    const user: StaffUser = {
      username,
      displayName: displayName ?? username,
      passwordHash: await this.#hashes.run(() => hashPassword(password)),
      roles,
      createdAt: this.clock().toISOString(),
      createdBy: by,
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      wechatOpenid: null,
    };
    // Asked again at the write: another request (or instance) may have taken the name while hashing.
    if (!(await this.repo.addUser(user))) throw new DomainError('conflict', `用户名 ${username} 已存在`, { username: '用户名已存在' });
    await this.#record(by, 'user.create', username, { roles }, origin);
    const { passwordHash: _, ...rest } = user;
    return rest;
  }

  async login(username: unknown, password: unknown, origin: RequestOrigin = {}): Promise<{ token: string; principal: StaffPrincipal }> {
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      throw new DomainError('validation', '请输入用户名和密码', {
        ...(typeof username === 'string' && username ? {} : { username: '请输入用户名' }),
        ...(typeof password === 'string' && password ? {} : { password: '请输入密码' }),
      });
    }
    // Checked and reserved before anything is awaited: parallel guesses cannot race past the limit.
    // The answer depends on the name as typed, never on whether it exists.
    const ticket = await this.#guard.attempt(username.slice(0, 64), origin.address ?? 'local');
    if (!('failed' in ticket)) {
      const minutes = Math.max(1, Math.ceil(ticket.retryAfterMs / 60_000));
      throw new DomainError(
        'rate-limited',
        ticket.kind === 'flood' ? `登录尝试过于频繁，请 ${minutes} 分钟后再试` : `登录失败次数过多，已暂时锁定，请 ${minutes} 分钟后再试`,
      );
    }
    let user: StaffUser | undefined;
    let ok: boolean;
    try {
      user = await this.repo.user(username);
      ok = password.length <= MAX_LOGIN_PASSWORD && (await this.#hashes.run(() => verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)));
    } catch (error) {
      await ticket.released();
      throw error;
    }
    if (!user || !ok || user.disabled) {
      await ticket.failed();
      throw new DomainError('unauthorized', '用户名或密码错误');
    }
    await ticket.succeeded();
    const now = this.clock();
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

  async authenticate(token: string): Promise<StaffPrincipal | null> {
    const session = await this.repo.session(tokenHash(token), this.clock().toISOString());
    if (!session || session.kind !== 'staff') return null;
    const user = await this.repo.user(session.subject);
    if (!user || user.disabled) return null;
    return { username: user.username, displayName: user.displayName, roles: user.roles, csrf: session.csrf ?? '' };
  }

  /** Revokes the presented token (cookie or bearer): it stops working at once. */
  async logout(token: string): Promise<void> {
    await this.repo.removeSession(tokenHash(token));
  }

  // --- The account lifecycle (admin, except changing one's own password) ---------------------------

  /** Changes roles, display name or the disabled flag. Roles changed or disabled: sessions end. */
  async updateUser(by: StaffPrincipal, username: string, input: unknown, origin: RequestOrigin = {}): Promise<StaffUserView> {
    const target = await this.#existing(username);
    const change = validateUserChange(input);
    const rolesChanged = change.roles !== undefined && (change.roles.length !== target.roles.length || change.roles.some((r) => !target.roles.includes(r)));
    const disabling = change.disabled === true && !target.disabled;
    if ((disabling || (rolesChanged && !change.roles!.includes('admin'))) && target.roles.includes('admin')) {
      // Someone must still be able to manage accounts afterwards.
      const otherAdmins = (await this.repo.users()).filter((u) => u.username !== username && !u.disabled && u.roles.includes('admin'));
      if (otherAdmins.length === 0) throw new DomainError('conflict', '这是唯一可用的系统管理员账号，不能停用或取消其管理员角色；请先为另一人设置管理员角色');
    }
    await this.repo.updateUser(username, (u) => {
      if (change.roles !== undefined) u.roles = change.roles;
      if (change.disabled !== undefined) u.disabled = change.disabled;
      if (change.displayName !== undefined) u.displayName = change.displayName;
    });
    const detail: Record<string, unknown> = {};
    if (rolesChanged) detail.roles = { from: target.roles, to: change.roles };
    if (change.disabled !== undefined && change.disabled !== target.disabled) detail.disabled = change.disabled;
    if (change.displayName !== undefined && change.displayName !== target.displayName) detail.displayName = change.displayName;
    if (rolesChanged || disabling) detail.sessionsRevoked = await this.repo.removeSessionsOf(username);
    if (Object.keys(detail).length) await this.#record(by.username, 'user.update', username, detail, origin);
    return (await this.user(username))!;
  }

  /** An admin sets a new password for someone (who forgot theirs): their sessions end. */
  async resetPassword(by: StaffPrincipal, username: string, password: unknown, origin: RequestOrigin = {}): Promise<void> {
    await this.#existing(username);
    const hash = await this.#newPasswordHash(password, username);
    await this.repo.updateUser(username, (u) => {
      u.passwordHash = hash;
    });
    const revoked = await this.repo.removeSessionsOf(username);
    await this.#guard.unlock(username);
    await this.#record(by.username, 'user.password-reset', username, { sessionsRevoked: revoked }, origin);
  }

  /** Changes one's own password, proving the current one first: every session of the user ends. */
  async changeOwnPassword(who: StaffPrincipal, current: unknown, password: unknown, origin: RequestOrigin = {}): Promise<void> {
    const user = await this.#existing(who.username);
    if (typeof current !== 'string' || !current) throw new DomainError('validation', '请输入当前密码', { currentPassword: '请输入当前密码' });
    const ok = current.length <= MAX_LOGIN_PASSWORD && (await this.#hashes.run(() => verifyPassword(current, user.passwordHash)));
    if (!ok) throw new DomainError('validation', '当前密码不正确', { currentPassword: '当前密码不正确' });
    const hash = await this.#newPasswordHash(password, who.username);
    await this.repo.updateUser(who.username, (u) => {
      u.passwordHash = hash;
    });
    const revoked = await this.repo.removeSessionsOf(who.username);
    await this.#record(who.username, 'user.password-change', who.username, { sessionsRevoked: revoked }, origin);
  }

  /** Lifts the login backoff of this name from every address. */
  async unlock(by: StaffPrincipal, username: string, origin: RequestOrigin = {}): Promise<void> {
    await this.#existing(username);
    await this.#guard.unlock(username);
    await this.repo.updateUser(username, (u) => {
      u.failedLogins = 0;
      u.lockedUntil = null;
    });
    await this.#record(by.username, 'user.unlock', username, undefined, origin);
  }

  /** Ends every session of this user (a lost phone, a shared computer). */
  async revokeSessions(by: StaffPrincipal, username: string, origin: RequestOrigin = {}): Promise<number> {
    await this.#existing(username);
    const revoked = await this.repo.removeSessionsOf(username);
    await this.#record(by.username, 'user.sessions-revoke', username, { sessionsRevoked: revoked }, origin);
    return revoked;
  }

  /** The audit log, newest first. */
  async audit(limit = 200, target?: string): Promise<AuditEntry[]> {
    return (await this.#audit?.latest(Math.min(Math.max(1, limit), 1000), target)) ?? [];
  }

  async #existing(username: string): Promise<StaffUser> {
    const user = await this.repo.user(username);
    if (!user) throw new DomainError('not-found', `没有用户 ${username}`);
    return user;
  }

  async #newPasswordHash(password: unknown, username: string): Promise<string> {
    const text = typeof password === 'string' ? password : '';
    const problem = passwordProblem(text, username);
    if (problem) throw new DomainError('validation', problem, { password: problem });
    return this.#hashes.run(() => hashPassword(text));
  }

  async #record(by: string, action: string, target: string, detail: Record<string, unknown> | undefined, origin: RequestOrigin): Promise<void> {
    await this.#audit?.append({ at: this.clock().toISOString(), by, action, target, ...(detail ? { detail } : {}), ...(origin.address ? { address: origin.address } : {}) });
  }

  async bindWechat(username: string, openid: string | null): Promise<void> {
    await this.repo.updateUser(username, (u) => {
      u.wechatOpenid = openid;
    });
  }

  async staffWithWechat(): Promise<Array<{ username: string; roles: Role[]; openid: string }>> {
    return (await this.repo.users())
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
  const problem = passwordProblem(password, username);
  if (problem) fields.password = problem;
  const roles = Array.isArray(body.roles) ? body.roles : [];
  if (roles.length === 0 || !roles.every(isRole)) {
    fields.roles = '角色应为 registrar、handler、submitter、reviewer、leader、admin 中的一个或多个';
  }
  const displayName = typeof body.displayName === 'string' && body.displayName.trim() ? body.displayName.trim().slice(0, 40) : undefined;
  if (Object.keys(fields).length) throw new DomainError('validation', '用户信息不完整或不正确', fields);
  return { username, password, roles: [...new Set(roles as Role[])], displayName };
}

function validateUserChange(input: unknown): { roles?: Role[]; disabled?: boolean; displayName?: string } {
  const body = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  const out: { roles?: Role[]; disabled?: boolean; displayName?: string } = {};
  if (body.roles !== undefined) {
    if (!Array.isArray(body.roles) || body.roles.length === 0 || !body.roles.every(isRole)) {
      fields.roles = '角色应为 registrar、handler、submitter、reviewer、leader、admin 中的一个或多个';
    } else out.roles = [...new Set(body.roles as Role[])];
  }
  if (body.disabled !== undefined) {
    if (typeof body.disabled !== 'boolean') fields.disabled = '应为 true 或 false';
    else out.disabled = body.disabled;
  }
  if (body.displayName !== undefined) {
    if (typeof body.displayName !== 'string' || !body.displayName.trim()) fields.displayName = '请填写姓名';
    else out.displayName = body.displayName.trim().slice(0, 40);
  }
  if (Object.keys(fields).length) throw new DomainError('validation', '修改内容不正确', fields);
  if (Object.keys(out).length === 0) throw new DomainError('validation', '请提供要修改的 roles、disabled 或 displayName');
  return out;
}
