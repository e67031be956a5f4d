/**
 * Calendar dates as 'YYYY-MM-DD' strings and as day numbers (days since 1970-01-01), with no time
 * zone anywhere: a date names a day of the Chinese civil calendar, not an instant. The conversions
 * are Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian), integer-only, so a
 * sweep over a million deadlines does not allocate a Date per item.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The smallest and largest day numbers we accept: 0001-01-01 and 9999-12-31. */
export const MIN_DAY = daysFromCivil(1, 1, 1);
export const MAX_DAY = daysFromCivil(9999, 12, 31);

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(dayNumber: number): [year: number, month: number, day: number] {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The day number of 'YYYY-MM-DD', or undefined when the text is not a real date in 0001–9999. */
export function tryDayNumber(date: string): number | undefined {
  const m = ISO_DATE.exec(date);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** The day number of 'YYYY-MM-DD'; throws RangeError for anything else (callers validate first). */
export function dayNumber(date: string): number {
  const n = tryDayNumber(date);
  if (n === undefined) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return n;
}

/** 'YYYY-MM-DD' of a day number; throws RangeError outside 0001-01-01 … 9999-12-31. */
export function dateOf(dayNumber: number): string {
  if (!Number.isInteger(dayNumber) || dayNumber < MIN_DAY || dayNumber > MAX_DAY) {
    throw new RangeError(`day number out of range (0001-01-01 … 9999-12-31): ${dayNumber}`);
  }
  const [y, m, d] = civilFromDays(dayNumber);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** Day of the week, 0 = Sunday … 6 = Saturday (1970-01-01, day 0, was a Thursday). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function isWeekend(dayNumber: number): boolean {
  const w = weekdayOf(dayNumber);
  return w === 0 || w === 6;
}
