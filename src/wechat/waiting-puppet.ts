// What the webhook hands pushes to while the bot is still loading (bot/module.ts loads Wechaty behind
// the listening server): each push waits for the puppet, in the order the pushes came, and the time
// it waited is taken off the passive-reply window. If the window passes first, the push is answered
// "success" (null) in time for WeChat, and the bot still gets the message once it is up: its answer
// then goes out as a customer-service message, as any late answer does.
import type { OfficialAccountPuppet } from './puppet.js';
import type { WechatInbound } from './xml.js';

export interface WaitingPuppet {
  ingest(inbound: WechatInbound): Promise<string | null>;
  /** The bot is up: pushes go straight to its puppet from now on. */
  loaded(puppet: Pick<OfficialAccountPuppet, 'ingest'>): void;
  /** The bot could not be loaded (a failed start): waiting pushes fail. */
  failed(error: unknown): void;
}

export function createWaitingPuppet(passiveWindowMs: number): WaitingPuppet {
  let loaded: Pick<OfficialAccountPuppet, 'ingest'> | null = null;
  let resolve!: (puppet: Pick<OfficialAccountPuppet, 'ingest'>) => void;
  let reject!: (error: unknown) => void;
  const puppet = new Promise<Pick<OfficialAccountPuppet, 'ingest'>>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Whoever loads the bot reports its failure; a push that already answered "success" must not
  // turn it into an unhandled rejection as well.
  puppet.catch(() => undefined);

  return {
    ingest(inbound) {
      if (loaded) return loaded.ingest(inbound);
      const since = performance.now();
      const answer = puppet.then((p) => p.ingest(inbound, performance.now() - since));
      answer.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((ok) => (timer = setTimeout(ok, passiveWindowMs, null)));
      return Promise.race([answer, late]).finally(() => clearTimeout(timer));
    },
    loaded(p) {
      loaded = p;
      resolve(p);
    },
    failed: (error) => reject(error),
  };
}
