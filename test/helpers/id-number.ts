// 居民身份证号 test data: the check character computed here from ISO 7064 MOD 11-2 in its recursive
// form, written independently of src/domain/identity.ts so that tests check it rather than copy it.

/** The 18th character for a 17-digit body. */
export function checkCharacter(body17: string): string {
  let p = 0;
  for (const ch of body17) p = ((p + Number(ch)) * 2) % 11;
  const check = (12 - p) % 11;
  return check === 10 ? 'X' : String(check);
}

/** A complete, valid number for a 17-digit body. */
export function idNumber(body17: string): string {
  return body17 + checkCharacter(body17);
}
