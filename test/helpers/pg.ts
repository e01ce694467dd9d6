// PostgreSQL for tests: a throwaway database per test (created from template0, dropped with FORCE
// when the test ends), and the list of engines a both-engine test runs on. PostgreSQL runs on these
// machines and in CI (.ci/run starts it and sets GONGKAI_REQUIRE_PG=1, so an unreachable server
// fails the run there instead of quietly testing one engine).
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their databases on: trust auth, database `test`, as on these machines. */
export const PG_ADMIN_URL = process.env.GONGKAI_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | undefined;

export function pgReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      if (process.env.GONGKAI_REQUIRE_PG === '1') {
        throw new Error(`PostgreSQL at ${PG_ADMIN_URL} is required (GONGKAI_REQUIRE_PG=1) but cannot be reached: ${(error as Error).message}`);
      }
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

export type EngineName = 'embedded' | 'postgres';

/** The engines a both-engine test runs on: always the embedded store, PostgreSQL when it answers. */
export async function engines(): Promise<EngineName[]> {
  return (await pgReachable()) ? ['embedded', 'postgres'] : ['embedded'];
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A new empty database for this test; its URL. Dropped when the test ends. */
export async function testDatabase(t: ExecutionContext): Promise<string> {
  const name = `gk_t_${process.pid}_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  t.teardown(() => dropDatabase(name));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
}
