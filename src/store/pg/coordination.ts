// Coordination of several instances through PostgreSQL (the contract: src/store/coordination.ts).
// Time is the database's (now()), so instances whose clocks drift still agree on whose lease ran out.
import type { Coordination } from '../coordination.js';
import type { AccessTokenPersistence, StoredAccessToken } from '../../wechat/access-token.js';
import type { SharedUrlUses } from '../../wechat/used-urls.js';
import type { Database } from './database.js';
import { instanceDead } from './instance.js';

export class PgCoordination implements Coordination {
  /** Who this instance is in job_runs.holder: its id among the instances (src/store/pg/instance.ts). */
  readonly holder: string;

  constructor(private readonly db: Database) {
    this.holder = db.instance.id;
  }

  async claimRun(key: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO job_runs (office, key, holder, lease_until) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (office, key) DO NOTHING`,
      [this.db.office, key, this.holder, ttlMs],
      'job_runs',
    );
    return rowCount === 1;
  }

  async renewRun(key: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE job_runs SET lease_until = now() + $4 * interval '1 millisecond'
       WHERE office = $1 AND key = $2 AND holder = $3 AND finished_at IS NULL`,
      [this.db.office, key, this.holder, ttlMs],
      'job_runs',
    );
    return rowCount === 1;
  }

  async finishRun(key: string, ok: boolean): Promise<void> {
    await this.db.query(
      `UPDATE job_runs SET finished_at = now(), ok = $4 WHERE office = $1 AND key = $2 AND holder = $3`,
      [this.db.office, key, this.holder, ok],
      'job_runs',
    );
  }

  async takeOverStaleRuns(ttlMs: number): Promise<string[]> {
    // SKIP LOCKED: two instances looking at once take different runs, never the same one. A run is
    // stale when its lease ran out, or sooner when its instance is known dead (src/store/pg/instance.ts).
    const { rows } = await this.db.query<{ key: string }>(
      `UPDATE job_runs SET holder = $2, lease_until = now() + $3 * interval '1 millisecond', takeovers = takeovers + 1
       WHERE (office, key) IN (
         SELECT office, key FROM job_runs
         WHERE office = $1 AND finished_at IS NULL
           AND (lease_until < now() OR (holder <> $2 AND ${instanceDead('holder', '$4')}))
         ORDER BY claimed_at LIMIT 20 FOR UPDATE SKIP LOCKED)
       RETURNING key`,
      [this.db.office, this.holder, ttlMs, this.db.instance.staleMs],
      'job_runs',
    );
    return rows.map((r) => r.key);
  }

  accessToken(appid: string): AccessTokenPersistence {
    const db = this.db;
    const load = async (): Promise<StoredAccessToken | undefined> => {
      const { rows } = await db.query<{ access_token: string; expires_at: string }>(
        'SELECT access_token, expires_at FROM wechat_tokens WHERE office = $1 AND appid = $2',
        [db.office, appid],
        'wechat_tokens',
      );
      return rows[0] ? { accessToken: rows[0].access_token, expiresAt: Number(rows[0].expires_at) } : undefined;
    };
    const save = async (token: StoredAccessToken): Promise<void> => {
      await db.query(
        `INSERT INTO wechat_tokens (office, appid, access_token, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (office, appid) DO UPDATE SET access_token = EXCLUDED.access_token, expires_at = EXCLUDED.expires_at`,
        [db.office, appid, token.accessToken, token.expiresAt],
        'wechat_tokens',
      );
    };
    return {
      load,
      save,
      // One refresh for every instance: whoever holds the lock looks again before fetching, and
      // finds the token another instance fetched meanwhile.
      exclusive: async <T>(run: () => Promise<T>): Promise<T> => {
        const client = await db.pool.connect();
        const lockKey = `gongkai:token:${db.office}:${appid}`;
        try {
          await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
          return await run();
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
          client.release();
        }
      },
    };
  }

  #urlUsesSincePrune = 0;

  readonly urlUses: SharedUrlUses = async (key, bodyDigest, untilMs) => {
    // Forgotten once past the window, a few at a time, by whoever happens to ask.
    if (++this.#urlUsesSincePrune >= 500) {
      this.#urlUsesSincePrune = 0;
      void this.db.query('DELETE FROM used_urls WHERE office = $1 AND until < now()', [this.db.office], 'used_urls').catch(() => {});
    }
    const inserted = await this.db.query(
      `INSERT INTO used_urls (office, key, body_digest, until) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))
       ON CONFLICT (office, key) DO NOTHING`,
      [this.db.office, key, bodyDigest, untilMs],
      'used_urls',
    );
    if (inserted.rowCount === 1) return 'first';
    const { rows } = await this.db.query<{ body_digest: string }>('SELECT body_digest FROM used_urls WHERE office = $1 AND key = $2', [this.db.office, key], 'used_urls');
    return rows[0]?.body_digest === bodyDigest ? 'same-body' : 'replayed';
  };

  async sharedSecret(name: string, make: () => Buffer, _loadLocal?: () => Promise<Buffer>): Promise<Buffer> {
    // The first instance's secret wins; the others read it.
    await this.db.query(
      'INSERT INTO shared_secrets (office, name, value) VALUES ($1, $2, $3) ON CONFLICT (office, name) DO NOTHING',
      [this.db.office, name, make()],
      'shared_secrets',
    );
    const { rows } = await this.db.query<{ value: Buffer }>('SELECT value FROM shared_secrets WHERE office = $1 AND name = $2', [this.db.office, name], 'shared_secrets');
    return rows[0]!.value;
  }

  async close(): Promise<void> {}
}
