import { reportScheduleLabel } from '@duban/schema';
import type { Queryable } from '../db/client.ts';
import { visibleItem } from '../escalation/exemptions.ts';
import type { Actor } from '../shared/actor.ts';
import { listSlots, storedSchedule } from './slots.ts';

/** GET /items/{id}/report-slots: the schedule and its slots; 404 outside the caller's data scope. */
export async function reportSlotsOf(db: Queryable, actor: Actor, itemId: string) {
  await visibleItem(db, actor, itemId);
  const item = await db
    .selectFrom('items')
    .select('report_schedule')
    .where('id', '=', itemId)
    .executeTakeFirstOrThrow();
  const schedule = storedSchedule(item.report_schedule);
  return {
    reportSchedule: schedule,
    scheduleLabel: schedule ? reportScheduleLabel(schedule) : null,
    slots: await listSlots(db, itemId),
  };
}
