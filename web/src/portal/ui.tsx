import { type ReactNode, useEffect, useRef, useState } from 'react';
import { LIGHT_NAMES, type Light } from './messages.ts';
import { usePrefs } from './prefs.tsx';

/** The light as a text badge with a shape mark: never colour alone. */
export function LightBadge({ light }: { light: Light | null }) {
  const { lang, t } = usePrefs();
  if (light === null) return <span className="light light-none">{t('noLight')}</span>;
  return (
    <span className={`light light-${light}`}>
      <span aria-hidden="true" className="light-mark" />
      {LIGHT_NAMES[lang][light]}
    </span>
  );
}

export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">{percent}%</span>
    </div>
  );
}

/**
 * The page's one <h1>: sets the document title and, after an in-portal navigation, takes the focus
 * so a screen reader announces the new page.
 */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const { t } = usePrefs();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${t('siteName')}`;
  }, [title, t]);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** The page the browser opened keeps the focus where the browser put it. */
let firstPage = true;

export type Load<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; error: unknown };

/** Loads once per key; `reload` tries again. */
export function useLoad<T>(key: string, load: () => Promise<T>): [Load<T>, () => void] {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the loader
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      (data) => live && setResult({ state: 'done', data }),
      (error: unknown) => live && setResult({ state: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [key, attempt]);
  return [result, () => setAttempt((a) => a + 1)];
}

export function Loading() {
  const { t } = usePrefs();
  return (
    <p className="muted" role="status">
      {t('loading')}
    </p>
  );
}

export function Failed({ retry }: { retry: () => void }) {
  const { t } = usePrefs();
  return (
    <div className="notice notice-error" role="alert">
      <p>{t('loadFailed')}</p>
      <button type="button" className="button" onClick={retry}>
        {t('retry')}
      </button>
    </div>
  );
}

export function formatDateTime(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}
