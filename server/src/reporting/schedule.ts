import type { ReportSchedule } from '@duban/schema';
import { addWorkingDays, type Calendar, isWorkday } from '../calendar/calendar.ts';
import { dateOf, dayNumber } from '../calendar/dates.ts';

/**
 * 定期报送 schedule arithmetic (pure). A schedule cuts time into periods — ISO weeks ('2026-W48'),
 * months ('2026-11') or quarters ('2026-Q4') — and names in each one nominal due day: the weekday of
 * the week; the day of the month (a day past the month's end means its last day: 每月31日前 is due
 * on 30 April); the day of the quarter's N-th month (每季度第1个月20日前: 20 Jan, 20 Apr, 20 Jul, 20 Oct).
 *
 * Holiday rule (顺延): when the nominal due day is not a working day, the report is due on the next
 * working day of the calendar (2025-10-01 falls in the National Day holiday, so a report due by the
 * 1st of October 2025 is due on 2025-10-09). When a long holiday pushes two periods onto the same
 * working day — a weekly schedule whose weekday falls twice in a 9-day Spring Festival — the earlier
 * period had no working day of its own and is merged into the later one: one slot, the later period's.
 * So due dates strictly increase from period to period, each is a working day, and each period has
 * at most one slot.
 */

export type ReportSlotDue = {
  /** '2026-W48' | '2026-11' | '2026-Q4'. */
  period: string;
  /** The working day the report is due by. */
  dueOn: string;
  /** The first and last day of the period. */
  periodStart: string;
  periodEnd: string;
};

/** Day number of a Monday (1970-01-05): weeks are counted from it. */
const MONDAY = 4;

function civil(date: string): { year: number; month: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) };
}

function firstOfMonth(year: number, month: number): number {
  return dayNumber(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`);
}

/** The day number of `day` of the month, or of the month's last day when it has fewer days. */
function dayOfMonth(year: number, month: number, day: number): number {
  const first = firstOfMonth(year, month);
  const next = month === 12 ? firstOfMonth(year + 1, 1) : firstOfMonth(year, month + 1);
  return Math.min(first + day - 1, next - 1);
}

/** Periods are numbered: weeks since 1970-01-05, months and quarters since year 0. */
function periodIndexOf(s: ReportSchedule, x: number): number {
  const { year, month } = civil(dateOf(x));
  switch (s.kind) {
    case 'weekly':
      return Math.floor((x - MONDAY) / 7);
    case 'monthly':
      return year * 12 + month - 1;
    case 'quarterly':
      return year * 4 + Math.floor((month - 1) / 3);
  }
}

function bounds(s: ReportSchedule, i: number): { start: number; end: number } {
  switch (s.kind) {
    case 'weekly':
      return { start: MONDAY + i * 7, end: MONDAY + i * 7 + 6 };
    case 'monthly': {
      const year = Math.floor(i / 12);
      const month = i - year * 12 + 1;
      return { start: firstOfMonth(year, month), end: dayOfMonth(year, month, 31) };
    }
    case 'quarterly': {
      const year = Math.floor(i / 4);
      const first = (i - year * 4) * 3 + 1;
      return { start: firstOfMonth(year, first), end: dayOfMonth(year, first + 2, 31) };
    }
  }
}

function label(s: ReportSchedule, i: number): string {
  const { start } = bounds(s, i);
  const { year, month } = civil(dateOf(start));
  switch (s.kind) {
    case 'weekly': {
      // ISO 8601: the week belongs to the year of its Thursday.
      const thursday = start + 3;
      const isoYear = civil(dateOf(thursday)).year;
      const week = Math.floor((thursday - firstOfMonth(isoYear, 1)) / 7) + 1;
      return `${isoYear}-W${String(week).padStart(2, '0')}`;
    }
    case 'monthly':
      return `${year}-${String(month).padStart(2, '0')}`;
    case 'quarterly':
      return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
  }
}

function nominalDue(s: ReportSchedule, i: number): number {
  const { start } = bounds(s, i);
  switch (s.kind) {
    case 'weekly':
      return start + s.weekday - 1;
    case 'monthly': {
      const { year, month } = civil(dateOf(start));
      return dayOfMonth(year, month, s.day);
    }
    case 'quarterly': {
      const { year, month } = civil(dateOf(start));
      return dayOfMonth(year, month + s.month - 1, s.day);
    }
  }
}

/** 顺延: the day itself when it is a working day, else the next working day. */
export function onOrNextWorkday(cal: Calendar, date: string): string {
  return isWorkday(cal, date) ? date : addWorkingDays(cal, date, 1);
}

function shiftedDue(s: ReportSchedule, cal: Calendar, i: number): string {
  return onOrNextWorkday(cal, dateOf(nominalDue(s, i)));
}

/** Period i's slot, or null when a holiday merged it into the next period (see the module comment). */
function slotOf(s: ReportSchedule, cal: Calendar, i: number): ReportSlotDue | null {
  const dueOn = shiftedDue(s, cal, i);
  if (dueOn === shiftedDue(s, cal, i + 1)) return null;
  const { start, end } = bounds(s, i);
  return { period: label(s, i), dueOn, periodStart: dateOf(start), periodEnd: dateOf(end) };
}

/** The period containing `date`: its label and first and last day. */
export function periodOf(s: ReportSchedule, date: string): { period: string; start: string; end: string } {
  const i = periodIndexOf(s, dayNumber(date));
  const { start, end } = bounds(s, i);
  return { period: label(s, i), start: dateOf(start), end: dateOf(end) };
}

/**
 * The slots whose due date lies in [from, to], in order of due date (strictly increasing). A
 * holiday can push a due date past its period's end (due 2025-09-30 → 2025-10-09), so the
 * search starts a few periods before `from`.
 */
export function dueSlots(s: ReportSchedule, cal: Calendar, from: string, to: string): ReportSlotDue[] {
  const out: ReportSlotDue[] = [];
  const last = periodIndexOf(s, dayNumber(to));
  for (let i = periodIndexOf(s, dayNumber(from) - 31); i <= last; i++) {
    const slot = slotOf(s, cal, i);
    if (slot && slot.dueOn >= from && slot.dueOn <= to) out.push(slot);
  }
  return out;
}

/**
 * The slots to exist for an active item on `today`: those of the current and the next period (a
 * rolling window the reporting sweep moves on), and the previous period's while a holiday has
 * pushed its due date to today or later; leaving out any due on or before the dispatch day — the
 * first slot is the first period whose due date comes after dispatch. Periods that pass while the
 * item is not active (suspended) never get a slot.
 */
export function slotsToCreate(
  s: ReportSchedule,
  cal: Calendar,
  dispatchedOn: string,
  today: string,
): ReportSlotDue[] {
  const current = periodIndexOf(s, dayNumber(today));
  const out: ReportSlotDue[] = [];
  for (const i of [current - 1, current, current + 1]) {
    const slot = slotOf(s, cal, i);
    if (!slot || slot.dueOn <= dispatchedOn) continue;
    if (i < current && slot.dueOn < today) continue;
    out.push(slot);
  }
  return out;
}

/**
 * Which slot a progress report of the lead unit filed on `today` fills. Each slot's window runs from
 * the day after the previous slot's due date up to its own due date.
 * 1. A late report first makes good the oldest missed slot (open, due before today);
 * 2. else it fills the slot whose window holds today — the first slot due on or after today — if
 *    that one is still open;
 * 3. else none: a second report within one window does not count in advance for the next period.
 * `slots` are the item's slots in order of due date.
 */
export function slotToFill<T extends { dueOn: string; filled: boolean }>(
  slots: readonly T[],
  today: string,
): T | null {
  const missed = slots.find((s) => !s.filled && s.dueOn < today);
  if (missed) return missed;
  const current = slots.find((s) => s.dueOn >= today);
  return current && !current.filled ? current : null;
}
