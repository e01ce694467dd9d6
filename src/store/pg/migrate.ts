// Versioned schema changes for the PostgreSQL engine: src/store/pg/migrations/NNN_name.sql, applied
// in order at start, each in its own transaction, under an advisory lock so that two instances
// starting together apply each change once. A database whose schema is newer than this server's
// (a rollback of the code after an upgrade) is refused rather than written by code that does not
// know its shape.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** pg_advisory_lock key of the schema change: any constant shared by every instance. */
const MIGRATION_LOCK = 7_043_771_022;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the database schema is at version ${found}, newer than this server knows (${known}): run the newer server, or restore a backup taken before the upgrade`);
    this.name = 'SchemaTooNewError';
  }
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await fs.readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(name);
    if (!match) throw new Error(`migration file ${name} is not named NNN_name.sql`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) throw new Error(`two migrations have version ${version}`);
    migrations.push({ version, name: match[2]!, sql: await fs.readFile(path.join(dir, name), 'utf8') });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/** Brings the schema up to date; returns the versions it applied (none when already current). */
export async function migrate(db: Database, migrations?: Migration[]): Promise<number[]> {
  const known = migrations ?? (await loadMigrations());
  const newest = known.at(-1)?.version ?? 0;
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const applied = new Set(rows.map((r) => r.version));
    const found = rows.at(-1)?.version ?? 0;
    if (found > newest) throw new SchemaTooNewError(found, newest);
    const done: number[] = [];
    for (const migration of known) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      done.push(migration.version);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** The schema version the database is at (0 when never migrated). */
export async function schemaVersion(db: Database): Promise<number> {
  const exists = await db.query<{ table: string | null }>(`SELECT to_regclass('schema_migrations')::text AS table`);
  if (!exists.rows[0]?.table) return 0;
  const { rows } = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}
