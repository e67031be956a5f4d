import type { Role } from '@duban/schema';
import type { Messages } from '../i18n/messages.ts';

/** A page in the side menu and the roles that see it. Only built pages are listed. */
export type NavEntry = {
  path: string;
  label: (t: Messages) => string;
  roles: readonly Role[];
  /** Shown under a heading of its own (系统管理). */
  group?: 'admin';
};

export const NAV: readonly NavEntry[] = [
  { path: '/workbench', label: (t) => t.shell.workbench, roles: ['handler', 'unit_head'] },
  { path: '/console', label: (t) => t.shell.console, roles: ['supervisor'] },
  // 领导驾驶舱: the leader's first page (a supervisor's stays the console, listed before it).
  { path: '/cockpit', label: (t) => t.cockpit.title, roles: ['leader', 'supervisor'] },
  // Roles whose own pages (cockpit for leaders, scoring for evaluators, audit) are not built yet
  // read the plain item list meanwhile.
  { path: '/items', label: (t) => t.shell.items, roles: ['leader', 'evaluator', 'auditor'] },
  // Administration: the API refuses everyone else anyway (403), and the pages say 未找到 to them.
  { path: '/admin/org', label: (t) => t.orgAdmin.navOrg, roles: ['admin'], group: 'admin' },
  { path: '/admin/users', label: (t) => t.orgAdmin.navUsers, roles: ['admin'], group: 'admin' },
  { path: '/admin/categories', label: (t) => t.orgAdmin.navCategories, roles: ['admin'], group: 'admin' },
  { path: '/admin/category-rules', label: (t) => t.shell.categoryRules, roles: ['admin'], group: 'admin' },
  { path: '/admin/calendar', label: (t) => t.shell.calendar, roles: ['admin'], group: 'admin' },
  // The page serves everyone (one's own channels; dead letters for admins); listed for admins only
  // for now.
  {
    path: '/admin/notifications',
    label: (t) => t.orgAdmin.navNotifications,
    roles: ['admin'],
    group: 'admin',
  },
  // Later: '/cockpit' (leader, supervisor). The public portal lives at /portal, outside this
  // signed-in layout.
];

export function navFor(roles: readonly Role[]): NavEntry[] {
  return NAV.filter((e) => e.roles.some((r) => roles.includes(r)));
}
