// Subscriptions by category. A subscriber is one openid on one channel: the same person in the
// official account and in the mini-program has two openids and is two subscribers, each reached
// on its own channel.
import { DomainError } from '../domain/errors.js';
import type { SubscriberChannel, SubscribersRepo } from '../store/subscribers-repo.js';
import type { Category } from './types.js';

export interface SubscriptionsView {
  categories: string[];
  available: Array<{ id: string; name: string }>;
}

export class SubscriptionsService {
  readonly #categories: readonly Category[];
  readonly #clock: () => Date;

  constructor(
    private readonly repo: SubscribersRepo,
    categories: readonly Category[],
    clock: () => Date = () => new Date(),
  ) {
    this.#categories = categories;
    this.#clock = clock;
  }

  categories(): readonly Category[] {
    return this.#categories;
  }

  /** The subscriber's category ids, in the office's order; empty when not subscribed. */
  categoriesOf(channel: SubscriberChannel, openid: string): string[] {
    return this.repo.get(channel, openid)?.categories ?? [];
  }

  view(channel: SubscriberChannel, openid: string): SubscriptionsView {
    return {
      categories: this.categoriesOf(channel, openid),
      available: this.#categories.map((c) => ({ id: c.id, name: c.name })),
    };
  }

  /** Replaces the subscriber's categories with `input` (a list of category ids). */
  async replace(channel: SubscriberChannel, openid: string, input: unknown): Promise<string[]> {
    if (!Array.isArray(input) || input.some((id) => typeof id !== 'string')) {
      throw new DomainError('validation', 'categories 应为栏目编号的列表', { categories: '应为栏目编号的列表' });
    }
    const unknown = input.filter((id) => !this.#categories.some((c) => c.id === id));
    if (unknown.length > 0) {
      throw new DomainError('validation', `没有这些栏目：${unknown.join('、')}`, { categories: `栏目不存在：${unknown.join('、')}` });
    }
    return this.#save(channel, openid, input as string[]);
  }

  async add(channel: SubscriberChannel, openid: string, ids: readonly string[]): Promise<string[]> {
    return this.#save(channel, openid, [...this.categoriesOf(channel, openid), ...ids]);
  }

  async remove(channel: SubscriberChannel, openid: string, ids: readonly string[]): Promise<string[]> {
    return this.#save(channel, openid, this.categoriesOf(channel, openid).filter((id) => !ids.includes(id)));
  }

  /** Ends every subscription of the openid on that channel and forgets the subscriber. */
  async removeAll(channel: SubscriberChannel, openid: string): Promise<void> {
    if (this.repo.get(channel, openid)) await this.repo.set(channel, openid, [], this.#clock().toISOString());
  }

  async #save(channel: SubscriberChannel, openid: string, ids: readonly string[]): Promise<string[]> {
    const wanted = new Set(ids);
    const ordered = this.#categories.filter((c) => wanted.has(c.id)).map((c) => c.id);
    const current = this.categoriesOf(channel, openid);
    if (ordered.length === current.length && ordered.every((id, i) => id === current[i])) return current;
    await this.repo.set(channel, openid, ordered, this.#clock().toISOString());
    return ordered;
  }
}
