// The PostgreSQL engine's schema changes: applied once, in order, by one of several instances that
// start together; a database newer than the server is refused.
import test from 'ava';
import { Database } from '../src/store/pg/database.js';
import { loadMigrations, migrate, schemaVersion, SchemaTooNewError } from '../src/store/pg/migrate.js';
import { pgReachable, testDatabase } from './helpers/pg.js';

const withPostgres = await pgReachable();

test('the migrations are numbered once each, in order, the offices first, each named for what it holds', async (t) => {
  const migrations = await loadMigrations();
  const versions = migrations.map((m) => m.version);
  t.deepEqual(versions, [...versions].sort((a, b) => a - b));
  t.is(new Set(versions).size, versions.length);
  t.like(migrations[0], { version: 1, name: 'offices' });
  // Every table a later migration creates belongs to an office (ARCHITECTURE §7).
  for (const m of migrations.slice(1)) {
    for (const table of m.sql.matchAll(/CREATE TABLE (\w+) \(\s*([^,]+),/g)) {
      t.regex(table[2]!, /^office text NOT NULL REFERENCES offices\(id\)/, `${m.version}_${m.name}: ${table[1]}`);
    }
  }
});

if (withPostgres) {
  test('a new database is brought to the newest schema, and a second run changes nothing', async (t) => {
    const db = new Database(await testDatabase(t));
    t.teardown(() => db.close());
    const known = await loadMigrations();
    t.true(known.length > 0);
    t.deepEqual(await migrate(db), known.map((m) => m.version));
    t.is(await schemaVersion(db), known.at(-1)!.version);
    t.deepEqual(await migrate(db), []);
    const offices = await db.query('SELECT id FROM offices');
    t.deepEqual(offices.rows, [{ id: 'default' }]);
  });

  test('two instances starting together apply each change once', async (t) => {
    const url = await testDatabase(t);
    const a = new Database(url);
    const b = new Database(url);
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const [ranA, ranB] = await Promise.all([migrate(a), migrate(b)]);
    const known = (await loadMigrations()).map((m) => m.version);
    t.deepEqual([...ranA, ...ranB].sort((x, y) => x - y), known);
    const { rows } = await a.query('SELECT count(*)::int AS n FROM schema_migrations');
    t.is(rows[0].n, known.length);
  });

  test('a database whose schema is newer than the server is refused, and left as it was', async (t) => {
    const db = new Database(await testDatabase(t));
    t.teardown(() => db.close());
    await migrate(db);
    const newest = (await loadMigrations()).at(-1)!.version;
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [newest + 1, 'from-the-future']);
    const error = await t.throwsAsync(migrate(db), { instanceOf: SchemaTooNewError });
    t.regex(error!.message, new RegExp(`version ${newest + 1}, newer than this server knows \\(${newest}\\)`));
    t.is(await schemaVersion(db), newest + 1);
  });

  test('a failed migration leaves nothing of itself behind, and says which one failed', async (t) => {
    const db = new Database(await testDatabase(t));
    t.teardown(() => db.close());
    const broken = [
      { version: 1, name: 'good', sql: 'CREATE TABLE good (id int)' },
      { version: 2, name: 'bad', sql: 'CREATE TABLE half (id int); SELECT no_such_function()' },
    ];
    const error = await t.throwsAsync(migrate(db, broken));
    t.regex(error!.message, /migration 2_bad failed/);
    t.is(await schemaVersion(db), 1);
    const half = await db.query(`SELECT to_regclass('half')::text AS t`);
    t.is(half.rows[0].t, null);
  });
}
