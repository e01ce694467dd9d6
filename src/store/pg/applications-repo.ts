// Disclosure requests on PostgreSQL (migrations/010_applications.sql): the same contract as the
// embedded applications.json (ApplicationsRepository), for any number of instances. Tracking numbers
// are taken in the insert's transaction from a row locked per year; a submit's idempotency key and
// an event's number are unique keys, so two instances doing the same thing at once store it once.
import type pg from 'pg';
import type { Database, Queryable } from './database.js';
import { isUniqueViolation } from './database.js';
import { ConflictError } from '../conflict.js';
import type { TransferRecord } from '../transfer.js';
import { identityKey } from '../../domain/identity.js';
import type { ApplicationEvent } from '../../domain/applications/types.js';
import {
  summaryOf,
  type ApplicationDraft,
  type ApplicationsPage,
  type ApplicationsQuery,
  type ApplicationsRepository,
  type InsertResult,
  type NotificationIntent,
  type StoredApplication,
  type StoredIntent,
} from '../applications-repo.js';

/** A request with its events, in order, as one row. */
const SELECT_APP = `SELECT a.data, coalesce((SELECT jsonb_agg(e.data ORDER BY e.idx) FROM application_events e
  WHERE e.office = a.office AND e.application_id = a.id), '[]'::jsonb) AS events FROM applications a`;

const INTENT_COLUMNS = `key, application_id AS "applicationId", event_index AS "eventIndex", kind, audience, created_at AS "createdAt"`;

/** Notifications from the JSON array in parameter `param` ($1 is the office), in their order. */
const INSERT_INTENTS = (param: string) => `INSERT INTO application_intents (office, key, application_id, event_index, kind, audience, created_at, planned)
  SELECT $1, r->>'key', r->>'applicationId', (r->>'eventIndex')::integer, r->>'kind', r->>'audience', r->>'createdAt', coalesce((r->>'planned')::boolean, false)
  FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS t(r, ord) ORDER BY t.ord`;

/** Rows per statement when many requests are written or read at once (an import, a transfer). */
const BATCH = 500;

export class PgApplicationsRepo implements ApplicationsRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgApplicationsRepo> {
    return new PgApplicationsRepo(db);
  }

  async get(id: string): Promise<StoredApplication | undefined> {
    return (await this.#select('a.id = $2', [id]))[0];
  }

  async byTrackingNo(trackingNo: string): Promise<StoredApplication | undefined> {
    return (await this.#select('a.tracking_no = $2', [trackingNo]))[0];
  }

  async byOpenid(openid: string): Promise<StoredApplication[]> {
    return this.#select('a.openid = $2 ORDER BY a.position', [openid]);
  }

  async sameApplicant(identity: string | null, openid: string | null): Promise<StoredApplication[]> {
    if (!identity && !openid) return [];
    return this.#select('(a.identity_key = $2 OR a.openid = $3) ORDER BY a.position', [identity, openid]);
  }

  async idempotent(key: string): Promise<StoredApplication | undefined> {
    const { rows } = await this.db.query<{ id: string }>('SELECT application_id AS id FROM application_idempotency WHERE office = $1 AND key = $2', [this.db.office, key]);
    return rows[0] ? this.get(rows[0].id) : undefined;
  }

  async open(): Promise<StoredApplication[]> {
    return this.#select('NOT a.closed ORDER BY a.position', []);
  }

  async page(query: ApplicationsQuery): Promise<ApplicationsPage> {
    const params: unknown[] = [this.db.office];
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.closed !== undefined) where.push(`a.closed = ${param(query.closed)}`);
    if (query.status) where.push(`a.status = ${param(query.status)}`);
    if (query.year !== undefined) {
      const prefix = param(`${query.year}-%`);
      where.push(`(a.received_on LIKE ${prefix} OR a.closed_on LIKE ${prefix})`);
    }
    if (query.text) {
      const text = param(query.text);
      const name = query.matchName ? ` OR strpos(a.data->'applicant'->>'name', ${text}) > 0` : '';
      where.push(`(strpos(a.tracking_no, ${text}) > 0 OR strpos(a.data->'request'->>'description', ${text}) > 0${name})`);
    }
    if (query.handledBy) {
      where.push(`EXISTS (SELECT 1 FROM application_events e WHERE e.office = a.office AND e.application_id = a.id AND e.data->>'by' = ${param(query.handledBy)})`);
    }
    const filter = where.map((w) => ` AND ${w}`).join('');
    const { rows } = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM applications a WHERE a.office = $1${filter}`, params);
    const order = query.order === 'newest' ? 'a.position DESC' : 'a.position';
    const applications = await this.#select(`true${filter} ORDER BY ${order} LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`, params.slice(1));
    return { total: Number(rows[0]!.n), applications };
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM applications WHERE office = $1', [this.db.office]);
    return Number(rows[0]!.n);
  }

  async insert(drafts: ApplicationDraft[], now: string): Promise<InsertResult[]> {
    try {
      return await this.db.transaction(async (client) => {
        const seqs = await this.#takeSequences(client, drafts.map((d) => d.year));
        const apps = drafts.map((draft, i) => draft.build(seqs[i]!));
        // A submit retried on another instance at the same moment waits at its key for the first
        // one's transaction; when that one committed, the key is taken and this one stores nothing.
        const keys = drafts.flatMap((draft, i) => (draft.idempotencyKey ? [{ key: draft.idempotencyKey, applicationId: apps[i]!.id, at: now }] : []));
        await this.#insertApplications(client, apps, {
          keys,
          intents: drafts.flatMap((draft, i) => draft.intents(apps[i]!)),
        });
        return apps.map((app) => ({ application: structuredClone(app), created: true }));
      }, 'applications');
    } catch (error) {
      if (!isUniqueViolation(error, 'application_idempotency_pkey')) throw error;
      // The transaction was rolled back, numbers included: answer the request that took the key.
      const key = drafts.find((d) => d.idempotencyKey)!.idempotencyKey!;
      const winner = await this.idempotent(key);
      if (!winner) throw new Error(`idempotency key of a vanished application`);
      return [{ application: winner, created: false }];
    }
  }

  async appendEvent(id: string, expectedEvents: number, event: ApplicationEvent, intents: NotificationIntent[]): Promise<StoredApplication> {
    return this.db.transaction(async (client) => {
      const locked = await client.query<{ event_count: number }>('SELECT event_count FROM applications WHERE office = $1 AND id = $2 FOR UPDATE', [this.db.office, id]);
      const row = locked.rows[0];
      if (!row) throw new Error(`application ${id} vanished`);
      if (row.event_count !== expectedEvents) throw new ConflictError(`application ${id}`);
      try {
        await client.query('INSERT INTO application_events (office, application_id, idx, data) VALUES ($1, $2, $3, $4)', [this.db.office, id, expectedEvents, JSON.stringify(event)]);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`application ${id}`);
        throw error;
      }
      const app = (await this.#select('a.id = $2', [id], client))[0]!;
      const s = summaryOf(app);
      await client.query(
        'UPDATE applications SET event_count = $3, status = $4, closed = $5, received_on = $6, closed_on = $7 WHERE office = $1 AND id = $2',
        [this.db.office, id, app.events.length, s.status, s.closed, s.receivedOn, s.closedOn],
      );
      await this.#insertIntents(client, intents);
      return app;
    }, 'applications');
  }

  async pendingIntents(limit: number): Promise<NotificationIntent[]> {
    const { rows } = await this.db.query<NotificationIntent>(
      `SELECT ${INTENT_COLUMNS} FROM application_intents WHERE office = $1 AND NOT planned ORDER BY position LIMIT $2`,
      [this.db.office, limit],
    );
    return rows.map((r) => ({ ...r }));
  }

  async markIntentsPlanned(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query('UPDATE application_intents SET planned = true WHERE office = $1 AND key = ANY($2::text[]) AND NOT planned', [this.db.office, keys], 'applications');
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ application: string; sequence: string; idempotency: string; intent: string }>(
      `SELECT (SELECT count(*) FROM applications WHERE office = $1) AS application,
              (SELECT count(*) FROM application_sequences WHERE office = $1) AS sequence,
              (SELECT count(*) FROM application_idempotency WHERE office = $1) AS idempotency,
              (SELECT count(*) FROM application_intents WHERE office = $1) AS intent`,
      [this.db.office],
    );
    const r = rows[0]!;
    return { application: Number(r.application), sequence: Number(r.sequence), 'idempotency-key': Number(r.idempotency), intent: Number(r.intent) };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    // Page by position: a move reads a quiet office, but memory must not grow with its size.
    for (let after = -1; ; ) {
      const { rows } = await this.db.query<{ position: string; data: Omit<StoredApplication, 'events'>; events: ApplicationEvent[] }>(
        `SELECT a.position, ${SELECT_APP.slice('SELECT '.length)} WHERE a.office = $1 AND a.position > $2 ORDER BY a.position LIMIT ${BATCH}`,
        [this.db.office, after],
      );
      for (const row of rows) yield { kind: 'application', data: { ...row.data, events: row.events } };
      if (rows.length < BATCH) break;
      after = Number(rows.at(-1)!.position);
    }
    const sequences = await this.db.query<{ year: number; last: number }>('SELECT year, last FROM application_sequences WHERE office = $1 ORDER BY year', [this.db.office]);
    for (const row of sequences.rows) yield { kind: 'sequence', data: { year: row.year, last: row.last } };
    const keys = await this.db.query<{ key: string; applicationId: string; at: string }>(
      'SELECT key, application_id AS "applicationId", at FROM application_idempotency WHERE office = $1 ORDER BY key',
      [this.db.office],
    );
    for (const row of keys.rows) yield { kind: 'idempotency-key', data: { ...row } };
    for (let after = -1; ; ) {
      const { rows } = await this.db.query<NotificationIntent & { planned: boolean; position: string }>(
        `SELECT ${INTENT_COLUMNS}, planned, position FROM application_intents WHERE office = $1 AND position > $2 ORDER BY position LIMIT ${BATCH}`,
        [this.db.office, after],
      );
      for (const { position: _p, ...intent } of rows) yield { kind: 'intent', data: intent };
      if (rows.length < BATCH) break;
      after = Number(rows.at(-1)!.position);
    }
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    await this.db.transaction(async (client) => {
      const { rows } = await client.query<{ n: string }>(
        'SELECT (SELECT count(*) FROM applications WHERE office = $1) + (SELECT count(*) FROM application_intents WHERE office = $1) AS n',
        [this.db.office],
      );
      if (Number(rows[0]!.n) > 0) throw new Error('applications: import only into an empty store');
      let apps: StoredApplication[] = [];
      let intents: StoredIntent[] = [];
      for await (const record of records) {
        const r = record.data as Record<string, any>;
        if (record.kind === 'application') {
          apps.push(r as StoredApplication);
          if (apps.length >= BATCH) {
            await this.#insertApplications(client, apps);
            apps = [];
          }
        } else if (record.kind === 'sequence') {
          await client.query('INSERT INTO application_sequences (office, year, last) VALUES ($1, $2, $3)', [this.db.office, r.year, r.last]);
        } else if (record.kind === 'idempotency-key') {
          // Keys name applications: those still batched go first.
          await this.#insertApplications(client, apps);
          apps = [];
          await client.query('INSERT INTO application_idempotency (office, key, application_id, at) VALUES ($1, $2, $3, $4)', [this.db.office, r.key, r.applicationId, r.at]);
        } else if (record.kind === 'intent') {
          await this.#insertApplications(client, apps);
          apps = [];
          intents.push({ ...(r as NotificationIntent), planned: r.planned === true });
          if (intents.length >= BATCH) {
            await this.#insertIntents(client, intents);
            intents = [];
          }
        } else {
          throw new Error(`applications: unknown record kind ${record.kind}`);
        }
      }
      await this.#insertApplications(client, apps);
      await this.#insertIntents(client, intents);
    }, 'applications');
  }

  /** The requests matching `condition` (parameters from $2; $1 is the office), with their events. */
  async #select(condition: string, params: unknown[], client?: Queryable): Promise<StoredApplication[]> {
    const sql = `${SELECT_APP} WHERE a.office = $1 AND ${condition}`;
    const all = [this.db.office, ...params];
    const { rows } = client ? await client.query(sql, all) : await this.db.query(sql, all);
    return (rows as Array<{ data: Omit<StoredApplication, 'events'>; events: ApplicationEvent[] }>).map((row) => ({ ...row.data, events: row.events }));
  }

  /** One tracking number per entry of `years`, in order, taken with each year's row locked. */
  async #takeSequences(client: pg.PoolClient, years: number[]): Promise<number[]> {
    const wanted = new Map<number, number>();
    for (const year of years) wanted.set(year, (wanted.get(year) ?? 0) + 1);
    const next = new Map<number, number>();
    // Years in order, so two imports spanning the same years lock them in the same order.
    for (const year of [...wanted.keys()].sort()) {
      const n = wanted.get(year)!;
      const { rows } = await client.query<{ last: number }>(
        `INSERT INTO application_sequences (office, year, last) VALUES ($1, $2, $3)
         ON CONFLICT (office, year) DO UPDATE SET last = application_sequences.last + EXCLUDED.last RETURNING last`,
        [this.db.office, year, n],
      );
      next.set(year, rows[0]!.last - n + 1);
    }
    return years.map((year) => {
      const seq = next.get(year)!;
      next.set(year, seq + 1);
      return seq;
    });
  }

  /**
   * Requests with their events, and with them (a submit) their idempotency keys and notifications:
   * one statement, so a submit costs one round trip besides its tracking number and its commit.
   */
  async #insertApplications(
    client: Queryable,
    apps: StoredApplication[],
    with_: { keys: Array<{ key: string; applicationId: string; at: string }>; intents: StoredIntent[] } = { keys: [], intents: [] },
  ): Promise<void> {
    if (apps.length === 0) return;
    const rows = apps.map((app) => {
      const { events, ...data } = app;
      const s = summaryOf(app);
      return {
        id: app.id,
        tracking_no: app.trackingNo,
        created_at: app.createdAt,
        openid: app.openid,
        identity_key: identityKey(app.applicant),
        status: s.status,
        closed: s.closed,
        received_on: s.receivedOn,
        closed_on: s.closedOn,
        event_count: events.length,
        data,
        events,
      };
    });
    await client.query(
      `WITH apps AS (
         INSERT INTO applications (office, id, tracking_no, created_at, openid, identity_key, status, closed, received_on, closed_on, event_count, data)
         SELECT $1, r->>'id', r->>'tracking_no', r->>'created_at', r->>'openid', r->>'identity_key', r->>'status', (r->>'closed')::boolean,
           r->>'received_on', r->>'closed_on', (r->>'event_count')::integer, r->'data'
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(r, ord) ORDER BY t.ord
       ), events AS (
         INSERT INTO application_events (office, application_id, idx, data)
         SELECT $1, r.id, (e.ord - 1)::integer, e.value
         FROM jsonb_to_recordset($2::jsonb) AS r(id text, events jsonb), jsonb_array_elements(r.events) WITH ORDINALITY AS e(value, ord)
       ), keys AS (
         INSERT INTO application_idempotency (office, key, application_id, at)
         SELECT $1, k->>'key', k->>'applicationId', k->>'at' FROM jsonb_array_elements($3::jsonb) AS k
       )
       ${INSERT_INTENTS('$4')}`,
      [this.db.office, JSON.stringify(rows), JSON.stringify(with_.keys), JSON.stringify(with_.intents)],
    );
  }

  async #insertIntents(client: Queryable, intents: StoredIntent[]): Promise<void> {
    if (intents.length === 0) return;
    await client.query(INSERT_INTENTS('$2'), [this.db.office, JSON.stringify(intents)]);
  }
}
