import type { Locale } from './i18n/messages.ts';

/** An instant as people in 中国 read it (Asia/Shanghai), in the interface language. */
export function formatInstant(iso: string | null, locale: Locale): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
  });
}

/** Today's calendar date in Asia/Shanghai, YYYY-MM-DD (deadlines are Asia/Shanghai dates). */
export function shanghaiToday(now: Date = new Date()): string {
  return now.toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}
