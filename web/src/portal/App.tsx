import { lazy, Suspense, useEffect } from 'react';
import { Home } from './pages/Home.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { usePrefs } from './prefs.tsx';
import { interceptLinks, useLocation } from './router.ts';
import { Loading } from './ui.tsx';

const ItemPage = lazy(() => import('./pages/ItemPage.tsx'));
const Complaint = lazy(() => import('./pages/Complaint.tsx'));
const Track = lazy(() => import('./pages/Track.tsx'));
const Satisfaction = lazy(() => import('./pages/Satisfaction.tsx'));
const OpenData = lazy(() => import('./pages/OpenData.tsx'));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Page({ path, search }: { path: string; search: URLSearchParams }) {
  if (path === '/portal') return <Home search={search} />;
  const [, , section, param, extra] = path.split('/');
  if (extra !== undefined) return <NotFound />;
  if (section === 'items' && param && UUID.test(param)) return <ItemPage id={param} />;
  if (section === 'complaint' && param === undefined) return <Complaint />;
  if (section === 'track') return <Track trackingNo={param ? decodeURIComponent(param) : null} />;
  if (section === 'satisfaction' && param) return <Satisfaction token={decodeURIComponent(param)} />;
  if (section === 'open-data' && param === undefined) return <OpenData />;
  return <NotFound />;
}

const NAV = [
  {
    href: '/portal',
    key: 'navItems',
    match: (p: string) => p === '/portal' || p.startsWith('/portal/items'),
  },
  { href: '/portal/complaint', key: 'navComplaint', match: (p: string) => p === '/portal/complaint' },
  { href: '/portal/track', key: 'navTrack', match: (p: string) => p.startsWith('/portal/track') },
  { href: '/portal/open-data', key: 'navOpenData', match: (p: string) => p === '/portal/open-data' },
] as const;

export function App() {
  const { t, lang, setLang, elder, setElder } = usePrefs();
  const { path, search } = useLocation();
  useEffect(() => {
    document.addEventListener('click', interceptLinks);
    return () => document.removeEventListener('click', interceptLinks);
  }, []);
  const other = lang === 'en' ? 'zh-CN' : 'en';
  return (
    <>
      <a className="skip-link" href="#main">
        {t('skip')}
      </a>
      <header className="site-header">
        <div className="wrap header-row">
          <a className="brand" href="/portal">
            <span className="brand-name">{t('siteName')}</span>
            <span className="brand-sub">{t('siteSub')}</span>
          </a>
          <div className="prefs">
            <button
              type="button"
              className="button button-quiet"
              lang={other}
              aria-label={t('switchLangLabel')}
              onClick={() => setLang(other)}
              data-testid="lang-switch"
            >
              {t('switchLang')}
            </button>
            <button
              type="button"
              className="button button-quiet"
              aria-pressed={elder}
              onClick={() => setElder(!elder)}
              data-testid="elder-toggle"
            >
              {t('elder')}
            </button>
          </div>
        </div>
        <nav className="wrap" aria-label={t('navLabel')}>
          <ul className="nav">
            {NAV.map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={n.match(path) ? 'page' : undefined}>
                  {t(n.key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="wrap" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Page path={path} search={search} />
        </Suspense>
      </main>
      <footer className="site-footer">
        <div className="wrap">
          <p>{t('footer')}</p>
          <p>
            <a href="/portal/open-data">{t('navOpenData')}</a> ·{' '}
            <a href="/verify.html">存证核验 / Verify evidence</a>
          </p>
        </div>
      </footer>
    </>
  );
}
