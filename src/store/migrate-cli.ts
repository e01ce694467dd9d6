// `npm run store:migrate -- --to <postgres://… | folder> [--from <postgres://… | folder>]`: moves an
// office's data between the two engines (src/store/move.ts). --from defaults to DATA_DIR. The target
// must be empty; the counts of every kind of record are compared afterwards. The key that signs the
// applicants' letter links moves too, so links already sent keep opening. Run it with the server
// stopped: a folder is locked while it is read (a running server holds that lock), and what a server
// on PostgreSQL writes meanwhile would not be in the copy.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, maskPassword } from '../config.js';
import { loadLinkKey, saveLinkKey } from '../documents/applicant-links.js';
import { Store } from './store.js';
import { StoreFileError } from './durable-json-file.js';
import { Database } from './pg/database.js';
import { migrate, SchemaTooNewError } from './pg/migrate.js';
import { PgCoordination } from './pg/coordination.js';
import { CONCERNS, openEmbeddedRepositories, openPostgresRepositories, type Repositories } from './repositories.js';
import { moveOffice, MoveError, type TransferableSet } from './move.js';
import { randomBytes } from 'node:crypto';

const USAGE = 'usage: npm run store:migrate -- --to <postgres://… | folder> [--from <postgres://… | folder>]   (--from defaults to DATA_DIR)\n';

const LINK_KEY = 'document-link';

interface Side {
  label: string;
  repos: Repositories;
  /** The letter-link key on this side (made when the side has none). */
  linkKey(): Promise<Buffer>;
  /** Makes `key` this side's letter-link key. */
  takeLinkKey(key: Buffer): Promise<void>;
  close(): Promise<void>;
}

const isDatabase = (where: string) => /^postgres(ql)?:\/\//.test(where);

async function open(where: string, clock: () => Date): Promise<Side> {
  if (isDatabase(where)) {
    const db = new Database(where, { max: 4, applicationName: 'gongkai-store-migrate' });
    try {
      await migrate(db);
      const repos = await openPostgresRepositories(db, clock);
      const coordination = new PgCoordination(db);
      return {
        label: maskPassword(where),
        repos,
        linkKey: () => coordination.sharedSecret(LINK_KEY, () => randomBytes(32)),
        takeLinkKey: async (key) => {
          await db.query('DELETE FROM shared_secrets WHERE office = $1 AND name = $2', [db.office, LINK_KEY]);
          await coordination.sharedSecret(LINK_KEY, () => key);
        },
        close: () => db.close(),
      };
    } catch (error) {
      await db.close().catch(() => {});
      throw error;
    }
  }
  const dir = path.resolve(where);
  const store = await Store.open(dir, clock);
  try {
    const repos = await openEmbeddedRepositories(store, clock);
    return { label: dir, repos, linkKey: () => loadLinkKey(dir), takeLinkKey: (key) => saveLinkKey(dir, key), close: () => store.close() };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

function transferables(repos: Repositories): TransferableSet {
  return Object.fromEntries(CONCERNS.map((name) => [name, repos[name]]));
}

export async function runMigrateCli(argv: string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, argv[i + 1]];
    if ((flag !== '--from' && flag !== '--to') || !value || value.startsWith('--') || args.has(flag)) {
      err(USAGE);
      return 2;
    }
    args.set(flag, value);
  }
  const to = args.get('--to');
  if (!to) {
    err(USAGE);
    return 2;
  }
  let from = args.get('--from');
  if (!from) {
    try {
      from = loadConfig({ ...env, DATABASE_URL: undefined }).dataDir;
    } catch (error) {
      if (error instanceof ConfigError) {
        err(`${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  if (isDatabase(from) === isDatabase(to)) {
    err(`store:migrate moves between the engines: one of --from and --to must be a postgres:// address, the other a data folder\n${USAGE}`);
    return 2;
  }

  const clock = () => new Date();
  let source: Side | undefined;
  let target: Side | undefined;
  try {
    source = await open(from, clock);
    target = await open(to, clock);
    out(`Moving ${source.label} → ${target.label}\n`);
    const report = await moveOffice(transferables(source.repos), transferables(target.repos));
    await target.takeLinkKey(await source.linkKey());
    // Uploaded holiday calendars: a year the target already has is replaced by the source's.
    const calendars = await source.repos.calendars.list();
    for (const file of calendars) await target.repos.calendars.save(file);
    if (calendars.length) out(`  ${'calendars'.padEnd(15)} uploaded years ${calendars.map((f) => f.year).join(', ')}\n`);
    for (const [name, kinds] of Object.entries(report.moved)) {
      const line = Object.entries(kinds).map(([kind, n]) => `${kind} ${n}`).join(', ') || '-';
      out(`  ${name.padEnd(15)} ${line}\n`);
    }
    out('Counts equal on both sides. Point the server at the target (DATABASE_URL set or unset) and start it.\n');
    return 0;
  } catch (error) {
    if (error instanceof MoveError || error instanceof StoreFileError || error instanceof SchemaTooNewError) {
      err(`store:migrate refused: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await target?.close();
    await source?.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.umask(0o077);
  process.exitCode = await runMigrateCli(process.argv.slice(2), process.env, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
}
