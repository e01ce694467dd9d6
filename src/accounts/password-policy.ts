// What a staff password must be: 10 to 128 characters, not one of the most common passwords (a
// bundled list), not a repetition or a straight run of keys, and not the username. Length alone let
// "aaaaaaaaaa" through for an admin (issue 19, finding 8). The upper bound keeps a 250 KB
// "password" from being hashed at all.
import { readFileSync } from 'node:fs';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;

const COMMON: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line && !line.startsWith('#')),
);

/** Why this password is refused (Chinese, for the form), or null when it is acceptable. */
export function passwordProblem(password: string, username = ''): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `密码至少 ${MIN_PASSWORD_LENGTH} 位`;
  if (length > MAX_PASSWORD_LENGTH) return `密码不能超过 ${MAX_PASSWORD_LENGTH} 位`;
  const plain = password.normalize('NFKC').toLowerCase();
  if (isCommon(plain)) return '这是最常见的密码之一，很容易被猜中，请换一个';
  if (isRepetitive(plain)) return '密码不能是重复或连续的字符（如 aaaaaaaaaa、1234567890），请换一个';
  const name = username.toLowerCase();
  if (name && (plain === name || plain.replaceAll(name, '') === '' || stripSuffix(plain).some((p) => p === name))) return '密码不能与用户名相同';
  return null;
}

/** The password and the same without up to four trailing digits or symbols ("password123!"). */
function stripSuffix(plain: string): string[] {
  const forms = [plain];
  for (let cut = 1; cut <= 4 && cut < plain.length; cut++) {
    if (/[\p{L}]/u.test(plain.slice(-cut))) break;
    forms.push(plain.slice(0, -cut));
  }
  return forms;
}

function isCommon(plain: string): boolean {
  return stripSuffix(plain).some((form) => COMMON.has(form));
}

function isRepetitive(plain: string): boolean {
  const chars = [...plain];
  if (new Set(chars).size < 4) return true;
  // A short unit said over and over: "abcabcabcabc", "admin!admin!".
  for (let unit = 1; unit <= chars.length / 2; unit++) {
    if (chars.length % unit === 0 && plain === chars.slice(0, unit).join('').repeat(chars.length / unit)) return true;
  }
  // A straight run up or down the alphabet or the digits: "abcdefghij", "9876543210".
  const steps = new Set(chars.slice(1).map((c, i) => c.codePointAt(0)! - chars[i]!.codePointAt(0)!));
  return steps.size === 1 && [...steps][0]! !== 0 && Math.abs([...steps][0]!) === 1;
}
