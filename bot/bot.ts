// The Wechaty bot: the same code runs on our official-account puppet in production and on
// wechaty-puppet-mock in tests. It turns each Wechaty message into the dialog's input and says the
// dialog's one reply back.
import { WechatyBuilder, types, type Message, type Wechaty } from 'wechaty';
import type * as PUPPET from 'wechaty-puppet';
import { parseEventText } from '../src/wechat/puppet.js';
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
      await message.say('抱歉，系统暂时出了点问题，请稍后再试。').catch(() => undefined);
    }
  });
  bot.on('error', (error) => onError?.(error));
  return bot;
}

function toInbound(message: Message): Inbound {
  const openid = message.talker().id;
  switch (message.type()) {
    case types.Message.Text:
      return { kind: 'text', openid, text: message.text() };
    case types.Message.Audio: {
      // Voice with WeChat's speech recognition turned on arrives with its text.
      const text = message.text();
      return text ? { kind: 'text', openid, text } : { kind: 'other', openid };
    }
    case types.Message.Unknown: {
      const event = parseEventText(message.text());
      return event ? { kind: 'event', openid, event: event.event, key: event.key } : { kind: 'other', openid };
    }
    default:
      return { kind: 'other', openid };
  }
}
