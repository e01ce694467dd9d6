// Staff users and login sessions (staff.json), mini-program sessions (sessions.json), and the login
// attempt windows of login-guard.ts. The interface is what services use; AccountsRepo is the
// embedded engine's, src/store/pg/accounts-repo.ts the PostgreSQL one's.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { Role } from '../domain/roles.js';
import type { Transferable, TransferRecord } from './transfer.js';

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

/**
 * Where the login attempts of a name, an address, or a name from an address stand (login-guard.ts
 * decides; the repository keeps them where every instance sees them). Times in ms since the epoch.
 */
export interface LoginWindow {
  failures: number;
  /** Attempts reserved and still being hashed. */
  inFlight: number;
  /** When the last attempt was reserved: a reservation whose instance died is not waited for forever. */
  inFlightAt: number;
  blockedUntil: number;
  lastFailure: number;
  /** Attempts right or wrong in the minute from rateStart (address windows only). */
  rateStart: number;
  rateCount: number;
}

/** A name (`address` absent), an address (`name` absent), or a name from an address. */
export interface LoginWindowKey {
  name?: string;
  address?: string;
}

export function emptyLoginWindow(): LoginWindow {
  return { failures: 0, inFlight: 0, inFlightAt: 0, blockedUntil: 0, lastFailure: 0, rateStart: 0, rateCount: 0 };
}

export interface AccountsRepository extends Transferable {
  /** Every staff member (an office's staff: a short list, shown whole on the users page). */
  users(): Promise<StaffUser[]>;
  user(username: string): Promise<StaffUser | undefined>;
  /** Adds a user; false, and nothing written, when the username is taken. */
  addUser(user: StaffUser): Promise<boolean>;
  /** Changes one user in one step (its row locked); the user as changed, or undefined when unknown. */
  updateUser(username: string, change: (user: StaffUser) => void): Promise<StaffUser | undefined>;

  /** The session of this token hash, unless it expired by `now`. */
  session(tokenHash: string, now: string): Promise<Session | undefined>;
  /** Adds a session, dropping those expired by `now`. */
  addSession(session: Session, now: string): Promise<void>;
  removeSession(tokenHash: string): Promise<void>;
  /** Ends every session of this subject at once (password or roles changed, account disabled). */
  removeSessionsOf(subject: string, kind?: Session['kind']): Promise<number>;
  /** Sessions of this kind not expired by `now`, counted by subject (subjects with none left out). */
  sessionCounts(kind: Session['kind'], now: string): Promise<Record<string, number>>;

  /**
   * Reads the windows of `keys` (empty ones for keys never seen), lets `change` edit them, and
   * writes them back, in one step with the windows locked: attempts at two instances add up.
   */
  changeLoginWindows<R>(keys: LoginWindowKey[], now: number, change: (windows: LoginWindow[]) => R): Promise<R>;
  /** The windows of this name: from everywhere, and from each address. */
  loginWindowsOf(name: string): Promise<LoginWindow[]>;
  /** Forgets the windows of this name (an admin lifted its backoff); addresses' own windows stay. */
  forgetLoginWindowsOf(name: string): Promise<void>;
  /** Drops windows untouched since `idleSince` and not blocking at `now`; how many. */
  pruneLoginWindows(idleSince: number, now: number): Promise<number>;
}

interface StaffData {
  users: StaffUser[];
}
interface SessionData {
  sessions: Session[];
}

/** Login windows kept in memory at most (the embedded engine keeps them in memory only). */
const MAX_LOGIN_WINDOWS = 80_000;

/** How a window key is kept: the name and address joined by a character neither can contain. */
export function loginWindowId(key: LoginWindowKey): string {
  return `${key.address ?? ''}\n${key.name ?? ''}`;
}

export class AccountsRepo implements AccountsRepository {
  /**
   * One process holds the embedded store, so the login windows live in its memory: a restart
   * forgets them, which only gives an attacker what they had, and no login costs a disk write.
   */
  readonly #windows = new Map<string, LoginWindow & { touched: number }>();

  private constructor(
    private readonly staff: DataFile<StaffData>,
    private readonly sessionsFile: DataFile<SessionData>,
  ) {}

  static async open(store: Store): Promise<AccountsRepo> {
    const staff = await store.file<StaffData>({ name: 'staff', version: 1, defaults: () => ({ users: [] }) });
    const sessions = await store.file<SessionData>({ name: 'sessions', version: 1, defaults: () => ({ sessions: [] }) });
    return new AccountsRepo(staff, sessions);
  }

  async users(): Promise<StaffUser[]> {
    return structuredClone(this.staff.data.users);
  }

  async user(username: string): Promise<StaffUser | undefined> {
    const user = this.staff.data.users.find((u) => u.username === username);
    return user && structuredClone(user);
  }

  async addUser(user: StaffUser): Promise<boolean> {
    return this.staff.update((d) => {
      if (d.users.some((u) => u.username === user.username)) return false;
      d.users.push(structuredClone(user));
      return true;
    });
  }

  async updateUser(username: string, change: (user: StaffUser) => void): Promise<StaffUser | undefined> {
    return this.staff.update((d) => {
      const user = d.users.find((u) => u.username === username);
      if (!user) return undefined;
      // Changed on a copy: a change that throws leaves the stored user as it was.
      const changed = structuredClone(user);
      change(changed);
      Object.assign(user, changed);
      return structuredClone(changed);
    });
  }

  async session(tokenHash: string, now: string): Promise<Session | undefined> {
    const session = this.sessionsFile.data.sessions.find((s) => s.tokenHash === tokenHash);
    return session && session.expiresAt > now ? { ...session } : undefined;
  }

  async addSession(session: Session, now: string): Promise<void> {
    await this.sessionsFile.update((d) => {
      d.sessions = d.sessions.filter((s) => s.expiresAt > now);
      d.sessions.push({ ...session });
    });
  }

  async removeSessionsOf(subject: string, kind: Session['kind'] = 'staff'): Promise<number> {
    return this.sessionsFile.update((d) => {
      const before = d.sessions.length;
      d.sessions = d.sessions.filter((s) => !(s.subject === subject && s.kind === kind));
      return before - d.sessions.length;
    });
  }

  async sessionCounts(kind: Session['kind'], now: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const s of this.sessionsFile.data.sessions) {
      if (s.kind === kind && s.expiresAt > now) counts[s.subject] = (counts[s.subject] ?? 0) + 1;
    }
    return counts;
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.sessionsFile.update((d) => {
      d.sessions = d.sessions.filter((s) => s.tokenHash !== tokenHash);
    });
  }

  async changeLoginWindows<R>(keys: LoginWindowKey[], now: number, change: (windows: LoginWindow[]) => R): Promise<R> {
    // Synchronous from here on: nothing else runs between the read and the write.
    const ids = keys.map(loginWindowId);
    const windows = ids.map((id) => {
      const found = this.#windows.get(id);
      return found ? { ...found } : emptyLoginWindow();
    });
    const result = change(windows);
    ids.forEach((id, i) => {
      this.#windows.delete(id); // re-inserted last: the Map's order is least recently touched first
      this.#makeRoom(now);
      this.#windows.set(id, { ...windows[i]!, touched: now });
    });
    return result;
  }

  async loginWindowsOf(name: string): Promise<LoginWindow[]> {
    const out: LoginWindow[] = [];
    for (const [id, window] of this.#windows) if (id.endsWith(`\n${name}`)) out.push({ ...window });
    return out;
  }

  async forgetLoginWindowsOf(name: string): Promise<void> {
    for (const id of [...this.#windows.keys()]) if (id.endsWith(`\n${name}`)) this.#windows.delete(id);
  }

  async pruneLoginWindows(idleSince: number, now: number): Promise<number> {
    let dropped = 0;
    for (const [id, window] of this.#windows) {
      if (window.touched < idleSince && window.blockedUntil <= now) {
        this.#windows.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Made-up names and addresses cannot fill the memory: the least recently touched idle window goes. */
  #makeRoom(now: number): void {
    if (this.#windows.size < MAX_LOGIN_WINDOWS) return;
    for (const [id, window] of this.#windows) {
      if (window.inFlight === 0 && window.blockedUntil <= now) {
        this.#windows.delete(id);
        return;
      }
    }
    this.#windows.delete(this.#windows.keys().next().value!);
  }

  // --- Transfer: staff users and live sessions. The login windows are not moved: a move happens
  // with the server stopped, and forgetting them gives an attacker only what a restart would.

  async counts(): Promise<Record<string, number>> {
    return { 'staff-user': this.staff.data.users.length, session: this.sessionsFile.data.sessions.length };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    for (const user of this.staff.data.users) yield { kind: 'staff-user', data: structuredClone(user) };
    for (const session of this.sessionsFile.data.sessions) yield { kind: 'session', data: { ...session } };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (this.staff.data.users.length || this.sessionsFile.data.sessions.length) throw new Error('the accounts repository is not empty');
    const users: StaffUser[] = [];
    const sessions: Session[] = [];
    for await (const record of records) {
      if (record.kind === 'staff-user') users.push(record.data as StaffUser);
      else if (record.kind === 'session') sessions.push(record.data as Session);
      else throw new Error(`the accounts repository does not take records of kind ${record.kind}`);
    }
    await this.staff.update((d) => {
      d.users.push(...users);
    });
    await this.sessionsFile.update((d) => {
      d.sessions.push(...sessions);
    });
  }
}
