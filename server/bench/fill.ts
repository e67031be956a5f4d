/**
 * Fills open items set-wise (one INSERT … SELECT from generate_series, no command path, no events):
 * the deadline-sweep bench (sweep.ts) and the 10,000-reminder end-to-end test
 * (test/escalation/ten-thousand.test.ts) both need many items whose chase day has come, fast.
 */
import type { DbHandle } from '../src/db/client.ts';

export type FillOptions = {
  /** How many items to add. */
  count: number;
  /** The supervision office that assigns them (their region is its region). */
  office: { id: string; regionCode: string };
  /** Today in Beijing time (shared/time.ts shanghaiDate), the day the sweep compares with. */
  today: string;
  /** Chase days spread over today … today + chaseDays − 1 (1: every item is due today). */
  chaseDays: number;
  /**
   * Deadlines: today + deadlineFrom + (g mod deadlineDays). Light dates follow the deadline:
   * yellow 5 days before, red 1 day before, overdue the day after.
   */
  deadlineFrom: number;
  deadlineDays: number;
  /** With a lead assignment (pending) to this unit and status 'dispatched'; else 'in_progress', no units. */
  leadUnitId?: string | undefined;
  /** Title prefix; the title ends with the running number g (1 … count). */
  title?: string;
};

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Adds `count` open items. Numbers are 浙督〔YEAR〕S<seq>号, the sequence continuing after the
 * office's highest one of the year (and the office's counter moved past them), so neither repeated
 * fills nor items created afterwards collide.
 */
export async function fillOpenItems(handle: DbHandle, o: FillOptions): Promise<void> {
  if (o.count <= 0) return;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.today)) throw new Error(`fill: bad date ${o.today}`);
  const year = Number(o.today.slice(0, 4));
  const today = `${lit(o.today)}::date`;
  const office = `${lit(o.office.id)}::uuid`;
  const status = o.leadUnitId === undefined ? 'in_progress' : 'dispatched';
  const title = lit(o.title ?? '扫描基准事项 ');
  const chaseDays = Math.max(1, Math.trunc(o.chaseDays));
  const deadlineDays = Math.max(1, Math.trunc(o.deadlineDays));
  const assignments =
    o.leadUnitId === undefined
      ? ''
      : `insert into assignments (id, item_id, unit_id, role, deadline, status, progress)
         select gen_random_uuid(), id, ${lit(o.leadUnitId)}::uuid, 'lead', deadline, 'pending', 0
         from items where assigning_unit_id = ${office} and number_year = ${year} and number_seq > (select s from fill_base);`;
  await handle.withScriptSession((exec) =>
    exec(`begin;
      create temp table fill_base on commit drop as
        select greatest(
          (select coalesce(max(number_seq), 0) from items
            where assigning_unit_id = ${office} and number_year = ${year}),
          (select coalesce(max(last_value), 0) from item_number_counters
            where unit_id = ${office} and year = ${year})) as s;
      insert into items (id, number, assigning_unit_id, number_year, number_seq, title, content, source,
        category_code, urgency, sensitivity, status, region_code, deadline, is_public, progress,
        created_at, updated_at, dispatched_at, light_yellow_on, light_red_on, light_overdue_on, chase_next_on)
      select gen_random_uuid(), '浙督〔${year}〕S' || (b.s + g) || '号', ${office}, ${year}, b.s + g,
        ${title} || g, '用于期限扫描基准。', 'leader_instruction', 'livelihood', 'normal', 'internal',
        '${status}', ${lit(o.office.regionCode)}, d, false, ${status === 'dispatched' ? 0 : 30}, now(), now(),
        now() - interval '60 days', d - 5, d - 1, d + 1, ${today} + (g % ${chaseDays})
      from fill_base b, generate_series(1, ${o.count}) g,
        lateral (select ${today} + ${Math.trunc(o.deadlineFrom)} + (g % ${deadlineDays}) as d) x;
      ${assignments}
      -- commands that number items later continue after these
      insert into item_number_counters (unit_id, year, last_value)
      select ${office}, ${year}, (select s from fill_base) + ${o.count}
      on conflict (unit_id, year) do update
        set last_value = greatest(item_number_counters.last_value, excluded.last_value);
      commit; analyze items; analyze assignments;`),
  );
}
