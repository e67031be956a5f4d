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
  // 文件提取: candidate items from a document, reviewed and registered in bulk.
  { path: '/extract', label: (t) => t.extract.title, roles: ['supervisor'] },
  // 领导驾驶舱: the leader's first page (a supervisor's stays the console, listed before it).
  { path: '/cockpit', label: (t) => t.cockpit.title, roles: ['leader', 'supervisor'] },
  // 热点话题: citizens' complaints clustered into topics, leads for proactive supervision (after
  // the cockpit: a leader's first page stays the cockpit).
  { path: '/topics', label: (t) => t.topics.title, roles: ['supervisor', 'leader'] },
  // 评估任务: the evaluator's page (in place of the plain item list).
  { path: '/evaluations', label: (t) => t.evalPages.navEvaluations, roles: ['evaluator'] },
  { path: '/followups', label: (t) => t.evalPages.navFollowups, roles: ['supervisor', 'leader'] },
  { path: '/reports', label: (t) => t.evalPages.navReports, roles: ['supervisor', 'leader', 'auditor'] },
  // 督办准入: quota use per unit, quotas, over-quota approvals (leaders decide). Admins reach it by
  // its URL (the admin menu stays the organisation's).
  { path: '/admission', label: (t) => t.admission.nav, roles: ['supervisor', 'leader'] },
  { path: '/scorecards', label: (t) => t.evalPages.navScorecards, roles: ['leader', 'supervisor'] },
  // Roles whose own pages (audit) are not built yet read the plain item list meanwhile.
  { path: '/items', label: (t) => t.shell.items, roles: ['leader', 'auditor'] },
  // 全部事项: every item of a supervisor's scope, with filters (the console holds the working lists).
  { path: '/items', label: (t) => t.console.tabs.all, roles: ['supervisor'] },
  // Administration: the API refuses everyone else anyway (403), and the pages say 未找到 to them.
  { path: '/admin/org', label: (t) => t.orgAdmin.navOrg, roles: ['admin'], group: 'admin' },
  { path: '/admin/users', label: (t) => t.orgAdmin.navUsers, roles: ['admin'], group: 'admin' },
  { path: '/admin/categories', label: (t) => t.orgAdmin.navCategories, roles: ['admin'], group: 'admin' },
  { path: '/admin/category-rules', label: (t) => t.shell.categoryRules, roles: ['admin'], group: 'admin' },
  { path: '/admin/calendar', label: (t) => t.shell.calendar, roles: ['admin'], group: 'admin' },
  // The page serves everyone (one's own channels; dead letters for admins): under 系统管理 for admins…
  {
    path: '/admin/notifications',
    label: (t) => t.orgAdmin.navNotifications,
    roles: ['admin'],
    group: 'admin',
  },
  // …and for every other role in the plain menu (one's own channels).
  {
    path: '/admin/notifications',
    label: (t) => t.orgAdmin.navNotifications,
    roles: ['supervisor', 'leader', 'handler', 'unit_head', 'evaluator', 'auditor'],
  },
  // Later: '/cockpit' (leader, supervisor). The public portal lives at /portal, outside this
  // signed-in layout.
];

export function navFor(roles: readonly Role[]): NavEntry[] {
  // A page listed for several of one's roles appears once (its first entry).
  return NAV.filter((e) => e.roles.some((r) => roles.includes(r))).filter(
    (e, i, all) => all.findIndex((x) => x.path === e.path) === i,
  );
}
