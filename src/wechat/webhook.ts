// The official account's server URL: GET for WeChat's URL check, POST for every push. A push is
// verified (signature, replay window, a URL used only once, and in safe mode msg_signature and appid), handed to the
// puppet, and answered with the bot's passive reply or "success".
//
// WeChat's retries: the puppet gives every push its dedupe key as message id, and the dialog claims
// each message id in the store before answering and saves the reply with what the message changed;
// a retry is answered from there, on any instance and after a restart. Here a retry that arrives at
// this process while the first delivery is still being answered is joined to it without a query.
import { Router } from '@koa/router';
import getRawBody from 'raw-body';
import type { Logger } from '../log.js';
import { HttpError } from '../http/errors.js';
import { isWithinReplayWindow, verifyPlainSignature, DEFAULT_REPLAY_WINDOW_SECONDS } from './signature.js';
import { WechatCipher, WechatCryptoError } from './crypto.js';
import { buildEncryptedReplyXml, buildTextReply, dedupeKey, parseEncryptedEnvelope, parseInboundXml, WechatXmlError, type WechatInbound } from './xml.js';
import type { OfficialAccountPuppet } from './puppet.js';
import { UsedUrls, bodyDigest, forgetAfter, urlKey, type SharedUrlUses } from './used-urls.js';
import { isStoreWriteError } from '../store/write-faults.js';

export interface WebhookOptions {
  token: string;
  appid: string;
  aesKey: string | null;
  /** The bot's puppet, or what waits for it while it loads (bot/module.ts). */
  puppet: Pick<OfficialAccountPuppet, 'ingest'>;
  logger: Logger;
  clock?: () => Date;
  replayWindowSeconds?: number;
  /** WeChat's pushes are a few KB; anything much larger is not from WeChat. */
  maxBodyBytes?: number;
  /** Several instances: the URLs every instance accepted (src/wechat/used-urls.ts); unset, this process's. */
  sharedUrlUses?: SharedUrlUses;
  /** Told about every new (not retried) push before the bot answers it, e.g. to open the 48-hour window. */
  onInbound?: (inbound: WechatInbound) => Promise<void>;
}

export function createWechatWebhook(options: WebhookOptions): Router {
  const clock = options.clock ?? (() => new Date());
  const cipher = options.aesKey ? new WechatCipher({ token: options.token, encodingAESKey: options.aesKey, appid: options.appid }) : null;
  // A retry that arrives while the first delivery is still being answered waits for that answer.
  const inFlight = new Map<string, Promise<string | null>>();
  const windowSeconds = options.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS;
  const usedUrls = new UsedUrls(windowSeconds * 1000);
  const router = new Router();

  function checkSignature(query: Record<string, unknown>): void {
    const q = single(query);
    if (!verifyPlainSignature(options.token, { signature: q.signature, timestamp: q.timestamp, nonce: q.nonce })) {
      throw new HttpError(401, 'bad-signature', 'signature does not match');
    }
    if (!isWithinReplayWindow(q.timestamp, clock().getTime(), windowSeconds)) {
      throw new HttpError(401, 'stale-timestamp', 'timestamp is outside the replay window');
    }
  }

  /** A signed URL is accepted once (used-urls.ts); false: a same-body repeat, answer "success" only. */
  async function firstUse(query: Record<string, unknown>, body: string): Promise<boolean> {
    const q = single(query);
    const now = clock().getTime();
    let use = usedUrls.use(q.timestamp!, q.nonce!, body, now);
    if (use === 'first' && options.sharedUrlUses) {
      try {
        use = await options.sharedUrlUses(urlKey(q.timestamp!, q.nonce!), bodyDigest(body), forgetAfter(q.timestamp!, now, windowSeconds * 1000));
        // Another instance took this URL first, with its body: asked again, the shared record answers.
        if (use !== 'first') usedUrls.forget(q.timestamp!, q.nonce!);
      } catch (error) {
        // The database is away: this instance's own memory still refuses replays here, and WeChat
        // must get its answer within 5 s.
        if (!isStoreWriteError(error)) throw error;
      }
    }
    if (use === 'replayed') throw new HttpError(401, 'replayed', 'this signed URL was already used');
    return use === 'first';
  }

  router.get('/wechat', async (ctx) => {
    checkSignature(ctx.query);
    const echostr = single(ctx.query).echostr;
    if (typeof echostr !== 'string' || echostr === '') throw new HttpError(400, 'bad-request', 'echostr missing');
    if (!(await firstUse(ctx.query, `GET\n${echostr}`))) throw new HttpError(401, 'replayed', 'this signed URL was already used');
    ctx.type = 'text/plain';
    ctx.body = echostr;
  });

  router.post('/wechat', async (ctx) => {
    checkSignature(ctx.query);
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit: options.maxBodyBytes ?? 64 * 1024, encoding: 'utf8' });
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new HttpError(status === 413 ? 413 : 400, status === 413 ? 'too-large' : 'bad-request', 'body could not be read');
    }

    if (!(await firstUse(ctx.query, body))) {
      ctx.type = 'text/plain';
      ctx.body = 'success';
      return;
    }

    const q = single(ctx.query);
    const encrypted = q.encrypt_type === 'aes';
    let xml = body;
    try {
      if (cipher) {
        if (!encrypted) throw new HttpError(400, 'encryption-required', 'safe mode is on: the push must be encrypted');
        const envelope = parseEncryptedEnvelope(body);
        xml = cipher.open({ encrypt: envelope.encrypt, msgSignature: q.msg_signature ?? '', timestamp: q.timestamp!, nonce: q.nonce! });
      } else if (encrypted) {
        throw new HttpError(400, 'no-aes-key', 'encrypted push, but WECHAT_AES_KEY is not set');
      }
    } catch (error) {
      if (error instanceof WechatCryptoError) {
        const signature = error.kind === 'invalid-signature';
        throw new HttpError(signature ? 401 : 400, signature ? 'bad-signature' : 'bad-encryption', error.message);
      }
      if (error instanceof WechatXmlError) throw new HttpError(400, 'bad-xml', error.message);
      throw error;
    }

    let inbound: WechatInbound;
    try {
      inbound = parseInboundXml(xml);
    } catch (error) {
      if (error instanceof WechatXmlError) throw new HttpError(400, 'bad-xml', error.message);
      throw error;
    }

    const reply = await answerOnce(inbound);
    if (reply === null) {
      ctx.type = 'text/plain';
      ctx.body = 'success';
      return;
    }
    const replyXml = buildTextReply({
      toUserName: inbound.fromUserName,
      fromUserName: inbound.toUserName,
      content: reply,
      createTime: Math.floor(clock().getTime() / 1000),
    });
    ctx.type = 'application/xml';
    // The encrypted reply carries the request's own timestamp and nonce (seconds, as WeChat sent them).
    ctx.body = cipher ? buildEncryptedReplyXml(cipher.seal(replyXml, q.timestamp!, q.nonce!)) : replyXml;
  });

  async function answerOnce(inbound: WechatInbound): Promise<string | null> {
    const key = dedupeKey(inbound);
    const running = inFlight.get(key);
    if (running) return running;
    const answering = (async () => {
      await options.onInbound?.(inbound);
      return options.puppet.ingest(inbound);
    })();
    inFlight.set(key, answering);
    try {
      return await answering;
    } finally {
      inFlight.delete(key);
    }
  }

  return router;
}

/** Query parameters WeChat sends once; a repeated one (an array) counts as absent. */
function single(query: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query)) out[key] = typeof value === 'string' ? value : undefined;
  return out;
}
