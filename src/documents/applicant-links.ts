// Links that open one formal document (a 补正 notice, the reply letter...) for its applicant without a
// login, for the messages that tell them about it. A link names the request and the step, expires,
// and carries an HMAC under a key kept in DATA_DIR, so it cannot be guessed or altered, and no table
// of issued links has to be kept: the planner can put one into a message without a write.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How long a link opens its document: the 行政复议 period (60 days) a letter's reader may need it for. */
export const LINK_VALID_DAYS = 60;
const DAY_MS = 24 * 3600_000;
const KEY_FILE = 'document-link.key';

export interface LinkTarget {
  applicationId: string;
  eventIndex: number;
}

export type LinkCheck = ({ ok: true } & LinkTarget) | { ok: false; reason: 'invalid' | 'expired' };

export class ApplicantLinks {
  constructor(
    private readonly key: Buffer,
    /** The public address citizens reach the server at (PUBLIC_URL); null: no links can be made. */
    private readonly baseUrl: () => string | null,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The token for one step's document; it stops working LINK_VALID_DAYS after `now`. */
  token(target: LinkTarget, now = this.clock()): string {
    const expires = Math.floor(now.getTime() / DAY_MS) + LINK_VALID_DAYS;
    const payload = `${target.applicationId}.${target.eventIndex}.${expires.toString(36)}`;
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The full link, or null when the server does not know its public address. */
  url(target: LinkTarget, now = this.clock()): string | null {
    const base = this.baseUrl();
    return base ? `${base.replace(/\/+$/, '')}/letters/${this.token(target, now)}` : null;
  }

  check(token: string, now = this.clock()): LinkCheck {
    const match = /^([\w-]{6,40})\.(\d{1,5})\.([0-9a-z]{1,8})\.([\w-]{22})$/.exec(token);
    if (!match) return { ok: false, reason: 'invalid' };
    const [, applicationId, index, expires, mac] = match;
    const expected = Buffer.from(this.#mac(`${applicationId}.${index}.${expires}`));
    if (!timingSafeEqual(expected, Buffer.from(mac!))) return { ok: false, reason: 'invalid' };
    if (Math.floor(now.getTime() / DAY_MS) > parseInt(expires!, 36)) return { ok: false, reason: 'expired' };
    return { ok: true, applicationId: applicationId!, eventIndex: Number(index) };
  }

  #mac(payload: string): string {
    // 128 bits of HMAC-SHA256: far beyond guessing, and short enough for a WeChat message.
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }
}

/**
 * The key, made once per data folder and kept private to the server's user. Losing it only makes
 * the links already sent stop working; the applicant gets a fresh one from 查询进度.
 */
export async function loadLinkKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, KEY_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(text)) return Buffer.from(text, 'hex');
    throw new Error(`${file} does not hold a link key (64 hex digits); remove it to make a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // Written whole under a private name, then linked into place: a second server starting on the
  // same folder sees either no key or the complete one, never half of it.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadLinkKey(dataDir);
    throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/** Puts `key` in `dataDir` (an office moved here from PostgreSQL: links already sent keep opening). */
export async function saveLinkKey(dataDir: string, key: Buffer): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, KEY_FILE), `${key.toString('hex')}\n`, { mode: 0o600 });
}
