import { usePrefs } from '../prefs.tsx';
import { PageTitle } from '../ui.tsx';

/** 未找到: an unknown address, or an item that is not public (the API says 404 for both). */
export function NotFound() {
  const { t } = usePrefs();
  return (
    <section className="card not-found" data-testid="not-found">
      <PageTitle title={t('notFoundTitle')}>{t('notFoundTitle')}</PageTitle>
      <p>{t('notFoundText')}</p>
      <p>
        <a className="button" href="/portal">
          {t('goHome')}
        </a>
      </p>
    </section>
  );
}
