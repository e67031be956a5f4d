import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api, type Category, fieldErrors, type Region } from '../api.ts';
import { usePrefs } from '../prefs.tsx';
import { PageTitle } from '../ui.tsx';

type Receipt = { trackingNo: string; status: string; submittedAt: string };
type Form = {
  kind: 'complaint' | 'suggestion';
  title: string;
  content: string;
  regionCode: string;
  categoryCode: string;
  contactName: string;
  contactPhone: string;
};

const EMPTY: Form = {
  kind: 'complaint',
  title: '',
  content: '',
  regionCode: '',
  categoryCode: '',
  contactName: '',
  contactPhone: '',
};

/** 我要投诉/建议: the form; a 400 shows each field's error beside it; success shows the tracking number. */
export default function Complaint() {
  const { t, zh } = usePrefs();
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  const [categories, setCategories] = useState<Category[]>([]);
  const bannerRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api.get<{ regions: Region[] }>('/api/v1/public/regions').then(
      (r) => setRegions(r.regions),
      () => undefined,
    );
    api.get<{ categories: Category[] }>('/api/v1/public/categories').then(
      (c) => setCategories(c.categories),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    if (banner) bannerRef.current?.focus();
  }, [banner]);
  useEffect(() => {
    if (receipt) doneRef.current?.focus();
  }, [receipt]);

  const set = (k: keyof Form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setBanner(null);
    const body: Record<string, string> = { kind: form.kind, title: form.title, content: form.content };
    for (const k of ['regionCode', 'categoryCode', 'contactName', 'contactPhone'] as const)
      if (form[k].trim() !== '') body[k] = form[k].trim();
    try {
      setReceipt(await api.post<Receipt>('/api/v1/public/complaints', body));
    } catch (err) {
      const fields = fieldErrors(err, zh);
      // An empty required field: say so in words rather than the generic "too short".
      if (fields.title !== undefined && form.title.trim() === '')
        fields.title = t('requiredField', { f: t('fTitle') });
      if (fields.content !== undefined && form.content.trim() === '')
        fields.content = t('requiredField', { f: t('fContent') });
      setErrors(fields);
      if (err instanceof ApiError && err.status === 429) setBanner(t('tooMany'));
      else if (Object.keys(fields).length > 0) setBanner(t('fixErrors'));
      else
        setBanner(
          (err instanceof ApiError && (zh ? err.problem.detailZh : err.problem.detail)) || t('loadFailed'),
        );
    } finally {
      setBusy(false);
    }
  };

  if (receipt)
    return (
      <>
        <PageTitle title={t('submitted')}>{t('submitted')}</PageTitle>
        <div className="card notice notice-ok" ref={doneRef} tabIndex={-1} data-testid="receipt">
          <p>
            {t('trackingNoIs')}
            <strong className="tracking-no" data-testid="tracking-no">
              {receipt.trackingNo}
            </strong>
          </p>
          <p>{t('keepNo')}</p>
          <p>
            <a
              className="button button-primary"
              href={`/portal/track/${encodeURIComponent(receipt.trackingNo)}`}
            >
              {t('trackNow')}
            </a>
          </p>
        </div>
      </>
    );

  const describe = (k: string, hint?: string) =>
    [hint, errors[k] ? `err-${k}` : undefined].filter(Boolean).join(' ') || undefined;
  const err = (k: string) =>
    errors[k] ? (
      <p className="field-error" id={`err-${k}`}>
        {errors[k]}
      </p>
    ) : null;

  return (
    <>
      <PageTitle title={t('complaintTitle')}>{t('complaintTitle')}</PageTitle>
      <p className="lead">{t('complaintIntro')}</p>
      {banner && (
        <div className="notice notice-error" role="alert" tabIndex={-1} ref={bannerRef}>
          {banner}
        </div>
      )}
      <form className="card form" onSubmit={submit} noValidate>
        <fieldset className="field" aria-describedby={describe('kind')}>
          <legend>
            {t('kindLegend')} <span aria-hidden="true">*</span>
          </legend>
          <div className="radios">
            {(['complaint', 'suggestion'] as const).map((k) => (
              <label key={k} className="radio">
                <input type="radio" name="kind" value={k} checked={form.kind === k} onChange={set('kind')} />
                {t(k === 'complaint' ? 'kindComplaint' : 'kindSuggestion')}
              </label>
            ))}
          </div>
          {err('kind')}
        </fieldset>
        <div className="field">
          <label htmlFor="c-title">
            {t('fTitle')} <span aria-hidden="true">*</span>
          </label>
          <input
            id="c-title"
            value={form.title}
            onChange={set('title')}
            required
            aria-required="true"
            maxLength={200}
            aria-invalid={errors.title ? true : undefined}
            aria-describedby={describe('title')}
          />
          {err('title')}
        </div>
        <div className="field">
          <label htmlFor="c-content">
            {t('fContent')} <span aria-hidden="true">*</span>
          </label>
          <p className="hint" id="hint-content">
            {t('fContentHint')}
          </p>
          <textarea
            id="c-content"
            rows={6}
            value={form.content}
            onChange={set('content')}
            required
            aria-required="true"
            maxLength={5000}
            aria-invalid={errors.content ? true : undefined}
            aria-describedby={describe('content', 'hint-content')}
          />
          {err('content')}
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="c-region">{t('fRegion')}</label>
            <select
              id="c-region"
              value={form.regionCode}
              onChange={set('regionCode')}
              aria-invalid={errors.regionCode ? true : undefined}
              aria-describedby={describe('regionCode')}
            >
              <option value="">{t('notChosen')}</option>
              {regions.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name}
                </option>
              ))}
            </select>
            {err('regionCode')}
          </div>
          <div className="field">
            <label htmlFor="c-category">{t('fCategory')}</label>
            <select
              id="c-category"
              value={form.categoryCode}
              onChange={set('categoryCode')}
              aria-invalid={errors.categoryCode ? true : undefined}
              aria-describedby={describe('categoryCode')}
            >
              <option value="">{t('notChosen')}</option>
              {categories.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
            {err('categoryCode')}
          </div>
        </div>
        <p className="hint" id="hint-contact">
          {t('fContactHint')}
        </p>
        <div className="field-row">
          <div className="field">
            <label htmlFor="c-name">{t('fContactName')}</label>
            <input
              id="c-name"
              value={form.contactName}
              onChange={set('contactName')}
              maxLength={50}
              autoComplete="name"
              aria-invalid={errors.contactName ? true : undefined}
              aria-describedby={describe('contactName', 'hint-contact')}
            />
            {err('contactName')}
          </div>
          <div className="field">
            <label htmlFor="c-phone">{t('fContactPhone')}</label>
            <input
              id="c-phone"
              type="tel"
              value={form.contactPhone}
              onChange={set('contactPhone')}
              autoComplete="tel"
              aria-invalid={errors.contactPhone ? true : undefined}
              aria-describedby={describe('contactPhone', 'hint-contact')}
            />
            {err('contactPhone')}
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('submitting') : t('submit')}
          </button>
        </div>
      </form>
    </>
  );
}
