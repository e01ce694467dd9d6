// Subscribers and the push ledger on PostgreSQL (030_catalog.sql). A subscriber's change locks its
// row; a run is planned with the office's push_state row locked (the cursor moves with the plan);
// a delivery is claimed by inserting its row, which only one sender can do.
import type { Database, Queryable } from './database.js';
import { isUniqueViolation } from './database.js';
import type { TransferRecord } from '../transfer.js';
import {
  countTotals,
  mergedSubscriber,
  newRun,
  subscriberKey,
  updatedSubscriber,
  DAYS_KEPT,
  RUNS_KEPT,
  type Delivery,
  type DeliveryRecord,
  type DeliveryState,
  type DeliveryTotals,
  type PushLedgerRepository,
  type PushPause,
  type PushRun,
  type PushStateRecord,
  type RunPlan,
  type SentDayRecord,
  type Subscriber,
  type SubscriberChannel,
  type SubscriberPage,
  type SubscribersRepository,
  type SubscriberStats,
} from '../subscribers-repo.js';

const SUBSCRIBERS = 'subscribers';
/** How long a run's heartbeat keeps other instances from starting an attempt at it (push.ts beats every 10 s). */
const RUN_LEASE = '60 seconds';
const LEDGER = 'push-ledger';
const asIs = (categories: readonly string[]) => [...categories];

export class PgSubscribersRepo implements SubscribersRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgSubscribersRepo> {
    return new PgSubscribersRepo(db);
  }

  get(channel: SubscriberChannel, openid: string): Promise<Subscriber | undefined> {
    return this.byKey(subscriberKey(channel, openid));
  }

  async byKey(key: string): Promise<Subscriber | undefined> {
    const { rows } = await this.db.query<{ data: Subscriber }>('SELECT data FROM subscribers WHERE office = $1 AND key = $2', [this.db.office, key], SUBSCRIBERS);
    return rows[0]?.data;
  }

  async page(options: { categories: readonly string[] | null; after: number | null; limit: number }): Promise<SubscriberPage> {
    const { rows } = await this.db.query<{ ord: string; data: Subscriber }>(
      `SELECT ord, data FROM subscribers WHERE office = $1 AND ord > $2 AND ($3::text[] IS NULL OR categories && $3::text[])
       ORDER BY ord LIMIT $4`,
      [this.db.office, options.after ?? 0, options.categories, options.limit + 1],
      SUBSCRIBERS,
    );
    const items = rows.slice(0, options.limit);
    return { items: items.map((r) => r.data), next: rows.length > options.limit ? Number(items.at(-1)!.ord) : null };
  }

  async count(categories: readonly string[] | null): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM subscribers WHERE office = $1 AND ($2::text[] IS NULL OR categories && $2::text[])',
      [this.db.office, categories],
      SUBSCRIBERS,
    );
    return Number(rows[0]!.n);
  }

  async stats(): Promise<SubscriberStats> {
    const [channels, categories] = await Promise.all([
      this.db.query<{ channel: string; n: string }>(
        `SELECT data->>'channel' AS channel, count(*) AS n FROM subscribers WHERE office = $1 GROUP BY 1`,
        [this.db.office],
        SUBSCRIBERS,
      ),
      this.db.query<{ category: string; n: string }>(
        'SELECT c AS category, count(*) AS n FROM subscribers, unnest(categories) AS c WHERE office = $1 GROUP BY 1',
        [this.db.office],
        SUBSCRIBERS,
      ),
    ]);
    const byChannel = Object.fromEntries(channels.rows.map((r) => [r.channel, Number(r.n)]));
    const byCategory = Object.fromEntries(categories.rows.map((r) => [r.category, Number(r.n)]));
    return { total: Object.values(byChannel).reduce((a, b) => a + b, 0), byChannel, byCategory };
  }

  async #locked(client: Queryable, keys: readonly string[]): Promise<Map<string, Subscriber>> {
    // In key order, so two transactions locking overlapping sets cannot deadlock.
    const { rows } = await client.query<{ data: Subscriber }>('SELECT data FROM subscribers WHERE office = $1 AND key = ANY($2) ORDER BY key FOR UPDATE', [
      this.db.office,
      keys,
    ]);
    return new Map(rows.map((r) => [r.data.key, r.data]));
  }

  /** Writes `subscriber` over the row stored under `storedAs` (its own key, or the one it moves from). */
  async #save(client: Queryable, subscriber: Subscriber, storedAs = subscriber.key): Promise<void> {
    await client.query('UPDATE subscribers SET key = $3, categories = $4, data = $5 WHERE office = $1 AND key = $2', [
      this.db.office,
      storedAs,
      subscriber.key,
      subscriber.categories,
      JSON.stringify(subscriber),
    ]);
  }

  async update(channel: SubscriberChannel, openid: string, change: (categories: readonly string[]) => readonly string[], at: string): Promise<Subscriber | null> {
    const key = subscriberKey(channel, openid);
    return this.db.transaction(async (client) => {
      for (;;) {
        const existing = (await this.#locked(client, [key])).get(key);
        const next = updatedSubscriber(existing, key, channel, openid, change(existing?.categories ?? []), at);
        if (next === existing) return existing ?? null;
        if (next === null) {
          if (existing) await client.query('DELETE FROM subscribers WHERE office = $1 AND key = $2', [this.db.office, key]);
          return null;
        }
        if (existing) {
          await this.#save(client, next);
          return next;
        }
        // A new subscriber: the row is not there to lock. If another request created it meanwhile,
        // the insert waits for it and does nothing; the loop then locks and changes that row.
        const inserted = await client.query(
          'INSERT INTO subscribers (office, key, categories, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [this.db.office, key, next.categories, JSON.stringify(next)],
        );
        if (inserted.rowCount === 1) return next;
      }
    }, SUBSCRIBERS);
  }

  set(channel: SubscriberChannel, openid: string, categories: readonly string[], at: string): Promise<Subscriber | null> {
    return this.update(channel, openid, () => categories, at);
  }

  async mergeInto(keepKey: string, otherKeys: readonly string[], at: string, order = asIs): Promise<Subscriber | null> {
    return this.db.transaction(async (client) => {
      const found = await this.#locked(client, [keepKey, ...otherKeys]);
      const keep = found.get(keepKey);
      const others = otherKeys.filter((k) => k !== keepKey).map((k) => found.get(k)).filter((x): x is Subscriber => x !== undefined);
      if (!keep || others.length === 0) return keep ?? null;
      const merged = mergedSubscriber(keep, others, at, order);
      await client.query('DELETE FROM subscribers WHERE office = $1 AND key = ANY($2)', [this.db.office, others.map((o) => o.key)]);
      await this.#save(client, merged);
      return merged;
    }, SUBSCRIBERS);
  }

  async move(fromKey: string, channel: SubscriberChannel, openid: string, at: string): Promise<void> {
    const key = subscriberKey(channel, openid);
    try {
      await this.db.transaction(async (client) => {
        const found = await this.#locked(client, [fromKey, key]);
        const from = found.get(fromKey);
        if (!from || found.has(key)) return;
        // The row keeps its place (ord) in the order of subscription.
        await this.#save(client, { ...from, key, channel, openid, updatedAt: at }, fromKey);
      }, SUBSCRIBERS);
    } catch (error) {
      // The other channel's record was created meanwhile: it has its own, as when found above.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async counts(): Promise<Record<string, number>> {
    return { subscriber: await this.count(null) };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    let after: number | null = null;
    do {
      const page = await this.page({ categories: null, after, limit: 500 });
      for (const s of page.items) yield { kind: 'subscriber', data: s };
      after = page.next;
    } while (after !== null);
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if ((await this.count(null)) > 0) throw new Error('the subscribers are not empty');
    await this.db.transaction(async (client) => {
      for await (const record of records) {
        if (record.kind !== 'subscriber') throw new Error(`the subscribers do not take ${record.kind} records`);
        const s = record.data as Subscriber;
        await client.query('INSERT INTO subscribers (office, key, categories, data) VALUES ($1, $2, $3, $4)', [this.db.office, s.key, s.categories, JSON.stringify(s)]);
      }
    }, SUBSCRIBERS);
  }
}

export class PgPushLedgerRepo implements PushLedgerRepository {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgPushLedgerRepo> {
    return new PgPushLedgerRepo(db);
  }

  async #state(): Promise<PushStateRecord> {
    const { rows } = await this.db.query<{ cursor: string; run_seq: string }>('SELECT cursor, run_seq FROM push_state WHERE office = $1', [this.db.office], LEDGER);
    return { cursor: Number(rows[0]?.cursor ?? 0), runSeq: Number(rows[0]?.run_seq ?? 0) };
  }

  async cursor(): Promise<number> {
    return (await this.#state()).cursor;
  }

  async #runs(where: string, params: unknown[], tail = ''): Promise<PushRun[]> {
    const { rows } = await this.db.query<{ data: PushRun }>(`SELECT data FROM push_runs WHERE office = $1 ${where} ${tail}`, [this.db.office, ...params], LEDGER);
    return rows.map((r) => r.data);
  }

  recentRuns(limit: number): Promise<PushRun[]> {
    return this.#runs('', [Math.max(0, limit)], 'ORDER BY seq DESC LIMIT $2');
  }

  async run(id: string): Promise<PushRun | undefined> {
    return (await this.#runs('AND id = $2', [id]))[0];
  }

  unfinished(): Promise<PushRun[]> {
    return this.#runs(`AND state <> 'finished'`, [], 'ORDER BY seq');
  }

  async #entries(where: string, params: unknown[]): Promise<Record<string, Delivery>> {
    const { rows } = await this.db.query<{ subscriber: string; data: Delivery }>(
      `SELECT subscriber, data FROM push_deliveries WHERE office = $1 AND run_id = $2 ${where} ORDER BY subscriber`,
      [this.db.office, ...params],
      LEDGER,
    );
    return Object.fromEntries(rows.map((r) => [r.subscriber, r.data]));
  }

  deliveries(runId: string): Promise<Record<string, Delivery>> {
    return this.#entries('', [runId]);
  }

  entriesFor(runId: string, keys: readonly string[]): Promise<Record<string, Delivery>> {
    return this.#entries('AND subscriber = ANY($3)', [runId, keys]);
  }

  inState(runId: string, state: DeliveryState): Promise<Record<string, Delivery>> {
    return this.#entries('AND state = $3', [runId, state]);
  }

  async #count(runId: string, client?: Queryable): Promise<DeliveryTotals> {
    const sql = 'SELECT state, count(*) AS n FROM push_deliveries WHERE office = $1 AND run_id = $2 GROUP BY state';
    const params = [this.db.office, runId];
    const { rows } = client ? await client.query<{ state: DeliveryState; n: string }>(sql, params) : await this.db.query<{ state: DeliveryState; n: string }>(sql, params, LEDGER);
    const totals = countTotals([]);
    for (const row of rows) totals[row.state] = Number(row.n);
    return totals;
  }

  async totals(runId: string): Promise<DeliveryTotals> {
    const run = await this.run(runId);
    if (run?.totals) return run.totals;
    return this.#count(runId);
  }

  async planRun(expectedCursor: number, make: (runSeq: number) => RunPlan): Promise<PushRun | null> {
    return this.db.transaction(async (client) => {
      await client.query('INSERT INTO push_state (office) VALUES ($1) ON CONFLICT DO NOTHING', [this.db.office]);
      const { rows } = await client.query<{ cursor: string; run_seq: string }>('SELECT cursor, run_seq FROM push_state WHERE office = $1 FOR UPDATE', [
        this.db.office,
      ]);
      // Another instance planned this slot while we read the cursor: its run has these items.
      if (Number(rows[0]!.cursor) !== expectedCursor) return null;
      const seq = Number(rows[0]!.run_seq) + 1;
      const run = newRun(make(seq));
      await this.#insertRun(client, run, seq);
      await client.query('UPDATE push_state SET cursor = greatest(cursor, $2), run_seq = $3 WHERE office = $1', [this.db.office, run.toSeq, seq]);
      return run;
    }, LEDGER);
  }

  async #insertRun(client: Queryable, run: PushRun, seq: number): Promise<void> {
    await client.query('INSERT INTO push_runs (office, id, seq, state, data) VALUES ($1, $2, $3, $4, $5)', [this.db.office, run.id, seq, run.state, JSON.stringify(run)]);
  }

  /** Changes one run with its row locked; `change` returns false to leave it as it was. */
  async #changeRun<R>(runId: string, change: (run: PushRun, client: Queryable) => Promise<R> | R): Promise<R> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ data: PushRun }>('SELECT data FROM push_runs WHERE office = $1 AND id = $2 FOR UPDATE', [this.db.office, runId]);
      const run = rows[0]?.data;
      if (!run) throw new Error(`push run ${runId} vanished`);
      const result = await change(run, client);
      if (result !== false) {
        await client.query('UPDATE push_runs SET state = $3, data = $4 WHERE office = $1 AND id = $2', [this.db.office, runId, run.state, JSON.stringify(run)]);
      }
      return result;
    }, LEDGER);
  }

  resumeRun(runId: string, expectedAttempts: number, at: string): Promise<boolean> {
    return this.#changeRun(runId, async (run, client) => {
      if (run.attempts !== expectedAttempts || run.state === 'finished') return false;
      // Paused runs wait for anyone; a running one only when its instance stopped saying it is alive.
      const { rows } = await client.query<{ alive: boolean }>(`SELECT alive_at > now() - interval '${RUN_LEASE}' AS alive FROM push_runs WHERE office = $1 AND id = $2`, [
        this.db.office,
        runId,
      ]);
      if (run.state === 'running' && rows[0]?.alive) return false;
      await client.query('UPDATE push_runs SET alive_at = now() WHERE office = $1 AND id = $2', [this.db.office, runId]);
      run.state = 'running';
      run.attemptedAt = at;
      run.attempts += 1;
      run.note = null;
      return true;
    });
  }

  async heartbeat(runId: string): Promise<void> {
    await this.db.query('UPDATE push_runs SET alive_at = now() WHERE office = $1 AND id = $2', [this.db.office, runId], LEDGER);
  }

  async sentOn(day: string, channel: SubscriberChannel): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>('SELECT count FROM push_sent_days WHERE office = $1 AND day = $2 AND channel = $3', [this.db.office, day, channel], LEDGER);
    return rows[0]?.count ?? 0;
  }

  async setDelivery(runId: string, key: string, delivery: Delivery, sent?: { day: string; channel: SubscriberChannel }): Promise<void> {
    await this.writeEntries(runId, new Map([[key, delivery]]), sent ? [sent] : []);
  }

  async writeEntries(
    runId: string,
    entries: ReadonlyMap<string, Delivery | null>,
    sent: ReadonlyArray<{ day: string; channel: SubscriberChannel }>,
    claims: ReadonlySet<string> = new Set(),
  ): Promise<ReadonlySet<string>> {
    const office = this.db.office;
    // In subscriber order: two instances claiming overlapping pages at once then wait for each other
    // row by row in the same order, never each for the other (a deadlock).
    const rows = (pick: (key: string, entry: Delivery | null) => boolean) =>
      JSON.stringify(
        [...entries]
          .filter(([key, entry]) => pick(key, entry))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, entry]) => ({ key, entry })),
      );
    const insert = `INSERT INTO push_deliveries (office, run_id, subscriber, state, data)
      SELECT $1, $2, x->>'key', x->'entry'->>'state', x->'entry' FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(x, ord) ORDER BY t.ord`;
    return this.db.transaction(async (client) => {
      // Claims: the row is the claim; a subscriber with a row already is someone else's (or done).
      const won = await client.query<{ subscriber: string }>(`${insert} ON CONFLICT DO NOTHING RETURNING subscriber`, [
        office,
        runId,
        rows((key, entry) => entry !== null && claims.has(key)),
      ]);
      await client.query(`${insert} ON CONFLICT (office, run_id, subscriber) DO UPDATE SET state = excluded.state, data = excluded.data`, [
        office,
        runId,
        rows((key, entry) => entry !== null && !claims.has(key)),
      ]);
      const released = [...entries].filter(([, entry]) => entry === null).map(([key]) => key);
      if (released.length > 0) {
        await client.query(`DELETE FROM push_deliveries WHERE office = $1 AND run_id = $2 AND subscriber = ANY($3) AND state = 'sending'`, [office, runId, released]);
      }
      const perDay = new Map<string, SentDayRecord>();
      for (const { day, channel } of sent) {
        const id = `${day}|${channel}`;
        perDay.set(id, { day, channel, count: (perDay.get(id)?.count ?? 0) + 1 });
      }
      for (const { day, channel, count } of perDay.values()) {
        await client.query(
          `INSERT INTO push_sent_days (office, day, channel, count) VALUES ($1, $2, $3, $4)
           ON CONFLICT (office, day, channel) DO UPDATE SET count = push_sent_days.count + excluded.count`,
          [office, day, channel, count],
        );
      }
      return new Set(won.rows.map((r) => r.subscriber));
    }, LEDGER);
  }

  async notePause(runId: string, pause: PushPause): Promise<void> {
    await this.#changeRun(runId, (run) => {
      run.pauses.push(pause);
    });
  }

  async pauseRun(runId: string, note: string): Promise<void> {
    await this.#changeRun(runId, (run) => {
      run.state = 'paused';
      run.note = note;
    });
  }

  async finishRun(runId: string, at: string): Promise<void> {
    const office = this.db.office;
    await this.#changeRun(runId, async (run, client) => {
      // Counted again by whoever finishes last: another instance may have sent some of this run.
      run.totals = await this.#count(runId, client);
      run.state = 'finished';
      run.finishedAt = at;
      await client.query(
        `DELETE FROM push_deliveries WHERE office = $1 AND run_id <> $2
           AND run_id IN (SELECT id FROM push_runs WHERE office = $1 AND state = 'finished')`,
        [office, runId],
      );
      await client.query(
        `DELETE FROM push_runs WHERE office = $1 AND id IN (
           SELECT id FROM push_runs WHERE office = $1 AND state = 'finished' AND id <> $2 ORDER BY seq
           LIMIT greatest(0, (SELECT count(*) FROM push_runs WHERE office = $1) - $3))`,
        [office, runId, RUNS_KEPT],
      );
      await client.query(
        `DELETE FROM push_sent_days WHERE office = $1 AND day NOT IN (
           SELECT DISTINCT day FROM push_sent_days WHERE office = $1 ORDER BY day DESC LIMIT $2)`,
        [office, DAYS_KEPT],
      );
    });
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ runs: string; deliveries: string; days: string }>(
      `SELECT (SELECT count(*) FROM push_runs WHERE office = $1) AS runs,
              (SELECT count(*) FROM push_deliveries WHERE office = $1) AS deliveries,
              (SELECT count(*) FROM push_sent_days WHERE office = $1) AS days`,
      [this.db.office],
      LEDGER,
    );
    const state = await this.#state();
    return {
      'push-state': state.cursor === 0 && state.runSeq === 0 ? 0 : 1,
      'push-run': Number(rows[0]!.runs),
      'push-delivery': Number(rows[0]!.deliveries),
      'push-sent-day': Number(rows[0]!.days),
    };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const state = await this.#state();
    if (state.cursor !== 0 || state.runSeq !== 0) yield { kind: 'push-state', data: state };
    const runs = await this.#runs('', [], 'ORDER BY seq');
    for (const run of runs) yield { kind: 'push-run', data: run };
    for (const run of runs) {
      for (const [key, delivery] of Object.entries(await this.deliveries(run.id))) {
        yield { kind: 'push-delivery', data: { runId: run.id, key, delivery } satisfies DeliveryRecord };
      }
    }
    const { rows } = await this.db.query<SentDayRecord>('SELECT day, channel, count FROM push_sent_days WHERE office = $1 ORDER BY day, channel', [this.db.office], LEDGER);
    for (const row of rows) yield { kind: 'push-sent-day', data: { day: row.day, channel: row.channel, count: row.count } satisfies SentDayRecord };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    if (Object.values(await this.counts()).some((n) => n > 0)) throw new Error('the push ledger is not empty');
    await this.db.transaction(async (client) => {
      let state: PushStateRecord = { cursor: 0, runSeq: 0 };
      let runs = 0;
      for await (const record of records) {
        if (record.kind === 'push-state') state = record.data as PushStateRecord;
        else if (record.kind === 'push-run') await this.#insertRun(client, record.data as PushRun, ++runs);
        else if (record.kind === 'push-delivery') {
          const { runId, key, delivery } = record.data as DeliveryRecord;
          await client.query('INSERT INTO push_deliveries (office, run_id, subscriber, state, data) VALUES ($1, $2, $3, $4, $5)', [
            this.db.office,
            runId,
            key,
            delivery.state,
            JSON.stringify(delivery),
          ]);
        } else if (record.kind === 'push-sent-day') {
          const { day, channel, count } = record.data as SentDayRecord;
          await client.query('INSERT INTO push_sent_days (office, day, channel, count) VALUES ($1, $2, $3, $4)', [this.db.office, day, channel, count]);
        } else throw new Error(`the push ledger does not take ${record.kind} records`);
      }
      // The embedded store numbers runs only in their ids; here they are numbered in the order
      // they came, and the sequence continues above both.
      if (state.cursor !== 0 || state.runSeq !== 0 || runs > 0) {
        await client.query('INSERT INTO push_state (office, cursor, run_seq) VALUES ($1, $2, $3)', [this.db.office, state.cursor, Math.max(state.runSeq, runs)]);
      }
    }, LEDGER);
  }
}
