import { SOURCES } from '@duban/schema';
import type { DbHandle } from '../src/db/client.ts';
import { syncAllItemUnits } from '../src/items/involvement.ts';
import { dateUndatedItems } from '../src/items/lights.ts';
import { now as clock, ms } from './lib.ts';
import type { BenchUnit, World } from './world.ts';

/** Title topics; `q` in the list benchmark searches for one of them. */
export const TOPICS = [
  '老旧小区综合改造',
  '既有住宅加装电梯',
  '普惠性托育服务扩容',
  '老年助餐服务网点建设',
  '城市内涝积水点治理',
  '营商环境优化提升',
  '重点项目投资进度',
  '中央环保督察反馈问题整改',
  '安全生产隐患排查整治',
  '12345热线群众诉求办理',
  '人大代表建议办理',
  '政协委员提案办理',
  '乡村振兴示范村建设',
  '中小学校舍改造',
  '公共停车泊位建设',
  '数字政府建设',
];

/** Shares of item statuses, the mix of a supervision office a year in. */
const STATUS_MIX: [string, number][] = [
  ['draft', 0.02],
  ['registered', 0.05],
  ['dispatched', 0.1],
  ['returned', 0.02],
  ['in_progress', 0.38],
  ['completion_requested', 0.05],
  ['completed', 0.13],
  ['evaluated', 0.07],
  ['archived', 0.1],
  ['suspended', 0.02],
  ['cancelled', 0.06],
];

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const arr = (xs: readonly string[], type: string) => `array[${xs.map(lit).join(',')}]::${type}[]`;

/** Units an office may hand items to: every other unit in its region subtree. */
function candidates(office: BenchUnit, units: BenchUnit[]): string[] {
  return units
    .filter(
      (u) =>
        u.id !== office.id &&
        (u.regionPath === office.regionPath || u.regionPath.startsWith(`${office.regionPath}.`)),
    )
    .map((u) => u.id);
}

export type BulkTimings = {
  itemsMs: number;
  assignmentsMs: number;
  involvementMs: number;
  analyzeMs: number;
  assignments: number;
};

/**
 * Loads `count` items set-based (generate_series, not the command path; no events), each with a lead
 * assignment once dispatched and a collaborator for 40% of those. Assigning offices: the province
 * 30%, the city offices 50%, the county offices 20%; created over the past 365 days; deadlines 30–270
 * days after creation (so some active items are overdue). Numbers continue each unit's counter.
 */
export async function bulkLoad(
  handle: DbHandle,
  world: World,
  count: number,
  at: Date,
): Promise<BulkTimings> {
  const offices = world.offices;
  const weight = (o: BenchUnit) => (o.level === 1 ? 0.3 : o.level === 2 ? 0.5 : 0.2);
  const perLevel = (level: number) => offices.filter((o) => o.level === level).length;
  let lo = 0;
  const officeRows = offices.map((o, i) => {
    const w = weight(o) / perLevel(o.level);
    const hi = i === offices.length - 1 ? 2 : lo + w;
    const row = `(${i + 1}, ${lit(o.id)}::uuid, ${lit(o.regionCode)}, ${lo}, ${hi}, ${arr(candidates(o, world.units), 'uuid')})`;
    lo = hi;
    return row;
  });
  let cum = 0;
  const statusCase = STATUS_MIX.map(([s, p]) => {
    cum += p;
    return `when r_status < ${cum.toFixed(4)} then ${lit(s)}`;
  }).join(' ');
  const nowLit = `${lit(at.toISOString())}::timestamptz`;
  const content =
    '按照省委省政府决策部署，细化任务分工，明确时间节点和责任人，加强跟踪督办，确保按期保质完成。';

  const stage = `
    select setseed(0.42);
    create temp table bench_office (o int primary key, id uuid, region_code text, lo float8, hi float8, cands uuid[]);
    insert into bench_office values ${officeRows.join(',\n')};
    -- candidates one per row: bench_item keeps only the office, not its (up to 3,000-unit) array
    create temp table bench_cand as
      select o.o, (u.k - 1)::int as k, u.id from bench_office o, unnest(o.cands) with ordinality u(id, k);
    alter table bench_cand add primary key (o, k);
    create temp table bench_item as
    with src as (
      select g, gen_random_uuid() as id, random() as r_office, random() as r_status, random() as r_cat,
        random() as r_urg, random() as r_sens, random() as r_created, random() as r_deadline,
        random() as r_lead, random() as r_collab, random() as r_sup, random() as r_prog, random() as r_title,
        random() as r_source
      from generate_series(1, ${count}) g
    ), placed as (
      select s.*, o.id as unit_id, o.region_code, o.o as office_o, coalesce(array_length(o.cands, 1), 0) as ncand,
        ${nowLit} - s.r_created * interval '365 days' as created_at,
        case ${statusCase} else 'cancelled' end as status
      from src s join bench_office o on s.r_office >= o.lo and s.r_office < o.hi
    )
    select p.*,
      extract(year from p.created_at at time zone 'Asia/Shanghai')::int as year,
      (p.created_at at time zone 'Asia/Shanghai')::date + 30 + floor(p.r_deadline * 240)::int as deadline,
      floor(p.r_lead * p.ncand)::int as li,
      case when p.status in ('in_progress', 'completion_requested') then floor(p.r_prog * 95)::int
           when p.status in ('completed', 'evaluated', 'archived') then 100 else 0 end as progress
    from placed p;`;

  const insertItems = `
    insert into items (id, number, assigning_unit_id, number_year, number_seq, title, content, source,
      category_code, urgency, sensitivity, status, status_before_suspend, supervising_unit_id, region_code,
      deadline, is_public, progress, created_at, updated_at, dispatched_at, completed_at, archived_at)
    select b.id,
      coalesce(u.short_name, '') || '督〔' || b.year || '〕' || lpad(b.seq::text, 4, '0') || '号',
      b.unit_id, b.year, b.seq,
      '推进' || (${arr(TOPICS, 'text')})[1 + floor(b.r_title * ${TOPICS.length})::int] || '工作（第' || b.g || '项）',
      ${lit(content)},
      (${arr(SOURCES, 'text')})[1 + floor(b.r_source * ${SOURCES.length})::int],
      (${arr(world.categories, 'text')})[1 + floor(b.r_cat * ${world.categories.length})::int],
      case when b.r_urg < 0.8 then 'normal' when b.r_urg < 0.95 then 'urgent' else 'critical' end,
      case when b.r_sens < 0.3 then 'public' when b.r_sens < 0.9 then 'internal' else 'sensitive' end,
      b.status,
      case when b.status = 'suspended' then 'in_progress' end,
      case when b.r_sup < 0.05 then ${lit(world.provOffice.id)}::uuid end,
      b.region_code, b.deadline,
      b.r_sens < 0.15, b.progress, b.created_at,
      least(b.created_at + interval '3 days', ${nowLit}),
      case when b.status not in ('draft', 'registered') then least(b.created_at + interval '1 day', ${nowLit}) end,
      case when b.status in ('completed', 'evaluated', 'archived')
        then least(b.deadline::timestamp at time zone 'Asia/Shanghai', ${nowLit}) end,
      case when b.status = 'archived' then least(b.deadline::timestamp at time zone 'Asia/Shanghai', ${nowLit}) end
    from (
      select bi.*, coalesce(c.last_value, 0)
        + row_number() over (partition by bi.unit_id, bi.year order by bi.created_at, bi.g) as seq
      from bench_item bi left join item_number_counters c on c.unit_id = bi.unit_id and c.year = bi.year
    ) b join units u on u.id = b.unit_id;
    insert into item_number_counters (unit_id, year, last_value)
    select assigning_unit_id, number_year, max(number_seq) from items group by 1, 2
    on conflict (unit_id, year) do update
      set last_value = greatest(item_number_counters.last_value, excluded.last_value);`;

  const accepted = `case when b.status = 'dispatched' then 'pending' when b.status = 'returned' then 'returned' else 'accepted' end`;
  const insertAssignments = `
    insert into assignments (id, item_id, unit_id, role, deadline, status, progress, accepted_at, return_reason)
    select gen_random_uuid(), b.id, c.id, 'lead', b.deadline, ${accepted}, b.progress,
      case when ${accepted} = 'accepted' then least(b.created_at + interval '2 days', ${nowLit}) end,
      case when b.status = 'returned' then '不属于本单位职责范围' end
    from bench_item b join bench_cand c on c.o = b.office_o and c.k = b.li
    where b.status not in ('draft', 'registered') and b.ncand > 0;
    insert into assignments (id, item_id, unit_id, role, deadline, status, progress, accepted_at)
    select gen_random_uuid(), b.id, c.id, 'collaborator', b.deadline,
      case when b.status in ('dispatched', 'returned') then 'pending' else 'accepted' end, b.progress,
      case when b.status not in ('dispatched', 'returned') then least(b.created_at + interval '2 days', ${nowLit}) end
    from bench_item b join bench_cand c on c.o = b.office_o
      and c.k = (b.li + 1 + floor(b.r_collab / 0.4 * (b.ncand - 1))::int) % b.ncand
    where b.status not in ('draft', 'registered') and b.ncand > 1 and b.r_collab < 0.4;
    drop table bench_cand;
    drop table bench_item;
    drop table bench_office;`;

  const { itemsMs, assignmentsMs } = await handle.withScriptSession(async (exec) => {
    let t = clock();
    await exec(`begin;\n${stage}\n${insertItems}\ncommit;`);
    const itemsMs = ms(t);
    t = clock();
    await exec(`begin;\n${insertAssignments}\ncommit;`);
    return { itemsMs, assignmentsMs: ms(t) };
  });
  // The data-scope index the commands keep; bulk rows bypass the commands, so fill it set-wise.
  let t = clock();
  await syncAllItemUnits(handle.db);
  // Light dates on the working-day calendar (the commands set them; bulk rows get them set-wise).
  await dateUndatedItems(handle.db);
  const involvementMs = ms(t);
  t = clock();
  await handle.withScriptSession((exec) => exec('analyze'));
  const analyzeMs = ms(t);
  const assignmentCount = await handle.db
    .selectFrom('assignments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { itemsMs, assignmentsMs, involvementMs, analyzeMs, assignments: Number(assignmentCount.n) };
}
