import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { KIND_NAMES } from '../messages.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate } from '../router.ts';
import { Failed, formatDateTime, Loading, PageTitle, useLoad } from '../ui.tsx';

type Tracked = {
  trackingNo: string;
  kind: string;
  title: string;
  status: string;
  statusNameZh: string;
  submittedAt: string;
  history: { at: string; status: string; statusNameZh: string; note: string }[];
  item: { id: string; number: string; title: string } | null;
};

/** 进度查询: a tracking number → the submission's status and history. */
export default function Track({ trackingNo }: { trackingNo: string | null }) {
  const { t } = usePrefs();
  const [value, setValue] = useState(trackingNo ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const no = value.trim().toUpperCase();
    if (no) navigate(`/portal/track/${encodeURIComponent(no)}`);
  };
  return (
    <>
      <PageTitle title={t('trackTitle')}>{t('trackTitle')}</PageTitle>
      <p className="lead">{t('trackIntro')}</p>
      <form className="card form track-form" onSubmit={submit} aria-label={t('trackTitle')}>
        <div className="field">
          <label htmlFor="t-no">{t('trackLabel')}</label>
          <p className="hint" id="hint-no">
            {t('trackHint')}
          </p>
          <input
            id="t-no"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-describedby="hint-no"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button button-primary">
            {t('trackButton')}
          </button>
        </div>
      </form>
      {trackingNo && <Result key={trackingNo} trackingNo={trackingNo} />}
    </>
  );
}

function Result({ trackingNo }: { trackingNo: string }) {
  const { t, lang, zh } = usePrefs();
  const [load, reload] = useLoad(trackingNo, () =>
    api.get<Tracked>(`/api/v1/public/complaints/${encodeURIComponent(trackingNo)}`),
  );
  if (load.state === 'loading') return <Loading />;
  if (load.state === 'failed') {
    const status = load.error instanceof ApiError ? load.error.status : 0;
    if (status === 404 || status === 400)
      return (
        <div className="notice notice-error" role="alert" data-testid="track-missing">
          {t(status === 404 ? 'trackNotFound' : 'trackBadFormat')}
        </div>
      );
    return <Failed retry={reload} />;
  }
  const r = load.data;
  return (
    <section className="card" aria-labelledby="track-result" data-testid="track-result">
      <h2 id="track-result">{r.title}</h2>
      <dl className="facts">
        <div>
          <dt>{t('trackLabel')}</dt>
          <dd>{r.trackingNo}</dd>
        </div>
        <div>
          <dt>{t('kindName')}</dt>
          <dd>{KIND_NAMES[lang][r.kind] ?? r.kind}</dd>
        </div>
        <div>
          <dt>{t('status')}</dt>
          <dd data-testid="track-status">{r.statusNameZh}</dd>
        </div>
        <div>
          <dt>{t('submittedAt')}</dt>
          <dd>{formatDateTime(r.submittedAt, lang)}</dd>
        </div>
        {r.item && (
          <div>
            <dt>{t('linkedItem')}</dt>
            <dd>
              <a href={`/portal/items/${r.item.id}`}>
                {r.item.number} {r.item.title}
              </a>
            </dd>
          </div>
        )}
      </dl>
      <h3>{t('history')}</h3>
      <ol className="timeline">
        {r.history.map((h) => (
          <li key={`${h.at}-${h.status}-${h.note}`} className="tl">
            <time dateTime={h.at}>{formatDateTime(h.at, lang)}</time>
            <p className="tl-text">
              {h.statusNameZh}
              {h.note && zh ? `：${h.note}` : h.note ? ` — ${h.note}` : ''}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
