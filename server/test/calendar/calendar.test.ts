import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  buildCalendar,
  isWorkday,
  overlayDays,
  WEEKDAYS_ONLY,
  workingDaysBetween,
} from '../../src/calendar/calendar.ts';
import { dateOf, dayNumber, tryDayNumber, weekdayOf } from '../../src/calendar/dates.ts';
import { packagedCalendar } from '../../src/calendar/packaged.ts';
import { isIsoDate } from '../../src/shared/time.ts';
import { datesOf, NOTICES, officialDays } from './official.ts';

const official = buildCalendar(officialDays());
const packaged = buildCalendar(packagedCalendar().days);

describe('dates', () => {
  it('converts dates and day numbers both ways, without time zones', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2025-01-28')).toBe(Date.UTC(2025, 0, 28) / 86_400_000);
    expect(dateOf(dayNumber('2024-02-29'))).toBe('2024-02-29');
    expect(dateOf(dayNumber('0001-01-01'))).toBe('0001-01-01');
    expect(dateOf(dayNumber('9999-12-31'))).toBe('9999-12-31');
    expect(weekdayOf(dayNumber('2025-01-26'))).toBe(0); // a Sunday
    expect(weekdayOf(dayNumber('2025-02-08'))).toBe(6); // a Saturday
  });

  it('refuses what is not a real date', () => {
    for (const bad of ['2025-02-29', '2024-13-01', '2024-04-31', '2024-1-01', '20240101', '0000-01-01', '']) {
      expect(isIsoDate(bad), bad).toBe(false);
      expect(tryDayNumber(bad)).toBeUndefined();
    }
    expect(() => dayNumber('2025-02-30')).toThrow(RangeError);
    expect(() => dateOf(dayNumber('9999-12-31') + 1)).toThrow(RangeError);
  });
});

describe('the official arrangements 2024–2026', () => {
  it('2025: 春节 1/28–2/4 off with 1/26 and 2/8 worked; 劳动节 5/1–5/5 with 4/27; 国庆 10/1–10/8 with 9/28 and 10/11', () => {
    for (const cal of [official, packaged]) {
      expect(isWorkday(cal, '2025-01-26')).toBe(true); // Sunday, worked
      expect(isWorkday(cal, '2025-01-27')).toBe(true);
      for (const d of ['2025-01-28', '2025-01-31', '2025-02-03', '2025-02-04'])
        expect(isWorkday(cal, d), d).toBe(false);
      expect(isWorkday(cal, '2025-02-05')).toBe(true);
      expect(isWorkday(cal, '2025-02-08')).toBe(true); // Saturday, worked
      expect(isWorkday(cal, '2025-04-27')).toBe(true);
      expect(isWorkday(cal, '2025-05-05')).toBe(false); // a Monday, 调休
      expect(isWorkday(cal, '2025-09-28')).toBe(true);
      expect(isWorkday(cal, '2025-10-08')).toBe(false); // a Wednesday
      expect(isWorkday(cal, '2025-10-11')).toBe(true);
      // One working day after the Monday before 春节 is the first day back.
      expect(addWorkingDays(cal, '2025-01-27', 1)).toBe('2025-02-05');
      expect(addWorkingDays(cal, '2025-02-05', -1)).toBe('2025-01-27');
      expect(workingDaysBetween(cal, '2025-01-24', '2025-02-05')).toBe(3); // 1/26, 1/27, 2/5
      expect(addWorkingDays(cal, '2025-09-30', 1)).toBe('2025-10-09');
    }
  });

  it('2024: 春节 2/10–2/17 off with 2/4 and 2/18 worked; 除夕 2/9 is a working day', () => {
    for (const cal of [official, packaged]) {
      expect(isWorkday(cal, '2024-02-04')).toBe(true);
      expect(isWorkday(cal, '2024-02-09')).toBe(true);
      expect(isWorkday(cal, '2024-02-12')).toBe(false);
      expect(isWorkday(cal, '2024-02-16')).toBe(false);
      expect(isWorkday(cal, '2024-02-18')).toBe(true);
      expect(addWorkingDays(cal, '2024-02-09', 1)).toBe('2024-02-18');
    }
  });

  it('2026: 春节 2/15–2/23 off with 2/14 and 2/28 worked; 国庆 10/1–10/7 with 9/20 and 10/10', () => {
    for (const cal of [official, packaged]) {
      expect(isWorkday(cal, '2026-01-02')).toBe(false);
      expect(isWorkday(cal, '2026-01-04')).toBe(true);
      expect(isWorkday(cal, '2026-02-14')).toBe(true);
      expect(isWorkday(cal, '2026-02-23')).toBe(false); // a Monday
      expect(isWorkday(cal, '2026-02-24')).toBe(true);
      expect(isWorkday(cal, '2026-02-28')).toBe(true);
      expect(isWorkday(cal, '2026-05-09')).toBe(true);
      expect(isWorkday(cal, '2026-09-20')).toBe(true);
      expect(isWorkday(cal, '2026-10-07')).toBe(false);
      expect(isWorkday(cal, '2026-10-10')).toBe(true);
      expect(addWorkingDays(cal, '2026-02-14', 1)).toBe('2026-02-24');
    }
  });

  it('chinese-days agrees with the notices on every day of 2024, 2025 and 2026', () => {
    const disagreements = NOTICES.flatMap((n) => datesOf(n.year)).filter(
      (d) => isWorkday(official, d) !== isWorkday(packaged, d),
    );
    expect(disagreements).toEqual([]);
  });

  it('counts the working days of each year (261 weekdays − weekday holidays + make-up days)', () => {
    const inYear = (cal: typeof official, y: number) =>
      workingDaysBetween(cal, `${y - 1}-12-31`, `${y}-12-31`);
    // 2024: 262 − 19 + 8; 2025: 261 − 18 + 5; 2026: 261 − 19 + 6.
    expect([2024, 2025, 2026].map((y) => inYear(official, y))).toEqual([251, 248, 248]);
    expect([2024, 2025, 2026].map((y) => inYear(packaged, y))).toEqual([251, 248, 248]);
  });

  it('covers 2004–2026 and falls back to the weekday rule beyond', () => {
    const years = new Set(packagedCalendar().days.map((d) => d.date.slice(0, 4)));
    expect(Math.min(...[...years].map(Number))).toBe(2004);
    expect(Math.max(...[...years].map(Number))).toBeGreaterThanOrEqual(2026);
    // Until a year's arrangement is entered its days follow the weekday rule: 2027-10-01 is a Friday.
    expect(isWorkday(official, '2027-10-01')).toBe(true);
    expect(addWorkingDays(official, '2027-12-31', 1)).toBe('2028-01-03'); // Friday → Monday
  });
});

describe('addWorkingDays and workingDaysBetween at the edges', () => {
  const cal = official;

  it('never counts the start day; n = 0 returns it unchanged, even on a rest day', () => {
    expect(addWorkingDays(cal, '2025-03-07', 1)).toBe('2025-03-10'); // Friday → Monday
    expect(addWorkingDays(cal, '2025-03-08', 1)).toBe('2025-03-10'); // Saturday → Monday
    expect(addWorkingDays(cal, '2025-03-08', -1)).toBe('2025-03-07'); // Saturday → Friday
    expect(addWorkingDays(cal, '2025-03-10', -1)).toBe('2025-03-07'); // Monday → Friday
    expect(addWorkingDays(cal, '2025-03-08', 0)).toBe('2025-03-08');
    expect(addWorkingDays(cal, '2025-03-10', 5)).toBe('2025-03-17');
  });

  it('counts working days in (a, b], negative when b < a', () => {
    expect(workingDaysBetween(cal, '2025-03-07', '2025-03-07')).toBe(0);
    expect(workingDaysBetween(cal, '2025-03-07', '2025-03-09')).toBe(0);
    expect(workingDaysBetween(cal, '2025-03-07', '2025-03-10')).toBe(1);
    expect(workingDaysBetween(cal, '2025-03-10', '2025-03-07')).toBe(-1);
    expect(workingDaysBetween(cal, '2025-03-08', '2025-03-07')).toBe(0);
  });

  it('is fast over long spans and far from the declared years', () => {
    expect(workingDaysBetween(WEEKDAYS_ONLY, '2000-01-01', '2000-01-08')).toBe(5);
    const far = addWorkingDays(cal, '2025-01-01', 500_000);
    expect(workingDaysBetween(cal, '2025-01-01', far)).toBe(500_000);
    // 2025-01-01 is a rest day: going back lands on the last working day before it.
    expect(addWorkingDays(cal, far, -500_000)).toBe('2024-12-31');
    expect(addWorkingDays(cal, '1900-01-01', 10)).toBe('1900-01-15');
  });

  it('refuses bad input', () => {
    expect(() => addWorkingDays(cal, '2025-02-30', 1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, '2025-02-03', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, '9999-12-30', 5)).toThrow(RangeError);
    expect(() => workingDaysBetween(cal, '2025-01-01', 'tomorrow')).toThrow(RangeError);
  });
});

describe('overlayDays', () => {
  it('lets a later layer win day by day, sorted by date', () => {
    const national = [
      { date: '2025-02-08', kind: 'workday' as const, layer: 'national' },
      { date: '2025-01-28', kind: 'holiday' as const, layer: 'national' },
    ];
    const city = [{ date: '2025-02-08', kind: 'holiday' as const, layer: 'city' }];
    expect(overlayDays([national, city])).toEqual([
      { date: '2025-01-28', kind: 'holiday', layer: 'national' },
      { date: '2025-02-08', kind: 'holiday', layer: 'city' },
    ]);
    const cal = buildCalendar(overlayDays([national, city]));
    expect(isWorkday(cal, '2025-02-08')).toBe(false);
  });
});
