// Bearer tokens and session cookies: random, and stored only as a SHA-256 hash so a copy of the
// data folder does not hand out live sessions.
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
