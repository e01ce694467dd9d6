// A citizen filling in the application form in the official account's chat, the way WeChat delivers
// it: each message is a signed push with its own MsgId, resent unchanged (same MsgId) when the
// server did not answer. The driver reads each reply and answers what it asks, so it notices when
// the server took one message for two answers.
import type { FakeWechatApi } from '../../src/wechat/fake-api.js';
import { push, textXml } from '../helpers/wechat-client.js';
import { sleep } from './support.js';

export interface ChatAnswers {
  name: string;
  idNumber: string;
  phone: string;
  description: string;
}

export type ChatOutcome =
  | { kind: 'submitted'; trackingNo: string }
  /** The summary before "确认" shows other answers than the ones given. */
  | { kind: 'garbled'; summary: string }
  /** The server said "success" and its reply never came (the process died before sending it). */
  | { kind: 'reply-lost'; after: string }
  | { kind: 'stuck'; sent: string; reply: string };

/** Sends one push and returns the bot's reply: the passive one, or the customer-service message that replaced it. */
export type Say = (text: string) => Promise<string | null>;

let msgIds = 7_000_000_000_000_000_000n;

/**
 * `call` runs one HTTP exchange against the current server (ServerLife.call, which resends after a
 * kill); customer-service replies are read from the fake's outbox.
 */
export function chatUser(
  openid: string,
  call: <T>(request: (url: string) => Promise<T>) => Promise<T>,
  fake: FakeWechatApi,
  /** Unix seconds of the server's clock, for the signature's replay window. */
  timestamp: () => number = () => Math.floor(Date.now() / 1000),
): Say {
  let repliesSeen = customReplies(fake, openid).length;
  return async (text) => {
    const xml = textXml(openid, text, String(msgIds++));
    const answer = await call((url) => push(url, xml, { timestamp: timestamp() }));
    if (answer.status !== 200) throw new Error(`push "${text}" answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    if (answer.reply !== null) return answer.reply;
    // Too slow for the passive window: the answer goes out through the customer-service API.
    for (let waited = 0; waited < 10_000; waited += 100) {
      const replies = customReplies(fake, openid);
      if (replies.length > repliesSeen) {
        const reply = replies.slice(repliesSeen).join('');
        repliesSeen = replies.length;
        return reply;
      }
      await sleep(100);
    }
    return null;
  };
}

function customReplies(fake: FakeWechatApi, openid: string): string[] {
  return fake.outbox
    .list()
    .filter((r) => r.api === 'custom_send' && r.touser === openid)
    .map((r) => (r.payload as { text: { content: string } }).text.content);
}

/** Fills in the form from "我要申请" to "确认", answering each question the bot asks. */
export async function fillChatForm(say: Say, answers: ChatAnswers): Promise<ChatOutcome> {
  let sent = '我要申请';
  let reply = await say(sent);
  for (let turn = 0; turn < 20; turn++) {
    if (reply === null) return { kind: 'reply-lost', after: `turn ${turn}` };
    const submitted = /申请已提交，申请编号 (\d{4}-\d{6})/.exec(reply);
    if (submitted) return { kind: 'submitted', trackingNo: submitted[1]! };
    if (reply.includes('请核对您的申请') || reply.includes('请回复“确认”提交申请')) {
      const expected = [`姓名：${answers.name}`, `联系电话：${answers.phone}`, `申请内容：${answers.description}`, '获取方式：微信'];
      if (!expected.every((line) => reply!.includes(line))) {
        await say('取消');
        return { kind: 'garbled', summary: reply };
      }
      sent = '确认';
      reply = await say(sent);
      continue;
    }
    const next = answerFor(reply, answers);
    if (next === null) return { kind: 'stuck', sent, reply };
    sent = next;
    reply = await say(sent);
  }
  return { kind: 'stuck', sent, reply: reply ?? '' };
}

function answerFor(prompt: string, a: ChatAnswers): string | null {
  const steps: Array<[string, string]> = [
    ['您以什么身份申请', '个人'],
    ['请输入申请人姓名', a.name],
    ['居民身份证号码', a.idNumber],
    ['请输入联系电话', a.phone],
    ['请描述您要申请公开的政府信息', a.description],
    ['以什么形式获取信息', '电子'],
    ['通过什么方式获取', '微信'],
  ];
  // The question is the last thing a reply says (after any complaint about the previous answer).
  let best: { at: number; answer: string } | null = null;
  for (const [cue, answer] of steps) {
    const at = prompt.lastIndexOf(cue);
    if (at >= 0 && (!best || at > best.at)) best = { at, answer };
  }
  return best?.answer ?? null;
}
