// The chat's state on PostgreSQL (migration 050): forms with a version per user, the messages being
// answered or answered (a unique key per message id: WeChat's retries are one message whichever
// instance each reaches), and the unanswered questions. See src/store/conversations-repo.ts for
// the contract both engines keep.
import type pg from 'pg';
import { instanceDead } from './instance.js';
import type { Database } from './database.js';
import { ConflictError } from '../conflict.js';
import type { TransferRecord } from '../transfer.js';
import {
  ANSWERED_RETENTION_MS,
  MESSAGE_CLAIM_MS,
  PRUNE_EVERY,
  UNANSWERED_LIMIT,
  UNANSWERED_STATUSES,
  type AnsweredRecord,
  type ConversationState,
  type ConversationsRepository,
  type FormRecord,
  type MessageClaim,
  type Turn,
  type UnansweredFilter,
  type UnansweredPage,
  type UnansweredQuestion,
  type UnansweredStatus,
} from '../conversations-repo.js';

export class PgConversationsRepo implements ConversationsRepository {
  #turnsSincePrune = 0;

  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgConversationsRepo> {
    return new PgConversationsRepo(db);
  }

  async conversation(openid: string): Promise<ConversationState> {
    const { rows } = await this.db.query<{ form: unknown; version: number }>(
      'SELECT form, version FROM conversations WHERE office = $1 AND openid = $2',
      [this.db.office, openid],
      'conversations',
    );
    const row = rows[0];
    return { form: row?.form ?? undefined, version: row?.version ?? 0 };
  }

  async claimMessage(openid: string, messageId: string, now: Date): Promise<MessageClaim> {
    const expired = new Date(now.getTime() - MESSAGE_CLAIM_MS).toISOString();
    const { id, staleMs } = this.db.instance;
    // A claim released between the two statements is tried again: it is then free to take. So is
    // one whose instance died (src/store/pg/instance.ts), before MESSAGE_CLAIM_MS has passed.
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = await this.db.query(
        `INSERT INTO conversation_messages (office, openid, message_id, claimed_at, claimed_by) VALUES ($1, $2, $3, $4, $6)
         ON CONFLICT (office, openid, message_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at, claimed_by = EXCLUDED.claimed_by
           WHERE conversation_messages.answered_at IS NULL
             AND (conversation_messages.claimed_at <= $5
               OR (conversation_messages.claimed_by <> $6 AND ${instanceDead('conversation_messages.claimed_by', '$7')}))`,
        [this.db.office, openid, messageId, now.toISOString(), expired, id, staleMs],
        'conversations',
      );
      if (taken.rowCount === 1) return 'claimed';
      const row = await this.#message(null, openid, messageId);
      if (row?.answered_at) return { reply: row.reply };
      if (row) return 'in-progress';
    }
    return 'in-progress';
  }

  async releaseMessage(openid: string, messageId: string): Promise<void> {
    await this.db.query(
      'DELETE FROM conversation_messages WHERE office = $1 AND openid = $2 AND message_id = $3 AND answered_at IS NULL',
      [this.db.office, openid, messageId],
      'conversations',
    );
  }

  async answeredReply(openid: string, messageId: string): Promise<string | null | undefined> {
    const row = await this.#message(null, openid, messageId);
    return row?.answered_at ? row.reply : undefined;
  }

  async saveTurn(openid: string, turn: Turn, now: Date): Promise<string | null> {
    const at = now.toISOString();
    const office = this.db.office;
    const reply = turn.messageId && turn.form === undefined && turn.version !== undefined && !turn.unanswered
      ? await this.#saveAnswer(openid, turn.messageId, turn.reply, turn.version, at)
      : await this.db.transaction(async (client) => {
          if (turn.messageId) {
            // The first answer saved for a message id is its answer; a later one saves nothing.
            const won = await client.query(
              `INSERT INTO conversation_messages (office, openid, message_id, claimed_at, answered_at, reply) VALUES ($1, $2, $3, $4, $4, $5)
               ON CONFLICT (office, openid, message_id) DO UPDATE SET answered_at = EXCLUDED.answered_at, reply = EXCLUDED.reply
                 WHERE conversation_messages.answered_at IS NULL`,
              [office, openid, turn.messageId, at, turn.reply],
            );
            if (won.rowCount === 0) return (await this.#message(client, openid, turn.messageId))?.reply ?? null;
          }
          if (turn.form === undefined && turn.version !== undefined) {
            // Nothing to write, but the answer was worked out from the form as read: still so?
            const { rows } = await client.query<{ version: number }>('SELECT version FROM conversations WHERE office = $1 AND openid = $2', [office, openid]);
            if ((rows[0]?.version ?? 0) !== turn.version) throw new ConflictError('conversation');
          }
          if (turn.form !== undefined) {
            // The row is locked by the upsert; a turn from a stale read matches no row and saves nothing.
            const { rows } = await client.query<{ version: number; inserted: boolean }>(
              `INSERT INTO conversations (office, openid, form, version, updated_at) VALUES ($1, $2, $3, 1, $4)
               ON CONFLICT (office, openid) DO UPDATE SET form = EXCLUDED.form, version = conversations.version + 1, updated_at = EXCLUDED.updated_at
                 WHERE $5::integer IS NULL OR conversations.version = $5
               RETURNING version, (xmax = 0) AS inserted`,
              [office, openid, turn.form === null ? null : JSON.stringify(turn.form), at, turn.version ?? null],
            );
            const row = rows[0];
            if (!row || (row.inserted && turn.version !== undefined && turn.version !== 0)) throw new ConflictError('conversation');
          }
          if (turn.unanswered) await this.#insertQuestion(client, turn.unanswered);
          return turn.reply;
        }, 'conversations');
    if (++this.#turnsSincePrune >= PRUNE_EVERY) {
      this.#turnsSincePrune = 0;
      const before = new Date(now.getTime() - ANSWERED_RETENTION_MS).toISOString();
      await this.db.query('DELETE FROM conversation_messages WHERE office = $1 AND claimed_at < $2', [office, before], 'conversations');
    }
    return reply;
  }

  /**
   * The usual turn (a guide answer: the form as read stays as it is) in one statement, not a
   * transaction of four: the answer is saved only while the conversation is still at `version`.
   */
  async #saveAnswer(openid: string, messageId: string, reply: string | null, version: number, at: string): Promise<string | null> {
    const { rows } = await this.db.query<{ won: boolean; version: number }>(
      `WITH current AS (SELECT coalesce((SELECT version FROM conversations WHERE office = $1 AND openid = $2), 0) AS version),
       won AS (
         INSERT INTO conversation_messages (office, openid, message_id, claimed_at, answered_at, reply)
         SELECT $1, $2, $3, $4, $4, $5 FROM current WHERE current.version = $6
         ON CONFLICT (office, openid, message_id) DO UPDATE SET answered_at = EXCLUDED.answered_at, reply = EXCLUDED.reply
           WHERE conversation_messages.answered_at IS NULL
         RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM won) AS won, current.version FROM current`,
      [this.db.office, openid, messageId, at, reply, version],
      'conversations',
    );
    if (rows[0]!.won) return reply;
    // The first answer saved for a message id is its answer; otherwise the form moved on meanwhile.
    const earlier = await this.#message(null, openid, messageId);
    if (earlier?.answered_at) return earlier.reply;
    throw new ConflictError('conversation');
  }

  async recordUnanswered(question: UnansweredQuestion): Promise<void> {
    await this.db.transaction((client) => this.#insertQuestion(client, question), 'conversations');
  }

  async unansweredQuestion(id: string): Promise<UnansweredQuestion | undefined> {
    const { rows } = await this.db.query<{ data: UnansweredQuestion }>(
      'SELECT data FROM unanswered_questions WHERE office = $1 AND id = $2',
      [this.db.office, id],
      'conversations',
    );
    return rows[0]?.data;
  }

  async listUnanswered(filter: UnansweredFilter = {}, page: UnansweredPage = {}): Promise<{ questions: UnansweredQuestion[]; total: number }> {
    const where = 'office = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR at > $3)';
    const params = [this.db.office, filter.status ?? null, filter.after ?? null];
    const order = page.order === 'oldest' ? 'ASC' : 'DESC';
    const [list, count] = await Promise.all([
      this.db.query<{ data: UnansweredQuestion }>(
        `SELECT data FROM unanswered_questions WHERE ${where} ORDER BY seq ${order} LIMIT $4 OFFSET $5`,
        [...params, page.limit ?? null, page.offset ?? 0],
        'conversations',
      ),
      this.db.query<{ total: number }>(`SELECT count(*)::integer AS total FROM unanswered_questions WHERE ${where}`, params, 'conversations'),
    ]);
    return { questions: list.rows.map((r) => r.data), total: count.rows[0]?.total ?? 0 };
  }

  async unansweredCounts(): Promise<Record<UnansweredStatus, number>> {
    const { rows } = await this.db.query<{ status: UnansweredStatus; n: number }>(
      'SELECT status, count(*)::integer AS n FROM unanswered_questions WHERE office = $1 GROUP BY status',
      [this.db.office],
      'conversations',
    );
    const counts = Object.fromEntries(UNANSWERED_STATUSES.map((s) => [s, 0])) as Record<UnansweredStatus, number>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async setUnansweredStatus(id: string, status: UnansweredStatus): Promise<UnansweredQuestion | undefined> {
    const { rows } = await this.db.query<{ data: UnansweredQuestion }>(
      `UPDATE unanswered_questions SET status = $3, data = jsonb_set(data, '{status}', to_jsonb($3::text))
       WHERE office = $1 AND id = $2 RETURNING data`,
      [this.db.office, id, status],
      'conversations',
    );
    return rows[0]?.data;
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ forms: number; answered: number; questions: number }>(
      `SELECT (SELECT count(*)::integer FROM conversations WHERE office = $1 AND form IS NOT NULL) AS forms,
              (SELECT count(*)::integer FROM conversation_messages WHERE office = $1 AND answered_at IS NOT NULL) AS answered,
              (SELECT count(*)::integer FROM unanswered_questions WHERE office = $1) AS questions`,
      [this.db.office],
      'conversations',
    );
    const row = rows[0]!;
    return { form: row.forms, 'answered-message': row.answered, 'unanswered-question': row.questions };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const office = [this.db.office];
    const forms = await this.db.query<{ openid: string; form: unknown }>(
      'SELECT openid, form FROM conversations WHERE office = $1 AND form IS NOT NULL ORDER BY openid',
      office,
      'conversations',
    );
    for (const { openid, form } of forms.rows) yield { kind: 'form', data: { openid, form } satisfies FormRecord };
    // Claims not yet answered are not moved: nobody answers them on the other engine.
    const answered = await this.db.query<{ openid: string; message_id: string; reply: string | null; answered_at: string }>(
      'SELECT openid, message_id, reply, answered_at FROM conversation_messages WHERE office = $1 AND answered_at IS NOT NULL ORDER BY openid, answered_at, message_id',
      office,
      'conversations',
    );
    for (const m of answered.rows) {
      yield { kind: 'answered-message', data: { openid: m.openid, messageId: m.message_id, reply: m.reply, at: m.answered_at } satisfies AnsweredRecord };
    }
    const questions = await this.db.query<{ data: UnansweredQuestion }>('SELECT data FROM unanswered_questions WHERE office = $1 ORDER BY seq', office, 'conversations');
    for (const { data } of questions.rows) yield { kind: 'unanswered-question', data };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const collected: TransferRecord[] = [];
    for await (const record of records) collected.push(record);
    await this.db.transaction(async (client) => {
      const { rows } = await client.query(
        `SELECT 1 FROM conversations WHERE office = $1 UNION ALL SELECT 1 FROM conversation_messages WHERE office = $1
         UNION ALL SELECT 1 FROM unanswered_questions WHERE office = $1 LIMIT 1`,
        [this.db.office],
      );
      if (rows.length) throw new Error('conversations: import needs an empty repository');
      for (const record of collected) {
        if (record.kind === 'form') {
          const { openid, form } = record.data as FormRecord;
          await client.query('INSERT INTO conversations (office, openid, form, version, updated_at) VALUES ($1, $2, $3, 0, $4)', [
            this.db.office,
            openid,
            JSON.stringify(form),
            new Date().toISOString(),
          ]);
        } else if (record.kind === 'answered-message') {
          const m = record.data as AnsweredRecord;
          await client.query(
            'INSERT INTO conversation_messages (office, openid, message_id, claimed_at, answered_at, reply) VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING',
            [this.db.office, m.openid, m.messageId, m.at, m.reply],
          );
        } else if (record.kind === 'unanswered-question') {
          await this.#insertQuestion(client, record.data as UnansweredQuestion, false);
        } else {
          throw new Error(`conversations: unknown record kind ${record.kind}`);
        }
      }
    }, 'conversations');
  }

  /** The message's row, read in `client`'s transaction or, without one, on its own. */
  async #message(client: Pick<pg.PoolClient, 'query'> | null, openid: string, messageId: string) {
    const sql = 'SELECT answered_at, reply FROM conversation_messages WHERE office = $1 AND openid = $2 AND message_id = $3';
    const params = [this.db.office, openid, messageId];
    type Row = { answered_at: string | null; reply: string | null };
    const { rows } = client ? await client.query<Row>(sql, params) : await this.db.query<Row>(sql, params, 'conversations');
    return rows[0];
  }

  async #insertQuestion(client: Pick<pg.PoolClient, 'query'>, question: UnansweredQuestion, trim = true): Promise<void> {
    await client.query(
      'INSERT INTO unanswered_questions (office, id, status, at, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (office, id) DO NOTHING',
      [this.db.office, question.id, question.status, question.at, JSON.stringify(question)],
    );
    if (!trim) return;
    // The newest UNANSWERED_LIMIT are kept, as on the embedded engine.
    await client.query(
      `DELETE FROM unanswered_questions WHERE office = $1 AND seq < (
         SELECT seq FROM unanswered_questions WHERE office = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
      [this.db.office, UNANSWERED_LIMIT - 1],
    );
  }
}
