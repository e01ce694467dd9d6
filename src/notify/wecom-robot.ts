// The office's WeCom (企业微信) group robot: one webhook URL from the configuration, text messages to
// the staff group. The robot takes 20 messages a minute and 2048 bytes of text per message.
import { WECHAT_TEXT_MAX_BYTES, utf8Length } from '../wechat/text.js';
import { causeCode, type FetchLike } from '../wechat/http.js';

export class WecomRobotError extends Error {
  override readonly name = 'WecomRobotError';
  constructor(
    message: string,
    readonly errcode: number | undefined,
    readonly retryable: boolean,
    /** The request left and no answer came: the group may have the message. */
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

/** -1 busy, 45009 over the per-minute limit: wait and try again. Everything else (93000 bad key, …) is for a person to fix. */
const RETRYABLE = new Set([-1, 45009]);
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export class WecomRobot {
  readonly #fetch: FetchLike;

  constructor(
    private readonly url: string,
    private readonly options: { fetch?: FetchLike; timeoutMs?: number } = {},
  ) {
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async sendText(content: string): Promise<void> {
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'text', text: { content: fitBytes(content, WECHAT_TEXT_MAX_BYTES) } }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 8_000),
      });
      text = await response.text();
    } catch (error) {
      const code = causeCode(error);
      if (code && NOT_SENT.has(code)) throw new WecomRobotError(`企业微信机器人无法连接（${code}）`, undefined, true);
      throw new WecomRobotError(`企业微信机器人没有应答（${(error as Error).name}）`, undefined, true, true);
    }
    let body: { errcode?: unknown; errmsg?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new WecomRobotError(`企业微信机器人应答异常（HTTP ${response.status}）`, undefined, response.status >= 500);
    }
    const errcode = typeof body.errcode === 'number' ? body.errcode : response.ok ? 0 : -1;
    if (errcode !== 0) {
      throw new WecomRobotError(`企业微信机器人拒绝：${errcode} ${String(body.errmsg ?? '')}`.trim(), errcode, RETRYABLE.has(errcode));
    }
  }
}

function fitBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  const chars = [...text];
  while (chars.length && utf8Length(chars.join('')) > max - 3) chars.pop();
  return `${chars.join('')}…`;
}

