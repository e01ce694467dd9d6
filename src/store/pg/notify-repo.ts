// Notifications on PostgreSQL (migration 020_notify.sql): the same NotifyRepository as the embedded
// notify.json, for any number of instances. What the embedded engine gets from being one process
// is a key or a lock here: an entry is planned once (notify_planned's key), a due delivery is sent
// by the one instance that claimed it (FOR UPDATE SKIP LOCKED; the claim names its instance, and
// is taken over once that instance stops beating, migration 080), and a delivery changes in a
// transaction that holds its row.
import type { PoolClient } from 'pg';
import type { Database, Queryable } from './database.js';
import { BEAT_SQL, instanceDead } from './instance.js';
import type { TransferRecord } from '../transfer.js';
import {
  failedAttempts,
  finishChange,
  MAX_CREDITS,
  nextChannel,
  oldestFirst,
  recipientOpenid,
  type BindingCode,
  type BindingFailures,
  type ConsentState,
  type Delivery,
  type DeliveryEffects,
  type DeliveryFilter,
  type DeliveryGauges,
  type DeliveryPage,
  type NotifyRepository,
  type OwnEntry,
} from '../notify-repo.js';

/** Rows per statement when records are exported or imported in bulk. */
const BATCH = 500;

export class PgNotifyRepo implements NotifyRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgNotifyRepo> {
    return new PgNotifyRepo(db);
  }

  get #office(): string {
    return this.db.office;
  }

  // --- outbox entries ------------------------------------------------------------------------------

  async entry(key: string): Promise<OwnEntry | undefined> {
    const { rows } = await this.db.query('SELECT data FROM notify_entries WHERE office = $1 AND key = $2', [this.#office, key], 'notify');
    return rows[0]?.data;
  }

  async hasEntry(key: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM notify_entries WHERE office = $1 AND key = $2', [this.#office, key], 'notify');
    return (rowCount ?? 0) > 0;
  }

  async latestEntry(kind: string): Promise<OwnEntry | undefined> {
    const { rows } = await this.db.query(
      'SELECT data FROM notify_entries WHERE office = $1 AND kind = $2 ORDER BY created_at DESC, key DESC LIMIT 1',
      [this.#office, kind],
      'notify',
    );
    return rows[0]?.data;
  }

  async addEntries(entries: OwnEntry[]): Promise<OwnEntry[]> {
    if (entries.length === 0) return [];
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ key: string }>(
        `INSERT INTO notify_entries (office, key, kind, created_at, data)
         SELECT $1, e.key, e.kind, e.created_at, e.data FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[]) AS e(key, kind, created_at, data)
         ON CONFLICT DO NOTHING RETURNING key`,
        [this.#office, entries.map((e) => e.key), entries.map((e) => e.kind), entries.map((e) => e.createdAt), entries.map((e) => JSON.stringify(e))],
      );
      const added = new Set(rows.map((r) => r.key));
      // The first of two entries with one key in the same call wins, as on the embedded engine.
      return entries.filter((e) => added.delete(e.key));
    }, 'notify');
  }

  async unplannedEntries(limit: number): Promise<OwnEntry[]> {
    const { rows } = await this.db.query(
      'SELECT data FROM notify_entries WHERE office = $1 AND NOT planned ORDER BY created_at, key LIMIT $2',
      [this.#office, limit],
      'notify',
    );
    return rows.map((r) => r.data);
  }

  // --- deliveries ----------------------------------------------------------------------------------

  async plan(plans: Array<{ entryKey: string; deliveries: Delivery[] }>, at: string): Promise<string[]> {
    if (plans.length === 0) return [];
    // In key order, so two instances planning overlapping batches take the keys' locks in one order.
    const byKey = new Map<string, Delivery[]>();
    for (const p of plans) if (!byKey.has(p.entryKey)) byKey.set(p.entryKey, p.deliveries);
    const keys = [...byKey.keys()].sort();
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ entry_key: string }>(
        `INSERT INTO notify_planned (office, entry_key, planned_at) SELECT $1, k, $3 FROM unnest($2::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n
         ON CONFLICT DO NOTHING RETURNING entry_key`,
        [this.#office, keys, at],
      );
      const won = new Set(rows.map((r) => r.entry_key));
      if (won.size === 0) return [];
      await client.query('UPDATE notify_entries SET planned = true WHERE office = $1 AND key = ANY($2::text[])', [this.#office, [...won]]);
      await insertDeliveries(client, this.#office, keys.filter((k) => won.has(k)).flatMap((k) => byKey.get(k)!));
      return plans.map((p) => p.entryKey).filter((k, i, all) => won.has(k) && all.indexOf(k) === i);
    }, 'notify');
  }

  async plannedOf(entryKeys: string[]): Promise<Set<string>> {
    if (entryKeys.length === 0) return new Set();
    const { rows } = await this.db.query<{ entry_key: string }>(
      'SELECT entry_key FROM notify_planned WHERE office = $1 AND entry_key = ANY($2::text[])',
      [this.#office, entryKeys],
      'notify',
    );
    return new Set(rows.map((r) => r.entry_key));
  }

  async replan(deliveryKey: string, deliveries: Delivery[], _at: string): Promise<boolean> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ status: string }>('SELECT status FROM notify_deliveries WHERE office = $1 AND key = $2 FOR UPDATE', [this.#office, deliveryKey]);
      if (rows[0]?.status !== 'dead') return false;
      await client.query('DELETE FROM notify_deliveries WHERE office = $1 AND key = $2', [this.#office, deliveryKey]);
      await insertDeliveries(client, this.#office, deliveries);
      return true;
    }, 'notify');
  }

  async delivery(key: string): Promise<Delivery | undefined> {
    const { rows } = await this.db.query('SELECT data FROM notify_deliveries WHERE office = $1 AND key = $2', [this.#office, key], 'notify');
    return rows[0]?.data;
  }

  async deliveriesOf(applicationId: string): Promise<Delivery[]> {
    const { rows } = await this.db.query(
      'SELECT data FROM notify_deliveries WHERE office = $1 AND application_id = $2 ORDER BY created_at, key',
      [this.#office, applicationId],
      'notify',
    );
    return rows.map((r) => r.data);
  }

  async claimDue(now: string, limit: number, leaseMs: number): Promise<Delivery[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    const { id, staleMs } = this.db.instance;
    // One statement: the rows are locked (others skip them) until it commits with their claim set.
    // A claim is free once released, once its lease ran out, or once the instance holding it is no
    // longer alive (src/store/pg/instance.ts): a restarted or surviving instance takes a dead one's
    // claims within seconds. Claiming is a beat of this instance too, so that a claim is safe from
    // the others for staleMs even where nothing else beats (tools, tests).
    const { rows } = await this.db.query<{ data: Delivery }>(
      `WITH beat AS (${BEAT_SQL}),
       due AS (
         SELECT key FROM notify_deliveries
         WHERE office = $1 AND status = 'pending' AND next_attempt_at <= $3
           AND (claimed_until IS NULL OR claimed_until <= $3
             OR (claimed_by <> $2 AND ${instanceDead('claimed_by', '$6')}))
         ORDER BY created_at, key LIMIT $4
         FOR UPDATE SKIP LOCKED
       )
       UPDATE notify_deliveries d SET claimed_until = $5, claimed_by = $2 FROM due WHERE d.office = $1 AND d.key = due.key
       RETURNING d.data`,
      [this.#office, id, now, limit, until, staleMs],
      'notify',
    );
    return rows.map((r) => r.data).sort(oldestFirst);
  }

  async releaseClaims(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    // Only this instance's own: a claim another instance took over (it took this one for dead) stays its.
    await this.db.query(
      'UPDATE notify_deliveries SET claimed_until = NULL, claimed_by = NULL WHERE office = $1 AND key = ANY($2::text[]) AND claimed_by = $3',
      [this.#office, keys, this.db.instance.id],
      'notify',
    );
  }

  async awaitingUser(openid: string): Promise<Delivery[]> {
    const { rows } = await this.db.query(
      `SELECT data FROM notify_deliveries WHERE office = $1 AND openid = $2 AND status = 'awaiting-user' ORDER BY created_at, key`,
      [this.#office, openid],
      'notify',
    );
    return rows.map((r) => r.data);
  }

  async updateDelivery(key: string, change: (d: Delivery) => void, effects: DeliveryEffects = {}, at?: string): Promise<Delivery> {
    // A closed window only costs one more refused send if this is lost: it goes first, on its own.
    if (effects.forgetInteraction) await this.forgetInteraction(effects.forgetInteraction);
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ data: Delivery }>('SELECT data FROM notify_deliveries WHERE office = $1 AND key = $2 FOR UPDATE', [this.#office, key]);
      const delivery = rows[0]?.data;
      if (!delivery) throw new Error(`delivery ${key} vanished`);
      change(delivery);
      finishChange(delivery, at);
      const c = columns(delivery);
      await client.query(
        `UPDATE notify_deliveries SET status = $3, next_attempt_at = $4, openid = $5, confirmed = $6, next_channel = $7, last_channel = $8,
           failed_attempts = $9, updated_at = $10, data = $11
         WHERE office = $1 AND key = $2`,
        [this.#office, key, c.status, c.nextAttemptAt, c.openid, c.confirmed, c.nextChannel, c.lastChannel, c.failedAttempts, c.updatedAt, c.data],
      );
      if (effects.entries?.length) {
        const entries = effects.entries;
        await client.query(
          `INSERT INTO notify_entries (office, key, kind, created_at, data)
           SELECT $1, e.key, e.kind, e.created_at, e.data FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[]) AS e(key, kind, created_at, data)
           ON CONFLICT DO NOTHING`,
          [this.#office, entries.map((e) => e.key), entries.map((e) => e.kind), entries.map((e) => e.createdAt), entries.map((e) => JSON.stringify(e))],
        );
      }
      if (effects.credit) await this.#applyCredit(client, effects.credit, at);
      return delivery;
    }, 'notify');
  }

  async #applyCredit(client: Queryable, credit: NonNullable<DeliveryEffects['credit']>, at?: string): Promise<void> {
    // applyCredit's rule, applied by the database to the row as it is: two sends of one user's
    // messages on two instances both count.
    await client.query(
      `INSERT INTO notify_consents AS c (office, openid, template_id, credits, long_term, updated_at)
       VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN 0 ELSE greatest(0, $5::integer) END, false, coalesce($6::text, ''))
       ON CONFLICT (office, openid, template_id) DO UPDATE SET
         credits = CASE WHEN $4::boolean THEN 0 ELSE greatest(0, c.credits + $5::integer) END,
         long_term = CASE WHEN $4::boolean THEN false ELSE c.long_term END,
         updated_at = coalesce($6::text, c.updated_at)`,
      [this.#office, credit.openid, credit.templateId, credit.exhaust === true, credit.delta ?? 0, at ?? null],
    );
  }

  async deliveryPage(filter: DeliveryFilter): Promise<DeliveryPage> {
    const where = ['office = $1', 'status = $2'];
    const params: unknown[] = [this.#office, filter.status];
    if (filter.confirmed !== undefined) {
      params.push(filter.confirmed);
      where.push(`confirmed = $${params.length}`);
    }
    if (filter.updatedSince !== undefined) {
      params.push(filter.updatedSince);
      where.push(`updated_at >= $${params.length}`);
    }
    const condition = where.join(' AND ');
    const [count, page] = await Promise.all([
      this.db.query<{ n: string }>(`SELECT count(*) AS n FROM notify_deliveries WHERE ${condition}`, params, 'notify'),
      this.db.query<{ data: Delivery }>(`SELECT data FROM notify_deliveries WHERE ${condition} ORDER BY updated_at DESC, key LIMIT $${params.length + 1}`, [...params, filter.limit], 'notify'),
    ]);
    return { total: Number(count.rows[0]!.n), deliveries: page.rows.map((r) => r.data) };
  }

  async deliveryGauges(): Promise<DeliveryGauges> {
    const office = [this.#office];
    const byChannel = (sql: string) => this.db.query<{ channel: string; n: string }>(sql, office, 'notify').then(({ rows }) => Object.fromEntries(rows.map((r) => [r.channel, Number(r.n)])));
    const [backlog, dead, failed, needsContact] = await Promise.all([
      byChannel(`SELECT coalesce(next_channel, 'none') AS channel, count(*) AS n FROM notify_deliveries WHERE office = $1 AND status = 'pending' GROUP BY 1`),
      byChannel(`SELECT coalesce(last_channel, 'none') AS channel, count(*) AS n FROM notify_deliveries WHERE office = $1 AND status = 'dead' GROUP BY 1`),
      byChannel(
        `SELECT f.key AS channel, sum(f.value::integer) AS n FROM notify_deliveries, jsonb_each_text(failed_attempts) AS f
         WHERE office = $1 AND failed_attempts <> '{}'::jsonb GROUP BY 1`,
      ),
      this.db.query<{ n: string }>(`SELECT count(*) AS n FROM notify_deliveries WHERE office = $1 AND status = 'needs-contact'`, office, 'notify'),
    ]);
    return { backlog, dead, failedAttempts: failed, needsContact: Number(needsContact.rows[0]!.n) };
  }

  // --- subscribe-message consents -----------------------------------------------------------------

  async consent(openid: string, templateId: string): Promise<ConsentState | undefined> {
    const { rows } = await this.db.query<ConsentRow>(
      'SELECT credits, long_term, updated_at FROM notify_consents WHERE office = $1 AND openid = $2 AND template_id = $3',
      [this.#office, openid, templateId],
      'notify',
    );
    return rows[0] && consentOf(rows[0]);
  }

  async recordConsents(openid: string, changes: Array<{ templateId: string; accepted: boolean; longTerm: boolean }>, at: string): Promise<void> {
    if (changes.length === 0) return;
    await this.db.transaction(async (client) => {
      for (const change of changes) {
        // applyConsentAnswer's rule, applied by the database to the row as it is: two prompts at once both count.
        await client.query(
          `INSERT INTO notify_consents AS c (office, openid, template_id, credits, long_term, updated_at)
           VALUES ($1, $2, $3, CASE WHEN NOT $4::boolean AND $5::boolean THEN 1 ELSE 0 END, $4::boolean AND $5::boolean, $6)
           ON CONFLICT (office, openid, template_id) DO UPDATE SET
             credits = CASE WHEN NOT $4::boolean AND $5::boolean THEN least(c.credits + 1, $7::integer) ELSE c.credits END,
             long_term = CASE WHEN $4::boolean THEN $5::boolean ELSE c.long_term END,
             updated_at = $6`,
          [this.#office, openid, change.templateId, change.longTerm, change.accepted, at, MAX_CREDITS],
        );
      }
    }, 'notify');
  }

  // --- customer-service window ----------------------------------------------------------------------

  async lastInteraction(openid: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ at: string }>('SELECT at FROM notify_interactions WHERE office = $1 AND openid = $2', [this.#office, openid], 'notify');
    return rows[0]?.at;
  }

  async noteInteraction(openid: string, at: string): Promise<void> {
    await this.db.query(
      'INSERT INTO notify_interactions (office, openid, at) VALUES ($1, $2, $3) ON CONFLICT (office, openid) DO UPDATE SET at = excluded.at',
      [this.#office, openid, at],
      'notify',
    );
  }

  async forgetInteraction(openid: string): Promise<void> {
    await this.db.query('DELETE FROM notify_interactions WHERE office = $1 AND openid = $2', [this.#office, openid], 'notify');
  }

  // --- staff binding codes --------------------------------------------------------------------------

  async bindingCode(code: string): Promise<BindingCode | undefined> {
    const { rows } = await this.db.query<CodeRow>('SELECT code, username, expires_at FROM notify_binding_codes WHERE office = $1 AND code = $2', [this.#office, code], 'notify');
    return rows[0] && codeOf(rows[0]);
  }

  async putBindingCode(code: BindingCode, now: string): Promise<boolean> {
    return this.db.transaction(async (client) => {
      await client.query('DELETE FROM notify_binding_codes WHERE office = $1 AND (expires_at <= $2 OR username = $3)', [this.#office, now, code.username]);
      // Another user's live code, or this user's code from another instance a moment ago: draw again.
      const { rowCount } = await client.query(
        'INSERT INTO notify_binding_codes (office, code, username, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [this.#office, code.code, code.username, code.expiresAt],
      );
      return (rowCount ?? 0) > 0;
    }, 'notify');
  }

  async takeBindingCode(code: string): Promise<BindingCode | undefined> {
    const { rows } = await this.db.query<CodeRow>(
      'DELETE FROM notify_binding_codes WHERE office = $1 AND code = $2 RETURNING code, username, expires_at',
      [this.#office, code],
      'notify',
    );
    return rows[0] && codeOf(rows[0]);
  }

  async bindingFailures(openid: string): Promise<BindingFailures | undefined> {
    const { rows } = await this.db.query<BindingFailures>('SELECT count, since FROM notify_binding_failures WHERE office = $1 AND openid = $2', [this.#office, openid], 'notify');
    return rows[0] && { count: rows[0].count, since: rows[0].since };
  }

  async countBindingFailure(openid: string, at: string, windowStart: string): Promise<BindingFailures> {
    // SET expressions see the row as it was: both follow the same count.
    const { rows } = await this.db.query<BindingFailures>(
      `INSERT INTO notify_binding_failures AS f (office, openid, count, since) VALUES ($1, $2, 1, $3)
       ON CONFLICT (office, openid) DO UPDATE SET
         count = CASE WHEN f.since > $4 THEN f.count + 1 ELSE 1 END,
         since = CASE WHEN f.since > $4 THEN f.since ELSE $3 END
       RETURNING count, since`,
      [this.#office, openid, at, windowStart],
      'notify',
    );
    return { count: rows[0]!.count, since: rows[0]!.since };
  }

  async clearBindingFailures(openid: string): Promise<void> {
    await this.db.query('DELETE FROM notify_binding_failures WHERE office = $1 AND openid = $2', [this.#office, openid], 'notify');
  }

  // --- moving an office ----------------------------------------------------------------------------

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<Record<string, string>>(
      `SELECT
         (SELECT count(*) FROM notify_entries WHERE office = $1) AS entry,
         (SELECT count(*) FROM notify_planned WHERE office = $1) AS planned,
         (SELECT count(*) FROM notify_deliveries WHERE office = $1) AS delivery,
         (SELECT count(*) FROM notify_consents WHERE office = $1) AS consent,
         (SELECT count(*) FROM notify_interactions WHERE office = $1) AS interaction,
         (SELECT count(*) FROM notify_binding_codes WHERE office = $1) AS "binding-code",
         (SELECT count(*) FROM notify_binding_failures WHERE office = $1) AS "binding-failure"`,
      [this.#office],
      'notify',
    );
    return Object.fromEntries(Object.entries(rows[0]!).map(([kind, n]) => [kind, Number(n)]));
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    for await (const r of this.#rows('notify_entries', 'key', 'data, created_at', 'created_at, key')) yield { kind: 'entry', data: r.data };
    for await (const r of this.#rows('notify_planned', 'entry_key', 'entry_key, planned_at')) yield { kind: 'planned', data: { entryKey: r.entry_key, at: r.planned_at } };
    for await (const r of this.#rows('notify_deliveries', 'key', 'data')) yield { kind: 'delivery', data: r.data };
    for await (const r of this.#rows('notify_consents', 'openid, template_id', 'openid, template_id, credits, long_term, updated_at')) {
      yield { kind: 'consent', data: { openid: r.openid, templateId: r.template_id, ...consentOf(r) } };
    }
    for await (const r of this.#rows('notify_interactions', 'openid', 'openid, at')) yield { kind: 'interaction', data: { openid: r.openid, at: r.at } };
    for await (const r of this.#rows('notify_binding_codes', 'code', 'code, username, expires_at')) yield { kind: 'binding-code', data: codeOf(r) };
    for await (const r of this.#rows('notify_binding_failures', 'openid', 'openid, count, since')) yield { kind: 'binding-failure', data: { openid: r.openid, count: r.count, since: r.since } };
  }

  /** Every row of one table of this office, a page at a time in key order (`order` for entries: creation). */
  async *#rows(table: string, key: string, select: string, order = key): AsyncIterable<any> {
    for (let offset = 0; ; offset += BATCH) {
      const { rows } = await this.db.query(`SELECT ${select} FROM ${table} WHERE office = $1 ORDER BY ${order} LIMIT ${BATCH} OFFSET $2`, [this.#office, offset], 'notify');
      yield* rows;
      if (rows.length < BATCH) return;
    }
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const counts = await this.counts();
    if (Object.values(counts).some((n) => n > 0)) throw new Error('the notify store is not empty: records are imported only into an empty one');
    let batch: TransferRecord[] = [];
    const flush = async () => {
      const taken = batch;
      batch = [];
      if (taken.length) await this.db.transaction((client) => this.#importBatch(client, taken), 'notify');
    };
    for await (const record of records) {
      batch.push(record);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    // An entry is planned when its planned record says so, whichever came first in the list.
    await this.db.query(
      'UPDATE notify_entries e SET planned = true FROM notify_planned p WHERE e.office = $1 AND p.office = $1 AND p.entry_key = e.key AND NOT e.planned',
      [this.#office],
      'notify',
    );
  }

  async #importBatch(client: PoolClient, records: TransferRecord[]): Promise<void> {
    const office = this.#office;
    const deliveries: Delivery[] = [];
    for (const record of records) {
      const r = record.data as any;
      switch (record.kind) {
        case 'entry':
          await client.query('INSERT INTO notify_entries (office, key, kind, created_at, data) VALUES ($1, $2, $3, $4, $5)', [office, r.key, r.kind, r.createdAt, JSON.stringify(r)]);
          break;
        case 'planned':
          await client.query('INSERT INTO notify_planned (office, entry_key, planned_at) VALUES ($1, $2, $3)', [office, r.entryKey, r.at]);
          break;
        case 'delivery':
          deliveries.push(r as Delivery);
          break;
        case 'consent':
          await upsertConsent(client, office, r.openid, r.templateId, { credits: r.credits, longTerm: r.longTerm, updatedAt: r.updatedAt });
          break;
        case 'interaction':
          await client.query('INSERT INTO notify_interactions (office, openid, at) VALUES ($1, $2, $3)', [office, r.openid, r.at]);
          break;
        case 'binding-code':
          await client.query('INSERT INTO notify_binding_codes (office, code, username, expires_at) VALUES ($1, $2, $3, $4)', [office, r.code, r.username, r.expiresAt]);
          break;
        case 'binding-failure':
          await client.query('INSERT INTO notify_binding_failures (office, openid, count, since) VALUES ($1, $2, $3, $4)', [office, r.openid, r.count, r.since]);
          break;
        default:
          throw new Error(`the notify store does not know records of kind ${record.kind}`);
      }
    }
    await insertDeliveries(client, office, deliveries);
  }
}

interface ConsentRow {
  credits: number;
  long_term: boolean;
  updated_at: string;
}

interface CodeRow {
  code: string;
  username: string;
  expires_at: string;
}

function consentOf(row: ConsentRow): ConsentState {
  return { credits: row.credits, longTerm: row.long_term, updatedAt: row.updated_at };
}

function codeOf(row: CodeRow): BindingCode {
  return { code: row.code, username: row.username, expiresAt: row.expires_at };
}

async function upsertConsent(client: Queryable, office: string, openid: string, templateId: string, consent: ConsentState): Promise<void> {
  await client.query(
    `INSERT INTO notify_consents (office, openid, template_id, credits, long_term, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (office, openid, template_id) DO UPDATE SET credits = excluded.credits, long_term = excluded.long_term, updated_at = excluded.updated_at`,
    [office, openid, templateId, consent.credits, consent.longTerm, consent.updatedAt],
  );
}

/** The columns stored beside a delivery's document. */
function columns(d: Delivery) {
  const last = d.history.at(-1)?.channel ?? null;
  return {
    key: d.key,
    entryKey: d.entryKey,
    applicationId: d.applicationId,
    status: d.status,
    nextAttemptAt: d.nextAttemptAt,
    openid: recipientOpenid(d),
    confirmed: d.confirmed,
    nextChannel: nextChannel(d),
    lastChannel: last,
    failedAttempts: JSON.stringify(failedAttempts(d)),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    data: JSON.stringify(d),
  };
}

/** Inserts deliveries whose keys are new (a key taken already keeps its delivery). */
async function insertDeliveries(client: Queryable, office: string, deliveries: Delivery[]): Promise<void> {
  for (let i = 0; i < deliveries.length; i += BATCH) {
    const cols = deliveries.slice(i, i + BATCH).map(columns);
    const pick = <K extends keyof ReturnType<typeof columns>>(k: K) => cols.map((c) => c[k]);
    await client.query(
      `INSERT INTO notify_deliveries (office, key, entry_key, application_id, status, next_attempt_at, openid, confirmed, next_channel, last_channel,
         failed_attempts, created_at, updated_at, data)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[], $10::text[],
         $11::jsonb[], $12::text[], $13::text[], $14::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        office,
        pick('key'),
        pick('entryKey'),
        pick('applicationId'),
        pick('status'),
        pick('nextAttemptAt'),
        pick('openid'),
        pick('confirmed'),
        pick('nextChannel'),
        pick('lastChannel'),
        pick('failedAttempts'),
        pick('createdAt'),
        pick('updatedAt'),
        pick('data'),
      ],
    );
  }
}
