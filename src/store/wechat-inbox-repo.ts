// Pushes from WeChat already handled, with the reply each got, so that WeChat's retries (and a
// replay within the signature window) are answered the same and never processed twice — also
// across a restart.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';

export interface HandledPush {
  at: string;
  reply: string | null;
}

interface InboxData {
  handled: Record<string, HandledPush>;
}

/** Longer than the replay window, so every push that passes the signature check can be recognised. */
export const INBOX_RETENTION_MS = 10 * 60_000;

export class WechatInboxRepo {
  private constructor(private readonly file: DataFile<InboxData>) {}

  static async open(store: Store): Promise<WechatInboxRepo> {
    return new WechatInboxRepo(await store.file<InboxData>({ name: 'wechat-inbox', version: 1, defaults: () => ({ handled: {} }) }));
  }

  handled(key: string): HandledPush | undefined {
    return this.file.data.handled[key];
  }

  async recordHandled(key: string, reply: string | null, now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - INBOX_RETENTION_MS).toISOString();
    await this.file.update((d) => {
      for (const [k, v] of Object.entries(d.handled)) if (v.at < cutoff) delete d.handled[k];
      d.handled[key] = { at: now.toISOString(), reply };
    });
  }
}
