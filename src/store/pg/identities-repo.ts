// The two WeChat identities of one citizen, their link codes and attempt windows, on PostgreSQL
// (migration 040). Every change takes the office's identity lock first: links are rare (a
// citizen's first UnionID, a link code), and one at a time no two instances can merge the same
// persons differently or redeem one code twice. What a link changes is decided by the same pure
// functions as on the embedded engine, over the rows of the persons concerned.
import type pg from 'pg';
import type { Database } from './database.js';
import type { TransferRecord } from '../transfer.js';
import { countOne, isSpent } from '../../domain/link-code.js';
import {
  ensureIdentity,
  identityKey,
  noteUnionidIn,
  redeemIn,
  type AttemptWindow,
  type IdentitiesRepository,
  type Identity,
  type IdentityChannel,
  type LinkWindowRecord,
  type RedeemOutcome,
  type StoredLinkCode,
} from '../identities-repo.js';

type WindowKind = 'attempts' | 'issued';

export class PgIdentitiesRepo implements IdentitiesRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgIdentitiesRepo> {
    return new PgIdentitiesRepo(db);
  }

  get #office(): string {
    return this.db.office;
  }

  async get(channel: IdentityChannel, openid: string): Promise<Identity | undefined> {
    return this.byKey(identityKey(channel, openid));
  }

  async byKey(key: string): Promise<Identity | undefined> {
    const { rows } = await this.db.query<{ data: Identity }>('SELECT data FROM identities WHERE office = $1 AND key = $2', [this.#office, key], 'identities');
    return rows[0]?.data;
  }

  async samePerson(person: string): Promise<Identity[]> {
    const { rows } = await this.db.query<{ data: Identity }>('SELECT data FROM identities WHERE office = $1 AND person = $2 ORDER BY seq', [this.#office, person], 'identities');
    return rows.map((r) => r.data);
  }

  async byUnionid(unionid: string): Promise<Identity[]> {
    const { rows } = await this.db.query<{ data: Identity }>('SELECT data FROM identities WHERE office = $1 AND unionid = $2 ORDER BY seq', [this.#office, unionid], 'identities');
    return rows.map((r) => r.data);
  }

  async noteUnionid(channel: IdentityChannel, openid: string, unionid: string, at: string): Promise<Identity[] | null> {
    return this.#locked(async (client) => {
      const key = identityKey(channel, openid);
      const identities = await this.#concerned(client, 'key = $2 OR unionid = $3', [key, unionid]);
      const before = snapshot(identities);
      const linked = noteUnionidIn(identities, channel, openid, unionid, at);
      await this.#write(client, identities, before);
      return linked;
    });
  }

  async attemptWindows(keys: string[]): Promise<Record<string, AttemptWindow>> {
    const { rows } = await this.db.query<{ key: string; failures: number; since: string }>(
      `SELECT key, failures, since FROM link_windows WHERE office = $1 AND kind = 'attempts' AND key = ANY($2)`,
      [this.#office, keys],
      'identities',
    );
    return Object.fromEntries(rows.map((r) => [r.key, { failures: r.failures, since: r.since }]));
  }

  async countFailure(keys: string[], at: string, windowMs: number): Promise<void> {
    await this.#locked(async (client) => {
      for (const key of keys) await this.#putWindow(client, 'attempts', key, countOne(await this.#window(client, 'attempts', key), at, windowMs));
    });
  }

  async saveCode(code: StoredLinkCode, at: string, windowMs: number, maxPerWindow: number): Promise<boolean> {
    return this.#locked(async (client) => {
      const issued = await this.#window(client, 'issued', code.owner);
      if (isSpent(issued, at, maxPerWindow, windowMs)) return false;
      const identities = await this.#concerned(client, 'key = $2', [code.owner]);
      const before = snapshot(identities);
      const [channel, ...openid] = code.owner.split(':');
      ensureIdentity(identities, channel as IdentityChannel, openid.join(':'));
      await this.#write(client, identities, before);
      await client.query('DELETE FROM link_codes WHERE office = $1 AND (owner = $2 OR expires_at <= $3)', [this.#office, code.owner, at]);
      await client.query('INSERT INTO link_codes (office, hash, owner, expires_at) VALUES ($1, $2, $3, $4)', [this.#office, code.hash, code.owner, code.expiresAt]);
      await this.#putWindow(client, 'issued', code.owner, countOne(issued, at, windowMs));
      return true;
    });
  }

  async redeemCode(hash: string, channel: IdentityChannel, openid: string, at: string): Promise<RedeemOutcome> {
    return this.#locked(async (client) => {
      const { rows } = await client.query<{ owner: string }>('SELECT owner FROM link_codes WHERE office = $1 AND hash = $2 AND expires_at > $3', [this.#office, hash, at]);
      const owner = rows[0]?.owner;
      if (!owner) return { outcome: 'unknown' };
      const me = identityKey(channel, openid);
      const identities = await this.#concerned(client, 'key = ANY($2)', [[owner, me]]);
      const before = snapshot(identities);
      const result = redeemIn(identities, owner, channel, openid, at);
      if (!result) return { outcome: 'unknown' };
      if (result.outcome !== 'linked' && result.outcome !== 'already') return result;
      await client.query('DELETE FROM link_codes WHERE office = $1 AND (hash = $2 OR expires_at <= $3)', [this.#office, hash, at]);
      if (result.outcome === 'linked') {
        await client.query(`DELETE FROM link_windows WHERE office = $1 AND kind = 'attempts' AND key = $2`, [this.#office, me]);
        await this.#write(client, identities, before);
      }
      return result;
    });
  }

  /** Runs `work` in a transaction holding the office's identity lock (released at its end). */
  #locked<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('gongkai:identities:' || $1))`, [this.#office]);
      return work(client);
    }, 'identities');
  }

  /** The identities matching `where` ($2, $3: `params`) and every identity of their persons. */
  async #concerned(client: pg.PoolClient, where: string, params: unknown[]): Promise<Identity[]> {
    const { rows } = await client.query<{ data: Identity }>(
      `SELECT data FROM identities WHERE office = $1 AND (${where} OR person IN (SELECT person FROM identities WHERE office = $1 AND (${where}))) ORDER BY seq`,
      [this.#office, ...params],
    );
    return rows.map((r) => r.data);
  }

  /** Inserts the identities added to the list and updates those changed, in the list's order. */
  async #write(client: pg.PoolClient, identities: Identity[], before: Map<string, string>): Promise<void> {
    for (const identity of identities) {
      const was = before.get(identity.key);
      const now = JSON.stringify(identity);
      if (was === now) continue;
      if (was === undefined) {
        await client.query('INSERT INTO identities (office, key, person, unionid, data) VALUES ($1, $2, $3, $4, $5)', [this.#office, identity.key, identity.person, identity.unionid ?? null, identity]);
      } else {
        await client.query('UPDATE identities SET person = $3, unionid = $4, data = $5 WHERE office = $1 AND key = $2', [this.#office, identity.key, identity.person, identity.unionid ?? null, identity]);
      }
    }
  }

  async #window(client: pg.PoolClient, kind: WindowKind, key: string): Promise<AttemptWindow | undefined> {
    const { rows } = await client.query<AttemptWindow>('SELECT failures, since FROM link_windows WHERE office = $1 AND kind = $2 AND key = $3', [this.#office, kind, key]);
    return rows[0];
  }

  async #putWindow(client: pg.PoolClient, kind: WindowKind, key: string, window: AttemptWindow): Promise<void> {
    await client.query(
      `INSERT INTO link_windows (office, kind, key, failures, since) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (office, kind, key) DO UPDATE SET failures = EXCLUDED.failures, since = EXCLUDED.since`,
      [this.#office, kind, key, window.failures, window.since],
    );
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ identities: number; codes: number; windows: number }>(
      `SELECT (SELECT count(*)::int FROM identities WHERE office = $1) AS identities,
              (SELECT count(*)::int FROM link_codes WHERE office = $1) AS codes,
              (SELECT count(*)::int FROM link_windows WHERE office = $1) AS windows`,
      [this.#office],
    );
    const r = rows[0]!;
    return { identity: r.identities, 'link-code': r.codes, 'link-window': r.windows };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const identities = await this.db.query<{ data: Identity }>('SELECT data FROM identities WHERE office = $1 ORDER BY seq', [this.#office]);
    for (const row of identities.rows) yield { kind: 'identity', data: row.data };
    const codes = await this.db.query<StoredLinkCode>('SELECT hash, owner, expires_at AS "expiresAt" FROM link_codes WHERE office = $1 ORDER BY owner, hash', [this.#office]);
    for (const code of codes.rows) yield { kind: 'link-code', data: { ...code } };
    const windows = await this.db.query<LinkWindowRecord>('SELECT kind AS of, key, failures, since FROM link_windows WHERE office = $1 ORDER BY kind, key', [this.#office]);
    for (const window of windows.rows) yield { kind: 'link-window', data: { ...window } };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const counts = await this.counts();
    if (Object.values(counts).some((n) => n > 0)) throw new Error('the identities repository is not empty');
    await this.#locked(async (client) => {
      for await (const record of records) {
        if (record.kind === 'identity') {
          await this.#write(client, [record.data as Identity], new Map());
        } else if (record.kind === 'link-code') {
          const code = record.data as StoredLinkCode;
          await client.query('INSERT INTO link_codes (office, hash, owner, expires_at) VALUES ($1, $2, $3, $4)', [this.#office, code.hash, code.owner, code.expiresAt]);
        } else if (record.kind === 'link-window') {
          const { of, key, failures, since } = record.data as LinkWindowRecord;
          await this.#putWindow(client, of, key, { failures, since });
        } else throw new Error(`the identities repository does not take records of kind ${record.kind}`);
      }
    });
  }
}

function snapshot(identities: Identity[]): Map<string, string> {
  return new Map(identities.map((i) => [i.key, JSON.stringify(i)]));
}
