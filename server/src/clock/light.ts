import { type ItemStatus, LIGHTS, type Light } from '@duban/schema';
import { type RawBuilder, sql } from 'kysely';
import { shanghaiDate } from '../shared/time.ts';
import { type LightDates, lightOn } from './thresholds.ts';

/**
 * 预警灯 from the stored light dates (thresholds.ts: working days of the official calendar, the
 * category's rule, progress lag). A paused clock freezes the light as it was on the day it
 * stopped. Drafts, registered-but-not-dispatched, finished and cancelled items have no light.
 */
const UNLIT: readonly ItemStatus[] = [
  'draft',
  'registered',
  'completed',
  'evaluated',
  'archived',
  'cancelled',
];

export type LightColumns = {
  light_yellow_on: string | null;
  light_red_on: string | null;
  light_overdue_on: string | null;
  light_lag_on: string | null;
  /** 特急: the end of the 24-hour limit; its light runs on hours, never green. */
  due_at?: Date | string | null;
};

/** 特急: red for the last 12 hours of the limit, overdue after it, yellow before. */
const EMERGENCY_RED_HOURS = 12;

function emergencyLight(dueAt: Date | string, now: Date): Light {
  const left = new Date(dueAt).getTime() - now.getTime();
  return left <= 0 ? 'overdue' : left <= EMERGENCY_RED_HOURS * 3_600_000 ? 'red' : 'yellow';
}

function datesOf(row: LightColumns): LightDates | null {
  if (row.light_yellow_on === null || row.light_red_on === null || row.light_overdue_on === null) return null;
  return {
    yellowOn: row.light_yellow_on,
    redOn: row.light_red_on,
    overdueOn: row.light_overdue_on,
    lagOn: row.light_lag_on,
  };
}

/** The day a light is read on: today, or the day the clock stopped. */
function readingDay(now: Date, pausedOn: readonly (string | null)[]): string {
  return [shanghaiDate(now), ...pausedOn].filter((d): d is string => d !== null).sort()[0] as string;
}

export function lightFor(
  row: LightColumns & { status: ItemStatus },
  now: Date,
  pausedOn: readonly (string | null)[] = [],
): Light | null {
  if (UNLIT.includes(row.status)) return null;
  if (row.due_at) return emergencyLight(row.due_at, now);
  const dates = datesOf(row);
  return dates === null ? null : lightOn(dates, readingDay(now, pausedOn));
}

/** lightFor as SQL over the items table (alias i), for filtering and sorting lists. */
export function lightSql(now: Date): RawBuilder<Light | null> {
  const unlit = sql.join(UNLIT.map((s) => sql.lit(s)));
  const day = sql`least(${shanghaiDate(now)}::date, coalesce(i.clock_paused_on, ${shanghaiDate(now)}::date))`;
  const lagging = sql`(i.light_lag_on is not null and ${day} >= i.light_lag_on)`;
  const instant = sql`${now.toISOString()}::timestamptz`;
  return sql<Light | null>`case
    when i.status in (${unlit}) then null
    when i.due_at is not null then case
      when ${instant} >= i.due_at then 'overdue'
      when ${instant} >= i.due_at - interval '${sql.raw(String(EMERGENCY_RED_HOURS))} hours' then 'red'
      else 'yellow' end
    when i.light_overdue_on is null then null
    when ${day} >= i.light_overdue_on then 'overdue'
    when ${day} >= i.light_red_on then 'red'
    when ${day} >= i.light_yellow_on then case when ${lagging} then 'red' else 'yellow' end
    when ${lagging} then 'yellow'
    else 'green' end`;
}

/**
 * Index keys for light filters: for each light, the first day (Asia/Shanghai) it can be on. Both
 * sides of `key <= today` are dates, so a list filter on a light becomes an index condition.
 * Migration 0030 indexes exactly these expressions (items_lit_created_idx): keep them in step.
 * An emergency item's day is its UTC date, never after its Shanghai date, so the keys only ever
 * err early; lightSql stays as the exact check.
 */
const OVERDUE_FROM = sql.raw(`least(i.light_overdue_on, (i.due_at at time zone 'UTC')::date)`);
/** Red (or overdue): red's day, or yellow's with the lag (the lag alone only makes it yellow). */
const ALERT_FROM = sql.raw(
  `least(i.light_red_on, i.light_overdue_on, case when i.light_lag_on is not null then greatest(i.light_yellow_on, i.light_lag_on) end, ((i.due_at at time zone 'UTC') - interval '${EMERGENCY_RED_HOURS} hours')::date)`,
);

/**
 * SQL: the light of the item (alias i) is one of `lights` — exactly `lightSql(now) in (lights)`,
 * but led by predicates an index can answer: a lit status and, unless green or yellow is asked
 * for, the day red (or overdue) can first be on. The paused day and the lag make the exact light
 * depend on several columns; they only move it earlier or later than these bounds allow, never
 * out of them (the reading day is never after today).
 */
export function lightInSql(now: Date, lights: readonly Light[]): RawBuilder<boolean> {
  if (lights.length === 0) return sql<boolean>`false`;
  const unlit = sql.join(UNLIT.map((s) => sql.lit(s)));
  const today = sql`${shanghaiDate(now)}::date`;
  // Exactly `lightSql(now) in (lights)`, written as "not one of the other lights, and not null":
  // the planner has no statistics for the CASE and would guess it rare (½ % a light), so lists
  // would be planned for a handful of rows; this form it guesses common, leaving the estimate
  // to the bounds below, which it has statistics for (the expressions of the index).
  const others = [...LIGHTS.filter((l) => !lights.includes(l)), ''];
  const exact = sql`coalesce(${lightSql(now)}, '') not in (${sql.join(others.map((l) => sql.lit(l)))})`;
  const from = lights.some((l) => l === 'green' || l === 'yellow')
    ? null
    : lights.includes('red')
      ? ALERT_FROM
      : OVERDUE_FROM;
  return from === null
    ? sql<boolean>`(i.status not in (${unlit}) and ${exact})`
    : sql<boolean>`(i.status not in (${unlit}) and ${from} <= ${today} and ${exact})`;
}
