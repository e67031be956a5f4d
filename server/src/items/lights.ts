import { sql } from 'kysely';
import type { Calendar } from '../calendar/calendar.ts';
import { cachedCalendar, calendarStamp } from '../calendar/store.ts';
import {
  DEFAULT_LIGHT_RULE,
  datesFor,
  type LightDates,
  type LightRule,
  lightColumns,
} from '../clock/thresholds.ts';
import type { Db, Queryable, Tx } from '../db/client.ts';
import { type ChasedMilestone, firstChaseOn } from '../escalation/ladder.ts';

/** What the clock needs for one item: its region's working-day calendar and its category's rule. */
export type ItemClock = { cal: Calendar; rule: LightRule };

const RULE_KEYS = ['yellowWorkingDays', 'yellowElapsed', 'redWorkingDays', 'lagTolerance'] as const;

/** A category's stored rule over the defaults (unknown or ill-typed keys are ignored). */
export function ruleOf(stored: unknown): LightRule {
  const rule = { ...DEFAULT_LIGHT_RULE };
  if (stored && typeof stored === 'object') {
    for (const k of RULE_KEYS) {
      const v = (stored as Record<string, unknown>)[k];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) rule[k] = v;
    }
  }
  return rule;
}

export async function clockFor(
  db: Queryable,
  item: { regionCode: string; categoryCode: string },
): Promise<ItemClock> {
  const category = await db
    .selectFrom('categories')
    .select('light_rule')
    .where('code', '=', item.categoryCode)
    .executeTakeFirst();
  return { cal: await cachedCalendar(db, item.regionCode), rule: ruleOf(category?.light_rule) };
}

const same = (row: Record<string, unknown>, d: LightDates) =>
  row.light_yellow_on === d.yellowOn &&
  row.light_red_on === d.redOn &&
  row.light_overdue_on === d.overdueOn &&
  row.light_lag_on === d.lagOn;

/**
 * Re-dates the warning lights of an item and its assignments from what is stored now (deadline,
 * progress, dispatch day, calendar, rule). Every write path that can change those calls it in its
 * transaction; rows whose dates did not move are not written.
 */
export async function refreshLights(tx: Tx, itemId: string, known?: ItemClock): Promise<void> {
  const item = await tx
    .selectFrom('items')
    .select([
      'region_code',
      'category_code',
      'status',
      'clock_paused_on',
      'chase_next_on',
      'deadline',
      'progress',
      'milestones',
      'dispatched_at',
      'light_yellow_on',
      'light_red_on',
      'light_overdue_on',
      'light_lag_on',
    ])
    .where('id', '=', itemId)
    .executeTakeFirstOrThrow();
  const clock =
    known ?? (await clockFor(tx, { regionCode: item.region_code, categoryCode: item.category_code }));
  const dispatchedAt = item.dispatched_at === null ? null : new Date(item.dispatched_at).toISOString();
  const dates = datesFor(clock.cal, clock.rule, dispatchedAt, item);
  const moved = !same(item, dates);
  // The chase looks again from the first reminder day whenever the dates moved or it restarts;
  // finished, paused and undispatched items are not chased.
  const chaseable = CHASED.includes(item.status) && item.clock_paused_on === null;
  const chase = !chaseable
    ? null
    : moved || item.chase_next_on === null
      ? firstChaseOn(clock.cal, dates.yellowOn, milestonesOf(item.milestones))
      : item.chase_next_on;
  if (moved || chase !== item.chase_next_on) {
    await tx
      .updateTable('items')
      .set({ ...lightColumns(dates), chase_next_on: chase })
      .where('id', '=', itemId)
      .execute();
  }
  const assignments = await tx
    .selectFrom('assignments')
    .select([
      'id',
      'deadline',
      'progress',
      'light_yellow_on',
      'light_red_on',
      'light_overdue_on',
      'light_lag_on',
    ])
    .where('item_id', '=', itemId)
    .execute();
  for (const a of assignments) {
    const d = datesFor(clock.cal, clock.rule, dispatchedAt, a);
    if (!same(a, d))
      await tx.updateTable('assignments').set(lightColumns(d)).where('id', '=', a.id).execute();
  }
}

function milestonesOf(stored: unknown): ChasedMilestone[] {
  return Array.isArray(stored) ? (stored as ChasedMilestone[]) : [];
}

/** Statuses in which the handling units are chased (not while the supervisor holds the item). */
const CHASED: readonly string[] = ['dispatched', 'in_progress'];

/** Items the chase must look at today (the partial index on (chase_next_on, id)), in key order. */
export async function itemsDueForChase(
  db: Queryable,
  today: string,
  limit: number,
  after?: { on: string; id: string },
): Promise<{ id: string; on: string }[]> {
  let q = db
    .selectFrom('items')
    .select(['id', 'chase_next_on'])
    .where('chase_next_on', '<=', today)
    .orderBy('chase_next_on')
    .orderBy('id')
    .limit(limit);
  if (after) {
    // A row comparison, so the page starts where the last one ended in items_chase_next_idx
    // (chase_next_on, id): an OR of the two halves is no index bound, and each page re-read the range.
    q = q.where((eb) => eb(eb.refTuple('chase_next_on', 'id'), '>', eb.tuple(after.on, after.id)));
  }
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, on: r.chase_next_on as string }));
}

/** What the chase needs of one item, the row locked for the rest of the transaction. */
export async function chaseFacts(tx: Tx, itemId: string) {
  const item = await tx
    .selectFrom('items')
    .select([
      'id',
      'number',
      'title',
      'status',
      'deadline',
      'region_code',
      'category_code',
      'assigning_unit_id',
      'clock_paused_on',
      'chase_next_on',
      'light_yellow_on',
      'light_red_on',
      'milestones',
    ])
    .where('id', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!item || item.light_yellow_on === null || item.light_red_on === null) return null;
  const lead = await tx
    .selectFrom('assignments')
    .select('unit_id')
    .where('item_id', '=', itemId)
    .where('role', '=', 'lead')
    .where('status', '<>', 'returned')
    .executeTakeFirst();
  const category = await tx
    .selectFrom('categories')
    .select('escalation_ladder')
    .where('code', '=', item.category_code)
    .executeTakeFirst();
  return {
    ...item,
    chaseable: CHASED.includes(item.status) && item.clock_paused_on === null,
    leadUnitId: lead?.unit_id ?? null,
    ladder: category?.escalation_ladder ?? null,
    lights: { yellowOn: item.light_yellow_on, redOn: item.light_red_on },
    milestones: milestonesOf(item.milestones),
  };
}

export async function setChaseNextOn(tx: Tx, itemId: string, on: string | null): Promise<void> {
  await tx.updateTable('items').set({ chase_next_on: on }).where('id', '=', itemId).execute();
}

/**
 * Dates every item that has no light dates yet — rows from before the working-day clock, or loaded
 * in bulk — in batches, set-wise; returns how many. A no-op when every item is dated.
 */
export async function dateUndatedItems(db: Db, batch = 5000): Promise<number> {
  return dateItems(db, 'undated', batch);
}

const STAMP_KEY = 'clock.calendar_stamp';

/**
 * After an admin changed the calendar, re-dates every open item (the warning lights and chase days
 * depend on it) and remembers the calendar it dated with; a no-op while the calendar is unchanged.
 * The deadline sweep calls it every minute. Returns how many items were re-dated.
 */
export async function redateIfCalendarChanged(db: Db): Promise<number> {
  const stamp = await calendarStamp(db);
  const stored = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', STAMP_KEY)
    .executeTakeFirst();
  if (stored?.value === stamp) return 0;
  const n = stored === undefined ? 0 : await dateItems(db, 'open', 5000);
  await db
    .insertInto('settings')
    .values({ key: STAMP_KEY, value: JSON.stringify(stamp) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(stamp) }))
    .execute();
  return n;
}

const FINISHED = ['completed', 'evaluated', 'archived', 'cancelled'];

/**
 * After an admin changed a category's rules (categories.rules_changed_at), re-dates its open items
 * and marks the change dated; the deadline sweep calls it every minute. Returns how many items.
 */
export async function redateChangedCategories(db: Db): Promise<number> {
  const changed = await db
    .selectFrom('categories')
    .select(['code', 'rules_changed_at'])
    .where('rules_changed_at', 'is not', null)
    .where((eb) =>
      eb.or([eb('rules_dated_at', 'is', null), eb('rules_dated_at', '<', eb.ref('rules_changed_at'))]),
    )
    .execute();
  let total = 0;
  for (const c of changed) {
    total += await dateItems(db, { category: c.code }, 5000);
    await db
      .updateTable('categories')
      .set({ rules_dated_at: c.rules_changed_at })
      .where('code', '=', c.code)
      .execute();
  }
  return total;
}

async function dateItems(
  db: Db,
  which: 'undated' | 'open' | { category: string },
  batch: number,
): Promise<number> {
  const clocks = new Map<string, ItemClock>();
  const clockOf = async (regionCode: string, categoryCode: string) => {
    const key = `${regionCode}|${categoryCode}`;
    let c = clocks.get(key);
    if (!c) {
      c = await clockFor(db, { regionCode, categoryCode });
      clocks.set(key, c);
    }
    return c;
  };
  let total = 0;
  let afterId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    let q = db
      .selectFrom('items')
      .select([
        'id',
        'region_code',
        'category_code',
        'status',
        'clock_paused_on',
        'deadline',
        'progress',
        'milestones',
        'dispatched_at',
      ])
      .limit(batch);
    // Undated rows leave the set once dated; open ones are walked in id order.
    if (which === 'undated') q = q.where('light_overdue_on', 'is', null);
    else {
      q = q.where('status', 'not in', FINISHED).where('id', '>', afterId).orderBy('id');
      if (which !== 'open') q = q.where('category_code', '=', which.category);
    }
    const items = await q.execute();
    if (items.length === 0) return total;
    afterId = items.at(-1)?.id ?? afterId;
    const byItem = new Map<string, { clock: ItemClock; dispatchedAt: string | null }>();
    const itemValues: ReturnType<typeof sql>[] = [];
    for (const i of items) {
      const clock = await clockOf(i.region_code, i.category_code);
      const dispatchedAt = i.dispatched_at === null ? null : new Date(i.dispatched_at).toISOString();
      byItem.set(i.id, { clock, dispatchedAt });
      const d = datesFor(clock.cal, clock.rule, dispatchedAt, i);
      const chase =
        CHASED.includes(i.status) && i.clock_paused_on === null
          ? firstChaseOn(clock.cal, d.yellowOn, milestonesOf(i.milestones))
          : null;
      itemValues.push(
        sql`(${i.id}::uuid, ${d.yellowOn}::date, ${d.redOn}::date, ${d.overdueOn}::date, ${d.lagOn}::date, ${chase}::date)`,
      );
    }
    const assignments = await db
      .selectFrom('assignments')
      .select(['id', 'item_id', 'deadline', 'progress'])
      .where(
        'item_id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    const assignmentValues = assignments.map((a) => {
      const it = byItem.get(a.item_id) as { clock: ItemClock; dispatchedAt: string | null };
      const d = datesFor(it.clock.cal, it.clock.rule, it.dispatchedAt, a);
      return sql`(${a.id}::uuid, ${d.yellowOn}::date, ${d.redOn}::date, ${d.overdueOn}::date, ${d.lagOn}::date)`;
    });
    await db.transaction().execute(async (tx) => {
      await sql`update items set light_yellow_on = v.y, light_red_on = v.r, light_overdue_on = v.o,
          light_lag_on = v.l, chase_next_on = v.c
        from (values ${sql.join(itemValues)}) as v(id, y, r, o, l, c) where items.id = v.id`.execute(tx);
      if (assignmentValues.length > 0) {
        await sql`update assignments set light_yellow_on = v.y, light_red_on = v.r, light_overdue_on = v.o,
            light_lag_on = v.l
          from (values ${sql.join(assignmentValues)}) as v(id, y, r, o, l) where assignments.id = v.id`.execute(
          tx,
        );
      }
    });
    total += items.length;
  }
}

/**
 * 特急 items past `hours` since dispatch with no progress report since: the emergency channel
 * escalates them to the leaders (escalation/emergency.ts). Few rows: a partial index holds only
 * open 特急 items.
 */
export async function emergenciesWithoutAction(db: Queryable, now: Date, hours: number) {
  const since = new Date(now.getTime() - hours * 3_600_000);
  return db
    .selectFrom('items as i')
    .select(['i.id', 'i.number', 'i.title', 'i.region_code', 'i.dispatched_at', 'i.due_at'])
    .where('i.urgency', '=', 'critical')
    .where('i.status', 'in', ['dispatched', 'in_progress'])
    .where('i.dispatched_at', '<=', since)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('progress_reports as r')
            .select('r.id')
            .whereRef('r.item_id', '=', 'i.id')
            .whereRef('r.created_at', '>=', 'i.dispatched_at'),
        ),
      ),
    )
    .execute();
}
