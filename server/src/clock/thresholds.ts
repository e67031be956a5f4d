import type { Light } from '@duban/schema';
import { addWorkingDays, type Calendar, isWorkday, workingDaysBetween } from '../calendar/calendar.ts';
import { addDays, shanghaiDate } from '../shared/time.ts';

/**
 * 预警规则, on working days of the official calendar (configurable per category):
 * - yellow when at most `yellowWorkingDays` working days remain after today, or when
 *   `yellowElapsed` of the allotted working days have passed;
 * - red when at most `redWorkingDays` working days remain after today;
 * - overdue from the day after the deadline;
 * - progress lag — the reported percent behind the elapsed share of working days by more than
 *   `lagTolerance` — raises the light one step (green → yellow, yellow → red); so does a missed
 *   milestone (阶段性节点 not reported reached by its date), from the day after it.
 */
export type LightRule = {
  yellowWorkingDays: number;
  yellowElapsed: number;
  redWorkingDays: number;
  lagTolerance: number;
};

export const DEFAULT_LIGHT_RULE: LightRule = {
  yellowWorkingDays: 3,
  yellowElapsed: 0.75,
  redWorkingDays: 1,
  lagTolerance: 0.2,
};

/**
 * The days (Asia/Shanghai dates, inclusive) from which each light is on. Computed once when the
 * deadline, progress or calendar changes, so a light is a comparison of dates — in TypeScript and
 * in SQL alike — and a sweep finds what changes today from an index.
 */
export type LightDates = { yellowOn: string; redOn: string; overdueOn: string; lagOn: string | null };

/** The last working day on or before `date`. */
function lastWorkdayBy(cal: Calendar, date: string): string {
  return isWorkday(cal, date) ? date : addWorkingDays(cal, date, -1);
}

/** First day on which at most k working days remain in (day, deadline]. */
function remainingAtMost(cal: Calendar, deadline: string, k: number): string {
  return addWorkingDays(cal, lastWorkdayBy(cal, deadline), -k);
}

/** First day by which at least `need` working days have passed since `start` (need ≥ 0). */
function elapsedAtLeast(cal: Calendar, start: string, need: number): string {
  return need <= 0 ? start : addWorkingDays(cal, start, need);
}

/** A milestone as the clock sees it: missed when its date has passed and it is not reached. */
export type MilestoneMark = { date: string; reachedOn?: string | null };

/** The first day a milestone counts as missed (the day after the earliest unreached one). */
export function firstMissedOn(milestones: readonly MilestoneMark[] = []): string | null {
  const open = milestones.filter((m) => !m.reachedOn).map((m) => m.date);
  return open.length === 0 ? null : addDays(open.sort()[0] as string, 1);
}

export function lightDates(
  cal: Calendar,
  clock: {
    startedOn: string | null;
    deadline: string;
    progress: number;
    milestones?: readonly MilestoneMark[];
  },
  rule: LightRule = DEFAULT_LIGHT_RULE,
): LightDates {
  const { startedOn, deadline } = clock;
  const overdueOn = addDays(deadline, 1);
  const redOn = remainingAtMost(cal, deadline, rule.redWorkingDays);
  let yellowOn = remainingAtMost(cal, deadline, rule.yellowWorkingDays);
  let lagOn: string | null = null;
  if (startedOn !== null) {
    const total = workingDaysBetween(cal, startedOn, deadline);
    const elapsedOn = elapsedAtLeast(cal, startedOn, Math.ceil(rule.yellowElapsed * total - 1e-9));
    if (elapsedOn < yellowOn) yellowOn = elapsedOn;
    if (total > 0 && clock.progress < 100) {
      // Lagging on day t when elapsed(t)/total > progress/100 + tolerance.
      const allowed = Math.floor((clock.progress / 100 + rule.lagTolerance) * total + 1e-9);
      if (allowed < total) lagOn = elapsedAtLeast(cal, startedOn, allowed + 1);
    }
  }
  const missedOn = startedOn === null ? null : firstMissedOn(clock.milestones);
  if (missedOn !== null && (lagOn === null || missedOn < lagOn)) lagOn = missedOn;
  // Dates compare as text; the elapsed share may not bring yellow after red.
  const [earliest] = [yellowOn, redOn].sort();
  return { yellowOn: earliest ?? redOn, redOn, overdueOn, lagOn };
}

/** The light dates of an item or an assignment: its clock starts on the day it was dispatched. */
export function datesFor(
  cal: Calendar,
  rule: LightRule,
  dispatchedAt: string | null,
  x: { deadline: string; progress: number; milestones?: unknown },
): LightDates {
  const startedOn = dispatchedAt === null ? null : shanghaiDate(new Date(dispatchedAt));
  const milestones = Array.isArray(x.milestones) ? (x.milestones as MilestoneMark[]) : [];
  return lightDates(cal, { startedOn, deadline: x.deadline, progress: x.progress, milestones }, rule);
}

/** Column values for the light dates of a row (items or assignments). */
export function lightColumns(d: LightDates) {
  return {
    light_yellow_on: d.yellowOn,
    light_red_on: d.redOn,
    light_overdue_on: d.overdueOn,
    light_lag_on: d.lagOn,
  };
}

const RAISE: Record<Light, Light> = { green: 'yellow', yellow: 'red', red: 'red', overdue: 'overdue' };

/** The light on `today` from its dates. */
export function lightOn(dates: LightDates, today: string): Light {
  const base: Light =
    today >= dates.overdueOn
      ? 'overdue'
      : today >= dates.redOn
        ? 'red'
        : today >= dates.yellowOn
          ? 'yellow'
          : 'green';
  return dates.lagOn !== null && today >= dates.lagOn ? RAISE[base] : base;
}
