import { type RawBuilder, sql } from 'kysely';
import { type Calendar, workdayOrdinal } from '../calendar/calendar.ts';
import { dateOf, dayNumber } from '../calendar/dates.ts';
import { calendarStamp, loadCalendar } from '../calendar/store.ts';
import type { Queryable } from '../db/client.ts';

/**
 * 指标事实 (kpi_item_facts): one row per dispatched, not cancelled (nor cancelled and archived) item, computed from the item's
 * current state as of a day (`today`, Asia/Shanghai). The same SELECT (factsSelect) builds the row of
 * one item (the incremental path, `items` = its ids) and of every item (`duban kpi recompute`), so
 * the two cannot define a fact differently (only the working-day look-up takes two forms, see
 * workingDays). Definitions:
 *
 * - lead unit: the lead assignment that was not returned (else the last returned one, by unit id);
 *   region: the lead unit's region (the item's own region when it has no lead unit);
 * - paused: the item's clock is stopped (suspended, returned awaiting re-dispatch, extension pending);
 * - completed (办结): status completed/evaluated/archived with a completion time;
 * - due (应办结): completed, or the (current) deadline has passed while the clock runs;
 * - completed_on_time (按期办结): completed on or before the deadline; overdue (超期): completed after
 *   it, or not completed and the deadline has passed while the clock runs;
 * - extended (经批准延期): any approved extension; exempted (容错免责): an approved exemption;
 * - returned: returned by a unit at least once (returned_count times); escalated (问责): a 督办单
 *   step 约谈/通报, 绩效扣分 or 组织处理 was issued; deductions: how many 绩效扣分;
 * - rated / ratings_count / satisfied_count: 群众满意度 ratings of the item (satisfaction_ratings;
 *   满意 and 基本满意 count as satisfied); reviewed / reviews_count / rebound_count: its decided 回头看
 *   reviews (followup_reviews with an outcome) and how many found a 反弹 (rebound);
 * - working_days: working days from dispatch to completion (national calendar, kpi_workdays);
 * - period_month: the month the item fell due — the earlier of its completion day and its deadline.
 */

/** Which items a statement covers: all of them, or the listed ids. */
export type ItemFilter = { all: true } | { ids: readonly string[] };

const DONE = `('completed', 'evaluated', 'archived')`;

function idCondition(column: string, filter: ItemFilter): RawBuilder<unknown> {
  if ('all' in filter) return sql`true`;
  return sql`${sql.ref(column)} = any(${sql.val(filter.ids)}::uuid[])`;
}

/** kpi_item_facts' columns, in the order factsSelect() yields them. */
export const FACT_COLUMNS = `item_id, lead_unit_id, assigning_unit_id, region_code, region_path,
  category_code, period_month, deadline, completed_on, due, completed, completed_on_time, overdue,
  paused, extended, exempted, returned, returned_count, working_days, escalated, deductions,
  reports_count, rated, ratings_count, satisfied_count, reviewed, reviews_count, rebound_count,
  computed_on`;

/**
 * The working days from dispatch to completion: ord(completed day) − ord(dispatch day) from
 * kpi_workdays (null for a day it does not cover). A few items: two index look-ups each. Every item:
 * the ordinals as one array (kpi_workdays holds consecutive days, see syncWorkdays), subscripted
 * by day — out of range gives null like a missing row; two hash joins over the 40,000 days cost a
 * tenth of a full recompute.
 */
function workingDays(filter: ItemFilter): RawBuilder<unknown> {
  if (!('all' in filter)) {
    return sql`(select wc.ord from kpi_workdays wc where wc.day = b.completed_on)
      - (select wd.ord from kpi_workdays wd where wd.day = (b.dispatched_at at time zone 'Asia/Shanghai')::date)`;
  }
  const ords = sql`(select array_agg(w.ord order by w.day) from kpi_workdays w)`;
  const first = sql`(select min(w.day) from kpi_workdays w)`;
  return sql`${ords}[b.completed_on - ${first} + 1]
    - ${ords}[(b.dispatched_at at time zone 'Asia/Shanghai')::date - ${first} + 1]`;
}

/** Inserts the fact rows of the filtered items (eligible ones only) as of `today`. */
export async function insertFacts(db: Queryable, filter: ItemFilter, today: string): Promise<number> {
  const r =
    await sql`insert into kpi_item_facts (${sql.raw(FACT_COLUMNS)}) ${factsSelect(filter, today)}`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0);
}

/** The fact rows (FACT_COLUMNS) of the filtered items that are eligible, as of `today`. */
export function factsSelect(filter: ItemFilter, today: string): RawBuilder<unknown> {
  return sql`
    -- The lead unit: the one lead not returned (at most one: unique index assignments_one_lead),
    -- else the returned lead with the least unit id. Two streams rather than one DISTINCT ON over
    -- every lead, whose sort was a tenth of a full recompute.
    with lead as (
      select a.item_id, a.unit_id
      from assignments a
      where a.role = 'lead' and a.status <> 'returned' and ${idCondition('a.item_id', filter)}
      union all
      (select distinct on (a.item_id) a.item_id, a.unit_id
      from assignments a
      where a.role = 'lead' and a.status = 'returned' and ${idCondition('a.item_id', filter)}
        and not exists (select from assignments o
          where o.item_id = a.item_id and o.role = 'lead' and o.status <> 'returned')
      order by a.item_id, a.unit_id)
    ),
    -- Every per-item count from the other tables in one stream and one aggregate (one join below
    -- instead of one per table: the joins' copying was most of a full recompute).
    side as (
      select s.item_id,
        sum(s.returned)::int as returned_count, bool_or(s.extended) as extended,
        sum(s.deduction)::int as deductions, bool_or(s.escalated) as escalated,
        sum(s.report)::int as reports_count, bool_or(s.exempted) as exempted,
        sum(s.rating)::int as ratings_count, sum(s.satisfied)::int as satisfied_count,
        sum(s.review)::int as reviews_count, sum(s.rebound)::int as rebound_count
      from (
        select e.item_id, (e.type = 'item.returned')::int as returned,
          e.type = 'item.extension_approved' as extended, 0 as deduction, false as escalated,
          0 as report, false as exempted, 0 as rating, 0 as satisfied, 0 as review, 0 as rebound
        from events e
        where e.type in ('item.returned', 'item.extension_approved') and ${idCondition('e.item_id', filter)}
        union all
        select n.item_id, 0, false, (n.step_kind = 'deduction')::int,
          n.step_kind in ('interview', 'deduction', 'organizational'), 0, false, 0, 0, 0, 0
        from supervision_notices n
        where n.kind = 'escalation' and ${idCondition('n.item_id', filter)}
        union all
        select p.item_id, 0, false, 0, false, 1, false, 0, 0, 0, 0
        from progress_reports p
        where ${idCondition('p.item_id', filter)}
        union all
        select x.item_id, 0, false, 0, false, 0, true, 0, 0, 0, 0
        from exemptions x
        where x.status = 'approved' and ${idCondition('x.item_id', filter)}
        union all
        select r.item_id, 0, false, 0, false, 0, false, 1, (r.rating in ('satisfied', 'basic'))::int, 0, 0
        from satisfaction_ratings r
        where ${idCondition('r.item_id', filter)}
        union all
        select v.item_id, 0, false, 0, false, 0, false, 0, 0, 1, (v.outcome = 'rebound')::int
        from followup_reviews v
        where v.outcome is not null and ${idCondition('v.item_id', filter)}
      ) s
      group by s.item_id
    ),
    base as (
      select i.id, i.assigning_unit_id, i.category_code, i.deadline, i.dispatched_at,
        coalesce(lu.region_code, i.region_code) as region_code, lead.unit_id as lead_unit_id,
        (i.status in ${sql.raw(DONE)} and i.completed_at is not null) as completed,
        case when i.status in ${sql.raw(DONE)} and i.completed_at is not null
          then (i.completed_at at time zone 'Asia/Shanghai')::date end as completed_on,
        (i.clock_paused_on is not null) as paused
      from items i
      left join lead on lead.item_id = i.id
      left join units lu on lu.id = lead.unit_id
      -- a cancelled item stays out once archived too (archived without ever being completed)
      where i.dispatched_at is not null and i.status <> 'cancelled'
        and not (i.status = 'archived' and i.completed_at is null) and ${idCondition('i.id', filter)}
      -- offset 0: computed once per item, not again at each of the many references below (a fifth
      -- of a full recompute's CPU)
      offset 0
    )
    select b.id, b.lead_unit_id, b.assigning_unit_id, b.region_code, r.path, b.category_code,
      to_char(case when b.completed and b.completed_on < b.deadline then b.completed_on else b.deadline end, 'YYYY-MM'),
      b.deadline, b.completed_on,
      b.completed or (not b.paused and b.deadline < ${today}::date),
      b.completed,
      b.completed and b.completed_on <= b.deadline,
      (b.completed and b.completed_on > b.deadline) or (not b.completed and not b.paused and b.deadline < ${today}::date),
      b.paused and not b.completed,
      coalesce(x.extended, false),
      coalesce(x.exempted, false),
      coalesce(x.returned_count, 0) > 0,
      coalesce(x.returned_count, 0),
      case when b.completed then ${workingDays(filter)} end,
      coalesce(x.escalated, false),
      coalesce(x.deductions, 0),
      coalesce(x.reports_count, 0),
      coalesce(x.ratings_count, 0) > 0,
      coalesce(x.ratings_count, 0),
      coalesce(x.satisfied_count, 0),
      coalesce(x.reviews_count, 0) > 0,
      coalesce(x.reviews_count, 0),
      coalesce(x.rebound_count, 0),
      ${today}::date
    from base b
    join regions r on r.code = b.region_code
    left join side x on x.item_id = b.id
  `;
}

/** Days covered by kpi_workdays; completions outside it have no working-day figure. */
const FIRST_DAY = '1990-01-01';
const LAST_DAY = '2100-12-31';

/**
 * Rebuilds kpi_workdays from the national calendar when the calendar changed since the last build
 * (the stamp of calendar/store.ts). Returns whether it rebuilt (facts of completed items then need a
 * full recompute).
 */
export async function syncWorkdays(
  db: Queryable,
  known?: { calendar: string; built: string },
): Promise<boolean> {
  // `known`: the calendar's stamp and kpi_state's, already read by the caller (the catch-up)
  const stamp = known?.calendar ?? (await calendarStamp(db));
  const built =
    known?.built ??
    (await db.selectFrom('kpi_state').select('calendar_stamp').executeTakeFirstOrThrow()).calendar_stamp;
  if (built === stamp) return false;
  const cal = await loadCalendar(db, null);
  const { days, ords } = ordinals(cal);
  await db.deleteFrom('kpi_workdays').execute();
  await sql`insert into kpi_workdays (day, ord)
    select * from unnest(${sql.val(days)}::date[], ${sql.val(ords)}::int[])`.execute(db);
  await db.updateTable('kpi_state').set({ calendar_stamp: stamp }).execute();
  return true;
}

function ordinals(cal: Calendar): { days: string[]; ords: number[] } {
  const days: string[] = [];
  const ords: number[] = [];
  for (let x = dayNumber(FIRST_DAY), last = dayNumber(LAST_DAY); x <= last; x++) {
    days.push(dateOf(x));
    ords.push(workdayOrdinal(cal, x));
  }
  return { days, ords };
}
