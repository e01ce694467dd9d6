// The console's pages and who sees them. An entry shows only when the role may use the page and the
// module behind it is wired in (catalog review, notifications, the report): the same table decides
// the menu and the refusals, so a link never leads to "no permission".
import { can, type Action, type Role } from '../../domain/roles.js';

export type Feature = 'report' | 'catalog' | 'notify' | 'questions';

export interface NavEntry {
  id: string;
  label: string;
  href: string;
  /** Any one of these lets the user in. */
  actions: readonly Action[];
  needs?: Feature;
}

export const NAV: readonly NavEntry[] = [
  { id: 'inbox', label: '申请办理', href: '/admin', actions: ['applications.view'] },
  { id: 'stats', label: '本年概况', href: '/admin/stats', actions: ['applications.view'] },
  { id: 'report', label: '年度报告', href: '/admin/report', actions: ['report.view'], needs: 'report' },
  { id: 'catalog', label: '发布审核', href: '/admin/catalog', actions: ['catalog.view'], needs: 'catalog' },
  { id: 'notify', label: '消息异常', href: '/admin/notify', actions: ['notify.view'], needs: 'notify' },
  { id: 'questions', label: '未答问题', href: '/admin/questions', actions: ['guide.edit'], needs: 'questions' },
  { id: 'calendar', label: '节假日', href: '/admin/calendar', actions: ['applications.view', 'calendar.edit'] },
  { id: 'users', label: '用户', href: '/admin/users', actions: ['users.manage'] },
  // Everyone has an account page: password-free facts and, with notifications, the WeChat binding.
  { id: 'account', label: '我的账号', href: '/admin/account', actions: [] },
];

export function mayOpen(entry: NavEntry, roles: readonly Role[], features: ReadonlySet<Feature>): boolean {
  if (entry.needs && !features.has(entry.needs)) return false;
  return entry.actions.length === 0 || entry.actions.some((action) => can(roles, action));
}

export function navFor(roles: readonly Role[], features: ReadonlySet<Feature>): NavEntry[] {
  return NAV.filter((entry) => mayOpen(entry, roles, features));
}

export function navEntry(id: string): NavEntry {
  const entry = NAV.find((e) => e.id === id);
  if (!entry) throw new Error(`no console page ${id}`);
  return entry;
}
