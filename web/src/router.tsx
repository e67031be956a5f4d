import { Spin } from 'antd';
import { createBrowserRouter } from 'react-router';
import { AppLayout, HomeRedirect } from './shell/AppLayout.tsx';

/**
 * Routes. Every page is its own chunk, loaded when first visited, so the first load carries only
 * the shell. Later: /cockpit (leaders) and the public portal at /portal (outside the
 * signed-in layout, beside /login).
 */
export const router = createBrowserRouter([
  {
    path: '/login',
    lazy: async () => ({ Component: (await import('./pages/LoginPage.tsx')).LoginPage }),
  },
  {
    path: '/',
    Component: AppLayout,
    HydrateFallback: () => <Spin fullscreen />,
    children: [
      { index: true, Component: HomeRedirect },
      {
        path: 'workbench',
        lazy: async () => ({ Component: (await import('./pages/WorkbenchPage.tsx')).WorkbenchPage }),
      },
      {
        path: 'console',
        lazy: async () => ({ Component: (await import('./pages/ConsolePage.tsx')).ConsolePage }),
      },
      {
        path: 'console/new',
        lazy: async () => ({ Component: (await import('./pages/RegisterItemPage.tsx')).RegisterItemPage }),
      },
      {
        path: 'intake',
        lazy: async () => ({ Component: (await import('./pages/intake/IntakePage.tsx')).IntakePage }),
      },
      {
        path: 'topics',
        lazy: async () => ({ Component: (await import('./pages/intake/TopicsPage.tsx')).TopicsPage }),
      },
      {
        path: 'extract',
        lazy: async () => ({ Component: (await import('./pages/extract/ExtractPage.tsx')).ExtractPage }),
      },
      {
        path: 'items',
        lazy: async () => ({ Component: (await import('./pages/AllItemsPage.tsx')).AllItemsPage }),
      },
      {
        // 领导驾驶舱: ECharts and the map data load with this page only.
        path: 'cockpit',
        lazy: async () => ({ Component: (await import('./pages/cockpit/CockpitPage.tsx')).CockpitPage }),
      },
      {
        path: 'cockpit/drill',
        lazy: async () => ({ Component: (await import('./pages/cockpit/DrillPage.tsx')).DrillPage }),
      },
      {
        // 评估任务 (evaluators), 回头看, 清单与通报 and 考核记分卡.
        path: 'evaluations',
        lazy: async () => ({
          Component: (await import('./pages/evaluation/EvaluationsPage.tsx')).EvaluationsPage,
        }),
      },
      {
        path: 'followups',
        lazy: async () => ({
          Component: (await import('./pages/evaluation/FollowupsPage.tsx')).FollowupsPage,
        }),
      },
      {
        path: 'reports',
        lazy: async () => ({ Component: (await import('./pages/reports/ReportsPage.tsx')).ReportsPage }),
      },
      {
        // 督办准入: quotas per unit and over-quota approvals.
        path: 'admission',
        lazy: async () => ({
          Component: (await import('./pages/admission/AdmissionPage.tsx')).AdmissionPage,
        }),
      },
      {
        path: 'scorecards',
        lazy: async () => ({
          Component: (await import('./pages/reports/ScorecardsPage.tsx')).ScorecardsPage,
        }),
      },
      {
        path: 'items/:id',
        lazy: async () => ({ Component: (await import('./pages/item/ItemPage.tsx')).ItemPage }),
      },
      {
        path: 'admin/calendar',
        lazy: async () => ({ Component: (await import('./pages/admin/CalendarPage.tsx')).CalendarPage }),
      },
      {
        path: 'admin/category-rules',
        lazy: async () => ({
          Component: (await import('./pages/admin/CategoryRulesPage.tsx')).CategoryRulesPage,
        }),
      },
      {
        path: 'admin/org',
        lazy: async () => ({ Component: (await import('./pages/admin/OrgPage.tsx')).OrgPage }),
      },
      {
        path: 'admin/users',
        lazy: async () => ({ Component: (await import('./pages/admin/UsersPage.tsx')).UsersPage }),
      },
      {
        path: 'admin/categories',
        lazy: async () => ({ Component: (await import('./pages/admin/CategoriesPage.tsx')).CategoriesPage }),
      },
      {
        path: 'admin/notifications',
        lazy: async () => ({
          Component: (await import('./pages/admin/NotificationSettingsPage.tsx')).NotificationSettingsPage,
        }),
      },
      {
        path: '*',
        lazy: async () => ({ Component: (await import('./pages/NotFoundPage.tsx')).NotFoundPage }),
      },
    ],
  },
]);
