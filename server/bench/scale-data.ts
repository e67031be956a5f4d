/**
 * Data of the scale bench (bench/scale.ts), set-based: units up to BENCH_SCALE_UNITS (a 督查室 in
 * every city and county of 浙江, then the standard departments of every region), items through
 * bulk.ts over all of them, and BENCH_SCALE_EVENTS events spread over the items.
 *
 * The filler events are 督办意见 (item.comment_added) rows with the canonical text appendEvents
 * would store, numbered from event_counter, but written by INSERT … SELECT: they are not folded
 * into the evidence ledger (no tiles or checkpoints) and the items' states do not follow from them.
 */
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/client.ts';
import { bulkLoad } from './bulk.ts';
import { fmt, ms, now } from './lib.ts';
import type { BenchUnit, World } from './world.ts';

const DEPARTMENTS = [
  '发展和改革委员会',
  '经济和信息化局',
  '教育局',
  '科学技术局',
  '公安局',
  '民政局',
  '司法局',
  '财政局',
  '人力资源和社会保障局',
  '自然资源和规划局',
  '生态环境局',
  '住房和城乡建设局',
  '交通运输局',
  '水利局',
  '农业农村局',
  '商务局',
  '文化广电旅游局',
  '卫生健康委员会',
  '应急管理局',
  '审计局',
  '市场监督管理局',
  '统计局',
  '医疗保障局',
  '城市管理局',
  '信访局',
  '数据资源管理局',
  '退役军人事务局',
  '林业局',
  '体育局',
  '机关事务管理局',
];

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Adds offices and departments until `target` units exist; returns the world over all of them. */
export async function scaleUnits(handle: DbHandle, world: World, target: number): Promise<World> {
  const depts = `array[${DEPARTMENTS.map(lit).join(',')}]::text[]`;
  await handle.withScriptSession((exec) =>
    exec(`begin;
      insert into units (id, name, short_name, kind, region_code, created_at)
      select gen_random_uuid(), r.name || '人民政府督查室', r.name, 'supervision_office', r.code, now()
      from regions r
      where r.level in (2, 3) and not exists (
        select 1 from units u where u.region_code = r.code and u.kind = 'supervision_office');
      create temp table scale_regions on commit drop as
        select code, name, (row_number() over (order by level, code) - 1)::int as k from regions;
      insert into units (id, name, short_name, kind, region_code, created_at)
      select gen_random_uuid(), x.name, null, 'department', x.code, now()
      from (
        select r.code, r.name || (${depts})[1 + ((g - 1) / n.n) % ${DEPARTMENTS.length}]
          || case when g > n.n * ${DEPARTMENTS.length} then '（' || g || '）' else '' end as name
        from generate_series(1, greatest(0, ${target} - (select count(*) from units))) g
        cross join (select count(*)::int as n from scale_regions) n
        join scale_regions r on r.k = (g - 1) % n.n
      ) x
      where not exists (select 1 from units u where u.region_code = x.code and u.name = x.name);
      commit; analyze units;`),
  );
  const rows = await handle.db
    .selectFrom('units as u')
    .innerJoin('regions as r', 'r.code', 'u.region_code')
    .select(['u.id', 'u.name', 'u.kind', 'u.region_code', 'r.path', 'r.level'])
    .execute();
  const units: BenchUnit[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind === 'supervision_office' ? 'supervision_office' : 'department',
    regionCode: r.region_code,
    regionPath: r.path,
    level: Math.min(3, Math.max(1, r.level)) as 1 | 2 | 3,
  }));
  return { ...world, units, offices: units.filter((u) => u.kind === 'supervision_office') };
}

export type ScaleLoad = {
  units: number;
  offices: number;
  items: number;
  itemsLoaded: number;
  assignments: number;
  events: number;
  eventsLoaded: number;
  seconds: { units: number; items: number; events: number; analyze: number };
};

/** Units, items and events up to the targets, with progress lines. */
export async function loadScale(
  handle: DbHandle,
  world: World,
  o: { items: number; units: number; events: number },
  out: (line: string) => void,
): Promise<{ world: World; load: ScaleLoad }> {
  const count = async (table: 'items' | 'events' | 'assignments') =>
    Number(
      (
        await handle.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  let t = now();
  const big = await scaleUnits(handle, world, o.units);
  const unitsS = ms(t) / 1000;
  out(`  units: ${big.units.length} (${big.offices.length} 督查室) — ${fmt(unitsS, 1)} s`);

  t = now();
  const toLoad = Math.max(0, o.items - (await count('items')));
  if (toLoad > 0) {
    out(
      `  items: loading ${toLoad} through bulk.ts (one transaction, then item_units, light dates, analyze)…`,
    );
    const b = await bulkLoad(handle, big, toLoad, new Date());
    out(
      `  items: ${toLoad} in ${fmt(b.itemsMs / 1000, 1)} s, assignments ${b.assignments} in ${fmt(b.assignmentsMs / 1000, 1)} s, ` +
        `involvement + light dates ${fmt(b.involvementMs / 1000, 1)} s, analyze ${fmt(b.analyzeMs / 1000, 1)} s`,
    );
  }
  const itemsS = ms(t) / 1000;

  t = now();
  const eventsBefore = await count('events');
  const eventsLoaded = await fillScaleEvents(
    handle,
    world.actors.provSup.userId,
    o.events - eventsBefore,
    out,
  );
  const eventsS = ms(t) / 1000;

  t = now();
  await handle.withScriptSession((exec) => exec('analyze'));
  const analyzeS = ms(t) / 1000;
  return {
    world: big,
    load: {
      units: big.units.length,
      offices: big.offices.length,
      items: await count('items'),
      itemsLoaded: toLoad,
      assignments: await count('assignments'),
      events: await count('events'),
      eventsLoaded,
      seconds: { units: unitsS, items: itemsS, events: eventsS, analyze: analyzeS },
    },
  };
}

/**
 * `count` item.comment_added events, item by item in creation order (each item a run of about
 * count / items consecutive events, a day apart from its creation, never in the future), in
 * transactions of a million.
 */
async function fillScaleEvents(
  handle: DbHandle,
  actorId: string,
  count: number,
  out: (line: string) => void,
): Promise<number> {
  if (count <= 0) return 0;
  const t = now();
  await handle.withScriptSession((exec) =>
    exec(`drop table if exists scale_event_items;
      create unlogged table scale_event_items as
        select (row_number() over (order by created_at, id) - 1)::int as k, id, created_at from items;
      alter table scale_event_items add primary key (k);
      analyze scale_event_items;`),
  );
  const items = Number(
    (await sql<{ n: number }>`select count(*)::int as n from scale_event_items`.execute(handle.db)).rows[0]
      ?.n ?? 0,
  );
  if (items === 0) return 0;
  const chunk = 1_000_000;
  try {
    for (let done = 0; done < count; done += chunk) {
      const n = Math.min(chunk, count - done);
      await handle.db.transaction().execute(async (tx) => {
        const c = await sql<{ last_seq: number }>`
          update event_counter set last_seq = last_seq + ${n} where id returning last_seq`.execute(tx);
        const first = Number(c.rows[0]?.last_seq) - n + 1;
        // g: the event's place among all `count` filler events; its item k = g·items/count
        await sql`
          insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
          select s, e.id, 'item.comment_added', i.id, ${actorId}::uuid, e.at, e.payload::jsonb,
            '{"actorId":"' || ${actorId} || '","id":"' || e.id || '","itemId":"' || i.id ||
            '","occurredAt":"' || to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
            '","payload":' || e.payload || ',"seq":' || s || ',"type":"item.comment_added"}'
          from generate_series(${first}::bigint, ${first + n - 1}::bigint) s
          cross join lateral (select ${done}::bigint + (s - ${first}::bigint) as g) gg
          join scale_event_items i on i.k = (gg.g * ${items}::bigint / ${count}::bigint)::int
          cross join lateral (select gen_random_uuid() as id,
            date_trunc('milliseconds', least(i.created_at + (gg.g % 97) * interval '1 day', now())) as at,
            '{"body":"第' || s || '条督办意见","itemId":"' || i.id || '","remarkId":"' || gen_random_uuid() ||
            '","type":"item.comment_added"}' as payload) e`.execute(tx);
      });
      out(
        `  events: ${done + n} / ${count} (set-based, not folded into the ledger) — ${fmt(ms(t) / 1000, 1)} s`,
      );
    }
  } finally {
    await sql`drop table if exists scale_event_items`.execute(handle.db);
  }
  return count;
}
