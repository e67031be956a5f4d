import crypto from 'node:crypto';
import { ReportSchedule, reportPeriodLabel } from '@duban/schema';
import { cachedCalendar } from '../calendar/store.ts';
import type { Queryable, Tx } from '../db/client.ts';
import { ACTIVE_STATUSES, type ItemCommand, type ItemState } from '../items/model.ts';
import { shanghaiDate } from '../shared/time.ts';
import { slotsToCreate, slotToFill } from './schedule.ts';

/**
 * 报送期次 — report slots, stored (report_slots). An active item with a schedule keeps the slots of
 * its current and next period (schedule.ts: slotsToCreate), created at dispatch and moved on by the
 * reporting sweep; a lead-unit progress report fills one (schedule.ts: slotToFill). When the item
 * leaves the active statuses its open slots not yet due are dropped and no new ones are made.
 */

/** The stored schedule, or null (none, or a value this version cannot read). */
export function storedSchedule(raw: unknown): ReportSchedule | null {
  const parsed = ReportSchedule.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export type ScheduledItem = {
  id: string;
  schedule: ReportSchedule;
  regionCode: string;
  /** The Asia/Shanghai day of dispatch. */
  dispatchedOn: string;
};

/** Creates the slots the item should have today; idempotent (the unique (item, period) key). */
export async function extendSlots(tx: Tx, item: ScheduledItem, now: Date): Promise<number> {
  const cal = await cachedCalendar(tx, item.regionCode);
  const wanted = slotsToCreate(item.schedule, cal, item.dispatchedOn, shanghaiDate(now));
  if (wanted.length === 0) return 0;
  const rows = await tx
    .insertInto('report_slots')
    .values(
      wanted.map((s) => ({
        id: crypto.randomUUID(),
        item_id: item.id,
        period: s.period,
        due_on: s.dueOn,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['item_id', 'period']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

/** Fills the slot the rule picks for a report filed now; the filled slot's id, or null. */
export async function fillSlot(tx: Tx, itemId: string, reportId: string, now: Date): Promise<string | null> {
  const rows = await tx
    .selectFrom('report_slots')
    .select(['id', 'due_on', 'filled_at'])
    .where('item_id', '=', itemId)
    .orderBy('due_on')
    .forUpdate()
    .execute();
  const slots = rows.map((r) => ({ id: r.id, dueOn: r.due_on, filled: r.filled_at !== null }));
  const slot = slotToFill(slots, shanghaiDate(now));
  if (!slot) return null;
  await tx
    .updateTable('report_slots')
    .set({ report_id: reportId, filled_at: now })
    .where('id', '=', slot.id)
    .where('filled_at', 'is', null)
    .execute();
  return slot.id;
}

/**
 * After a lifecycle action, in its transaction (items/perform-action.ts): keep the item's slots in
 * step with its status — create them at dispatch (and on resume), drop the open ones not yet due
 * when it stops being active — and let a progress report of the lead unit fill one.
 */
export async function syncReportSlots(
  tx: Tx,
  item: { id: string; region_code: string; report_schedule: unknown },
  after: ItemState,
  cmd: ItemCommand,
  actorUnitId: string,
  now: Date,
): Promise<void> {
  const schedule = storedSchedule(item.report_schedule);
  if (!schedule) return;
  if (!ACTIVE_STATUSES.includes(after.status) || after.dispatchedAt === null) {
    await tx
      .deleteFrom('report_slots')
      .where('item_id', '=', item.id)
      .where('filled_at', 'is', null)
      .where('due_on', '>=', shanghaiDate(now))
      .execute();
    return;
  }
  const dispatchedOn = shanghaiDate(new Date(after.dispatchedAt));
  await extendSlots(tx, { id: item.id, schedule, regionCode: item.region_code, dispatchedOn }, now);
  if (cmd.action !== 'report') return;
  const lead = after.assignments.find((a) => a.role === 'lead' && a.status !== 'returned');
  if (lead?.unitId === actorUnitId) await fillSlot(tx, item.id, cmd.reportId, now);
}

/** An item's slots, oldest first, as the API presents them. */
export async function listSlots(db: Queryable, itemId: string) {
  const rows = await db
    .selectFrom('report_slots')
    .select(['period', 'due_on', 'report_id', 'filled_at'])
    .where('item_id', '=', itemId)
    .orderBy('due_on')
    .execute();
  return rows.map((r) => {
    const filledAt = r.filled_at === null ? null : new Date(r.filled_at);
    return {
      period: r.period,
      periodName: reportPeriodLabel(r.period),
      dueOn: r.due_on,
      filled: filledAt !== null,
      filledAt: filledAt?.toISOString() ?? null,
      reportId: r.report_id,
      late: filledAt !== null && shanghaiDate(filledAt) > r.due_on,
    };
  });
}
