import crypto from 'node:crypto';
import { type Calendar, workingDaysBetween } from '../calendar/calendar.ts';
import { cachedCalendar } from '../calendar/store.ts';
import type { Db, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { DomainEvent } from '../events/types.ts';
import { chaseFacts, itemsDueForChase, setChaseNextOn } from '../items/lights.ts';
import { notify } from '../notify/notify.ts';
import { activeUserIds } from '../org/users.ts';
import type { Role } from '../shared/actor.ts';
import { shanghaiDate } from '../shared/time.ts';
import { isExempted } from './exemptions.ts';
import { type ChaseEntry, COLOR_NAMES_ZH, chasePlan, dueEntries, ladderOf } from './ladder.ts';

type Facts = NonNullable<Awaited<ReturnType<typeof chaseFacts>>>;

/**
 * Who hears a chase notice: the lead unit's handlers and head; with `overseers`, also those roles of
 * the overseeing units. Shared with the 定期报送 reminders (reporting/reminders.ts).
 */
export async function chaseRecipients(
  tx: Tx,
  leadUnitId: string | null,
  overseers?: { unitIds: readonly string[]; roles: readonly Role[] },
): Promise<string[]> {
  const handlers = await activeUserIds(tx, leadUnitId, ['handler', 'unit_head']);
  if (!overseers) return handlers;
  const watching = await Promise.all(overseers.unitIds.map((u) => activeUserIds(tx, u, overseers.roles)));
  return [...handlers, ...watching.flat()];
}

/**
 * Reminders and 节点提醒 go to the lead unit; ladder steps and 节点逾期 also to the supervisors,
 * and from 绩效扣分 on to leaders.
 */
async function recipients(tx: Tx, f: Facts, e: ChaseEntry): Promise<string[]> {
  if (e.kind === 'reminder' || (e.kind === 'milestone' && e.phase === 'before'))
    return chaseRecipients(tx, f.leadUnitId);
  const roles: Role[] = e.kind === 'escalation' && e.step >= 3 ? ['supervisor', 'leader'] : ['supervisor'];
  return chaseRecipients(tx, f.leadUnitId, { unitIds: [f.assigning_unit_id], roles });
}

function message(f: Facts, e: ChaseEntry, today: string, cal: Calendar) {
  const subject = `${f.number} ${f.title}`;
  if (e.kind === 'reminder') {
    const left = Math.max(0, workingDaysBetween(cal, today, f.deadline));
    return {
      kind: 'item.reminder',
      title: `【${e.light === 'red' ? '即将到期' : '督办提醒'}】${subject}`,
      body: `距办理期限 ${f.deadline} 还有 ${left} 个工作日，请抓紧办理并及时报送进展。`,
    };
  }
  if (e.kind === 'milestone') {
    return e.phase === 'before'
      ? {
          kind: 'item.milestone',
          title: `【节点提醒】${subject}`,
          body: `阶段性节点“${e.name}”应于 ${e.date} 前完成，请按期推进，完成后在进展报送中勾选该节点。`,
        }
      : {
          kind: 'item.milestone',
          title: `【节点逾期】${subject}`,
          body: `阶段性节点“${e.name}”已过 ${e.date} 仍未报告完成，预警等级已上调。请承办单位抓紧推进并报送进展。`,
        };
  }
  const late = Math.max(0, workingDaysBetween(cal, f.deadline, today));
  return {
    kind: 'item.escalated',
    title: `【${COLOR_NAMES_ZH[e.ladder.color]}督办单·${e.ladder.name}】${subject}`,
    body: `该事项已超过办理期限 ${f.deadline}（逾期 ${late} 个工作日），现发出${e.ladder.name}。请承办单位立即办理并说明情况。`,
  };
}

function noticeName(e: ChaseEntry): string {
  if (e.kind === 'escalation') return e.ladder.name;
  if (e.kind === 'milestone') return e.phase === 'before' ? '节点提醒' : '节点逾期';
  return e.light === 'red' ? '到期提醒' : '督办提醒';
}

/**
 * One item's chase, in one transaction: lock the item, work out what is due today, record each
 * reminder or 督办单 once (the unique (item, key) row is the claim — a second worker racing on the
 * same item inserts nothing and sends nothing), with its ledger event and notifications, and set
 * the next day to look. Idempotent: running it again the same day does nothing.
 */
export async function chaseItem(db: Db, itemId: string, now: Date): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const f = await chaseFacts(tx, itemId);
    if (!f) return 0;
    if (!f.chaseable || (await isExempted(tx, itemId, f.leadUnitId))) {
      await setChaseNextOn(tx, itemId, null);
      return 0;
    }
    const cal = await cachedCalendar(tx, f.region_code);
    const today = shanghaiDate(now);
    const plan = chasePlan(cal, f.deadline, f.lights, ladderOf(f.ladder), f.milestones);
    const done = await tx
      .selectFrom('supervision_notices')
      .select('key')
      .where('item_id', '=', itemId)
      .where(
        'key',
        'in',
        plan.map((e) => e.key),
      )
      .execute();
    const { due, nextOn } = dueEntries(plan, new Set(done.map((d) => d.key)), today, f.deadline);
    const events: DomainEvent[] = [];
    for (const e of due) {
      const inserted = await tx
        .insertInto('supervision_notices')
        .values({
          id: crypto.randomUUID(),
          item_id: itemId,
          key: e.key,
          kind: e.kind,
          step: e.kind === 'escalation' ? e.step : null,
          step_kind: e.kind === 'escalation' ? e.ladder.kind : null,
          name: noticeName(e),
          color: e.kind === 'escalation' ? e.ladder.color : null,
          unit_id: f.leadUnitId,
          deadline: f.deadline,
          due_on: e.dueOn,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['item_id', 'key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) continue;
      events.push({
        type: 'item.chased',
        itemId,
        noticeId: inserted.id,
        key: e.key,
        kind: e.kind,
        ...(e.kind === 'escalation' ? { step: e.step, name: e.ladder.name, color: e.ladder.color } : {}),
        ...(e.kind === 'milestone'
          ? { name: noticeName(e), milestone: { index: e.index, name: e.name, date: e.date, phase: e.phase } }
          : {}),
        unitId: f.leadUnitId,
        deadline: f.deadline,
        dueOn: e.dueOn,
      });
      const m = message(f, e, today, cal);
      await notify(
        tx,
        {
          recipients: await recipients(tx, f, e),
          ...m,
          link: `/items/${itemId}`,
          itemId,
          urgent: false,
          data: { itemId, number: f.number, key: e.key, deadline: f.deadline },
        },
        now,
      );
    }
    await appendEvents(tx, events, { actorId: null, at: now });
    await setChaseNextOn(tx, itemId, nextOn);
    return events.length;
  });
}

/**
 * The deadline sweep: every item whose chase day has come (an index range scan on chase_next_on),
 * each handed to `each` — inline in tests and the bench, a per-item job in the worker (jobs.ts).
 * Pages of 5,000 (keyset on (chase_next_on, id)): with 1,000 the 329 round trips of 329k due items at
 * 1M took 1.9–3.5 s, with 5,000 1.2–1.4 s (ids only: a page is ~200 kB).
 */
export async function forEachDueItem(
  db: Db,
  now: Date,
  each: (itemId: string) => Promise<void>,
  batch = 5000,
): Promise<number> {
  const today = shanghaiDate(now);
  let seen = 0;
  let after: { on: string; id: string } | undefined;
  for (;;) {
    const page = await itemsDueForChase(db, today, batch, after);
    for (const r of page) await each(r.id);
    seen += page.length;
    after = page.at(-1);
    if (page.length < batch) return seen;
  }
}

/** The sweep run inline: chase every due item now. */
export async function sweepChases(db: Db, now: Date): Promise<{ items: number; notices: number }> {
  let notices = 0;
  const items = await forEachDueItem(db, now, async (id) => {
    notices += await chaseItem(db, id, now);
  });
  return { items, notices };
}
