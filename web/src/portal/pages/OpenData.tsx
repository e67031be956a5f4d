import { usePrefs } from '../prefs.tsx';
import { PageTitle } from '../ui.tsx';

/** 开放数据: the CSV and JSON downloads of every public item, with the licence. */
export default function OpenData() {
  const { t } = usePrefs();
  return (
    <>
      <PageTitle title={t('openTitle')}>{t('openTitle')}</PageTitle>
      <section className="card">
        <p>{t('openIntro')}</p>
        <p className="actions">
          <a
            className="button button-primary"
            href="/api/v1/public/items.csv"
            download
            data-testid="download-csv"
          >
            {t('openCsv')}
          </a>
          <a className="button" href="/api/v1/public/items.json" download data-testid="download-json">
            {t('openJson')}
          </a>
        </p>
        <p>{t('openLicence')}</p>
        <p className="muted">{t('openFields')}</p>
      </section>
    </>
  );
}
