import crypto from 'node:crypto';
import type { Db } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { emergenciesWithoutAction } from '../items/lights.ts';
import { notify } from '../notify/notify.ts';
import { leaderIdsOver } from '../org/users.ts';

/** 特急: hours after dispatch without a progress report before the leaders are told. */
export const EMERGENCY_ESCALATE_HOURS = 12;

/**
 * The emergency channel's sweep (run every minute by the worker): a 特急 item with no progress
 * report 12 hours after dispatch goes to the leaders over its region, once — the notice key
 * (item, dispatch instant) is the claim, as in chase.ts.
 */
export async function sweepEmergencies(db: Db, now: Date): Promise<number> {
  const due = await emergenciesWithoutAction(db, now, EMERGENCY_ESCALATE_HOURS);
  let escalated = 0;
  for (const item of due) {
    if (item.dispatched_at === null) continue;
    const dispatchedAt = new Date(item.dispatched_at).toISOString();
    const key = `emergency-${EMERGENCY_ESCALATE_HOURS}h@${dispatchedAt}`;
    escalated += await db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('supervision_notices')
        .values({
          id: crypto.randomUUID(),
          item_id: item.id,
          key,
          kind: 'escalation',
          step: null,
          step_kind: 'emergency',
          name: '特急升级',
          color: 'red',
          unit_id: null,
          deadline: dispatchedAt.slice(0, 10),
          due_on: now.toISOString().slice(0, 10),
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['item_id', 'key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return 0;
      await appendEvents(
        tx,
        [
          {
            type: 'item.chased',
            itemId: item.id,
            noticeId: inserted.id,
            key,
            kind: 'escalation',
            name: '特急升级',
            color: 'red',
            unitId: null,
            deadline: dispatchedAt.slice(0, 10),
            dueOn: now.toISOString().slice(0, 10),
          },
        ],
        { actorId: null, at: now },
      );
      await notify(
        tx,
        {
          recipients: await leaderIdsOver(tx, item.region_code),
          kind: 'item.emergency_escalated',
          title: `【特急升级】${item.number} ${item.title}`,
          body: `特急事项交办已逾 ${EMERGENCY_ESCALATE_HOURS} 小时，承办单位尚无进展报送，请领导督促。`,
          link: `/items/${item.id}`,
          itemId: item.id,
          urgent: true,
          data: { itemId: item.id, number: item.number, dispatchedAt },
        },
        now,
      );
      return 1;
    });
  }
  return escalated;
}
