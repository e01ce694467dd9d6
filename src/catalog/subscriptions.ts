// Subscriptions by category. A subscriber is one openid on one channel. The same person in the
// official account and in the mini-program has two openids; once they are linked (UnionID or a link
// code, accounts/identity-links.ts) they have one subscription, kept on the channel where it began
// and read and changed from either, so they get one digest, not two.
import { DomainError } from '../domain/errors.js';
import type { SubscriberChannel, SubscribersRepository } from '../store/subscribers-repo.js';
import type { Category } from './types.js';

export interface SubscriptionsView {
  categories: string[];
  available: Array<{ id: string; name: string }>;
}

type Identity = { channel: SubscriberChannel; openid: string };

/** The identities of the person behind (channel, openid), itself included; none given: only itself. */
export type LinkedIdentities = (channel: SubscriberChannel, openid: string) => Identity[] | Promise<Identity[]>;

export class SubscriptionsService {
  readonly #categories: readonly Category[];
  readonly #clock: () => Date;
  readonly #linked: LinkedIdentities | null;

  constructor(
    private readonly repo: SubscribersRepository,
    categories: readonly Category[],
    clock: () => Date = () => new Date(),
    linked: LinkedIdentities | null = null,
  ) {
    this.#categories = categories;
    this.#clock = clock;
    this.#linked = linked;
  }

  categories(): readonly Category[] {
    return this.#categories;
  }

  /** Where this person's subscription is kept: their own record, or a linked identity's. */
  async #home(channel: SubscriberChannel, openid: string): Promise<Identity> {
    if (await this.repo.get(channel, openid)) return { channel, openid };
    for (const identity of (await this.#linked?.(channel, openid)) ?? []) {
      if (await this.repo.get(identity.channel, identity.openid)) return identity;
    }
    return { channel, openid };
  }

  /** The office's category ids among `ids`, in the office's order (every list of categories is). */
  #ordered(ids: readonly string[]): string[] {
    const wanted = new Set(ids);
    return this.#categories.filter((c) => wanted.has(c.id)).map((c) => c.id);
  }

  /**
   * Two identities of one person were just linked: their subscriptions become one, on the channel
   * of the earliest, with every category of both.
   */
  async mergePerson(identities: ReadonlyArray<{ channel: SubscriberChannel; openid: string }>): Promise<void> {
    const found = await Promise.all(identities.map((i) => this.repo.get(i.channel, i.openid)));
    const records = found.filter((r) => r !== undefined);
    if (records.length < 2) return;
    const [keep, ...others] = [...records].sort((a, b) => a.since.localeCompare(b.since));
    // In the office's order, as every list of categories is.
    await this.repo.mergeInto(keep!.key, others.map((o) => o.key), this.#clock().toISOString(), (ids) => this.#ordered(ids));
  }

  /**
   * The person left this channel (unfollowed the official account): a subscription kept here moves
   * to their other, linked identity, which can still be reached; without one it ends.
   */
  async leaveChannel(channel: SubscriberChannel, openid: string): Promise<void> {
    const record = await this.repo.get(channel, openid);
    if (!record) return;
    const other = ((await this.#linked?.(channel, openid)) ?? []).find((i) => i.channel !== channel);
    if (other) await this.repo.move(record.key, other.channel, other.openid, this.#clock().toISOString());
    else await this.repo.set(channel, openid, [], this.#clock().toISOString());
  }

  /** The subscriber's category ids, in the office's order; empty when not subscribed. */
  async categoriesOf(channel: SubscriberChannel, openid: string): Promise<string[]> {
    const home = await this.#home(channel, openid);
    return (await this.repo.get(home.channel, home.openid))?.categories ?? [];
  }

  async view(channel: SubscriberChannel, openid: string): Promise<SubscriptionsView> {
    return {
      categories: await this.categoriesOf(channel, openid),
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
    return this.#save(channel, openid, () => input as string[]);
  }

  async add(channel: SubscriberChannel, openid: string, ids: readonly string[]): Promise<string[]> {
    return this.#save(channel, openid, (current) => [...current, ...ids]);
  }

  async remove(channel: SubscriberChannel, openid: string, ids: readonly string[]): Promise<string[]> {
    return this.#save(channel, openid, (current) => current.filter((id) => !ids.includes(id)));
  }

  /** Ends every subscription of the openid on that channel and forgets the subscriber. */
  async removeAll(channel: SubscriberChannel, openid: string): Promise<void> {
    const home = await this.#home(channel, openid);
    await this.repo.set(home.channel, home.openid, [], this.#clock().toISOString());
  }

  /**
   * Changes the categories where this person's subscription is kept, in one step of the repository
   * (`change` gets the stored list): two changes at once both count. The same list writes nothing.
   */
  async #save(channel: SubscriberChannel, openid: string, change: (current: readonly string[]) => readonly string[]): Promise<string[]> {
    const home = await this.#home(channel, openid);
    const saved = await this.repo.update(home.channel, home.openid, (current) => this.#ordered(change(current)), this.#clock().toISOString());
    return saved?.categories ?? [];
  }
}
