// Per-user chat state that must survive a restart (conversations.json and its journal): half-filled
// application forms, the replies given to recent messages (so that WeChat's resends are answered,
// not processed again), and the questions the guide could not answer, for staff to review.
import type { Store } from './store.js';
import { JournaledFile } from './journaled-file.js';

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
}

interface ConversationsData {
  /** The chat's form state per openid; its shape belongs to the bot. */
  forms: Record<string, unknown>;
  unanswered: UnansweredQuestion[];
  answered: Record<string, AnsweredMessage[]>;
}

/** Long enough for WeChat's retries and a restart; short enough to keep the state small. */
const ANSWERED_RETENTION_MS = 15 * 60_000;
/** Every this many turns, answered messages past their retention are dropped (one journal line). */
const PRUNE_EVERY = 500;

const UNANSWERED_LIMIT = 5000;

/** The changes to conversations.json, as journal lines (see journaled-file.ts). */
type ConversationsOp =
  | { type: 'turn'; openid: string; turn: Turn; at: string }
  | { type: 'unanswered'; question: UnansweredQuestion }
  | { type: 'unanswered-status'; id: string; status: UnansweredQuestion['status'] }
  | { type: 'prune'; before: string };

function reduce(d: ConversationsData, op: ConversationsOp): void {
  switch (op.type) {
    case 'turn': {
      const { openid, turn, at } = op;
      if (turn.form !== undefined) {
        if (turn.form) d.forms[openid] = turn.form;
        else delete d.forms[openid];
      }
      if (turn.unanswered) pushUnanswered(d, turn.unanswered);
      if (turn.messageId) {
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
  }
}

export class ConversationsRepo {
  #turnsSincePrune = 0;

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

  /** The reply already given to this message, or undefined when it is new. */
  answeredReply(openid: string, messageId: string): string | null | undefined {
    return this.file.data.answered[openid]?.find((m) => m.messageId === messageId)?.reply;
  }

  /** Saves what one message changed, with its reply, as one journal line. */
  async saveTurn(openid: string, turn: Turn, now: Date): Promise<void> {
    await this.file.commit({ type: 'turn', openid, turn, at: now.toISOString() });
    if (++this.#turnsSincePrune >= PRUNE_EVERY) {
      this.#turnsSincePrune = 0;
      await this.file.commit({ type: 'prune', before: new Date(now.getTime() - ANSWERED_RETENTION_MS).toISOString() });
    }
  }

  form<F>(openid: string): F | undefined {
    return this.file.data.forms[openid] as F | undefined;
  }

  unanswered(): readonly UnansweredQuestion[] {
    return this.file.data.unanswered;
  }

  unansweredQuestion(id: string): UnansweredQuestion | undefined {
    return this.file.data.unanswered.find((u) => u.id === id);
  }

  async recordUnanswered(question: UnansweredQuestion): Promise<void> {
    await this.file.commit({ type: 'unanswered', question });
  }

  async setUnansweredStatus(id: string, status: UnansweredQuestion['status']): Promise<UnansweredQuestion | undefined> {
    await this.file.commit({ type: 'unanswered-status', id, status });
    return this.file.data.unanswered.find((u) => u.id === id);
  }
}

function pushUnanswered(d: ConversationsData, question: UnansweredQuestion): void {
  d.unanswered.push(question);
  // Keep the newest; an abusive stream of nonsense must not grow the file without bound.
  if (d.unanswered.length > UNANSWERED_LIMIT) d.unanswered.splice(0, d.unanswered.length - UNANSWERED_LIMIT);
}
