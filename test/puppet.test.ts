import test from 'ava';
import { OfficialAccountPuppet } from '../src/wechat/puppet.js';
import { createBot } from '../bot/bot.js';
import { parseInboundXml } from '../src/wechat/xml.js';
import type { Dialog } from '../bot/dialog.js';

function inbound(content: string, msgId: string) {
  return parseInboundXml(
    `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-user]]></FromUserName><CreateTime>1764900000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`,
  );
}

async function botWith(respond: Dialog['respond'], passiveWindowMs: number) {
  const sent: Array<{ openid: string; text: string }> = [];
  const puppet = new OfficialAccountPuppet({
    selfId: 'wxsandbox0000000',
    passiveWindowMs,
    sendText: async (openid, text) => {
      sent.push({ openid, text });
    },
  });
  const bot = createBot({ puppet, dialog: { respond, greeting: () => '', help: () => '' } });
  await bot.start();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { puppet, bot, sent };
}

test('an answer ready in the window is the passive reply; nothing goes through the API', async (t) => {
  const { puppet, bot, sent } = await botWith(async (input) => (input.kind === 'text' ? `答：${input.text}` : null), 2000);
  t.teardown(() => bot.stop());
  t.is(await puppet.ingest(inbound('要收费吗', '1')), '答：要收费吗');
  t.deepEqual(sent, []);
});

test('a late answer: the push is answered "success" (null) and the reply goes through customer service', async (t) => {
  const { puppet, bot, sent } = await botWith(async () => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    return '迟到的回答';
  }, 50);
  t.teardown(() => bot.stop());
  t.is(await puppet.ingest(inbound('问题', '2')), null);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.deepEqual(sent, [{ openid: 'o-user', text: '迟到的回答' }]);
});

test('time a push already waited is taken off the window: past it, the answer goes through customer service', async (t) => {
  const { puppet, bot, sent } = await botWith(async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return '等了很久的回答';
  }, 2000);
  t.teardown(() => bot.stop());
  // 1,950 of the 2,000 ms were spent before the puppet saw the push: 50 ms are left, not enough.
  t.is(await puppet.ingest(inbound('问题', '4'), 1950), null);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.deepEqual(sent, [{ openid: 'o-user', text: '等了很久的回答' }]);
  // With the window left intact, the same answer is passive.
  t.is(await puppet.ingest(inbound('问题', '5'), 0), '等了很久的回答');
  t.is(sent.length, 1);
});

test('a long answer: the first part is passive, the rest goes out in order through the API', async (t) => {
  const long = Array.from({ length: 12 }, (_, i) => `第${i + 1}段：${'人防工程信息公开'.repeat(20)}`).join('\n\n');
  const { puppet, bot, sent } = await botWith(async () => long, 2000);
  t.teardown(() => bot.stop());
  const passive = await puppet.ingest(inbound('长问题', '3'));
  t.truthy(passive);
  t.true(Buffer.byteLength(passive!) <= 2048);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.true(sent.length >= 1);
  // Nothing lost or reordered: the parts put together are the whole answer (split at paragraph breaks).
  const strip = (text: string) => text.replace(/\s+/g, '');
  t.is(strip(passive! + sent.map((s) => s.text).join('')), strip(long));
  t.true(sent.every((s) => Buffer.byteLength(s.text) <= 2048));
  t.regex(sent.at(-1)!.text, /第12段/);
});

test('events nobody answers (including ones the parser does not name) are answered at once', async (t) => {
  const { puppet, bot } = await botWith(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return 'late';
  }, 5000);
  t.teardown(() => bot.stop());
  for (const event of ['unsubscribe', 'view_miniprogram', 'TEMPLATESENDJOBFINISH']) {
    const xml = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-user]]></FromUserName><CreateTime>1764900000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event><EventKey><![CDATA[pages/index]]></EventKey></xml>`;
    const started = Date.now();
    t.is(await puppet.ingest(parseInboundXml(xml)), null);
    t.true(Date.now() - started < 900, `${event} waited for the bot`);
  }
});
