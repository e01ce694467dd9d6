// The chat, as one module: WeChat's pushes come in at POST /wechat (src/wechat/webhook.ts), wait in
// a queue while the bot loads (src/wechat/waiting-puppet.ts), and are answered by the Wechaty bot
// over the official-account puppet, with bot/dialog.ts deciding what to say. Wechaty and its puppet
// library take about a second to load, most of a restart, so they load only when the server asks
// (load(), once it listens): the webhook answers from the first moment.
import type { Wechaty } from 'wechaty';
import type { Module } from '../src/module.js';
import type { Logger } from '../src/log.js';
import type { Notify } from '../src/notify/index.js';
import type { IdentityLinks } from '../src/accounts/identity-links.js';
import type { WechatApiClient } from '../src/wechat/api-client.js';
import type { WechatInbound } from '../src/wechat/xml.js';
import type { Metrics } from '../src/metrics/metrics.js';
import { createWechatWebhook } from '../src/wechat/webhook.js';
import type { SharedUrlUses } from '../src/wechat/used-urls.js';
import { createWaitingPuppet } from '../src/wechat/waiting-puppet.js';
import { isStoreWriteError } from '../src/store/write-faults.js';
import { createDialog, type DialogDeps } from './dialog.js';

/** How long a push waits for the bot's answer before it is answered "success": WeChat waits 5 s. */
const PASSIVE_WINDOW_MS = 4000;

export interface ChatModuleDeps {
  /** The official account's settings (WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY). */
  account: { token: string; appid: string; aesKey: string | null };
  /** What the conversation needs (bot/dialog.ts). */
  dialog: DialogDeps;
  notify: Pick<Notify, 'noteInteraction' | 'consents'>;
  identities: Pick<IdentityLinks, 'needsUnionid' | 'note'>;
  /** The WeChat client: a getter, as it exists only once the server listens (src/main.ts). */
  wechat: () => Pick<WechatApiClient, 'userUnionId' | 'sendCustomText'>;
  metrics: Pick<Metrics, 'customerServiceSend'>;
  /** Several instances: the signed URLs any of them accepted (a replay is refused everywhere). */
  sharedUrlUses?: SharedUrlUses;
  logger: Logger;
  clock: () => Date;
}

export interface ChatModule extends Module {
  /** Loads Wechaty and the puppet; the pushes that waited meanwhile go to it then. */
  load(): Promise<void>;
  /** The bot will not load (a failed start or a stop first): waiting and later pushes fail with `error`. */
  refuse(error: unknown): void;
  /** Stops the bot if it was loaded. */
  stop(): Promise<void>;
}

export function createChatModule(deps: ChatModuleDeps): ChatModule {
  const { logger } = deps;
  const dialog = createDialog(deps.dialog);
  const pushes = createWaitingPuppet(PASSIVE_WINDOW_MS);
  const unionidLookup = createUnionIdLookup(deps);
  let bot: Wechaty | null = null;

  const webhook = createWechatWebhook({
    token: deps.account.token,
    appid: deps.account.appid,
    aesKey: deps.account.aesKey,
    puppet: pushes,
    logger,
    clock: deps.clock,
    sharedUrlUses: deps.sharedUrlUses,
    // The 48-hour window is worth noting, but not worth failing the answer over when the disk is full.
    onInbound: async (inbound) => {
      await noteInbound(deps.notify, inbound).catch((error: unknown) => {
        if (!isStoreWriteError(error)) throw error;
      });
      if (inbound.type !== 'event' || inbound.event !== 'unsubscribe') unionidLookup(inbound.fromUserName);
    },
  });

  return {
    name: 'chat',
    routers: [webhook],
    // The questions the bot could not answer: the console's 未答问题 page.
    consolePages: { conversations: deps.dialog.conversations },
    async load() {
      const [{ OfficialAccountPuppet }, { createBot }] = await Promise.all([import('../src/wechat/puppet.js'), import('./bot.js')]);
      const puppet = new OfficialAccountPuppet({
        selfId: deps.account.appid,
        passiveWindowMs: PASSIVE_WINDOW_MS,
        sendText: (openid, text) =>
          deps
            .wechat()
            .sendCustomText(openid, text)
            .then(
              () => deps.metrics.customerServiceSend(true),
              (error: unknown) => {
                deps.metrics.customerServiceSend(false);
                throw error;
              },
            ),
        onSendError: (error, openid) => logger.warn({ err: error, openid }, 'customer-service send failed'),
      });
      const loaded = createBot({
        puppet,
        dialog,
        // A refused write was logged once by the store, not again per message.
        onError: (error) => void (isStoreWriteError(error) || logger.error({ err: error }, 'bot error')),
      });
      bot = loaded;
      // Messages are handed over only once the puppet has logged in: Wechaty reads the account's
      // own id while taking a message in.
      const loggedIn = new Promise((resolve) => loaded.once('login', resolve));
      await loaded.start();
      await loggedIn;
      pushes.loaded(puppet);
    },
    refuse: (error) => pushes.failed(error),
    async stop() {
      await bot?.stop().catch((error: unknown) => logger.warn({ err: error }, 'bot stop failed'));
    },
  };
}

/**
 * The official account's UnionID of a chat user, asked once (again a day later when there was
 * none): it links their chat and mini-program identities. Not waited for: the reply to a push never
 * depends on a second call to WeChat, which may be slow or down; the link counts from the user's
 * next message.
 */
function createUnionIdLookup(deps: Pick<ChatModuleDeps, 'identities' | 'wechat' | 'logger'>): (openid: string) => void {
  const lookups = new Map<string, Promise<void>>();
  return (openid) => {
    if (lookups.has(openid)) return;
    // Set before anything is awaited: a second message meanwhile does not start a second lookup.
    const lookup = deps.identities
      .needsUnionid('official-account', openid)
      .then((needed) => (needed ? lookUp(openid) : undefined))
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'noting an official-account identity failed'))
      .finally(() => lookups.delete(openid));
    lookups.set(openid, lookup);
  };

  function lookUp(openid: string): Promise<void> {
    return deps
      .wechat()
      .userUnionId(openid)
      .then(
        (unionid) => deps.identities.note('official-account', openid, unionid),
        // Unverified accounts may not call user info (48001): noted as checked, asked again tomorrow.
        (error: unknown) => {
          deps.logger.warn({ err: error }, 'official-account user info failed');
          return deps.identities.note('official-account', openid, undefined);
        },
      );
  }
}

/**
 * What the notifications need to know of each new push: a user who writes to the account opens the
 * customer-service window; a subscribe-message popup records the user's consent.
 */
async function noteInbound(notify: ChatModuleDeps['notify'], inbound: WechatInbound): Promise<void> {
  if (inbound.type !== 'event') {
    await notify.noteInteraction(inbound.fromUserName);
  } else if (inbound.event === 'subscribe_msg_popup_event' || inbound.event === 'subscribe_msg_change_event') {
    await notify.consents.record(inbound.fromUserName, 'oa', {
      accepted: inbound.items.filter((i) => i.status === 'accept').map((i) => i.templateId),
      rejected: inbound.items.filter((i) => i.status === 'reject').map((i) => i.templateId),
    });
  }
}
