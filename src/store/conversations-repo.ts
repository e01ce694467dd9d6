// Per-user chat state that must survive a restart (conversations.json and its journal): half-filled
// application forms, the replies given to recent messages (so that WeChat's resends are answered,
// not processed again), and the questions the guide could not answer, for staff to review.
import type { Store } from './store.js';
import { JournaledFile } from './journaled-file.js';
import { ConflictError } from './conflict.js';
import type { TransferRecord, Transferable } from './transfer.js';

export interface UnansweredQuestion {
  id: string;
  text: string;
  at: string;
  /** The closest guide entries offered instead (entry ids). */
  suggestions: string[];
  /** replied: a staff member answered the asker (the reply itself is in the notify outbox). */
  status: 'open' | 'dismissed' | 'added-to-guide' | 'replied';
  /**
   * Who asked, so that staff can answer them through the official account. Personal: never shown
   * on a page nor written to a log. Missing on questions recorded before it was kept.
   */
  openid?: string;
}

/** A message already answered, so a resend of it (same message id) gets the same reply. */
export interface AnsweredMessage {
  messageId: string;
  reply: string | null;
  at: string;
}

/** Everything one chat message changes, saved in one write: a crash leaves all of it or none. */
export interface Turn {
  messageId?: string;
  reply: string | null;
  /** undefined: the form is unchanged; null: it is finished or dropped. */
  form?: unknown | null;
  unanswered?: UnansweredQuestion;
  /**
   * The conversation's version the answer was worked out from (conversation(openid).version). When
   * the form changed since, the turn throws ConflictError: two instances answering two messages of
   * one user at once never overwrite each other's form, nor answer from a form the other moved on.
   * Turns that leave the form alone do not change the version. Absent: no check.
   */
  version?: number;
}

/** The user's saved chat form (undefined: none), and the version that changes with every form write. */
export interface ConversationState {
  form: unknown | undefined;
  version: number;
}

/**
 * claimMessage's answer: 'claimed' (answer it now), the reply already given to it, or 'in-progress'
 * (another delivery of it is being answered, here or on another instance: wait for its reply).
 */
export type MessageClaim = 'claimed' | 'in-progress' | { reply: string | null };

/**
 * How long a claim on a message holds. An instance that died while answering leaves its claim; a
 * retry after this answers it. Longer than any answer takes (the passive reply window is 5 s).
 */
export const MESSAGE_CLAIM_MS = 15_000;

export type UnansweredStatus = UnansweredQuestion['status'];
export const UNANSWERED_STATUSES: readonly UnansweredStatus[] = ['open', 'dismissed', 'added-to-guide', 'replied'];

export interface UnansweredFilter {
  status?: UnansweredStatus;
  /** Only questions asked after this instant (ISO). */
  after?: string;
}

export interface UnansweredPage {
  /** At most this many (default: all that match). */
  limit?: number;
  offset?: number;
  /** By when they were recorded; newest first by default (the console's order). */
  order?: 'newest' | 'oldest';
}

export interface ConversationsRepository extends Transferable {
  /** The user's form and its version; a user with no form reads as { form: undefined }. */
  conversation(openid: string): Promise<ConversationState>;
  /**
   * Claims a message before answering it (unique key: office, openid, message id), so that WeChat's
   * retries of one push are answered once whichever instance each reaches. A claim expires after
   * MESSAGE_CLAIM_MS (`now` is the clock of the claim); saveTurn turns it into the answer.
   */
  claimMessage(openid: string, messageId: string, now: Date): Promise<MessageClaim>;
  /** Gives up a claim whose answer failed: the next delivery answers the message again. */
  releaseMessage(openid: string, messageId: string): Promise<void>;
  /** The reply already given to this message, or undefined when it is not answered (yet). */
  answeredReply(openid: string, messageId: string): Promise<string | null | undefined>;
  /**
   * Saves what one message changed, with its reply, in one write, and returns the reply that
   * answers the message: this one, or the one saved first when another delivery of the same message
   * id was answered meanwhile (then nothing of this turn is saved). A turn from a stale
   * `turn.version` throws ConflictError and saves nothing.
   */
  saveTurn(openid: string, turn: Turn, now: Date): Promise<string | null>;
  recordUnanswered(question: UnansweredQuestion): Promise<void>;
  unansweredQuestion(id: string): Promise<UnansweredQuestion | undefined>;
  /** A page of the questions that match, and how many match in all. */
  listUnanswered(filter?: UnansweredFilter, page?: UnansweredPage): Promise<{ questions: UnansweredQuestion[]; total: number }>;
  /** How many questions there are of each status. */
  unansweredCounts(): Promise<Record<UnansweredStatus, number>>;
  /** undefined when there is no such question. */
  setUnansweredStatus(id: string, status: UnansweredStatus): Promise<UnansweredQuestion | undefined>;
}

interface ConversationsData {
  /** The chat's form state per openid; its shape belongs to the bot. */
  forms: Record<string, unknown>;
  unanswered: UnansweredQuestion[];
  answered: Record<string, AnsweredMessage[]>;
}

/** Long enough for WeChat's retries and a restart; short enough to keep the state small. */
export const ANSWERED_RETENTION_MS = 15 * 60_000;
/** Every this many turns, answered messages past their retention are dropped. */
export const PRUNE_EVERY = 500;

/** The newest this many questions are kept: an abusive stream of nonsense must not grow the store without bound. */
export const UNANSWERED_LIMIT = 5000;

/** The changes to conversations.json, as journal lines (see journaled-file.ts). */
type ConversationsOp =
  | { type: 'turn'; openid: string; turn: Turn; at: string }
  | { type: 'unanswered'; question: UnansweredQuestion }
  | { type: 'unanswered-status'; id: string; status: UnansweredQuestion['status'] }
  | { type: 'prune'; before: string }
  | { type: 'import'; data: ConversationsData };

function reduce(d: ConversationsData, op: ConversationsOp): void {
  switch (op.type) {
    case 'turn': {
      const { openid, turn, at } = op;
      if (turn.form !== undefined) {
        if (turn.form) d.forms[openid] = turn.form;
        else delete d.forms[openid];
      }
      if (turn.unanswered) pushUnanswered(d, turn.unanswered);
      // A second answer to one message id is not kept (saveTurn refuses it; a replay agrees).
      if (turn.messageId && !d.answered[openid]?.some((m) => m.messageId === turn.messageId)) {
        const mine = (d.answered[openid] ?? []).slice(-9);
        mine.push({ messageId: turn.messageId, reply: turn.reply, at });
        d.answered[openid] = mine;
      }
      return;
    }
    case 'unanswered':
      pushUnanswered(d, op.question);
      return;
    case 'unanswered-status': {
      const question = d.unanswered.find((u) => u.id === op.id);
      if (question) question.status = op.status;
      return;
    }
    case 'prune':
      for (const [openid, list] of Object.entries(d.answered)) {
        const kept = list.filter((m) => m.at >= op.before);
        if (kept.length) d.answered[openid] = kept;
        else delete d.answered[openid];
      }
      return;
    case 'import':
      d.forms = op.data.forms;
      d.unanswered = op.data.unanswered;
      d.answered = op.data.answered;
  }
}

export class ConversationsRepo implements ConversationsRepository {
  #turnsSincePrune = 0;
  /**
   * One process holds this store, so claims and form versions live in memory: a restart leaves no
   * one answering, hence no claim to honour and no read to compare a version with.
   */
  readonly #claims = new Map<string, number>();
  readonly #versions = new Map<string, number>();

  private constructor(private readonly file: JournaledFile<ConversationsData, ConversationsOp>) {}

  static async open(store: Store): Promise<ConversationsRepo> {
    return new ConversationsRepo(
      await JournaledFile.open<ConversationsData, ConversationsOp>(store, {
        name: 'conversations',
        version: 3,
        defaults: () => ({ forms: {}, unanswered: [], answered: {} }),
        migrations: {
          2: (d: Omit<ConversationsData, 'answered'>) => ({ ...d, answered: {} }),
          // Version 3 keeps the same data, now as a snapshot with a journal beside it.
          3: (d: ConversationsData) => d,
        },
        reduce,
      }),
    );
  }

  async conversation(openid: string): Promise<ConversationState> {
    const form = this.file.data.forms[openid];
    return { form: form === undefined ? undefined : structuredClone(form), version: this.#versions.get(openid) ?? 0 };
  }

  async claimMessage(openid: string, messageId: string, now: Date): Promise<MessageClaim> {
    const answered = this.#answered(openid, messageId);
    if (answered) return { reply: answered.reply };
    const key = claimKey(openid, messageId);
    const claimedAt = this.#claims.get(key);
    if (claimedAt !== undefined && now.getTime() - claimedAt < MESSAGE_CLAIM_MS) return 'in-progress';
    this.#claims.set(key, now.getTime());
    return 'claimed';
  }

  async releaseMessage(openid: string, messageId: string): Promise<void> {
    this.#claims.delete(claimKey(openid, messageId));
  }

  async answeredReply(openid: string, messageId: string): Promise<string | null | undefined> {
    return this.#answered(openid, messageId)?.reply;
  }

  async saveTurn(openid: string, turn: Turn, now: Date): Promise<string | null> {
    // Checked and settled before the first await: no other turn of this process runs in between.
    const earlier = turn.messageId ? this.#answered(openid, turn.messageId) : undefined;
    if (earlier) return earlier.reply;
    const version = this.#versions.get(openid) ?? 0;
    if (turn.version !== undefined && turn.version !== version) throw new ConflictError('conversation');
    if (turn.form !== undefined) this.#versions.set(openid, version + 1);
    const { version: _version, ...saved } = turn;
    try {
      await this.file.commit({ type: 'turn', openid, turn: structuredClone(saved), at: now.toISOString() });
    } finally {
      if (turn.messageId) this.#claims.delete(claimKey(openid, turn.messageId));
    }
    if (++this.#turnsSincePrune >= PRUNE_EVERY) {
      this.#turnsSincePrune = 0;
      await this.file.commit({ type: 'prune', before: new Date(now.getTime() - ANSWERED_RETENTION_MS).toISOString() });
    }
    return turn.reply;
  }

  async unansweredQuestion(id: string): Promise<UnansweredQuestion | undefined> {
    const found = this.file.data.unanswered.find((u) => u.id === id);
    return found && structuredClone(found);
  }

  async listUnanswered(filter: UnansweredFilter = {}, page: UnansweredPage = {}): Promise<{ questions: UnansweredQuestion[]; total: number }> {
    const matching = this.file.data.unanswered.filter(
      (q) => (filter.status === undefined || q.status === filter.status) && (filter.after === undefined || q.at > filter.after),
    );
    if (page.order !== 'oldest') matching.reverse();
    const offset = page.offset ?? 0;
    const shown = matching.slice(offset, page.limit === undefined ? undefined : offset + page.limit);
    return { questions: structuredClone(shown), total: matching.length };
  }

  async unansweredCounts(): Promise<Record<UnansweredStatus, number>> {
    const counts = Object.fromEntries(UNANSWERED_STATUSES.map((s) => [s, 0])) as Record<UnansweredStatus, number>;
    for (const q of this.file.data.unanswered) counts[q.status]++;
    return counts;
  }

  async recordUnanswered(question: UnansweredQuestion): Promise<void> {
    await this.file.commit({ type: 'unanswered', question: structuredClone(question) });
  }

  async setUnansweredStatus(id: string, status: UnansweredStatus): Promise<UnansweredQuestion | undefined> {
    if (!this.file.data.unanswered.some((u) => u.id === id)) return undefined;
    await this.file.commit({ type: 'unanswered-status', id, status });
    return this.unansweredQuestion(id);
  }

  async counts(): Promise<Record<string, number>> {
    const d = this.file.data;
    return {
      form: Object.keys(d.forms).length,
      'answered-message': Object.values(d.answered).reduce((n, list) => n + list.length, 0),
      'unanswered-question': d.unanswered.length,
    };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const d = structuredClone(this.file.data);
    for (const [openid, form] of Object.entries(d.forms)) yield { kind: 'form', data: { openid, form } satisfies FormRecord };
    for (const [openid, list] of Object.entries(d.answered)) {
      for (const m of list) yield { kind: 'answered-message', data: { openid, ...m } satisfies AnsweredRecord };
    }
    // Oldest first: the order is the list's order, which the console and the limit rely on.
    for (const question of d.unanswered) yield { kind: 'unanswered-question', data: question };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const d = this.file.data;
    if (Object.keys(d.forms).length || Object.keys(d.answered).length || d.unanswered.length) throw new Error('conversations: import needs an empty repository');
    const data: ConversationsData = { forms: {}, unanswered: [], answered: {} };
    for await (const record of records) {
      if (record.kind === 'form') {
        const { openid, form } = record.data as FormRecord;
        data.forms[openid] = form;
      } else if (record.kind === 'answered-message') {
        const { openid, ...message } = record.data as AnsweredRecord;
        (data.answered[openid] ??= []).push(message);
      } else if (record.kind === 'unanswered-question') {
        data.unanswered.push(record.data as UnansweredQuestion);
      } else {
        throw new Error(`conversations: unknown record kind ${record.kind}`);
      }
    }
    for (const list of Object.values(data.answered)) list.sort((a, b) => a.at.localeCompare(b.at));
    await this.file.commit({ type: 'import', data });
  }

  #answered(openid: string, messageId: string): AnsweredMessage | undefined {
    return this.file.data.answered[openid]?.find((m) => m.messageId === messageId);
  }
}

/** The transfer shapes, shared by both engines. */
export interface FormRecord {
  openid: string;
  form: unknown;
}
export type AnsweredRecord = AnsweredMessage & { openid: string };

const claimKey = (openid: string, messageId: string) => `${openid}\n${messageId}`;

function pushUnanswered(d: ConversationsData, question: UnansweredQuestion): void {
  d.unanswered.push(question);
  // Keep the newest; an abusive stream of nonsense must not grow the file without bound.
  if (d.unanswered.length > UNANSWERED_LIMIT) d.unanswered.splice(0, d.unanswered.length - UNANSWERED_LIMIT);
}
