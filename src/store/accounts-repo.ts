// Staff users and login sessions (staff.json), and mini-program sessions (sessions.json).
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { Role } from '../domain/roles.js';

export interface StaffUser {
  username: string;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  createdAt: string;
  createdBy: string;
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  /** The official-account openid bound to this staff member, for staff notifications. */
  wechatOpenid: string | null;
}

export interface Session {
  tokenHash: string;
  subject: string; // staff username or mini-program openid
  kind: 'staff' | 'mp';
  createdAt: string;
  expiresAt: string;
  /** Staff console sessions carry a CSRF token for form posts. */
  csrf?: string;
}

interface StaffData {
  users: StaffUser[];
}
interface SessionData {
  sessions: Session[];
}

export class AccountsRepo {
  private constructor(
    private readonly staff: DataFile<StaffData>,
    private readonly sessionsFile: DataFile<SessionData>,
  ) {}

  static async open(store: Store): Promise<AccountsRepo> {
    const staff = await store.file<StaffData>({ name: 'staff', version: 1, defaults: () => ({ users: [] }) });
    const sessions = await store.file<SessionData>({ name: 'sessions', version: 1, defaults: () => ({ sessions: [] }) });
    return new AccountsRepo(staff, sessions);
  }

  users(): readonly StaffUser[] {
    return this.staff.data.users;
  }

  user(username: string): StaffUser | undefined {
    return this.staff.data.users.find((u) => u.username === username);
  }

  async addUser(user: StaffUser): Promise<void> {
    await this.staff.update((d) => {
      d.users.push(user);
    });
  }

  async updateUser(username: string, change: (user: StaffUser) => void): Promise<StaffUser | undefined> {
    return this.staff.update((d) => {
      const user = d.users.find((u) => u.username === username);
      if (user) change(user);
      return user;
    });
  }

  session(tokenHash: string): Session | undefined {
    return this.sessionsFile.data.sessions.find((s) => s.tokenHash === tokenHash);
  }

  async addSession(session: Session, now: string): Promise<void> {
    await this.sessionsFile.update((d) => {
      d.sessions = d.sessions.filter((s) => s.expiresAt > now);
      d.sessions.push(session);
    });
  }

  /** Ends every staff session of this user at once (password or roles changed, account disabled). */
  async removeSessionsOf(subject: string, kind: Session['kind'] = 'staff'): Promise<number> {
    return this.sessionsFile.update((d) => {
      const before = d.sessions.length;
      d.sessions = d.sessions.filter((s) => !(s.subject === subject && s.kind === kind));
      return before - d.sessions.length;
    });
  }

  sessionsOf(subject: string, kind: Session['kind'] = 'staff'): Session[] {
    return this.sessionsFile.data.sessions.filter((s) => s.subject === subject && s.kind === kind);
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.sessionsFile.update((d) => {
      d.sessions = d.sessions.filter((s) => s.tokenHash !== tokenHash);
    });
  }
}
