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
  // 受理池: every channel's records, triaged by supervisors.
  { path: '/intake', label: (t) => t.intake.title, roles: ['supervisor'] },
  // 领导驾驶舱: the leader's first page (a supervisor's stays the console, listed before it).
  { path: '/cockpit', label: (t) => t.cockpit.title, roles: ['leader', 'supervisor'] },
  // 评估任务: the evaluator's page (in place of the plain item list).
  { path: '/evaluations', label: (t) => t.evalPages.navEvaluations, roles: ['evaluator'] },
  { path: '/followups', label: (t) => t.evalPages.navFollowups, roles: ['supervisor', 'leader'] },
  { path: '/reports', label: (t) => t.evalPages.navReports, roles: ['supervisor', 'leader', 'auditor'] },
  { path: '/scorecards', label: (t) => t.evalPages.navScorecards, roles: ['leader', 'supervisor'] },
  // Roles whose own pages (audit) are not built yet read the plain item list meanwhile.
  { path: '/items', label: (t) => t.shell.items, roles: ['leader', 'auditor'] },
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
