// One citizen, two WeChat identities (identities.json): the official account and the mini-program
// give the same person two openids. Those known to be one person share a `person` id, linked by
// WeChat's UnionID or by a link code the person carried from one to the other. Link codes are kept
// only as hashes, with their expiry; failed attempts are counted to refuse guessing.
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';

export type IdentityChannel = 'official-account' | 'miniprogram';

export interface Identity {
  /** `${channel}:${openid}`. */
  key: string;
  channel: IdentityChannel;
  openid: string;
  /** Shared by the identities of one person; a fresh one per identity until linked. */
  person: string;
  unionid?: string;
  /** When WeChat was last asked for the UnionID (official account: user info), found or not. */
  unionidCheckedAt?: string;
  /** How and when this identity was linked to another. */
  linked?: { by: 'unionid' | 'code'; at: string };
}

export interface StoredLinkCode {
  /** sha256 of the code: the code itself is shown once, to its owner, and kept nowhere. */
  hash: string;
  /** The identity that asked for it. */
  owner: string;
  expiresAt: string;
}

/** Failed redemptions in the current window, per identity and over everyone. */
export interface AttemptWindow {
  failures: number;
  since: string;
}

interface IdentitiesData {
  identities: Identity[];
  codes: StoredLinkCode[];
  attempts: Record<string, AttemptWindow>;
  /** Codes handed out in the current window, per identity. */
  issued: Record<string, AttemptWindow>;
}

export function identityKey(channel: IdentityChannel, openid: string): string {
  return `${channel}:${openid}`;
}

export class IdentitiesRepo {
  readonly #byKey = new Map<string, Identity>();
  readonly #byPerson = new Map<string, Identity[]>();

  private constructor(private readonly file: DataFile<IdentitiesData>) {
    this.#reindex();
  }

  static async open(store: Store): Promise<IdentitiesRepo> {
    const file = await store.file<IdentitiesData>({
      name: 'identities',
      version: 1,
      defaults: () => ({ identities: [], codes: [], attempts: {}, issued: {} }),
      check: (d) => (Array.isArray(d.identities) && Array.isArray(d.codes) ? null : 'identities or codes is not a list'),
    });
    return new IdentitiesRepo(file);
  }

  #reindex(): void {
    this.#byKey.clear();
    this.#byPerson.clear();
    for (const identity of this.file.data.identities) {
      this.#byKey.set(identity.key, identity);
      const same = this.#byPerson.get(identity.person) ?? [];
      same.push(identity);
      this.#byPerson.set(identity.person, same);
    }
  }

  /** Applies a change in one durable write; the indexes follow the data, also after a failed write. */
  async update<R>(change: (d: IdentitiesData) => R): Promise<R> {
    try {
      return await this.file.update(change);
    } finally {
      this.#reindex();
    }
  }

  get(channel: IdentityChannel, openid: string): Identity | undefined {
    return this.#byKey.get(identityKey(channel, openid));
  }

  byKey(key: string): Identity | undefined {
    return this.#byKey.get(key);
  }

  /** Every identity of the person, this one included. */
  samePerson(person: string): readonly Identity[] {
    return this.#byPerson.get(person) ?? [];
  }

  byUnionid(unionid: string): Identity[] {
    return this.file.data.identities.filter((i) => i.unionid === unionid);
  }

  data(): Readonly<IdentitiesData> {
    return this.file.data;
  }
}
