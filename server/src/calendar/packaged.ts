import { createRequire } from 'node:module';
import { z } from 'zod';
import { isIsoDate } from '../shared/time.ts';
import type { DayKind } from './calendar.ts';

/** A national day as the chinese-days package lists it. */
export type PackagedDay = { date: string; kind: DayKind; name: string };

// The package's raw data ('YYYY-MM-DD' → 'English name,中文名,n'): read once, not asked day by day.
const RawData = z.object({
  holidays: z.record(z.string(), z.string()),
  workdays: z.record(z.string(), z.string()),
});

const require = createRequire(import.meta.url);

let cached: { version: string; days: PackagedDay[] } | undefined;

/**
 * The national holidays and make-up working days the installed chinese-days package lists
 * (2004–2026 in 1.5.x), sorted by date, with the Chinese name of the festival they belong to.
 */
export function packagedCalendar(): { version: string; days: PackagedDay[] } {
  if (cached) return cached;
  const raw = RawData.parse(require('chinese-days/dist/chinese-days.json'));
  const { version } = z.object({ version: z.string() }).parse(require('chinese-days/package.json'));
  const days: PackagedDay[] = [];
  const add = (entries: Record<string, string>, kind: DayKind) => {
    for (const [date, label] of Object.entries(entries)) {
      if (!isIsoDate(date)) throw new Error(`chinese-days: not a date: ${date}`);
      days.push({ date, kind, name: label.split(',')[1]?.trim() ?? '' });
    }
  };
  add(raw.holidays, 'holiday');
  add(raw.workdays, 'workday');
  days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const twice = days.find((d, i) => days[i + 1]?.date === d.date);
  if (twice) throw new Error(`chinese-days lists ${twice.date} as both a holiday and a working day`);
  cached = { version, days };
  return cached;
}

let byDate: Map<string, PackagedDay> | undefined;

/** The packaged national day on this date, if chinese-days lists it. */
export function packagedDay(date: string): PackagedDay | undefined {
  byDate ??= new Map(packagedCalendar().days.map((d) => [d.date, d]));
  return byDate.get(date);
}
