import { ReportSchedule, reportPeriodLabel, reportScheduleLabel } from '@duban/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCalendar, isWorkday } from '../../src/calendar/calendar.ts';
import { reminderKind } from '../../src/reporting/reminders.ts';
import { dueSlots, periodOf, slotsToCreate, slotToFill } from '../../src/reporting/schedule.ts';
import { addDays } from '../../src/shared/time.ts';
import { officialDays } from '../calendar/official.ts';

/** The State Council's notices for 2024–2026, copied by hand (test/calendar/official.ts). */
const CAL = buildCalendar(officialDays());

const due = (s: ReportSchedule, from: string, to: string) =>
  dueSlots(s, CAL, from, to).map((x) => [x.period, x.dueOn]);

describe('due dates on the official calendar (hand-worked)', () => {
  it('moves a monthly day-1 report for October 2025 past the National Day holiday to 10-09', () => {
    expect(due({ kind: 'monthly', day: 1 }, '2025-09-01', '2025-12-31')).toEqual([
      ['2025-09', '2025-09-01'],
      ['2025-10', '2025-10-09'], // 10-01 … 10-08 off
      ['2025-11', '2025-11-03'], // Saturday → Monday
      ['2025-12', '2025-12-01'],
    ]);
  });

  it('keeps make-up working days (调休) as due dates and shifts holidays and weekends', () => {
    // Weekly by Saturday: 09-13 and 09-20 are plain Saturdays (due Monday); 09-27's next working
    // day is Sunday 09-28 (worked); 10-04 lies in the holiday; Saturday 10-11 is itself worked.
    expect(due({ kind: 'weekly', weekday: 6 }, '2025-09-15', '2025-10-17')).toEqual([
      ['2025-W37', '2025-09-15'],
      ['2025-W38', '2025-09-22'],
      ['2025-W39', '2025-09-28'],
      ['2025-W40', '2025-10-09'],
      ['2025-W41', '2025-10-11'],
    ]);
  });

  it('dates 每季度第1个月20日前 on 20 Jan, Apr, Jul and Oct, or the next working day', () => {
    expect(due({ kind: 'quarterly', month: 1, day: 20 }, '2025-01-01', '2025-12-31')).toEqual([
      ['2025-Q1', '2025-01-20'],
      ['2025-Q2', '2025-04-21'], // Sunday
      ['2025-Q3', '2025-07-21'], // Sunday
      ['2025-Q4', '2025-10-20'],
    ]);
    expect(due({ kind: 'quarterly', month: 3, day: 31 }, '2025-01-01', '2025-12-31')).toEqual([
      ['2025-Q1', '2025-03-31'],
      ['2025-Q2', '2025-06-30'], // no 31 June: the month's last day
      ['2025-Q3', '2025-09-30'],
      ['2025-Q4', '2025-12-31'],
    ]);
  });

  it('takes a day past the month end as the last day, and may move it into the next month', () => {
    expect(due({ kind: 'monthly', day: 31 }, '2025-02-01', '2025-05-31')).toEqual([
      ['2025-01', '2025-02-05'], // 01-31 in the Spring Festival holiday (01-28 … 02-04)
      ['2025-02', '2025-02-28'],
      ['2025-03', '2025-03-31'],
      ['2025-04', '2025-04-30'],
    ]);
    // 30 Nov 2025 is a Sunday: November's report is due Monday 1 December (and found by a range
    // that starts in December).
    expect(due({ kind: 'monthly', day: 31 }, '2025-12-01', '2025-12-31')).toEqual([
      ['2025-11', '2025-12-01'],
      ['2025-12', '2025-12-31'],
    ]);
  });

  it('merges a week the Spring Festival took whole into the next one', () => {
    // 2026-02-15 … 02-23 off: Mondays 02-16 and 02-23 both move to Tuesday 02-24.
    expect(due({ kind: 'weekly', weekday: 1 }, '2026-02-01', '2026-03-03')).toEqual([
      ['2026-W06', '2026-02-02'],
      ['2026-W07', '2026-02-09'],
      ['2026-W09', '2026-02-24'],
      ['2026-W10', '2026-03-02'],
    ]);
  });

  it('labels ISO weeks by the year of their Thursday', () => {
    expect(periodOf({ kind: 'weekly', weekday: 5 }, '2026-11-27')).toEqual({
      period: '2026-W48',
      start: '2026-11-23',
      end: '2026-11-29',
    });
    expect(periodOf({ kind: 'weekly', weekday: 5 }, '2024-12-31').period).toBe('2025-W01');
    expect(periodOf({ kind: 'weekly', weekday: 5 }, '2027-01-01').period).toBe('2026-W53');
    expect(periodOf({ kind: 'quarterly', month: 1, day: 20 }, '2026-11-27')).toEqual({
      period: '2026-Q4',
      start: '2026-10-01',
      end: '2026-12-31',
    });
    expect(periodOf({ kind: 'monthly', day: 25 }, '2024-02-10')).toEqual({
      period: '2024-02',
      start: '2024-02-01',
      end: '2024-02-29',
    });
  });

  it('starts with the first period due after dispatch and keeps the current and the next', () => {
    const monthly1: ReportSchedule = { kind: 'monthly', day: 1 };
    // Dispatched 2025-09-15: September's report (due 09-01) came before; October's and November's.
    expect(slotsToCreate(monthly1, CAL, '2025-09-15', '2025-09-15').map((s) => s.period)).toEqual([
      '2025-10',
    ]);
    expect(slotsToCreate(monthly1, CAL, '2025-09-15', '2025-10-02').map((s) => [s.period, s.dueOn])).toEqual([
      ['2025-10', '2025-10-09'],
      ['2025-11', '2025-11-03'],
    ]);
    // On Monday 10-06 (in the holiday) the previous week's slot, moved to 10-09, is still ahead.
    const weeklySat: ReportSchedule = { kind: 'weekly', weekday: 6 };
    expect(slotsToCreate(weeklySat, CAL, '2025-09-29', '2025-10-06').map((s) => s.period)).toEqual([
      '2025-W40',
      '2025-W41',
      '2025-W42',
    ]);
  });

  it('times the reminders by working days: the day before the due date, and after it', () => {
    // Due 2025-10-09 after the holiday: reminded on 09-30, the last working day before it.
    expect(reminderKind(CAL, '2025-10-09', '2025-09-29')).toBeNull();
    expect(reminderKind(CAL, '2025-10-09', '2025-09-30')).toBe('due');
    expect(reminderKind(CAL, '2025-10-09', '2025-10-05')).toBe('due');
    expect(reminderKind(CAL, '2025-10-09', '2025-10-09')).toBe('due');
    expect(reminderKind(CAL, '2025-10-09', '2025-10-10')).toBe('missing');
    // Due Friday 2025-11-28: missing from Monday, not over the weekend.
    expect(reminderKind(CAL, '2025-11-28', '2025-11-29')).toBeNull();
    expect(reminderKind(CAL, '2025-11-28', '2025-12-01')).toBe('missing');
  });
});

describe('which slot a report fills', () => {
  const slots = (filled: boolean[]) =>
    ['2025-10-09', '2025-11-03', '2025-12-01'].map((dueOn, i) => ({ dueOn, filled: filled[i] ?? false }));

  it('fills its own window, the oldest missed slot first, and nothing ahead', () => {
    expect(slotToFill(slots([false, false, false]), '2025-10-09')?.dueOn).toBe('2025-10-09');
    expect(slotToFill(slots([true, false, false]), '2025-10-09')).toBeNull(); // a second report
    expect(slotToFill(slots([true, false, false]), '2025-10-10')?.dueOn).toBe('2025-11-03');
    expect(slotToFill(slots([false, false, false]), '2025-11-20')?.dueOn).toBe('2025-10-09'); // late
    expect(slotToFill(slots([true, false, false]), '2025-11-20')?.dueOn).toBe('2025-11-03');
    expect(slotToFill(slots([true, true, true]), '2025-12-20')).toBeNull();
  });
});

describe('schedule labels', () => {
  it('writes the schedule and periods as people do', () => {
    expect(reportScheduleLabel({ kind: 'weekly', weekday: 5 })).toBe('每周五前');
    expect(reportScheduleLabel({ kind: 'weekly', weekday: 7 })).toBe('每周日前');
    expect(reportScheduleLabel({ kind: 'monthly', day: 25 })).toBe('每月25日前');
    expect(reportScheduleLabel({ kind: 'quarterly', month: 1, day: 20 })).toBe('每季度第1个月20日前');
    expect(reportPeriodLabel('2026-W48')).toBe('2026年第48周');
    expect(reportPeriodLabel('2026-11')).toBe('2026年11月');
    expect(reportPeriodLabel('2026-Q4')).toBe('2026年第4季度');
  });

  it('refuses schedules outside the ranges', () => {
    expect(ReportSchedule.safeParse({ kind: 'weekly', weekday: 8 }).success).toBe(false);
    expect(ReportSchedule.safeParse({ kind: 'weekly', weekday: 0 }).success).toBe(false);
    expect(ReportSchedule.safeParse({ kind: 'monthly', day: 32 }).success).toBe(false);
    expect(ReportSchedule.safeParse({ kind: 'quarterly', month: 4, day: 1 }).success).toBe(false);
    expect(ReportSchedule.safeParse({ kind: 'monthly', day: 2.5 }).success).toBe(false);
    expect(ReportSchedule.safeParse({ kind: 'daily' }).success).toBe(false);
    expect(ReportSchedule.safeParse({ kind: 'monthly', day: 5, weekday: 1 }).success).toBe(false);
  });
});

// --- properties, over 2024–2026 (the years the hand-copied calendar covers) -----------------------

const schedule: fc.Arbitrary<ReportSchedule> = fc.oneof(
  fc.integer({ min: 1, max: 7 }).map((weekday) => ({ kind: 'weekly' as const, weekday })),
  fc.integer({ min: 1, max: 31 }).map((day) => ({ kind: 'monthly' as const, day })),
  fc
    .record({ month: fc.integer({ min: 1, max: 3 }), day: fc.integer({ min: 1, max: 31 }) })
    .map((r) => ({ kind: 'quarterly' as const, ...r })),
);
const day = fc.integer({ min: 0, max: 900 }).map((n) => addDays('2024-01-01', n));

/** An oracle written differently: the nominal due day through Date, then day by day to a workday. */
function oracleDue(s: ReportSchedule, periodStart: string): string {
  const d = new Date(`${periodStart}T00:00:00Z`);
  let nominal: Date;
  if (s.kind === 'weekly') nominal = new Date(d.getTime() + (s.weekday - 1) * 86_400_000);
  else {
    const month = d.getUTCMonth() + (s.kind === 'quarterly' ? s.month - 1 : 0);
    const last = new Date(Date.UTC(d.getUTCFullYear(), month + 1, 0)).getUTCDate();
    nominal = new Date(Date.UTC(d.getUTCFullYear(), month, Math.min(s.day, last)));
  }
  let x = nominal.toISOString().slice(0, 10);
  while (!isWorkday(CAL, x)) x = addDays(x, 1);
  return x;
}

describe('schedule properties', () => {
  it('due dates strictly increase, are working days, and each period has one slot', () => {
    fc.assert(
      fc.property(schedule, day, fc.integer({ min: 0, max: 400 }), (s, from, length) => {
        const to = addDays(from, length);
        const slots = dueSlots(s, CAL, from, to);
        for (const [i, x] of slots.entries()) {
          expect(isWorkday(CAL, x.dueOn)).toBe(true);
          expect(x.dueOn >= from && x.dueOn <= to).toBe(true);
          if (i > 0) expect(x.dueOn > (slots[i - 1]?.dueOn ?? '')).toBe(true);
          expect(periodOf(s, x.periodStart).period).toBe(x.period);
          expect(x.dueOn).toBe(oracleDue(s, x.periodStart));
        }
        expect(new Set(slots.map((x) => x.period)).size).toBe(slots.length);
      }),
      { numRuns: 400 },
    );
  });

  it('leaves out a period only when the next one falls due the same day (顺延 merged them)', () => {
    fc.assert(
      fc.property(schedule, day, (s, from) => {
        const to = addDays(from, 120);
        const slots = dueSlots(s, CAL, from, to);
        for (const [i, x] of slots.entries()) {
          const next = slots[i + 1];
          if (!next) continue;
          // every period between two slots was merged: its oracle due day is the next slot's
          let start = addDays(x.periodEnd, 1);
          while (start < next.periodStart) {
            expect(oracleDue(s, start)).toBe(next.dueOn);
            start = addDays(periodOf(s, start).end, 1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('splits any range the same way: listing [a, c] is listing [a, b] then (b, c]', () => {
    fc.assert(
      fc.property(schedule, day, fc.nat(200), fc.nat(200), (s, a, m, n) => {
        const b = addDays(a, m);
        const c = addDays(b, n);
        expect(dueSlots(s, CAL, a, c)).toEqual([
          ...dueSlots(s, CAL, a, b),
          ...dueSlots(s, CAL, addDays(b, 1), c),
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('a daily sweep from dispatch creates every slot due after dispatch, no gap, nothing before', () => {
    fc.assert(
      fc.property(schedule, day, fc.integer({ min: 1, max: 200 }), (s, dispatched, length) => {
        const created = new Map<string, string>();
        const last = addDays(dispatched, length);
        for (let today = dispatched; today <= last; today = addDays(today, 1)) {
          for (const x of slotsToCreate(s, CAL, dispatched, today)) {
            expect(x.dueOn > dispatched).toBe(true);
            const before = created.get(x.period);
            if (before !== undefined) expect(x.dueOn).toBe(before);
            created.set(x.period, x.dueOn);
          }
        }
        const expected = dueSlots(s, CAL, addDays(dispatched, 1), last);
        for (const x of expected) expect(created.get(x.period)).toBe(x.dueOn);
      }),
      { numRuns: 150 },
    );
  });

  it('a report fills at most one open slot, never one due after its window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 300 }),
        (filled, offset) => {
          const slots = filled.map((f, i) => ({ dueOn: addDays('2025-01-10', 30 * i), filled: f }));
          const today = addDays('2025-01-01', offset);
          const pick = slotToFill(slots, today);
          if (!pick) return;
          expect(pick.filled).toBe(false);
          const window = slots.find((x) => x.dueOn >= today);
          if (pick.dueOn >= today) expect(pick).toBe(window);
          else expect(slots.filter((x) => !x.filled && x.dueOn < pick.dueOn)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
