// Subscriptions in the official account's chat: "订阅" lists the categories, "订阅 财政预决算"
// subscribes, "我的订阅" shows them, "取消订阅 财政预决算" ends one and "取消订阅" ends all.
// Anything else is not ours: the dialog passes it on to the guide.
import type { Category } from './types.js';
import type { SubscriptionsService } from './subscriptions.js';

/** The bot's view of subscriptions (bot/dialog.ts SubscriptionsHandler). */
export interface SubscriptionsHandler {
  handle(openid: string, text: string): Promise<string | null>;
  unsubscribeAll(openid: string): Promise<void>;
}

export type SubscriptionCommand =
  | { kind: 'list' }
  | { kind: 'mine' }
  | { kind: 'subscribe'; ids: string[]; unknown: string[] }
  | { kind: 'unsubscribe'; ids: string[]; unknown: string[] }
  | { kind: 'unsubscribe-all' };

const ALL = /^(全部|所有|全部栏目|所有栏目)$/;
const SEPARATORS = /[\s,，、;；/]+/;

/** One category named by its name, its id, its number in the list, or a unique part of its name. */
function findCategory(token: string, categories: readonly Category[]): Category | undefined {
  const exact = categories.find((c) => c.name === token || c.id === token.toLowerCase());
  if (exact) return exact;
  const n = /^\d{1,2}$/.test(token) ? Number(token) : NaN;
  if (n >= 1 && n <= categories.length) return categories[n - 1];
  // "预决算" → 财政预决算; "财政预决算信息" → 财政预决算. Only when exactly one category fits.
  const partial = [...token].length >= 2 ? categories.filter((c) => c.name.includes(token) || token.includes(c.name)) : [];
  return partial.length === 1 ? partial[0] : undefined;
}

function resolveNames(rest: string, categories: readonly Category[]): { ids: string[]; unknown: string[] } {
  if (ALL.test(rest)) return { ids: categories.map((c) => c.id), unknown: [] };
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const token of rest.split(SEPARATORS).filter(Boolean)) {
    const found = findCategory(token, categories);
    if (found) ids.push(found.id);
    else unknown.push(token);
  }
  return { ids, unknown };
}

/** Reads a chat message as a subscription command, or null when it is about something else. */
export function parseSubscriptionCommand(input: string, categories: readonly Category[]): SubscriptionCommand | null {
  const text = input.trim().replace(/[。！!？?]+$/, '');
  if (/^(我的订阅|查看订阅|已订阅|订阅了什么|我订阅了什么)$/.test(text)) return { kind: 'mine' };
  if (/^(订阅|订阅栏目|可订阅栏目|订阅哪些|订阅列表)$/.test(text)) return { kind: 'list' };
  if (/^(取消订阅|退订|取消全部订阅|全部退订|取消所有订阅)$/.test(text)) return { kind: 'unsubscribe-all' };

  const cancel = /^(?:取消订阅|退订)\s*[:：]?\s*(.+)$/.exec(text);
  if (cancel) {
    const rest = cancel[1]!.trim();
    if (ALL.test(rest)) return { kind: 'unsubscribe-all' };
    return { kind: 'unsubscribe', ...resolveNames(rest, categories) };
  }
  // "取消 财政预决算" right after the list: only known names count, so "取消申请" stays the dialog's.
  const bareCancel = /^取消\s*[:：]?\s*(.+)$/.exec(text);
  if (bareCancel) {
    const resolved = resolveNames(bareCancel[1]!.trim(), categories);
    if (resolved.ids.length > 0 && resolved.unknown.length === 0) return { kind: 'unsubscribe', ...resolved };
  }
  const subscribe = /^订阅(\s*[:：]?\s*)(.+)$/.exec(text);
  if (subscribe) {
    const separated = subscribe[1]!.length > 0;
    const resolved = resolveNames(subscribe[2]!.trim(), categories);
    // "订阅号怎么关注" is a question, not a command: without a space, only known names count.
    if (!separated && resolved.ids.length === 0) return null;
    return { kind: 'subscribe', ...resolved };
  }
  return null;
}

export function createSubscriptionChat(service: SubscriptionsService): SubscriptionsHandler {
  const channel = 'official-account' as const;
  const categories = service.categories();
  const names = (ids: readonly string[]) => ids.map((id) => categories.find((c) => c.id === id)?.name ?? id).join('、');
  const catalogue = () => categories.map((c, i) => `${i + 1}. ${c.name}`).join('\n');
  const mine = (ids: readonly string[]) =>
    ids.length > 0 ? `您目前订阅了：${names(ids)}。` : '您目前没有订阅任何栏目。';
  const notFound = (unknown: readonly string[]) =>
    `没有找到“${unknown.join('、')}”栏目。回复“订阅”查看可订阅的栏目。`;

  async function handle(openid: string, text: string): Promise<string | null> {
    const command = parseSubscriptionCommand(text, categories);
    if (!command) return null;
    const current = await service.categoriesOf(channel, openid);
    switch (command.kind) {
      case 'list':
        return (
          `可订阅的栏目：\n${catalogue()}\n` +
          '回复“订阅 栏目名”即可订阅，如“订阅 财政预决算”；回复“订阅 全部”订阅所有栏目。' +
          '有新信息公开时，我们会给您发一条汇总通知。' +
          (current.length > 0 ? `\n${mine(current)}` : '')
        );
      case 'mine':
        return current.length > 0
          ? `${mine(current)}\n回复“取消订阅 栏目名”退订一个栏目，回复“取消订阅”全部退订。`
          : '您目前没有订阅任何栏目。回复“订阅”查看可订阅的栏目。';
      case 'subscribe': {
        if (command.ids.length === 0) return notFound(command.unknown);
        const after = await service.add(channel, openid, command.ids);
        const skipped = command.unknown.length > 0 ? `\n${notFound(command.unknown)}` : '';
        return `已订阅：${names(command.ids)}。${mine(after)}有新信息公开时会通知您，回复“取消订阅”可随时退订。${skipped}`;
      }
      case 'unsubscribe': {
        if (command.ids.length === 0) return notFound(command.unknown);
        const notSubscribed = command.ids.filter((id) => !current.includes(id));
        if (notSubscribed.length === command.ids.length) return `您没有订阅${names(notSubscribed)}。${mine(current)}`;
        const after = await service.remove(channel, openid, command.ids);
        return `已取消订阅：${names(command.ids.filter((id) => current.includes(id)))}。${mine(after)}`;
      }
      case 'unsubscribe-all':
        if (current.length === 0) return '您目前没有订阅任何栏目，无需取消。';
        await service.removeAll(channel, openid);
        return '已取消全部订阅，今后不再向您推送新公开的信息。需要时回复“订阅”可重新订阅。';
    }
  }

  return {
    handle,
    // Unfollowing the account: a subscription shared with a linked mini-program moves there.
    unsubscribeAll: (openid) => service.leaveChannel(channel, openid),
  };
}
