import { ApiError, api, type ItemDetail } from '../api.ts';
import { STATUS_NAMES } from '../messages.ts';
import { usePrefs } from '../prefs.tsx';
import { Failed, formatDateTime, LightBadge, Loading, PageTitle, ProgressBar, useLoad } from '../ui.tsx';
import { NotFound } from './NotFound.tsx';

/** 事项页: the public facts of one item and its public timeline. */
export default function ItemPage({ id }: { id: string }) {
  const { t, lang, zh } = usePrefs();
  const [load, reload] = useLoad(id, () => api.get<ItemDetail>(`/api/v1/public/items/${id}`));
  if (load.state === 'loading') return <Loading />;
  if (load.state === 'failed')
    return load.error instanceof ApiError && load.error.status === 404 ? (
      <NotFound />
    ) : (
      <Failed retry={reload} />
    );
  const { item, timeline } = load.data;
  return (
    <article className="item-page" data-testid="item-page">
      <p>
        <a href="/portal">← {t('itemBack')}</a>
      </p>
      <PageTitle title={item.title}>{item.title}</PageTitle>
      <p className="item-meta">
        <span>{item.number}</span>
        {item.isDemo && <span className="tag">{t('demo')}</span>}
      </p>
      <div className="card">
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
            <dd data-testid="public-status">{STATUS_NAMES[lang][item.status] ?? item.statusName}</dd>
          </div>
          <div>
            <dt>{t('light')}</dt>
            <dd>
              <LightBadge light={item.light} />
            </dd>
          </div>
          <div>
            <dt>{t('region')}</dt>
            <dd>{item.regionName}</dd>
          </div>
          <div>
            <dt>{t('category')}</dt>
            <dd>{item.categoryName}</dd>
          </div>
          <div>
            <dt>{t('updatedAt')}</dt>
            <dd>{formatDateTime(item.updatedAt, lang)}</dd>
          </div>
        </dl>
        <ProgressBar percent={item.percent} label={t('progress')} />
      </div>
      <section className="card" aria-labelledby="content-heading">
        <h2 id="content-heading">{t('itemContent')}</h2>
        <p className="prose">{item.content}</p>
      </section>
      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">{t('timeline')}</h2>
        {timeline.length === 0 ? (
          <p>{t('timelineEmpty')}</p>
        ) : (
          <ol className="timeline" data-testid="timeline">
            {timeline.map((e) => (
              <li key={`${e.at}-${e.kind}-${e.percent}`} className={`tl tl-${e.kind}`}>
                <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
                <p className="tl-text">{zh ? e.textZh : e.text}</p>
                {e.narrative && <p className="tl-narrative">{e.narrative}</p>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}
