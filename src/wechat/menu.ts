// The custom menu from data/menu.json: mini-program buttons become real ones when the office has a
// mini-program, and disappear otherwise; {{portalUrl}} comes from the agency data; WeChat's limits
// (3 buttons, 5 sub-buttons, name lengths) are checked before anything is sent.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Menu, MenuButton } from './api-client.js';

interface MenuSource {
  button: Array<MenuSourceButton>;
}
interface MenuSourceButton extends Omit<MenuButton, 'sub_button'> {
  miniprogram?: boolean;
  sub_button?: MenuSourceButton[];
}

export interface MenuContext {
  /** The mini-program's appid, or null when the office has none. */
  miniProgramAppid: string | null;
  portalUrl: string | null;
}

export async function loadMenu(contentDir: string, context: MenuContext): Promise<Menu> {
  const source = JSON.parse(await readFile(path.join(contentDir, 'menu.json'), 'utf8')) as MenuSource;
  return buildMenu(source, context);
}

export function buildMenu(source: MenuSource, context: MenuContext): Menu {
  const problems: string[] = [];
  const convert = (b: MenuSourceButton, level: 1 | 2): MenuButton | null => {
    const { miniprogram, sub_button, comment: _c, ...rest } = b as MenuSourceButton & { comment?: unknown };
    const button: MenuButton = { ...rest };
    if (button.url) {
      if (button.url.includes('{{portalUrl}}') && !context.portalUrl) return null;
      button.url = button.url.replace('{{portalUrl}}', context.portalUrl ?? '');
    }
    if (miniprogram) {
      if (!context.miniProgramAppid) return null;
      Object.assign(button, { type: 'miniprogram', appid: context.miniProgramAppid });
      // A mini-program button needs a fallback web page for old WeChat clients.
      if (!button.url) return null;
    }
    // WeChat counts name length in bytes: 16 for top-level, 60 for sub-buttons.
    if (Buffer.byteLength(button.name) > (level === 1 ? 16 : 60)) problems.push(`按钮名称过长：${button.name}`);
    if (sub_button) {
      const subs = sub_button.map((s) => convert(s, 2)).filter((s): s is MenuButton => s !== null);
      if (subs.length > 5) problems.push(`“${button.name}”的子菜单超过 5 个`);
      if (subs.length === 0) return null;
      button.sub_button = subs;
      delete button.type;
    } else if (!button.type) {
      problems.push(`按钮“${button.name}”缺少 type`);
    }
    return button;
  };
  const button = source.button.map((b) => convert(b, 1)).filter((b): b is MenuButton => b !== null);
  if (button.length === 0 || button.length > 3) problems.push(`一级菜单应为 1–3 个，现在是 ${button.length} 个`);
  if (problems.length) throw new Error(`data/menu.json: ${problems.join('；')}`);
  return { button };
}
