// The PostgreSQL engine's connection: one pool per process, the office every query is scoped to,
// transactions, and the translation of "the database cannot be reached" into the store's own
// StoreWriteError, so the HTTP layer answers 503 `storage-unavailable` on either engine.
//
// Repositories of this engine (src/store/pg/*-repo.ts) are the only code that writes SQL. Every
// table carries the office a row belongs to and every query filters on it (`this.office`): a city
// that runs one service for all its departments later adds offices, not a second schema.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreWriteError, WriteHealth } from '../write-faults.js';
import { DomainError } from '../../domain/errors.js';
import { newInstance, type Instance, type InstanceTiming } from './instance-id.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface DatabaseOptions {
  /** The office this process serves; `default` until several offices share one service. */
  office?: string;
  /** Pool size per process; two instances behind one balancer use twice this many connections. */
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Who this process is among the office's instances (src/store/pg/instance.ts); a new id by default. */
  instance?: Instance | Partial<InstanceTiming>;
}

export class Database {
  readonly pool: pg.Pool;
  readonly office: string;
  /** This process among the instances on the database: its claims carry this id. */
  readonly instance: Instance;
  /** Whether the database answers; its changes are what the log says about an outage. */
  readonly health = new WriteHealth();
  readonly #writeListeners: Array<(write: { file: string; seconds: number; ok: boolean }) => void> = [];

  constructor(
    readonly url: string,
    options: DatabaseOptions = {},
  ) {
    this.office = options.office ?? 'default';
    this.instance = options.instance && 'id' in options.instance ? options.instance : newInstance(options.instance);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'gongkai',
      // A request must not hang on a database that went away: past this, answer 503. Long enough
      // for a busy server to accept a connection (a refused one fails at once anyway); WeChat's
      // pushes do not wait for it: they are answered within 4 s and the reply follows later.
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection (the server restarted) must not crash the process.
    this.pool.on('error', (error) => this.health.failed('postgres', error));
  }

  /** Runs one statement; a connection failure becomes a StoreWriteError (503). */
  async query<R extends pg.QueryResultRow = any>(sql: string, params: unknown[] = [], what = 'postgres'): Promise<pg.QueryResult<R>> {
    return this.#timed(what, () => this.pool.query<R>(prepared(sql, params)));
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when
   * it throws (the error is passed on, a connection failure as a StoreWriteError).
   */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, what = 'postgres'): Promise<T> {
    return this.#timed(what, async () => {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(preparing(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = isConnectionError(error);
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  /** Tells `listener` how long each query or transaction took (the store-write metrics). */
  onWrite(listener: (write: { file: string; seconds: number; ok: boolean }) => void): void {
    this.#writeListeners.push(listener);
  }

  #closed: Promise<void> | null = null;
  readonly #sides = new Map<string, Database>();

  /**
   * A small pool of its own for one kind of work that may come in floods (login attempts), so that
   * a flood queues there and the chat and the APIs keep their connections. Closed with this one.
   */
  side(name: string, max: number): Database {
    let side = this.#sides.get(name);
    if (!side) {
      side = new Database(this.url, { office: this.office, max, applicationName: `gongkai-${name}`, instance: this.instance });
      this.#sides.set(name, side);
    }
    return side;
  }

  /** Ends the pools once; a second close (a failed start that already stopped) waits for the first. */
  close(): Promise<void> {
    this.#closed ??= Promise.all([this.pool.end(), ...[...this.#sides.values()].map((side) => side.close())]).then(() => undefined);
    return this.#closed;
  }

  async #timed<T>(what: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await run();
      ok = true;
      this.health.succeeded(started);
      return result;
    } catch (error) {
      if (isUnstorableText(error)) throw new DomainError('bad-request', '请求中含有无法处理的字符');
      if (!isConnectionError(error)) throw error;
      this.health.failed(what, error);
      throw new StoreWriteError(what, connectionCode(error), { cause: error });
    } finally {
      if (this.#writeListeners.length) {
        const seconds = (performance.now() - started) / 1000;
        for (const listener of this.#writeListeners) listener({ file: what, seconds, ok });
      }
    }
  }
}

/**
 * A statement with parameters as a named prepared statement: each connection parses and plans it
 * once, not on every call (most of a short statement's cost in PostgreSQL, and several run per
 * WeChat push). Named by its text, so the same text is the same statement on every connection.
 * Statements without parameters (BEGIN, a migration's several commands) go as they are.
 */
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  if (values.length === 0) return { text };
  let name = statementNames.get(text);
  if (!name) {
    name = `gk_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}
const statementNames = new Map<string, string>();

/** `client` whose query(text, values) prepares its statements as Database.query does. */
function preparing(client: pg.PoolClient): pg.PoolClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (text: unknown, values?: unknown[]) =>
        typeof text === 'string' && Array.isArray(values) ? target.query(prepared(text, values)) : (target.query as (...a: unknown[]) => unknown)(text, values);
    },
  });
}

/**
 * Whether `error` says the database cannot be reached or went away (as opposed to a statement the
 * database refused, which is a bug or a conflict the caller handles): socket errors, a pool that
 * timed out connecting, SQLSTATE classes 08 (connection), 57P (operator intervention: shutdown),
 * 53 (insufficient resources: disk full, too many connections) and 58 (system error).
 */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code)) return true;
  if (/^(08|57P|53|58)/.test(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connection is insufficient/i.test(message);
}

/**
 * SQLSTATE 22021 and 22P05: text PostgreSQL cannot hold, in practice U+0000 (a NUL in a hostile
 * request's path or body). The embedded store takes it (and finds nothing by it); here the request
 * is refused with a 400, not a 500.
 */
function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '22021' || code === '22P05';
}

function connectionCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unreachable';
}

/** SQLSTATE 23505: a unique key refused a second row, e.g. a retried push or a concurrent append. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
