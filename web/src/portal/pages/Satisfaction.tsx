import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError, api, fieldErrors } from '../api.ts';
import { usePrefs } from '../prefs.tsx';
import { Failed, formatDateTime, Loading, PageTitle, useLoad } from '../ui.tsx';

type Link = {
  item: { number: string; title: string; leadUnitName: string | null; completedOn: string | null };
  used: boolean;
  expiresAt: string;
};
type Rating = 'satisfied' | 'basic' | 'unsatisfied';

/** 满意度评价 through a one-time link: read it, rate once; a used link says so. */
export default function Satisfaction({ token }: { token: string }) {
  const { t } = usePrefs();
  const url = `/api/v1/public/satisfaction/${encodeURIComponent(token)}`;
  const [load, reload] = useLoad(token, () => api.get<Link>(url));
  const [done, setDone] = useState<'rated' | 'used' | null>(null);
  let body: ReactNode;
  if (load.state === 'loading') body = <Loading />;
  else if (load.state === 'failed') {
    const status = load.error instanceof ApiError ? load.error.status : 0;
    body =
      status === 404 || status === 400 || status === 410 ? (
        <div className="notice notice-error" role="alert" data-testid="sat-message">
          {t(status === 410 ? 'satExpired' : 'satUnknown')}
        </div>
      ) : (
        <Failed retry={reload} />
      );
  } else if (done !== null || load.data.used)
    body = (
      <div className="notice notice-ok" role="status" data-testid="sat-message">
        {t(done === 'rated' ? 'satThanks' : 'satUsed')}
      </div>
    );
  else body = <RateForm link={load.data} url={url} onDone={setDone} />;
  return (
    <>
      <PageTitle title={t('satTitle')}>{t('satTitle')}</PageTitle>
      {load.state === 'done' && <LinkFacts link={load.data} />}
      {body}
    </>
  );
}

function LinkFacts({ link }: { link: Link }) {
  const { t, lang } = usePrefs();
  return (
    <div className="card">
      <dl className="facts">
        <div>
          <dt>{t('satItem')}</dt>
          <dd>
            {link.item.number} {link.item.title}
          </dd>
        </div>
        <div>
          <dt>{t('satLead')}</dt>
          <dd>{link.item.leadUnitName ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('satCompleted')}</dt>
          <dd>{link.item.completedOn ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('satExpires')}</dt>
          <dd>{formatDateTime(link.expiresAt, lang)}</dd>
        </div>
      </dl>
    </div>
  );
}

function RateForm({ url, onDone }: { link: Link; url: string; onDone: (d: 'rated' | 'used') => void }) {
  const { t, zh } = usePrefs();
  const [rating, setRating] = useState<Rating | ''>('');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (banner) bannerRef.current?.focus();
  }, [banner]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBanner(null);
    if (rating === '') {
      setErrors({ rating: t('chooseRating') });
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, string> = { rating };
      if (comment.trim() !== '') body.comment = comment.trim();
      await api.post(url, body);
      onDone('rated');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) onDone('used');
      else {
        const fields = fieldErrors(err, zh);
        setErrors(fields);
        setBanner(
          Object.keys(fields).length > 0
            ? t('fixErrors')
            : (err instanceof ApiError && (zh ? err.problem.detailZh : err.problem.detail)) ||
                t('loadFailed'),
        );
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate data-testid="sat-form">
      <p>{t('satIntro')}</p>
      {banner && (
        <div className="notice notice-error" role="alert" tabIndex={-1} ref={bannerRef}>
          {banner}
        </div>
      )}
      <fieldset className="field" aria-describedby={errors.rating ? 'err-rating' : undefined}>
        <legend>
          {t('ratingLegend')} <span aria-hidden="true">*</span>
        </legend>
        <div className="radios">
          {(['satisfied', 'basic', 'unsatisfied'] as const).map((r) => (
            <label key={r} className="radio">
              <input
                type="radio"
                name="rating"
                value={r}
                checked={rating === r}
                onChange={() => setRating(r)}
              />
              {t(r)}
            </label>
          ))}
        </div>
        {errors.rating && (
          <p className="field-error" id="err-rating">
            {errors.rating}
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor="s-comment">{t('satComment')}</label>
        <textarea
          id="s-comment"
          rows={4}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          aria-invalid={errors.comment ? true : undefined}
          aria-describedby={errors.comment ? 'err-comment' : undefined}
        />
        {errors.comment && (
          <p className="field-error" id="err-comment">
            {errors.comment}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('submitting') : t('submit')}
        </button>
      </div>
    </form>
  );
}
