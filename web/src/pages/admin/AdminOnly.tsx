import type { ReactNode } from 'react';
import { useT } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';
import { NotFoundPage } from '../NotFoundPage.tsx';

/**
 * Administration pages: for anyone but an admin the same friendly 未找到 page as an unknown
 * address (the API refuses them anyway, 403).
 */
export function AdminOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  const t = useT();
  if (!me.roles.includes('admin')) return <NotFoundPage message={t.shell.forbidden} />;
  return <>{children}</>;
}
