// The Wechaty bot: the same code runs on our official-account puppet in production and on
// wechaty-puppet-mock in tests. It turns each Wechaty message into the dialog's input and says the
// dialog's one reply back.
import { WechatyBuilder, types, type Message, type Wechaty } from 'wechaty';
import type * as PUPPET from 'wechaty-puppet';
import { imageOfText, parseEventText } from '../src/wechat/puppet.js';
import { isStoreWriteError } from '../src/store/write-faults.js';
import type { Dialog, Inbound } from './dialog.js';

export interface BotOptions {
  puppet: PUPPET.impls.PuppetInterface;
  dialog: Dialog;
  onError?: (error: unknown) => void;
}

export function createBot({ puppet, dialog, onError }: BotOptions): Wechaty {
  const bot = WechatyBuilder.build({ name: 'gongkai', puppet });
  bot.on('message', async (message: Message) => {
    if (message.self() || message.room()) return;
    try {
      const reply = await dialog.respond(toInbound(message));
      if (reply) await message.say(reply);
    } catch (error) {
      onError?.(error);
      const sorry = isStoreWriteError(error)
        ? '抱歉，系统暂时无法保存，您刚才的操作没有记录下来，请过几分钟再发一次。'
        : '抱歉，系统暂时出了点问题，请稍后再试。';
      await message.say(sorry).catch(() => undefined);
    }
  });
  bot.on('error', (error) => onError?.(error));
  return bot;
}

function toInbound(message: Message): Inbound {
  const who = { openid: message.talker().id, messageId: message.id };
  switch (message.type()) {
    case types.Message.Text:
      return { ...who, kind: 'text', text: message.text() };
    case types.Message.Audio: {
      // Voice with WeChat's speech recognition turned on arrives with its text.
      const text = message.text();
      return text ? { ...who, kind: 'text', text } : { ...who, kind: 'other' };
    }
    case types.Message.Image: {
      const image = imageOfText(message.text());
      return image ? { ...who, kind: 'image', ...image } : { ...who, kind: 'other' };
    }
    case types.Message.Unknown: {
      const event = parseEventText(message.text());
      return event ? { ...who, kind: 'event', event: event.event, key: event.key } : { ...who, kind: 'other' };
    }
    default:
      return { ...who, kind: 'other' };
  }
}
