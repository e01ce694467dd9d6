// What tells everyone that this is not the real WeChat: the same words on every sandbox page and
// in the terminal of whoever started the server.

export const SANDBOX_BANNER = '沙盒模式 · 模拟微信，不会发送真实消息';

/** The test users of the simulator; any openid works, these two are offered on the page. */
export const SANDBOX_USERS = [
  { openid: 'o-sandbox-user-a', label: '用户 A' },
  { openid: 'o-sandbox-user-b', label: '用户 B' },
] as const;

/** Lines for the terminal at start, leading a newcomer to the simulator in one step. */
export function sandboxStartBanner(url: string): string {
  return (
    `\n  ${SANDBOX_BANNER}\n` +
    `  WeChat simulator: ${url}/sandbox\n` +
    `  Staff console:    ${url}/admin\n` +
    '  (sandbox mode: no WeChat credentials are set; nothing reaches real WeChat users)\n\n'
  );
}
