import { dateOf, dayNumber, isWeekend } from './dates.ts';

/**
 * 工作日历 — the working-day calendar. Pure: built from a list of days that are declared a rest day
 * (`holiday`: 法定节假日 and the days joined to it by 调休) or a working day (`workday`: 调休补班, a
 * weekend day worked in exchange). Every other day follows the weekday rule: Monday to Friday work,
 * Saturday and Sunday rest. Dates are 'YYYY-MM-DD' strings of the civil calendar, without time zones.
 *
 * Arithmetic is O(1) per call after building: within the span of declared days the calendar keeps
 * the running count of working days per day and the list of working days; outside it (years nobody
 * has published yet, or long ago) it counts weekdays by formula. A declared day that agrees with the
 * weekday rule (a holiday on a Sunday) changes nothing.
 */
export type DayKind = 'holiday' | 'workday';

export type CalendarDay = { date: string; kind: DayKind };

export type Calendar = {
  /** Day numbers of the first and last declared day; lo > hi for a calendar without declared days. */
  readonly lo: number;
  readonly hi: number;
  /** workdayOrdinal(lo - 1): no declared day lies before lo, so this is the plain weekday count. */
  readonly base: number;
  /** workdayOrdinal(x) - plainOrdinal(x) for every x ≥ hi: what the declared days add up to. */
  readonly shift: number;
  /** workdayOrdinal(lo + i) for each day of [lo, hi]. */
  readonly ordinals: Int32Array;
  /** The working days of [lo, hi] in order: the j-th has ordinal base + j + 1. */
  readonly workdays: Int32Array;
};

/** A Monday (1970-01-05): plainOrdinal counts weekdays in whole weeks from it. */
const MONDAY = 4;

/** Weekdays (Mon–Fri) up to and including day x, counted from an arbitrary fixed origin. */
function plainOrdinal(x: number): number {
  const t = x - MONDAY;
  const weeks = Math.floor(t / 7);
  const r = t - weeks * 7;
  return weeks * 5 + Math.min(r + 1, 5);
}

/** The weekday with plainOrdinal k: the smallest day whose ordinal is k. */
function plainWorkdayWithOrdinal(k: number): number {
  const weeks = Math.floor((k - 1) / 5);
  return MONDAY + weeks * 7 + (k - 1 - weeks * 5);
}

/** An index the construction guarantees to be in range. */
function at(array: Int32Array, i: number): number {
  const v = array[i];
  if (v === undefined) throw new RangeError(`calendar index out of range: ${i}`);
  return v;
}

/** Builds a calendar. When a date is given twice, the later entry wins. */
export function buildCalendar(days: Iterable<CalendarDay>): Calendar {
  const kinds = new Map<number, DayKind>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const d of days) {
    const x = dayNumber(d.date);
    kinds.set(x, d.kind);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (kinds.size === 0) {
    return { lo: 0, hi: -1, base: 0, shift: 0, ordinals: new Int32Array(0), workdays: new Int32Array(0) };
  }
  const length = hi - lo + 1;
  const ordinals = new Int32Array(length);
  const workdays = new Int32Array(length);
  const base = plainOrdinal(lo - 1);
  let ordinal = base;
  let count = 0;
  for (let i = 0; i < length; i++) {
    const x = lo + i;
    const kind = kinds.get(x);
    const works = kind === undefined ? !isWeekend(x) : kind === 'workday';
    if (works) {
      ordinal++;
      workdays[count++] = x;
    }
    ordinals[i] = ordinal;
  }
  return { lo, hi, base, shift: ordinal - plainOrdinal(hi), ordinals, workdays: workdays.slice(0, count) };
}

/** The weekday rule alone: what a calendar without declared days says. */
export const WEEKDAYS_ONLY: Calendar = buildCalendar([]);

/**
 * Layers days region by region: the national list first, then the province's, the city's, the
 * county's overrides. For each date the last layer that declares it wins; the result is sorted by date.
 */
export function overlayDays<T extends CalendarDay>(layers: Iterable<Iterable<T>>): T[] {
  const byDate = new Map<string, T>();
  for (const layer of layers) for (const d of layer) byDate.set(d.date, d);
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * The working-day ordinal of day number x: the number of working days up to and including x,
 * counted from a fixed origin (the origin is arbitrary; only differences mean anything). It grows
 * by one exactly on each working day. For bulk work (deadline sweeps) compare ordinals directly.
 */
export function workdayOrdinal(cal: Calendar, x: number): number {
  if (x < cal.lo) return plainOrdinal(x);
  if (x > cal.hi) return plainOrdinal(x) + cal.shift;
  return at(cal.ordinals, x - cal.lo);
}

/** The day number of the working day whose ordinal is k (the inverse of workdayOrdinal on workdays). */
export function workdayWithOrdinal(cal: Calendar, k: number): number {
  if (cal.lo > cal.hi || k <= cal.base) return plainWorkdayWithOrdinal(k);
  if (k > cal.base + cal.workdays.length) return plainWorkdayWithOrdinal(k - cal.shift);
  return at(cal.workdays, k - cal.base - 1);
}

/** Is the day a working day (工作日)? */
export function isWorkday(cal: Calendar, date: string): boolean {
  const x = dayNumber(date);
  return workdayOrdinal(cal, x) - workdayOrdinal(cal, x - 1) === 1;
}

/**
 * The n-th working day after `date` (n > 0) or before it (n < 0); `date` itself is never counted,
 * whether or not it is a working day. n = 0 returns `date` unchanged (even on a rest day).
 *
 * - addWorkingDays(Fri, 1) = next Monday; addWorkingDays(Sat, 1) = Monday; addWorkingDays(Mon, -1) = Fri.
 * - For n ≠ 0 the result is always a working day, strictly after (n > 0) or before (n < 0) `date`.
 * - "办理期限 N 个工作日, counted from the day after receipt": deadline = addWorkingDays(received, N).
 *
 * Throws RangeError for a bad date, a non-integer n, or a result outside 0001–9999.
 */
export function addWorkingDays(cal: Calendar, date: string, n: number): string {
  const x = dayNumber(date);
  if (!Number.isSafeInteger(n)) throw new RangeError(`n must be an integer: ${n}`);
  if (n === 0) return date;
  // The n-th working day after x has ordinal ordinal(x) + n; the |n|-th before x has ordinal
  // ordinal(x - 1) + n + 1 (the last working day before x has ordinal ordinal(x - 1)).
  const k = n > 0 ? workdayOrdinal(cal, x) + n : workdayOrdinal(cal, x - 1) + n + 1;
  return dateOf(workdayWithOrdinal(cal, k));
}

/**
 * The number of working days in (a, b] — after a, up to and including b — when a ≤ b; when b < a,
 * minus the number of working days in (b, a]. So it is 0 for a = b, antisymmetric
 * (between(a, b) = -between(b, a)) and additive (between(a, b) + between(b, c) = between(a, c)).
 *
 * It inverts addWorkingDays: workingDaysBetween(d, addWorkingDays(d, n)) = n for every n ≥ 0, and
 * for n < 0 when d is a working day (from a rest day, going back 1 working day and forward again
 * count different days: between(Sat, addWorkingDays(Sat, -1)) = between(Sat, Fri) = 0).
 * "剩余 K 个工作日" = workingDaysBetween(today, deadline); "超期 K 个工作日" = workingDaysBetween(deadline, today).
 */
export function workingDaysBetween(cal: Calendar, a: string, b: string): number {
  return workdayOrdinal(cal, dayNumber(b)) - workdayOrdinal(cal, dayNumber(a));
}
