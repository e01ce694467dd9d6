// Staff users, sessions and login windows on PostgreSQL (migration 040): what every instance behind
// the balancer sees at once, so a logout or a lockout at one is a logout or lockout at all.
import type pg from 'pg';
import type { Database } from './database.js';
import type { TransferRecord } from '../transfer.js';
import { emptyLoginWindow, type AccountsRepository, type LoginWindow, type LoginWindowKey, type Session, type StaffUser } from '../accounts-repo.js';

interface WindowRow {
  username: string;
  address: string;
  failures: number;
  in_flight: number;
  in_flight_at: string;
  blocked_until: string;
  last_failure: string;
  rate_start: string;
  rate_count: number;
}

interface SessionRow {
  token_hash: string;
  kind: Session['kind'];
  subject: string;
  created_at: string;
  expires_at: string;
  csrf: string | null;
}

const SESSION_COLUMNS = 'token_hash, kind, subject, created_at, expires_at, csrf';

function windowOf(row: WindowRow): LoginWindow {
  return {
    failures: row.failures,
    inFlight: row.in_flight,
    inFlightAt: Number(row.in_flight_at),
    blockedUntil: Number(row.blocked_until),
    lastFailure: Number(row.last_failure),
    rateStart: Number(row.rate_start),
    rateCount: row.rate_count,
  };
}

function sessionOf(row: SessionRow): Session {
  return {
    tokenHash: row.token_hash,
    subject: row.subject,
    kind: row.kind,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ...(row.csrf !== null ? { csrf: row.csrf } : {}),
  };
}

export class PgAccountsRepo implements AccountsRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgAccountsRepo> {
    return new PgAccountsRepo(db);
  }

  get #office(): string {
    return this.db.office;
  }

  async users(): Promise<StaffUser[]> {
    const { rows } = await this.db.query<{ data: StaffUser }>('SELECT data FROM staff_users WHERE office = $1 ORDER BY seq', [this.#office], 'staff');
    return rows.map((r) => r.data);
  }

  async user(username: string): Promise<StaffUser | undefined> {
    const { rows } = await this.db.query<{ data: StaffUser }>('SELECT data FROM staff_users WHERE office = $1 AND username = $2', [this.#office, username], 'staff');
    return rows[0]?.data;
  }

  async addUser(user: StaffUser): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO staff_users (office, username, data) VALUES ($1, $2, $3) ON CONFLICT (office, username) DO NOTHING',
      [this.#office, user.username, user],
      'staff',
    );
    return rowCount === 1;
  }

  async updateUser(username: string, change: (user: StaffUser) => void): Promise<StaffUser | undefined> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ data: StaffUser }>('SELECT data FROM staff_users WHERE office = $1 AND username = $2 FOR UPDATE', [this.#office, username]);
      const user = rows[0]?.data;
      if (!user) return undefined;
      change(user);
      await client.query('UPDATE staff_users SET data = $3 WHERE office = $1 AND username = $2', [this.#office, username, user]);
      return user;
    }, 'staff');
  }

  async session(tokenHash: string, now: string): Promise<Session | undefined> {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE office = $1 AND token_hash = $2 AND expires_at > $3`,
      [this.#office, tokenHash, now],
      'sessions',
    );
    return rows[0] && sessionOf(rows[0]);
  }

  async addSession(session: Session, now: string): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query('DELETE FROM sessions WHERE office = $1 AND expires_at <= $2', [this.#office, now]);
      await client.query(`INSERT INTO sessions (office, ${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        this.#office,
        session.tokenHash,
        session.kind,
        session.subject,
        session.createdAt,
        session.expiresAt,
        session.csrf ?? null,
      ]);
    }, 'sessions');
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE office = $1 AND token_hash = $2', [this.#office, tokenHash], 'sessions');
  }

  async removeSessionsOf(subject: string, kind: Session['kind'] = 'staff'): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM sessions WHERE office = $1 AND kind = $2 AND subject = $3', [this.#office, kind, subject], 'sessions');
    return rowCount ?? 0;
  }

  async sessionCounts(kind: Session['kind'], now: string): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ subject: string; n: number }>(
      'SELECT subject, count(*)::int AS n FROM sessions WHERE office = $1 AND kind = $2 AND expires_at > $3 GROUP BY subject',
      [this.#office, kind, now],
      'sessions',
    );
    return Object.fromEntries(rows.map((r) => [r.subject, r.n]));
  }

  async changeLoginWindows<R>(keys: LoginWindowKey[], now: number, change: (windows: LoginWindow[]) => R): Promise<R> {
    // On a pool of their own: a flood of guesses (every one of them a transaction locking the same
    // rows) waits there, and never takes the connections the chat and the APIs answer with.
    return this.db.side('logins', 2).transaction(async (client) => {
      // One upsert creates the windows never seen and locks them all, in the order given: every
      // caller gives pair, name, address, so two attempts never wait on each other in a circle.
      const params: unknown[] = [this.#office, now];
      const values = keys.map((key, i) => {
        params.push(key.name ?? '', key.address ?? '');
        return `($1, $${3 + 2 * i}, $${4 + 2 * i}, $2)`;
      });
      const { rows } = await client.query<WindowRow>(
        `INSERT INTO login_windows (office, username, address, touched) VALUES ${values.join(', ')}
         ON CONFLICT (office, username, address) DO UPDATE SET touched = EXCLUDED.touched
         RETURNING username, address, failures, in_flight, in_flight_at, blocked_until, last_failure, rate_start, rate_count`,
        params,
      );
      const windows = keys.map((key) => {
        const row = rows.find((r) => r.username === (key.name ?? '') && r.address === (key.address ?? ''));
        return row ? windowOf(row) : emptyLoginWindow();
      });
      const result = change(windows);
      for (const [i, key] of keys.entries()) {
        const w = windows[i]!;
        await client.query(
          `UPDATE login_windows SET failures = $4, in_flight = $5, in_flight_at = $6, blocked_until = $7, last_failure = $8, rate_start = $9, rate_count = $10
           WHERE office = $1 AND username = $2 AND address = $3`,
          [this.#office, key.name ?? '', key.address ?? '', w.failures, w.inFlight, w.inFlightAt, w.blockedUntil, w.lastFailure, w.rateStart, w.rateCount],
        );
      }
      return result;
    }, 'login-windows');
  }

  async loginWindowsOf(name: string): Promise<LoginWindow[]> {
    const { rows } = await this.db.query<WindowRow>('SELECT * FROM login_windows WHERE office = $1 AND username = $2', [this.#office, name], 'login-windows');
    return rows.map(windowOf);
  }

  async forgetLoginWindowsOf(name: string): Promise<void> {
    await this.db.query('DELETE FROM login_windows WHERE office = $1 AND username = $2', [this.#office, name], 'login-windows');
  }

  async pruneLoginWindows(idleSince: number, now: number): Promise<number> {
    const { rowCount } = await this.db.query(
      'DELETE FROM login_windows WHERE office = $1 AND touched < $2 AND blocked_until <= $3',
      [this.#office, idleSince, now],
      'login-windows',
    );
    return rowCount ?? 0;
  }

  // --- Transfer: staff users and sessions (login windows are not moved; see the embedded repo).

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ users: number; sessions: number }>(
      `SELECT (SELECT count(*)::int FROM staff_users WHERE office = $1) AS users, (SELECT count(*)::int FROM sessions WHERE office = $1) AS sessions`,
      [this.#office],
    );
    return { 'staff-user': rows[0]!.users, session: rows[0]!.sessions };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    for (const user of await this.users()) yield { kind: 'staff-user', data: user };
    const { rows } = await this.db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE office = $1 ORDER BY created_at, token_hash`, [this.#office]);
    for (const row of rows) yield { kind: 'session', data: sessionOf(row) };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const counts = await this.counts();
    if (counts['staff-user'] || counts.session) throw new Error('the accounts repository is not empty');
    await this.db.transaction(async (client: pg.PoolClient) => {
      for await (const record of records) {
        if (record.kind === 'staff-user') {
          const user = record.data as StaffUser;
          await client.query('INSERT INTO staff_users (office, username, data) VALUES ($1, $2, $3)', [this.#office, user.username, user]);
        } else if (record.kind === 'session') {
          const s = record.data as Session;
          await client.query(`INSERT INTO sessions (office, ${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [this.#office, s.tokenHash, s.kind, s.subject, s.createdAt, s.expiresAt, s.csrf ?? null]);
        } else throw new Error(`the accounts repository does not take records of kind ${record.kind}`);
      }
    });
  }
}
