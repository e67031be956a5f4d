import { reportPeriodLabel } from '@duban/schema';
import { addWorkingDays, type Calendar } from '../calendar/calendar.ts';
import { cachedCalendar } from '../calendar/store.ts';
import type { Db } from '../db/client.ts';
import { chaseRecipients } from '../escalation/chase.ts';
import { appendEvents } from '../events/append.ts';
import type { DomainEvent } from '../events/types.ts';
import { ACTIVE_STATUSES } from '../items/model.ts';
import { claimOnce } from '../jobs/claim.ts';
import { notify } from '../notify/notify.ts';
import { shanghaiDate } from '../shared/time.ts';
import { extendSlots, storedSchedule } from './slots.ts';

/**
 * 定期报送 reminders, per slot and each exactly once (a job_claims key per slot, kind and due date):
 * - 报送提醒 ('due') from one working day before the due date up to the due date, to the lead unit's
 *   handlers and head (the chase's reminder audience);
 * - 缺报提醒 ('missing') from the first working day after the due date while the slot is still open,
 *   to the lead unit and the supervisors of the assigning and the supervising unit.
 * A sweep that did not run on the day catches up: a 'due' reminder still goes out until the due
 * date, a 'missing' one whenever it runs later; never both for a slot that is already missed.
 */
type Kind = 'due' | 'missing';

/** Which reminder a slot due on `dueOn` calls for today, if any (pure). */
export function reminderKind(cal: Calendar, dueOn: string, today: string): Kind | null {
  if (today >= addWorkingDays(cal, dueOn, 1)) return 'missing';
  if (today >= addWorkingDays(cal, dueOn, -1) && today <= dueOn) return 'due';
  return null;
}

/**
 * One item's reporting work in one transaction: move its slots on, then send what is due. Idempotent:
 * running it again (another worker, a retried job) finds every reminder's claim taken.
 */
export async function remindItemSlots(db: Db, itemId: string, now: Date): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const item = await tx
      .selectFrom('items')
      .select([
        'id',
        'number',
        'title',
        'status',
        'region_code',
        'report_schedule',
        'dispatched_at',
        'assigning_unit_id',
        'supervising_unit_id',
      ])
      .where('id', '=', itemId)
      .executeTakeFirst();
    const schedule = storedSchedule(item?.report_schedule);
    if (!item || !schedule || item.dispatched_at === null) return 0;
    if (!ACTIVE_STATUSES.some((s) => s === item.status)) return 0;
    const dispatchedOn = shanghaiDate(new Date(item.dispatched_at));
    await extendSlots(tx, { id: itemId, schedule, regionCode: item.region_code, dispatchedOn }, now);

    const cal = await cachedCalendar(tx, item.region_code);
    const today = shanghaiDate(now);
    // Locked: a report filling a slot now waits, or has already filled it and the row drops out.
    const open = await tx
      .selectFrom('report_slots')
      .select(['id', 'period', 'due_on'])
      .where('item_id', '=', itemId)
      .where('filled_at', 'is', null)
      .where('due_on', '<=', addWorkingDays(cal, today, 1))
      .orderBy('due_on')
      .forUpdate()
      .execute();
    const lead = await tx
      .selectFrom('assignments')
      .select('unit_id')
      .where('item_id', '=', itemId)
      .where('role', '=', 'lead')
      .where('status', '<>', 'returned')
      .executeTakeFirst();
    const leadUnitId = lead?.unit_id ?? null;
    const events: DomainEvent[] = [];
    for (const slot of open) {
      const kind = reminderKind(cal, slot.due_on, today);
      if (!kind) continue;
      if (!(await claimOnce(tx, `report-slot:${kind}:${slot.id}@${slot.due_on}`, now))) continue;
      events.push({
        type: 'item.report_reminded',
        itemId,
        slotId: slot.id,
        period: slot.period,
        dueOn: slot.due_on,
        kind,
        unitId: leadUnitId,
      });
      const overseers = [
        item.assigning_unit_id,
        ...(item.supervising_unit_id ? [item.supervising_unit_id] : []),
      ];
      const period = reportPeriodLabel(slot.period);
      await notify(
        tx,
        {
          recipients:
            kind === 'due'
              ? await chaseRecipients(tx, leadUnitId)
              : await chaseRecipients(tx, leadUnitId, { unitIds: overseers, roles: ['supervisor'] }),
          kind: kind === 'due' ? 'item.report_due' : 'item.report_missing',
          title: `【${kind === 'due' ? '报送提醒' : '缺报提醒'}】${item.number} ${item.title}`,
          body:
            kind === 'due'
              ? `${period}进展情况应于 ${slot.due_on} 前报送，请及时报送。`
              : `${period}进展情况应于 ${slot.due_on} 前报送，至今未报送，请立即补报。`,
          link: `/items/${itemId}`,
          itemId,
          urgent: false,
          data: { itemId, number: item.number, period: slot.period, dueOn: slot.due_on, kind },
        },
        now,
      );
    }
    await appendEvents(tx, events, { actorId: null, at: now });
    return events.length;
  });
}

/**
 * The reporting sweep: every active item with a schedule (a partial index on items), handed to
 * `each` in pages — inline in tests, a per-item job in the worker (jobs.ts).
 */
export async function forEachScheduledItem(
  db: Db,
  each: (itemId: string) => Promise<void>,
  batch = 1000,
): Promise<number> {
  let seen = 0;
  let after: string | undefined;
  for (;;) {
    let q = db
      .selectFrom('items')
      .select('id')
      .where('report_schedule', 'is not', null)
      .where('status', 'in', [...ACTIVE_STATUSES])
      .orderBy('id')
      .limit(batch);
    if (after !== undefined) q = q.where('id', '>', after);
    const page = await q.execute();
    for (const r of page) await each(r.id);
    seen += page.length;
    after = page.at(-1)?.id;
    if (page.length < batch) return seen;
  }
}

/** The sweep run inline: every scheduled item now. */
export async function sweepReportSlots(db: Db, now: Date): Promise<{ items: number; reminders: number }> {
  let reminders = 0;
  const items = await forEachScheduledItem(db, async (id) => {
    reminders += await remindItemSlots(db, id, now);
  });
  return { items, reminders };
}
