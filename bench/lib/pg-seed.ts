// PostgreSQL for the benches: a throwaway database (created from template0, dropped WITH (FORCE)),
// its schema made by the product's own migrations, and many stored requests made quickly with
// set-based SQL: the same real samples as the embedded seed (applications-seed.ts), cloned by
// INSERT … SELECT FROM generate_series into the rows src/store/pg/applications-repo.ts writes
// (migrations/010_applications.sql: the request's data without its events, the columns derived
// from the events, one row per event). Each clone gets its own id, tracking number, applicant (ID
// number with a valid check digit, mobile) and openid, numbered as the embedded seed numbers them.
// Tracking numbers run to 999,999 a year, so clones are spread over years, PER_YEAR to a year,
// counting back from the current one; each year's sequence row is set to the last number handed out.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { identityKey } from '../../src/domain/identity.js';
import { Database } from '../../src/store/pg/database.js';
import { migrate } from '../../src/store/pg/migrate.js';
import { summaryOf, type StoredApplication } from '../../src/store/applications-repo.js';
import { PG_ADMIN_URL, dropDatabase } from '../../test/helpers/pg.js';
import { SEED_IDENTITY_OFFSET } from './applications-seed.js';

/** Requests a year at most in the seed (the format allows 999,999). */
export const PER_YEAR = 250_000;
/** Rows per INSERT statement while seeding. */
const CHUNK = 100_000;

export interface BenchDatabase {
  name: string;
  url: string;
  drop: () => Promise<void>;
}

/** A new empty database with the product's schema (its migrations, as a start applies them). */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `gk_bench_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = new Database(url.toString(), { applicationName: 'gongkai-bench-seed' });
  try {
    await migrate(database);
  } catch (error) {
    await database.close().catch(() => {});
    await dropDatabase(name);
    throw error;
  } finally {
    await database.close().catch(() => {});
  }
  return { name, url: url.toString(), drop: () => dropDatabase(name) };
}

/** GB 11643 ID numbers in SQL, the same as identities.ts's idNumber(n). */
const ID_NUMBER_FUNCTION = `
CREATE FUNCTION pg_temp.bench_id_number(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  WITH b AS (
    SELECT (ARRAY['420202','420203','420204','420205','420222','420281','110105','310104','440305','510107'])[(n % 10) + 1]
      || to_char(date '1950-01-01' + ((n / 10) / 1000)::int, 'YYYYMMDD')
      || lpad(((n / 10) % 1000)::text, 3, '0') AS body
  )
  SELECT body || substr('10X98765432', (
    SELECT sum(substr(body, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) % 11
    FROM generate_series(1, 17) AS i)::int + 1, 1)
  FROM b
$$`;

export interface SeedStep {
  /** Stored requests after the step. */
  stored: number;
  /** Rows added to applications and application_events. */
  applications: number;
  events: number;
  insertMs: number;
  /** Making the secondary indexes again after the insert. */
  indexMs: number;
  /** VACUUM (ANALYZE) of the tables afterwards, as autovacuum would leave them, and a CHECKPOINT. */
  vacuumMs: number;
}

/**
 * Grows the requests stored in one database: `growTo(n)` adds clones n+1… up to n. One connection,
 * kept open so the samples stay in a temporary table between steps.
 */
export class PgSeeder {
  #stored = 0;

  private constructor(
    private readonly client: pg.Client,
    private readonly year: number,
  ) {}

  static async open(url: string, samples: readonly StoredApplication[], year: number): Promise<PgSeeder> {
    const client = new pg.Client({ connectionString: url, application_name: 'gongkai-bench-seed' });
    await client.connect();
    try {
      // A seed needs no durability of its own: the figures are taken after it committed.
      await client.query('SET synchronous_commit = off');
      // The clones reference their office and their request by construction: the foreign-key
      // triggers, one lookup per row, are left out as pg_restore --disable-triggers leaves them out.
      await client.query('SET session_replication_role = replica');
      await client.query(ID_NUMBER_FUNCTION);
      await client.query(`CREATE TEMP TABLE bench_samples (
        k integer PRIMARY KEY, data jsonb NOT NULL, events jsonb NOT NULL, person boolean NOT NULL, has_openid boolean NOT NULL,
        identity_key text, created_at text NOT NULL, status text NOT NULL, closed boolean NOT NULL,
        received_on text, closed_on text, event_count integer NOT NULL)`);
      const rows = samples.map((app, k) => {
        const { events, ...data } = app;
        const s = summaryOf(app);
        return {
          k,
          data,
          events,
          person: app.applicant.type === 'person',
          has_openid: app.openid !== null,
          identity_key: identityKey(app.applicant),
          created_at: app.createdAt,
          status: s.status,
          closed: s.closed,
          received_on: s.receivedOn,
          closed_on: s.closedOn,
          event_count: events.length,
        };
      });
      await client.query(
        `INSERT INTO bench_samples SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
          k integer, data jsonb, events jsonb, person boolean, has_openid boolean, identity_key text, created_at text,
          status text, closed boolean, received_on text, closed_on text, event_count integer)`,
        [JSON.stringify(rows)],
      );
      const { rows: existing } = await client.query<{ n: string }>("SELECT count(*) AS n FROM applications WHERE office = 'default'");
      if (Number(existing[0]!.n) !== 0) throw new Error('PgSeeder: the database already holds requests');
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return new PgSeeder(client, year);
  }

  get stored(): number {
    return this.#stored;
  }

  async growTo(target: number): Promise<SeedStep> {
    if (target < this.#stored) throw new Error(`cannot shrink from ${this.#stored} to ${target}`);
    const started = performance.now();
    // Secondary indexes are dropped for the insert and made again from their own definitions:
    // building an index once is far cheaper than updating it row by row.
    const { rows: indexes } = await this.client.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
       WHERE i.schemaname = 'public' AND i.tablename IN ('applications', 'application_events')
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const index of indexes) await this.client.query(`DROP INDEX ${index.name}`);
    const { rows: countRows } = await this.client.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_samples');
    const n = countRows[0]!.n;
    let events = 0;
    for (let from = this.#stored; from < target; from += CHUNK) {
      const to = Math.min(target, from + CHUNK);
      // i: the clone's number from 0 (the embedded seed's i); g = i + 1.
      const params = [from, to - 1, n, PER_YEAR, this.year, SEED_IDENTITY_OFFSET];
      const clones = `FROM generate_series($1::bigint, $2::bigint) AS i JOIN bench_samples s ON s.k = i % $3`;
      await this.client.query('BEGIN');
      await this.client.query(
        `INSERT INTO applications (office, id, tracking_no, created_at, openid, identity_key, status, closed, received_on, closed_on, event_count, data)
         SELECT 'default', c.id, c.tracking_no, s.created_at, c.openid,
           CASE WHEN s.person THEN upper(c.id_number) ELSE s.identity_key END,
           s.status, s.closed, s.received_on, s.closed_on, s.event_count,
           CASE WHEN s.person
             THEN jsonb_set(jsonb_set(d.data, '{applicant,idNumber}', to_jsonb(c.id_number)), '{applicant,phone}', to_jsonb(c.phone))
             ELSE d.data END
         ${clones}
         CROSS JOIN LATERAL (SELECT
           'b' || lpad((i + 1)::text, 11, '0') AS id,
           ($5::int - i / $4) || '-' || lpad((i % $4 + 1)::text, 6, '0') AS tracking_no,
           CASE WHEN s.has_openid THEN 'o-seed-' || i END AS openid,
           CASE WHEN s.person THEN pg_temp.bench_id_number($6::bigint + i) END AS id_number,
           '139' || lpad((($6::bigint + i) % 100000000)::text, 8, '0') AS phone) AS c
         CROSS JOIN LATERAL (SELECT s.data || jsonb_build_object('id', c.id, 'trackingNo', c.tracking_no, 'openid', c.openid, 'possibleDuplicateOf', '[]'::jsonb) AS data) AS d
         ORDER BY i`,
        params,
      );
      const inserted = await this.client.query(
        `INSERT INTO application_events (office, application_id, idx, data)
         SELECT 'default', 'b' || lpad((i + 1)::text, 11, '0'), (e.ord - 1)::int, e.value
         ${clones} CROSS JOIN LATERAL jsonb_array_elements(s.events) WITH ORDINALITY AS e(value, ord)`,
        params.slice(0, 3),
      );
      events += inserted.rowCount ?? 0;
      await this.client.query('COMMIT');
    }
    // The last number handed out in each year the clones reach.
    await this.client.query(
      `INSERT INTO application_sequences (office, year, last)
       SELECT 'default', $3::int - y, least($1::bigint - y * $2, $2)::int FROM generate_series(0, ($1::bigint - 1) / $2) AS y
       ON CONFLICT (office, year) DO UPDATE SET last = EXCLUDED.last`,
      [target, PER_YEAR, this.year],
    );
    const insertMs = performance.now() - started;
    const indexStarted = performance.now();
    await this.client.query(`SET maintenance_work_mem = '256MB'`);
    for (const index of indexes) await this.client.query(index.def);
    const indexMs = performance.now() - indexStarted;
    const vacuumStarted = performance.now();
    await this.client.query('VACUUM (ANALYZE) applications, application_events, application_sequences');
    // The bulk write's pages are flushed now, not during the starts measured next.
    await this.client.query('CHECKPOINT');
    const vacuumMs = performance.now() - vacuumStarted;
    const added = target - this.#stored;
    this.#stored = target;
    return { stored: target, applications: added, events, insertMs, indexMs, vacuumMs };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
