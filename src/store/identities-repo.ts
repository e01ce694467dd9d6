// One citizen, two WeChat identities (identities.json): the official account and the mini-program
// give the same person two openids. Those known to be one person share a `person` id, linked by
// WeChat's UnionID or by a link code the person carried from one to the other. Link codes are kept
// only as hashes, with their expiry; failed attempts are counted to refuse guessing.
//
// What a link changes is decided once, here, by pure functions over a list of identities
// (noteUnionidIn, redeemIn): the embedded engine hands them its whole list, the PostgreSQL engine
// the rows of the persons concerned, read under its lock.
import { randomBytes } from 'node:crypto';
import type { Store } from './store.js';
import type { DataFile } from './data-file.js';
import type { Transferable, TransferRecord } from './transfer.js';
import { countOne, isSpent } from '../domain/link-code.js';

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

/** What a redemption found: only `linked` and `already` use the code up. */
export type RedeemOutcome =
  | { outcome: 'unknown' } // no such code, expired, used, or its owner is gone
  | { outcome: 'same-channel' } // typed on the channel that asked for it
  | { outcome: 'already' } // the two are one person already
  | { outcome: 'taken' } // one of them is linked to another identity of the other channel
  | { outcome: 'linked'; identities: Identity[] };

export interface IdentitiesRepository extends Transferable {
  get(channel: IdentityChannel, openid: string): Promise<Identity | undefined>;
  byKey(key: string): Promise<Identity | undefined>;
  /** Every identity of the person, this one included. */
  samePerson(person: string): Promise<Identity[]>;
  byUnionid(unionid: string): Promise<Identity[]>;
  /**
   * (channel, openid) has this UnionID, as WeChat said at `at`: the identity is created if new and
   * linked with every identity of the other channel that has it. Every identity of the person when
   * a link was made, else null.
   */
  noteUnionid(channel: IdentityChannel, openid: string, unionid: string, at: string): Promise<Identity[] | null>;
  /** The current windows of failed redemptions of these keys (those never counted left out). */
  attemptWindows(keys: string[]): Promise<Record<string, AttemptWindow>>;
  /** Counts one failed redemption in each key's window (a new window once `windowMs` has passed). */
  countFailure(keys: string[], at: string, windowMs: number): Promise<void>;
  /**
   * Keeps `code` as its owner's only code (the owner's identity created if new) and counts it in
   * the owner's window of issued codes, unless `maxPerWindow` were issued in it already: then
   * nothing is kept and the answer is false.
   */
  saveCode(code: StoredLinkCode, at: string, windowMs: number, maxPerWindow: number): Promise<boolean>;
  /**
   * Redeems the code of this hash for (channel, openid) in one step: a code links at most once,
   * even when two instances redeem it at the same moment. A link forgets the redeemer's failures.
   */
  redeemCode(hash: string, channel: IdentityChannel, openid: string, at: string): Promise<RedeemOutcome>;
}

export function identityKey(channel: IdentityChannel, openid: string): string {
  return `${channel}:${openid}`;
}

export const newPerson = () => randomBytes(9).toString('base64url');

/** The identity of (channel, openid) in the list, added with a person of its own when absent. */
export function ensureIdentity(identities: Identity[], channel: IdentityChannel, openid: string): Identity {
  const key = identityKey(channel, openid);
  let identity = identities.find((i) => i.key === key);
  if (!identity) {
    identity = { key, channel, openid, person: newPerson() };
    identities.push(identity);
  }
  return identity;
}

/** Makes `other`'s person `keep`'s person; returns copies of every identity of the merged person. */
function merge(identities: Identity[], keep: Identity, other: Identity, by: 'unionid' | 'code', at: string): Identity[] {
  const from = other.person;
  for (const identity of identities) {
    if (identity.person === from) identity.person = keep.person;
  }
  keep.linked ??= { by, at };
  other.linked = { by, at };
  return identities.filter((i) => i.person === keep.person).map((i) => structuredClone(i));
}

/**
 * noteUnionid on `identities`, which hold at least the identity itself, those with the UnionID,
 * and every identity of their persons.
 */
export function noteUnionidIn(identities: Identity[], channel: IdentityChannel, openid: string, unionid: string, at: string): Identity[] | null {
  const me = ensureIdentity(identities, channel, openid);
  me.unionidCheckedAt = at;
  me.unionid = unionid;
  let linked: Identity[] | null = null;
  const others = identities.filter((i) => i.unionid === unionid && i.channel !== channel && i.person !== me.person);
  for (const other of others) linked = merge(identities, me, other, 'unionid', at);
  return linked;
}

/**
 * Links (channel, openid) with the code's owner in `identities`, which hold at least both and
 * every identity of their persons. The caller uses the code up on `linked` and `already`.
 */
export function redeemIn(identities: Identity[], owner: string, channel: IdentityChannel, openid: string, at: string): Exclude<RedeemOutcome, { outcome: 'unknown' }> | null {
  const them = identities.find((i) => i.key === owner);
  if (!them) return null;
  if (them.channel === channel) return { outcome: 'same-channel' };
  const mine = identities.find((i) => i.key === identityKey(channel, openid));
  if (mine && mine.person === them.person) return { outcome: 'already' };
  // One person has one identity per channel: an account already linked elsewhere is not taken over.
  const taken = identities.some((i) => i.person === them.person && i.channel === channel);
  const alsoTaken = mine ? identities.some((i) => i.person === mine.person && i.channel === them.channel) : false;
  if (taken || alsoTaken) return { outcome: 'taken' };
  const me = ensureIdentity(identities, channel, openid);
  return { outcome: 'linked', identities: merge(identities, them, me, 'code', at) };
}

interface IdentitiesData {
  identities: Identity[];
  codes: StoredLinkCode[];
  attempts: Record<string, AttemptWindow>;
  /** Codes handed out in the current window, per identity. */
  issued: Record<string, AttemptWindow>;
}

export class IdentitiesRepo implements IdentitiesRepository {
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
  async #update<R>(change: (d: IdentitiesData) => R): Promise<R> {
    try {
      return await this.file.update(change);
    } finally {
      this.#reindex();
    }
  }

  async get(channel: IdentityChannel, openid: string): Promise<Identity | undefined> {
    return this.byKey(identityKey(channel, openid));
  }

  async byKey(key: string): Promise<Identity | undefined> {
    const identity = this.#byKey.get(key);
    return identity && structuredClone(identity);
  }

  async samePerson(person: string): Promise<Identity[]> {
    return structuredClone(this.#byPerson.get(person) ?? []);
  }

  async byUnionid(unionid: string): Promise<Identity[]> {
    return structuredClone(this.file.data.identities.filter((i) => i.unionid === unionid));
  }

  async noteUnionid(channel: IdentityChannel, openid: string, unionid: string, at: string): Promise<Identity[] | null> {
    return this.#update((d) => noteUnionidIn(d.identities, channel, openid, unionid, at));
  }

  async attemptWindows(keys: string[]): Promise<Record<string, AttemptWindow>> {
    const out: Record<string, AttemptWindow> = {};
    for (const key of keys) {
      const window = this.file.data.attempts[key];
      if (window) out[key] = { ...window };
    }
    return out;
  }

  async countFailure(keys: string[], at: string, windowMs: number): Promise<void> {
    await this.#update((d) => {
      for (const key of keys) d.attempts[key] = countOne(d.attempts[key], at, windowMs);
    });
  }

  async saveCode(code: StoredLinkCode, at: string, windowMs: number, maxPerWindow: number): Promise<boolean> {
    if (isSpent(this.file.data.issued[code.owner], at, maxPerWindow, windowMs)) return false;
    const [channel, ...rest] = code.owner.split(':');
    await this.#update((d) => {
      ensureIdentity(d.identities, channel as IdentityChannel, rest.join(':'));
      d.codes = d.codes.filter((c) => c.owner !== code.owner && c.expiresAt > at);
      d.codes.push({ ...code });
      d.issued[code.owner] = countOne(d.issued[code.owner], at, windowMs);
    });
    return true;
  }

  async redeemCode(hash: string, channel: IdentityChannel, openid: string, at: string): Promise<RedeemOutcome> {
    const stored = this.file.data.codes.find((c) => c.hash === hash && c.expiresAt > at);
    if (!stored) return { outcome: 'unknown' };
    // Decided on copies first: only a redemption that uses the code up writes anything.
    const tried = redeemIn(structuredClone(this.file.data.identities), stored.owner, channel, openid, at);
    if (!tried) return { outcome: 'unknown' };
    if (tried.outcome !== 'linked' && tried.outcome !== 'already') return tried;
    return this.#update((d) => {
      d.codes = d.codes.filter((c) => c.hash !== hash && c.expiresAt > at);
      if (tried.outcome === 'already') return tried;
      delete d.attempts[identityKey(channel, openid)];
      return redeemIn(d.identities, stored.owner, channel, openid, at)!;
    });
  }

  async counts(): Promise<Record<string, number>> {
    const d = this.file.data;
    return { identity: d.identities.length, 'link-code': d.codes.length, 'link-window': Object.keys(d.attempts).length + Object.keys(d.issued).length };
  }

  async *exportRecords(): AsyncIterable<TransferRecord> {
    const d = this.file.data;
    for (const identity of d.identities) yield { kind: 'identity', data: structuredClone(identity) };
    for (const code of d.codes) yield { kind: 'link-code', data: { ...code } };
    for (const [key, window] of Object.entries(d.attempts)) yield { kind: 'link-window', data: { of: 'attempts', key, ...window } };
    for (const [key, window] of Object.entries(d.issued)) yield { kind: 'link-window', data: { of: 'issued', key, ...window } };
  }

  async importRecords(records: AsyncIterable<TransferRecord>): Promise<void> {
    const d = this.file.data;
    if (d.identities.length || d.codes.length || Object.keys(d.attempts).length || Object.keys(d.issued).length) {
      throw new Error('the identities repository is not empty');
    }
    const taken: IdentitiesData = { identities: [], codes: [], attempts: {}, issued: {} };
    for await (const record of records) {
      if (record.kind === 'identity') taken.identities.push(record.data as Identity);
      else if (record.kind === 'link-code') taken.codes.push(record.data as StoredLinkCode);
      else if (record.kind === 'link-window') {
        const { of, key, failures, since } = record.data as LinkWindowRecord;
        taken[of][key] = { failures, since };
      } else throw new Error(`the identities repository does not take records of kind ${record.kind}`);
    }
    await this.#update((data) => Object.assign(data, taken));
  }
}

/** A link-window record as transferred: whose window of which count. */
export interface LinkWindowRecord extends AttemptWindow {
  of: 'attempts' | 'issued';
  key: string;
}
