// The links in applicants' messages (src/documents/applicant-links.ts): made once per data folder,
// private to the server's user, unforgeable, and closed after their 60 days.
import test from 'ava';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicantLinks, LINK_VALID_DAYS, loadLinkKey } from '../src/documents/applicant-links.js';
import { tempDir } from './helpers/temp.js';

test('the key is made once, kept 0600, and the same after a restart', async (t) => {
  const dir = await tempDir(t);
  const first = await loadLinkKey(dir);
  t.is(first.length, 32);
  t.is((await stat(path.join(dir, 'document-link.key'))).mode & 0o777, 0o600);
  t.deepEqual(await loadLinkKey(dir), first);
  // Two servers starting on one folder at once agree on one key.
  const other = await tempDir(t);
  const [a, b] = await Promise.all([loadLinkKey(other), loadLinkKey(other)]);
  t.deepEqual(a, b);
});

test('a link opens its step until it expires; another key, an altered step or request opens nothing', async (t) => {
  const now = new Date('2026-03-02T02:00:00Z');
  const links = new ApplicantLinks(await loadLinkKey(await tempDir(t)), () => 'https://gongkai.example.gov.cn/', () => now);
  const url = links.url({ applicationId: 'Ab3_x-9kLmN2', eventIndex: 4 })!;
  t.regex(url, /^https:\/\/gongkai\.example\.gov\.cn\/letters\/Ab3_x-9kLmN2\.4\.[0-9a-z]+\.[\w-]{22}$/);
  const token = url.split('/letters/')[1]!;
  t.deepEqual(links.check(token), { ok: true, applicationId: 'Ab3_x-9kLmN2', eventIndex: 4 });
  t.deepEqual(links.check(token.replace('.4.', '.5.')), { ok: false, reason: 'invalid' });
  t.deepEqual(links.check(token.replace('Ab3_x', 'Ab3_y')), { ok: false, reason: 'invalid' });
  t.deepEqual(links.check(`${token}x`), { ok: false, reason: 'invalid' });
  t.deepEqual(links.check(''), { ok: false, reason: 'invalid' });
  const stranger = new ApplicantLinks(await loadLinkKey(await tempDir(t)), () => null, () => now);
  t.deepEqual(stranger.check(token), { ok: false, reason: 'invalid' });
  t.is(stranger.url({ applicationId: 'Ab3_x-9kLmN2', eventIndex: 4 }), null, 'no public address, no link');

  const day = 24 * 3600_000;
  t.true(links.check(token, new Date(now.getTime() + (LINK_VALID_DAYS - 1) * day)).ok);
  t.deepEqual(links.check(token, new Date(now.getTime() + (LINK_VALID_DAYS + 1) * day)), { ok: false, reason: 'expired' });
});
