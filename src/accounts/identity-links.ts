// One citizen, two identities: the official account's openid and the mini-program's are linked into
// one person, by the UnionID WeChat gives when both are bound to one Open Platform account
// (jscode2session, user info), or by a link code the person carries from the mini-program to the
// chat. Linked, both channels show the same requests and the same subscriptions.
//
// Privacy: a code is shown once, to the mini-program user who asked; only its hash is stored; it
// lives 10 minutes and is used once; at most 5 codes an hour per person; 5 wrong codes an hour lock
// a person out of trying, and 200 wrong codes an hour (everyone together) stop all tries for the
// rest of that hour. Codes and openids never go to the logs.
import { createHash, randomInt } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { formatLinkCode, isSpent, LINK_CODE_DIGITS, normalizeLinkCode } from '../domain/link-code.js';
import { CHANNEL_NAMES } from '../applications/applicant-text.js';
import { identityKey, type IdentitiesRepository, type Identity, type IdentityChannel } from '../store/identities-repo.js';

export interface IdentityLinksOptions {
  clock?: () => Date;
  codeTtlMs?: number;
  codesPerHour?: number;
  failuresPerHour?: number;
  failuresPerHourOverall?: number;
  /** How often the official account's user info is asked again for a UnionID it did not have. */
  unionidRecheckMs?: number;
  /** Called with every identity of a person just linked (subscriptions merge then). */
  onLink?: (identities: readonly Identity[]) => Promise<void>;
}

export interface LinkStatus {
  linked: boolean;
  /** The channels this person is known on. */
  channels: IdentityChannel[];
  via: 'unionid' | 'code' | null;
}

const HOUR = 3_600_000;
const GLOBAL = '*';
/** The two sides of a link, in the words the applicant knows them by (src/applications/applicant-text.ts). */
const SIDE_NAMES: Record<IdentityChannel, string> = { 'official-account': CHANNEL_NAMES.wechat, miniprogram: CHANNEL_NAMES.miniprogram };

const hashOf = (code: string) => createHash('sha256').update(`gongkai-link-code:${code}`).digest('hex');

/** Past this many remembered checks, those older than a day are forgotten (they would be asked again anyway). */
const MAX_REMEMBERED_CHECKS = 50_000;

export class IdentityLinks {
  readonly #clock: () => Date;
  readonly #ttl: number;
  readonly #codesPerHour: number;
  readonly #failuresPerHour: number;
  readonly #failuresOverall: number;
  readonly #recheck: number;
  /** When an openid was last found to have no UnionID (in memory only; see note()). */
  readonly #checkedWithout = new Map<string, number>();
  readonly #onLink: IdentityLinksOptions['onLink'];

  constructor(
    private readonly repo: IdentitiesRepository,
    options: IdentityLinksOptions = {},
  ) {
    this.#clock = options.clock ?? (() => new Date());
    this.#ttl = options.codeTtlMs ?? 10 * 60_000;
    this.#codesPerHour = options.codesPerHour ?? 5;
    this.#failuresPerHour = options.failuresPerHour ?? 5;
    this.#failuresOverall = options.failuresPerHourOverall ?? 200;
    this.#recheck = options.unionidRecheckMs ?? 24 * HOUR;
    this.#onLink = options.onLink;
  }

  /** The identities of the person behind (channel, openid), itself included, even when unknown. */
  async identitiesOf(channel: IdentityChannel, openid: string): Promise<Array<Pick<Identity, 'channel' | 'openid'>>> {
    const identity = await this.repo.get(channel, openid);
    return identity ? this.repo.samePerson(identity.person) : [{ channel, openid }];
  }

  /** Every openid of the person behind an openid of either channel (openids differ between apps). */
  async openidsOf(openid: string): Promise<string[]> {
    const found = new Set([openid]);
    for (const channel of ['official-account', 'miniprogram'] as const) {
      const identity = await this.repo.get(channel, openid);
      if (identity) for (const same of await this.repo.samePerson(identity.person)) found.add(same.openid);
    }
    return [...found];
  }

  async status(channel: IdentityChannel, openid: string): Promise<LinkStatus> {
    const identity = await this.repo.get(channel, openid);
    const same = identity ? await this.repo.samePerson(identity.person) : [];
    const channels = [...new Set(same.map((i) => i.channel))];
    const via = same.map((i) => i.linked?.by).find((by) => by !== undefined) ?? null;
    return { linked: channels.length > 1, channels: channels.length > 0 ? channels : [channel], via: channels.length > 1 ? via : null };
  }

  /** Whether the official account should be asked for this openid's UnionID (never asked, or not lately). */
  async needsUnionid(channel: IdentityChannel, openid: string): Promise<boolean> {
    const remembered = this.#checkedWithout.get(identityKey(channel, openid));
    if (remembered !== undefined && this.#clock().getTime() - remembered < this.#recheck) return false;
    const identity = await this.repo.get(channel, openid);
    if (identity?.unionid) return false;
    const checked = remembered ?? (identity?.unionidCheckedAt ? Date.parse(identity.unionidCheckedAt) : undefined);
    return checked === undefined || this.#clock().getTime() - checked >= this.#recheck;
  }

  /**
   * Records that (channel, openid) was seen, with its UnionID when WeChat gave one, and links it to
   * the person's identity on the other channel with the same UnionID.
   */
  async note(channel: IdentityChannel, openid: string, unionid: string | undefined): Promise<void> {
    if (!unionid) {
      // Most users have none (no Open Platform binding): remembered in this process's memory only,
      // so that a user's first message of the day costs no write. After a restart, or at another
      // instance, the question is asked once more, which is harmless.
      const now = this.#clock().getTime();
      if (this.#checkedWithout.size >= MAX_REMEMBERED_CHECKS) {
        for (const [key, at] of this.#checkedWithout) if (now - at >= this.#recheck) this.#checkedWithout.delete(key);
      }
      this.#checkedWithout.set(identityKey(channel, openid), now);
      return;
    }
    const existing = await this.repo.get(channel, openid);
    if (existing?.unionid === unionid) return; // known already, and linked when it could be
    const linked = await this.repo.noteUnionid(channel, openid, unionid, this.#clock().toISOString());
    if (linked) await this.#onLink?.(linked);
  }

  /** A new link code for the mini-program user, replacing any code they had. */
  async issueCode(channel: IdentityChannel, openid: string): Promise<{ code: string; display: string; expiresAt: string; expiresInSeconds: number }> {
    const now = this.#clock();
    const code = String(randomInt(0, 10 ** LINK_CODE_DIGITS)).padStart(LINK_CODE_DIGITS, '0');
    const expiresAt = new Date(now.getTime() + this.#ttl).toISOString();
    const saved = await this.repo.saveCode({ hash: hashOf(code), owner: identityKey(channel, openid), expiresAt }, now.toISOString(), HOUR, this.#codesPerHour);
    if (!saved) throw new DomainError('rate-limited', '获取关联码过于频繁，请 1 小时后再试');
    return { code, display: formatLinkCode(code), expiresAt, expiresInSeconds: Math.round(this.#ttl / 1000) };
  }

  /** Links (channel, openid) with the identity that asked for the code; the code is used up. */
  async redeem(channel: IdentityChannel, openid: string, typed: string): Promise<LinkStatus> {
    const nowIso = this.#clock().toISOString();
    const key = identityKey(channel, openid);
    const attempts = await this.repo.attemptWindows([key, GLOBAL]);
    if (isSpent(attempts[key], nowIso, this.#failuresPerHour, HOUR)) {
      throw new DomainError('rate-limited', '关联码输错次数过多，请 1 小时后再试');
    }
    if (isSpent(attempts[GLOBAL], nowIso, this.#failuresOverall, HOUR)) {
      throw new DomainError('rate-limited', '关联服务暂时繁忙，请稍后再试');
    }
    const code = normalizeLinkCode(typed);
    const result = code ? await this.repo.redeemCode(hashOf(code), channel, openid, nowIso) : ({ outcome: 'unknown' } as const);
    switch (result.outcome) {
      case 'unknown':
        await this.repo.countFailure([key, GLOBAL], nowIso, HOUR);
        throw new DomainError('validation', `关联码不正确或已过期（有效 ${Math.round(this.#ttl / 60_000)} 分钟，只能用一次），请在小程序中重新获取`, { code: '关联码不正确或已过期' });
      case 'same-channel':
        throw new DomainError('validation', `请在${SIDE_NAMES[channel === 'miniprogram' ? 'official-account' : 'miniprogram']}中输入这个关联码`, { code: '应在另一端输入' });
      case 'taken':
        throw new DomainError('conflict', '该账号已与另一个微信账号关联，不能再关联；如需更换请联系我们');
      case 'already':
        return this.status(channel, openid);
      case 'linked':
        await this.#onLink?.(result.identities);
        return this.status(channel, openid);
    }
  }
}
