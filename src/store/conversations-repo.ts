// Per-user chat state that must survive a restart (conversations.json): half-filled application
// forms, and the questions the guide could not answer, for staff to review.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';

export interface UnansweredQuestion {
  id: string;
  text: string;
  at: string;
  /** The closest guide entries offered instead. */
  suggestions: string[];
  status: 'open' | 'dismissed' | 'added-to-guide';
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

/** Long enough for WeChat's retries and a restart; short enough to keep the file small. */
const ANSWERED_RETENTION_MS = 30 * 60_000;

const UNANSWERED_LIMIT = 5000;

export class ConversationsRepo {
  private constructor(private readonly file: DataFile<ConversationsData>) {}

  static async open(store: Store): Promise<ConversationsRepo> {
    return new ConversationsRepo(
      await store.file<ConversationsData>({
        name: 'conversations',
        version: 2,
        defaults: () => ({ forms: {}, unanswered: [], answered: {} }),
        migrations: { 2: (d: Omit<ConversationsData, 'answered'>) => ({ ...d, answered: {} }) },
      }),
    );
  }

  /** The reply already given to this message, or undefined when it is new. */
  answeredReply(openid: string, messageId: string): string | null | undefined {
    return this.file.data.answered[openid]?.find((m) => m.messageId === messageId)?.reply;
  }

  async saveTurn(openid: string, turn: Turn, now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - ANSWERED_RETENTION_MS).toISOString();
    await this.file.update((d) => {
      if (turn.form !== undefined) {
        if (turn.form) d.forms[openid] = turn.form;
        else delete d.forms[openid];
      }
      if (turn.unanswered) pushUnanswered(d, turn.unanswered);
      if (turn.messageId) {
        const mine = (d.answered[openid] ?? []).filter((m) => m.at >= cutoff).slice(-9);
        mine.push({ messageId: turn.messageId, reply: turn.reply, at: now.toISOString() });
        d.answered[openid] = mine;
      }
      for (const [id, list] of Object.entries(d.answered)) {
        if (list.every((m) => m.at < cutoff)) delete d.answered[id];
      }
    });
  }

  form<F>(openid: string): F | undefined {
    return this.file.data.forms[openid] as F | undefined;
  }


  unanswered(): readonly UnansweredQuestion[] {
    return this.file.data.unanswered;
  }

  async recordUnanswered(question: UnansweredQuestion): Promise<void> {
    await this.file.update((d) => pushUnanswered(d, question));
  }

  async setUnansweredStatus(id: string, status: UnansweredQuestion['status']): Promise<UnansweredQuestion | undefined> {
    return this.file.update((d) => {
      const q = d.unanswered.find((u) => u.id === id);
      if (q) q.status = status;
      return q;
    });
  }
}

function pushUnanswered(d: ConversationsData, question: UnansweredQuestion): void {
  d.unanswered.push(question);
  // Keep the newest; an abusive stream of nonsense must not grow the file without bound.
  if (d.unanswered.length > UNANSWERED_LIMIT) d.unanswered.splice(0, d.unanswered.length - UNANSWERED_LIMIT);
}
