import { BULLETIN_PERIOD_PATTERNS, type BulletinKind } from '@duban/schema';
import { validationError } from '../shared/errors.ts';

export type PeriodKind = Exclude<BulletinKind, 'four_lists'>;

/** A bulletin's period: the calendar days it covers and the KPI months that cover them. */
export type Period = {
  kind: PeriodKind;
  /** 2026-W47 | 2026-10 | 2026-Q3 */
  code: string;
  /** First and last day, inclusive (Beijing dates). */
  from: string;
  to: string;
  /** The KPI months (YYYY-MM) overlapping the period: figures are kept per month. */
  monthFrom: string;
  monthTo: string;
  /** 2026年第47周（11月16日—11月22日） | 2026年10月 | 2026年第三季度 */
  labelZh: string;
};

const DAY = 86_400_000;
const QUARTER_ZH = ['一', '二', '三', '四'];

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const pad = (n: number) => String(n).padStart(2, '0');

/** Monday of ISO week 1: the week holding 4 January. */
function isoWeekOneMonday(year: number): number {
  const jan4 = utc(year, 1, 4);
  const dow = (new Date(jan4).getUTCDay() + 6) % 7; // Monday 0
  return jan4 - dow * DAY;
}

/** ISO week-year and week of a date. */
export function isoWeekOf(date: string): { year: number; week: number } {
  const t = Date.parse(`${date}T00:00:00Z`);
  const dow = (new Date(t).getUTCDay() + 6) % 7;
  const thursday = t + (3 - dow) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - isoWeekOneMonday(year)) / (7 * DAY)) + 1;
  return { year, week };
}

function badPeriod(kind: PeriodKind, field: string): never {
  const example = { weekly: '2026-W47', monthly: '2026-10', quarterly: '2026-Q3' }[kind];
  throw validationError([
    {
      field,
      message: `period must look like ${example} for a ${kind} bulletin`,
      messageZh: `期次格式应为 ${example}`,
    },
  ]);
}

/** Parses a period code of the kind; a malformed or impossible one (2026-W53) is a 400 on `field`. */
export function parsePeriod(kind: PeriodKind, code: string | undefined, field = 'body.period'): Period {
  if (code === undefined || !BULLETIN_PERIOD_PATTERNS[kind].test(code)) return badPeriod(kind, field);
  const year = Number(code.slice(0, 4));
  if (year < 2000 || year > 2100) return badPeriod(kind, field);
  switch (kind) {
    case 'weekly': {
      const week = Number(code.slice(6));
      const monday = isoWeekOneMonday(year) + (week - 1) * 7 * DAY;
      const from = iso(monday);
      if (isoWeekOf(from).year !== year) return badPeriod(kind, field);
      const to = iso(monday + 6 * DAY);
      return {
        kind,
        code,
        from,
        to,
        monthFrom: from.slice(0, 7),
        monthTo: to.slice(0, 7),
        labelZh: `${year}年第${week}周（${Number(from.slice(5, 7))}月${Number(from.slice(8))}日—${Number(to.slice(5, 7))}月${Number(to.slice(8))}日）`,
      };
    }
    case 'monthly': {
      const month = Number(code.slice(5));
      const to = iso(utc(year, month + 1, 1) - DAY);
      return {
        kind,
        code,
        from: `${code}-01`,
        to,
        monthFrom: code,
        monthTo: code,
        labelZh: `${year}年${month}月`,
      };
    }
    case 'quarterly': {
      const q = Number(code.slice(6));
      const first = (q - 1) * 3 + 1;
      const monthFrom = `${year}-${pad(first)}`;
      const monthTo = `${year}-${pad(first + 2)}`;
      return {
        kind,
        code,
        from: `${monthFrom}-01`,
        to: iso(utc(year, first + 3, 1) - DAY),
        monthFrom,
        monthTo,
        labelZh: `${year}年第${QUARTER_ZH[q - 1]}季度`,
      };
    }
  }
}

/** The last complete period of the kind before `today` (a Beijing date): what the schedule reports. */
export function previousPeriod(kind: PeriodKind, today: string): Period {
  const t = Date.parse(`${today}T00:00:00Z`);
  switch (kind) {
    case 'weekly': {
      const { year, week } = isoWeekOf(iso(t - 7 * DAY));
      return parsePeriod(kind, `${year}-W${pad(week)}`);
    }
    case 'monthly': {
      const prev = new Date(utc(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 1) - DAY);
      return parsePeriod(kind, `${prev.getUTCFullYear()}-${pad(prev.getUTCMonth() + 1)}`);
    }
    case 'quarterly': {
      const y = Number(today.slice(0, 4));
      const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
      return parsePeriod(kind, q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`);
    }
  }
}

/** Which kinds fall due on `today` (Beijing): 周调度 on Mondays, 月通报 on the 1st, 季考核 on a quarter's first day. */
export function kindsDueOn(today: string): PeriodKind[] {
  const t = Date.parse(`${today}T00:00:00Z`);
  const due: PeriodKind[] = [];
  if (new Date(t).getUTCDay() === 1) due.push('weekly');
  if (today.endsWith('-01')) {
    due.push('monthly');
    if (['01', '04', '07', '10'].includes(today.slice(5, 7))) due.push('quarterly');
  }
  return due;
}
