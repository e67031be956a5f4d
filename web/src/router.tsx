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
        path: 'items',
        lazy: async () => ({ Component: (await import('./pages/AllItemsPage.tsx')).AllItemsPage }),
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
        path: '*',
        lazy: async () => ({ Component: (await import('./pages/NotFoundPage.tsx')).NotFoundPage }),
      },
    ],
  },
]);
