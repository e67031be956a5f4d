import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  buildCalendar,
  type Calendar,
  type CalendarDay,
  isWorkday,
  workingDaysBetween,
} from '../../src/calendar/calendar.ts';
import { dateOf, dayNumber, isWeekend } from '../../src/calendar/dates.ts';
import { packagedCalendar } from '../../src/calendar/packaged.ts';

/** The obvious day-by-day implementation the fast one must agree with. */
function reference(days: CalendarDay[]) {
  const kinds = new Map(days.map((d) => [dayNumber(d.date), d.kind]));
  const works = (x: number) => {
    const k = kinds.get(x);
    return k === undefined ? !isWeekend(x) : k === 'workday';
  };
  return {
    works,
    add(date: string, n: number): string {
      let x = dayNumber(date);
      const step = Math.sign(n);
      for (let left = Math.abs(n); left > 0; ) {
        x += step;
        if (works(x)) left--;
      }
      return dateOf(x);
    },
    between(a: string, b: string): number {
      const [lo, hi, sign] = a <= b ? [a, b, 1] : [b, a, -1];
      let count = 0;
      for (let x = dayNumber(lo) + 1; x <= dayNumber(hi); x++) if (works(x)) count++;
      return count === 0 ? 0 : sign * count;
    },
  };
}

const FROM = dayNumber('2019-01-01');
const TO = dayNumber('2031-12-31');
const dateArb = fc.integer({ min: FROM, max: TO }).map(dateOf);
/** Random declarations around 2022–2027, so dates fall before, inside and after them. */
const daysArb = fc.array(
  fc.record({
    date: fc.integer({ min: dayNumber('2022-01-01'), max: dayNumber('2027-12-31') }).map(dateOf),
    kind: fc.constantFrom<CalendarDay['kind']>('holiday', 'workday'),
  }),
  { maxLength: 120 },
);
const packaged = packagedCalendar().days;
/** Either the real national calendar or a random one. */
const calendarArb = fc
  .oneof(fc.constant(packaged), daysArb)
  .map((days) => ({ days, cal: buildCalendar(days) }));
const stepsArb = fc.integer({ min: -400, max: 400 });

describe('calendar properties', () => {
  it('agrees with the day-by-day reference implementation', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dateArb, stepsArb, ({ days, cal }, a, b, n) => {
        const ref = reference(days);
        expect(isWorkday(cal, a)).toBe(ref.works(dayNumber(a)));
        expect(addWorkingDays(cal, a, n)).toBe(ref.add(a, n));
        expect(workingDaysBetween(cal, a, b)).toBe(ref.between(a, b));
      }),
      { numRuns: 400 },
    );
  });

  it('addWorkingDays lands on a working day strictly after (n ≥ 1) or before (n ≤ -1) the start', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, stepsArb, ({ cal }, d, n) => {
        const r = addWorkingDays(cal, d, n);
        if (n === 0) expect(r).toBe(d);
        else expect([isWorkday(cal, r), n > 0 ? r > d : r < d]).toEqual([true, true]);
      }),
    );
  });

  it('is strictly monotonic in n and monotonic in the start date', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dateArb, stepsArb, ({ cal }, a, b, n) => {
        expect(addWorkingDays(cal, a, n) < addWorkingDays(cal, a, n + 1)).toBe(true);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(addWorkingDays(cal, lo, n) <= addWorkingDays(cal, hi, n)).toBe(true);
      }),
    );
  });

  it('workingDaysBetween inverts addWorkingDays (n ≥ 0 always; n < 0 from a working day)', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, stepsArb, ({ cal }, d, n) => {
        const r = addWorkingDays(cal, d, n);
        if (n >= 0 || isWorkday(cal, d)) expect(workingDaysBetween(cal, d, r)).toBe(n);
        // From a rest day, going back starts at the working day before it, which is not counted.
        else expect(workingDaysBetween(cal, d, r)).toBe(n + 1);
      }),
    );
  });

  it('addWorkingDays inverts workingDaysBetween onto working days', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dateArb, ({ cal }, a, b) => {
        fc.pre(isWorkday(cal, b) && (b >= a || isWorkday(cal, a)));
        expect(addWorkingDays(cal, a, workingDaysBetween(cal, a, b))).toBe(b);
      }),
    );
  });

  it('workingDaysBetween is antisymmetric and additive', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dateArb, dateArb, ({ cal }, a, b, c) => {
        expect(workingDaysBetween(cal, a, a)).toBe(0);
        expect(workingDaysBetween(cal, b, a)).toBe(0 - workingDaysBetween(cal, a, b));
        expect(workingDaysBetween(cal, a, b) + workingDaysBetween(cal, b, c)).toBe(
          workingDaysBetween(cal, a, c),
        );
      }),
    );
  });

  it('steps compose: n working days then m more is n + m (n, m ≥ 0; n, m ≤ 0 from a working day)', () => {
    const half = fc.integer({ min: 0, max: 200 });
    fc.assert(
      fc.property(calendarArb, dateArb, half, half, ({ cal }, d, n, m) => {
        expect(addWorkingDays(cal, addWorkingDays(cal, d, n), m)).toBe(addWorkingDays(cal, d, n + m));
        const w = addWorkingDays(cal, d, 1);
        expect(addWorkingDays(cal, addWorkingDays(cal, w, -n), -m)).toBe(addWorkingDays(cal, w, -n - m));
      }),
    );
  });

  it('a declaration that agrees with the weekday rule changes nothing', () => {
    fc.assert(
      fc.property(daysArb, dateArb, dateArb, (days, a, b) => {
        const agreeing: CalendarDay[] = days.map((d) => ({
          date: d.date,
          kind: isWeekend(dayNumber(d.date)) ? 'holiday' : 'workday',
        }));
        const cal: Calendar = buildCalendar(agreeing);
        expect(workingDaysBetween(cal, a, b)).toBe(workingDaysBetween(buildCalendar([]), a, b));
      }),
    );
  });
});
