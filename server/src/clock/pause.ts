import { addWorkingDays, type Calendar, workingDaysBetween } from '../calendar/calendar.ts';
import type { ClockShift } from '../events/types.ts';

/**
 * 计时暂停: while an item is suspended or returned awaiting re-dispatch, or while an extension
 * request is pending, its clock stands still. When it runs again, the deadline moves on by the
 * working days it stood (working days in (pausedOn, today]): a pause never shortens a deadline,
 * and a pause over a weekend or holiday costs nothing.
 */
export function resumeShift(cal: Calendar, pausedOn: string, today: string, deadline: string): ClockShift {
  const pausedWorkingDays = Math.max(0, workingDaysBetween(cal, pausedOn, today));
  const to = pausedWorkingDays === 0 ? deadline : addWorkingDays(cal, deadline, pausedWorkingDays);
  return { pausedOn, pausedWorkingDays, from: deadline, to };
}

/** Moves another deadline on by the same working days as `shift`. */
export function shiftBy(cal: Calendar, shift: ClockShift, deadline: string): string {
  return shift.pausedWorkingDays === 0 ? deadline : addWorkingDays(cal, deadline, shift.pausedWorkingDays);
}
