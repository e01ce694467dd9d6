// Found by the kill -9 suite (crash.suite.ts): the server died after the chat form had saved an
// answer and before the push was recorded as handled, WeChat resent the push (same MsgId), and the
// answer was applied a second time — to the next question. Now the reply is saved in the same
// write as the answer; here the answer to WeChat is lost and the server restarts before the resend.
import test from 'ava';
import { startApp } from '../helpers/app.js';
import { tempDir } from '../helpers/temp.js';
import { push, textXml } from '../helpers/wechat-client.js';

let nextMsgId = 7_400_000_000_000_000_000n;

async function chat(t: Parameters<typeof startApp>[0], openid: string) {
  const dataDir = await tempDir(t);
  let app = await startApp(t, { dataDir });
  const say = async (text: string, msgId = String(nextMsgId++), createTime = Math.floor(Date.now() / 1000)) => ({
    msgId,
    createTime,
    ...(await push(app.url, textXml(openid, text, msgId, createTime))),
  });
  /** Sends a push whose answer never reaches WeChat, restarts the server, then resends the push. */
  const sayAcrossCrash = async (text: string) => {
    const first = await say(text);
    await app.stop();
    app = await startApp(t, { dataDir });
    // A resend is the same push: same MsgId, same CreateTime.
    const again = await say(text, first.msgId, first.createTime);
    t.is(again.reply, first.reply, 'the resend gets the reply already given');
    return again;
  };
  return { app: () => app, say, sayAcrossCrash };
}

const ANSWERS_TO_PHONE = ['我要申请', '个人', '李四', '11010519491231002X'];

test('a form answer resent by WeChat after the server died mid-way is taken once, not as the next answer too', async (t) => {
  const { say, sayAcrossCrash } = await chat(t, 'o-resend-phone');
  for (const text of ANSWERS_TO_PHONE) t.is((await say(text)).status, 200);
  const resent = await sayAcrossCrash('13800138000');
  t.is(resent.status, 200);
  // The next question is the description; the phone number must not have been taken as one.
  t.regex(resent.reply ?? '', /请描述您要申请公开的政府信息/);
});

test('a "确认" resent by WeChat after the server died mid-way gets the tracking number, and one request is made', async (t) => {
  const { app, say, sayAcrossCrash } = await chat(t, 'o-resend-confirm');
  for (const text of [...ANSWERS_TO_PHONE, '13800138000', '请公开本市人防工程平战结合使用情况', '电子', '微信']) t.is((await say(text)).status, 200);
  const resent = await sayAcrossCrash('确认');
  t.is(resent.status, 200);
  t.regex(resent.reply ?? '', /申请已提交，申请编号 \d{4}-\d{6}/);
  t.is((await app().services.applications.all()).length, 1);
});
