import { type FormEvent, useState } from 'react';
import { api, type Category, type ItemList, type PublicItem, type Region } from '../api.ts';
import { LIGHT_NAMES, LIGHTS, STATUS_NAMES } from '../messages.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate } from '../router.ts';
import { Failed, LightBadge, Loading, PageTitle, ProgressBar, useLoad } from '../ui.tsx';

const FILTERS = ['q', 'regionCode', 'categoryCode', 'status', 'light'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const PAGE_SIZE = 10;

type Options = { regions: Region[]; categories: Category[] };

let optionsCache: Promise<Options> | null = null;
function loadOptions(): Promise<Options> {
  optionsCache ??= Promise.all([
    api.get<{ regions: Region[] }>('/api/v1/public/regions'),
    api.get<{ categories: Category[] }>('/api/v1/public/categories'),
  ]).then(
    ([r, c]) => ({ regions: r.regions, categories: c.categories }),
    (err: unknown) => {
      optionsCache = null;
      throw err;
    },
  );
  return optionsCache;
}

function toQuery(f: Filters, page: number): string {
  const qs = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) qs.set(k, f[k]);
  if (page > 1) qs.set('page', String(page));
  return qs.toString();
}

/** 首页: search, filters (region, category, status, light) and the list of public items. */
export function Home({ search }: { search: URLSearchParams }) {
  const { t, lang } = usePrefs();
  const applied = Object.fromEntries(FILTERS.map((k) => [k, search.get(k) ?? ''])) as Filters;
  const page = Math.max(1, Number(search.get('page')) || 1);
  const query = toQuery(applied, page);
  const [draft, setDraft] = useState<Filters>(applied);
  const [lastQuery, setLastQuery] = useState(query);
  if (lastQuery !== query) {
    // Back/forward changed the URL: the form follows it.
    setLastQuery(query);
    setDraft(applied);
  }
  const [options] = useLoad('options', loadOptions);
  const [list, reload] = useLoad(query, () =>
    api.get<ItemList>(`/api/v1/public/items?${query}${query ? '&' : ''}pageSize=${PAGE_SIZE}`),
  );
  const regions = options.state === 'done' ? options.data.regions : [];
  const categories = options.state === 'done' ? options.data.categories : [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const qs = toQuery(draft, 1);
    navigate(`/portal${qs ? `?${qs}` : ''}`);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  return (
    <>
      <PageTitle title={t('homeTitle')}>{t('homeTitle')}</PageTitle>
      <p className="lead">{t('homeIntro')}</p>
      <form className="card filters" onSubmit={submit} aria-label={t('filtersLegend')}>
        <div className="field field-wide">
          <label htmlFor="f-q">{t('searchLabel')}</label>
          <input
            id="f-q"
            type="search"
            value={draft.q}
            onChange={set('q')}
            placeholder={t('searchPlaceholder')}
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="f-region">{t('regionLabel')}</label>
          <select id="f-region" value={draft.regionCode} onChange={set('regionCode')}>
            <option value="">{t('all')}</option>
            {regions.map((r) => (
              <option key={r.code} value={r.code}>
                {'\u00a0'.repeat(Math.max(0, (r.level - 1) * 2))}
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-category">{t('categoryLabel')}</label>
          <select id="f-category" value={draft.categoryCode} onChange={set('categoryCode')}>
            <option value="">{t('all')}</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-status">{t('statusLabel')}</label>
          <select id="f-status" value={draft.status} onChange={set('status')}>
            <option value="">{t('all')}</option>
            {Object.entries(STATUS_NAMES[lang]).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-light">{t('lightLabel')}</label>
          <select id="f-light" value={draft.light} onChange={set('light')}>
            <option value="">{t('all')}</option>
            {LIGHTS.map((l) => (
              <option key={l} value={l}>
                {LIGHT_NAMES[lang][l]}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit" className="button button-primary">
            {t('search')}
          </button>
          {query !== '' && (
            <a className="button" href="/portal">
              {t('reset')}
            </a>
          )}
        </div>
      </form>
      <section aria-labelledby="results-heading" aria-busy={list.state === 'loading'}>
        <h2 id="results-heading" className="visually-hidden">
          {t('navItems')}
        </h2>
        {list.state === 'loading' && <Loading />}
        {list.state === 'failed' && <Failed retry={reload} />}
        {list.state === 'done' && (
          <>
            <p className="muted" role="status" data-testid="result-count">
              {t('resultCount', { n: list.data.total })}
            </p>
            {list.data.items.length === 0 ? (
              <p className="card">{t('noResults')}</p>
            ) : (
              <ul className="item-list" data-testid="item-list">
                {list.data.items.map((item) => (
                  <ItemCard key={item.id} item={item} />
                ))}
              </ul>
            )}
            <Pager total={list.data.total} page={page} applied={applied} />
          </>
        )}
      </section>
    </>
  );
}

function ItemCard({ item }: { item: PublicItem }) {
  const { t, lang } = usePrefs();
  return (
    <li className="card item-card">
      <h3 className="item-title">
        <a href={`/portal/items/${item.id}`}>{item.title}</a>
      </h3>
      <p className="item-meta">
        <span>{item.number}</span>
        <span>
          {item.regionName} · {item.categoryName}
        </span>
        {item.isDemo && <span className="tag">{t('demo')}</span>}
      </p>
      <p className="item-summary">{item.summary}</p>
      <dl className="facts">
        <div>
          <dt>{t('leadUnit')}</dt>
          <dd>{item.leadUnitName ?? t('noLead')}</dd>
        </div>
        <div>
          <dt>{t('deadline')}</dt>
          <dd>{item.deadline}</dd>
        </div>
        <div>
          <dt>{t('status')}</dt>
          <dd>{STATUS_NAMES[lang][item.status] ?? item.statusName}</dd>
        </div>
        <div>
          <dt>{t('light')}</dt>
          <dd>
            <LightBadge light={item.light} />
          </dd>
        </div>
      </dl>
      <ProgressBar percent={item.percent} label={`${t('progress')}：${item.title}`} />
    </li>
  );
}

function Pager({ total, page, applied }: { total: number; page: number; applied: Filters }) {
  const { t } = usePrefs();
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return null;
  const href = (p: number) => {
    const qs = toQuery(applied, p);
    return `/portal${qs ? `?${qs}` : ''}`;
  };
  return (
    <nav className="pager" aria-label={t('pagination')}>
      {page > 1 ? (
        <a className="button" href={href(page - 1)} rel="prev">
          {t('prev')}
        </a>
      ) : (
        <span />
      )}
      <span>{t('pageOf', { page, pages })}</span>
      {page < pages ? (
        <a className="button" href={href(page + 1)} rel="next">
          {t('next')}
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}
