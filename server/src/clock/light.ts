import type { ItemStatus, Light } from '@duban/schema';
import { type RawBuilder, sql } from 'kysely';
import { addDays, daysBetween, shanghaiDate } from '../shared/time.ts';

/**
 * 预警灯. Interim rule on calendar days (the working-day calendar replaces it):
 * overdue past the deadline; red when at most 1 day remains; yellow when at most 3 days remain
 * or 75% of the time from dispatch to deadline has passed; green otherwise. Finished, cancelled
 * and not-yet-dispatched items have no light.
 */
const UNLIT: readonly ItemStatus[] = [
  'draft',
  'registered',
  'completed',
  'evaluated',
  'archived',
  'cancelled',
];
const RED_DAYS = 1;
const YELLOW_DAYS = 3;
const YELLOW_ELAPSED = 0.75;

export function lightFor(
  item: { status: ItemStatus; deadline: string; dispatchedAt: string | Date | null },
  now: Date,
): Light | null {
  if (UNLIT.includes(item.status)) return null;
  const today = shanghaiDate(now);
  const left = daysBetween(today, item.deadline);
  if (left < 0) return 'overdue';
  if (left <= RED_DAYS) return 'red';
  if (left <= YELLOW_DAYS) return 'yellow';
  if (item.dispatchedAt !== null && elapsedShare(item.dispatchedAt, item.deadline, now) >= YELLOW_ELAPSED)
    return 'yellow';
  return 'green';
}

/** End of a deadline day in Asia/Shanghai (UTC+8, no DST). */
function deadlineEnd(deadline: string): number {
  return Date.parse(`${addDays(deadline, 1)}T00:00:00+08:00`);
}

function elapsedShare(dispatchedAt: string | Date, deadline: string, now: Date): number {
  const start = new Date(dispatchedAt).getTime();
  const total = deadlineEnd(deadline) - start;
  return total <= 0 ? 1 : (now.getTime() - start) / total;
}

/** The same rule as lightFor, as SQL over the items table (alias i), for filtering lists. */
export function lightSql(now: Date): RawBuilder<Light | null> {
  const today = shanghaiDate(now);
  const unlit = sql.join(UNLIT.map((s) => sql.lit(s)));
  return sql<Light | null>`case
    when i.status in (${unlit}) then null
    when i.deadline < ${today}::date then 'overdue'
    when i.deadline <= ${addDays(today, RED_DAYS)}::date then 'red'
    when i.deadline <= ${addDays(today, YELLOW_DAYS)}::date then 'yellow'
    when i.dispatched_at is not null and (
      -- dispatched at or after the end of the deadline day: fully elapsed, as in elapsedShare
      ((i.deadline + 1)::timestamp at time zone 'Asia/Shanghai') <= i.dispatched_at or
      extract(epoch from (${now.toISOString()}::timestamptz - i.dispatched_at)) >=
      ${YELLOW_ELAPSED} * extract(epoch from (((i.deadline + 1)::timestamp at time zone 'Asia/Shanghai') - i.dispatched_at)))
      then 'yellow'
    else 'green' end`;
}
