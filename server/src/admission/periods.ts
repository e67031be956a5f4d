import type { QuotaPeriod } from '@duban/schema';

/**
 * Quota periods on Beijing calendar dates ('YYYY-MM-DD', from shanghaiDate): a month ('2026-11')
 * or a quarter ('2026-Q4'); `from` is the first day, `to` the first day after it.
 */
export type PeriodSpan = { label: string; kind: QuotaPeriod; from: string; to: string };

const pad = (n: number) => String(n).padStart(2, '0');

function firstOfMonth(year: number, month: number): string {
  // month may run past 12: the next year's months.
  const y = year + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12) + 1;
  return `${y}-${pad(m)}-01`;
}

/** The period of the kind that contains a date. */
export function periodOf(kind: QuotaPeriod, date: string): PeriodSpan {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  if (kind === 'month') {
    return {
      label: date.slice(0, 7),
      kind,
      from: firstOfMonth(year, month),
      to: firstOfMonth(year, month + 1),
    };
  }
  const q = Math.floor((month - 1) / 3) + 1;
  const start = (q - 1) * 3 + 1;
  return { label: `${year}-Q${q}`, kind, from: firstOfMonth(year, start), to: firstOfMonth(year, start + 3) };
}
