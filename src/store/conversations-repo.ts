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

interface ConversationsData {
  /** The chat's form state per openid; its shape belongs to the bot. */
  forms: Record<string, unknown>;
  unanswered: UnansweredQuestion[];
}

const UNANSWERED_LIMIT = 5000;

export class ConversationsRepo {
  private constructor(private readonly file: DataFile<ConversationsData>) {}

  static async open(store: Store): Promise<ConversationsRepo> {
    return new ConversationsRepo(
      await store.file<ConversationsData>({ name: 'conversations', version: 1, defaults: () => ({ forms: {}, unanswered: [] }) }),
    );
  }

  form<F>(openid: string): F | undefined {
    return this.file.data.forms[openid] as F | undefined;
  }

  async saveForm(openid: string, form: unknown | null): Promise<void> {
    await this.file.update((d) => {
      if (form) d.forms[openid] = form;
      else delete d.forms[openid];
    });
  }

  unanswered(): readonly UnansweredQuestion[] {
    return this.file.data.unanswered;
  }

  async recordUnanswered(question: UnansweredQuestion): Promise<void> {
    await this.file.update((d) => {
      d.unanswered.push(question);
      // Keep the newest; an abusive stream of nonsense must not grow the file without bound.
      if (d.unanswered.length > UNANSWERED_LIMIT) d.unanswered.splice(0, d.unanswered.length - UNANSWERED_LIMIT);
    });
  }

  async setUnansweredStatus(id: string, status: UnansweredQuestion['status']): Promise<UnansweredQuestion | undefined> {
    return this.file.update((d) => {
      const q = d.unanswered.find((u) => u.id === id);
      if (q) q.status = status;
      return q;
    });
  }
}
