/**
 * 绩效指标 at scale: a full KPI recompute (`duban kpi recompute`: facts and roll-ups rebuilt
 * set-based) over BENCH_KPI_ITEMS items led by BENCH_KPI_UNITS units, and the incremental cost per
 * event (the kpi.catch-up job folding one new event into the facts and roll-ups).
 *
 * The items are filled set-wise (no command path): a year of deadlines, 45 % done (some late), 5 %
 * suspended, 5 % cancelled, the rest open; 2 % returned once, 5 % with an approved extension, 4 %
 * escalated (1 % to 绩效扣分), 0.5 % exempted, 20 % with a progress report, 5 % (done ones) with a
 * 满意度 rating and 5 % (done ones) with a decided 回头看 (a seventh of them 反弹).
 */
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/client.ts';
import { catchUpKpis, recomputeKpis } from '../src/kpi/rollups.ts';
import { fmt, ms, now, phase, summarize, table } from './lib.ts';
import type { World } from './world.ts';

export type KpiBenchOptions = { items: number; units: number; samples: number };

const YEAR = 2019; // numbers of their own: no collision with items of the other parts

/** user+system clock ticks (1/100 s) of a process, from /proc; undefined once it is gone. */
function ticks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/**
 * Runs fn and measures the CPU time of the PostgreSQL processes serving this database meanwhile
 * (client backends and parallel workers, seen through pg_stat_activity every 20 ms and read from
 * /proc): wall time on a loaded machine says little. Only when the server runs on this machine
 * (cpuMs undefined otherwise, and on PGlite). A parallel worker's last < 20 ms can be missed.
 */
async function withBackendCpu<T>(
  kind: string,
  handle: DbHandle,
  fn: () => Promise<T>,
): Promise<{ result: T; cpuMs: number | undefined }> {
  if (kind !== 'postgres') return { result: await fn(), cpuMs: undefined };
  return handle.db.connection().execute(async (conn) => {
    const self = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
    if (ticks(Number(self.rows[0]?.pid)) === undefined) return { result: await fn(), cpuMs: undefined };
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    const poll = async (baseline: boolean) => {
      const r = await sql<{ pid: number }>`
        select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(
        conn,
      );
      for (const { pid } of r.rows) {
        const t = ticks(pid);
        if (t === undefined) continue;
        // a process first seen after the start (a parallel worker, a new connection) started within fn
        if (!first.has(pid)) first.set(pid, baseline ? t : 0);
        last.set(pid, t);
      }
    };
    await poll(true);
    let done = false;
    const sampler = (async () => {
      while (!done) {
        await poll(false);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    try {
      const result = await fn();
      done = true;
      await sampler;
      await poll(false);
      let sum = 0;
      for (const [pid, t] of last) sum += t - (first.get(pid) ?? 0);
      return { result, cpuMs: sum * 10 };
    } finally {
      done = true;
      await sampler.catch(() => undefined);
    }
  });
}

const cpuText = (cpuMs: number | undefined) => (cpuMs === undefined ? 'n/a' : `${fmt(cpuMs / 1000, 2)} s`);

export async function fill(handle: DbHandle, world: World, o: KpiBenchOptions): Promise<number> {
  const office = world.provOffice;
  const author = world.actors.handler.userId;
  await handle.withScriptSession((exec) =>
    exec(`begin;
      insert into units (id, name, short_name, kind, region_code, created_at)
      select gen_random_uuid(), '指标基准单位' || g, null, 'department', r.code, now()
      from generate_series(1, greatest(0, ${o.units} - (select count(*) from units))) g
      join (select code, row_number() over (order by code) - 1 as k, count(*) over () as n from regions) r
        on r.k = g % r.n;
      create temp table kpi_units on commit drop as
        select id, region_code, (row_number() over (order by id) - 1)::int as k from units;
      create temp table kpi_items on commit drop as
        select gen_random_uuid() as id, g, u.id as unit_id, u.region_code,
          date '2025-01-01' + (g % 365) as deadline
        from generate_series(1, ${o.items}) g
        join kpi_units u on u.k = g % (select count(*) from kpi_units);
      insert into items (id, number, assigning_unit_id, number_year, number_seq, title, content, source,
        category_code, urgency, sensitivity, status, region_code, deadline, is_public, progress,
        created_at, updated_at, dispatched_at, completed_at, clock_paused_on)
      select b.id, '浙督〔${YEAR}〕K' || b.g || '号', '${office.id}', ${YEAR}, b.g, '指标基准事项 ' || b.g,
        '用于绩效指标基准。', 'leader_instruction',
        (array['major-decision','key-project','livelihood','business-environment','ecology','work-safety','public-requests','npc-cppcc'])[1 + b.g % 8],
        'normal', 'internal', s.status, b.region_code, b.deadline, false, 50, now(), now(),
        b.deadline - 30,
        case when s.status in ('completed', 'evaluated', 'archived') then b.deadline - 12 + (b.g % 17) end,
        case when s.status = 'suspended' then b.deadline - 5 end
      from kpi_items b
      cross join lateral (select case
        when b.g % 20 < 6 then 'completed' when b.g % 20 < 8 then 'evaluated' when b.g % 20 < 9 then 'archived'
        when b.g % 20 = 9 then 'suspended' when b.g % 20 = 10 then 'cancelled' else 'in_progress' end as status) s;
      insert into assignments (id, item_id, unit_id, role, deadline, status, progress)
      select gen_random_uuid(), b.id, b.unit_id, 'lead', b.deadline, 'accepted', 50 from kpi_items b;
      insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
      select (select last_seq from event_counter) + row_number() over (), gen_random_uuid(), t.type, b.id, null,
        now(), '{}', '{}'
      from kpi_items b
      join (values ('item.returned', 50, 0), ('item.extension_approved', 20, 3)) t(type, m, r) on b.g % t.m = t.r;
      update event_counter set last_seq = (select coalesce(max(seq), 0) from events);
      insert into supervision_notices (id, item_id, key, kind, step, step_kind, name, color, unit_id, deadline, due_on, created_at)
      select gen_random_uuid(), b.id, 'step-' || s.step || '@' || b.deadline, 'escalation', s.step, s.kind, s.name,
        'red', b.unit_id, b.deadline, b.deadline + 10 * s.step, now()
      from kpi_items b
      join (values (2, 'interview', '约谈/通报', 25, 1), (3, 'deduction', '绩效扣分', 100, 1)) s(step, kind, name, m, r)
        on b.g % s.m = s.r;
      insert into progress_reports (id, item_id, assignment_id, unit_id, author_id, percent, narrative, created_at)
      select gen_random_uuid(), a.item_id, a.id, a.unit_id, '${author}', 50, '推进中。', now()
      from kpi_items b join assignments a on a.item_id = b.id
      where b.g % 5 = 0;
      insert into exemptions (id, item_id, unit_id, reason, status, requested_by, requested_at, decided_by, decided_at)
      select gen_random_uuid(), b.id, b.unit_id, '不可抗力。', 'approved', '${author}', now(), '${author}', now()
      from kpi_items b where b.g % 200 = 7;
      insert into satisfaction_ratings (id, item_id, rating, rated_at)
      select gen_random_uuid(), b.id, (array['satisfied', 'basic', 'unsatisfied'])[1 + b.g % 3], now()
      from kpi_items b where b.g % 20 = 1;
      insert into followup_reviews (id, item_id, source, months_after, due_on, outcome, decided_at, created_at)
      select gen_random_uuid(), b.id, 'schedule', 3, b.deadline + 90,
        case when b.g % 7 = 0 then 'rebound' else 'consolidated' end, now(), now()
      from kpi_items b where b.g % 20 = 2;
      commit;
      analyze items; analyze assignments; analyze events; analyze supervision_notices; analyze progress_reports; analyze exemptions;
      analyze satisfaction_ratings; analyze followup_reviews;`),
  );
  const n = await sql<{ n: number }>`select count(*)::int as n from units`.execute(handle.db);
  return Number(n.rows[0]?.n ?? 0);
}

export async function benchKpi(
  kind: string,
  handle: DbHandle,
  world: World,
  o: KpiBenchOptions,
  out: (line: string) => void,
): Promise<Record<string, unknown> | undefined> {
  if (o.items <= 0) return undefined;
  const filled = await phase(() => fill(handle, world, o));
  const items = await sql<{ n: number }>`select count(*)::int as n from items`.execute(handle.db);
  out(
    `\n[${kind}] KPI engine: ${items.rows[0]?.n} items (${o.items} added), ${filled.result} units (filler ${fmt(filled.ms / 1000, 1)} s)`,
  );
  return {
    items: items.rows[0]?.n,
    units: filled.result,
    ...(await measureKpi(kind, handle, o.samples, out)),
  };
}

/** Times two full recomputes and `samples` single-event catch-ups over what fill() loaded. */
export async function measureKpi(
  kind: string,
  handle: DbHandle,
  samples: number,
  out: (line: string) => void,
) {
  const at = new Date();
  const runs: {
    ms: number;
    cpuMs: number | undefined;
    facts: number;
    rollups: number;
    factsMs: number;
    rollupsMs: number;
    openMs: number;
  }[] = [];
  for (let i = 0; i < 2; i++) {
    const load = os.loadavg()[0] ?? 0;
    const { result: r, cpuMs } = await withBackendCpu(kind, handle, () => recomputeKpis(handle.db, at));
    runs.push({
      ms: r.ms,
      cpuMs,
      facts: r.facts,
      rollups: r.rollups,
      factsMs: r.factsMs,
      rollupsMs: r.rollupsMs,
      openMs: r.openMs,
    });
    out(
      `  recompute ${i + 1}: ${fmt(r.ms / 1000, 2)} s wall (facts ${fmt(r.factsMs / 1000, 2)} s, roll-ups ${fmt(r.rollupsMs / 1000, 2)} s, cockpit tables ${fmt(r.openMs / 1000, 2)} s), ` +
        `backend CPU ${cpuText(cpuMs)}, load average ${fmt(load, 2)}`,
    );
  }
  // Incremental: one new event for a random item, then the catch-up job folds it in.
  const sample = await sql<{ id: string }>`
    select id from items where number_year = ${YEAR} order by random() limit ${samples}`.execute(handle.db);
  const perEvent: number[] = [];
  const loadBefore = os.loadavg()[0] ?? 0;
  const { cpuMs: eventsCpuMs } = await withBackendCpu(kind, handle, async () => {
    for (const { id } of sample.rows) {
      await handle.db.transaction().execute(async (tx) => {
        const c = await sql<{ last_seq: number }>`
        update event_counter set last_seq = last_seq + 1 where id returning last_seq`.execute(tx);
        await sql`insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
        values (${c.rows[0]?.last_seq}, gen_random_uuid(), 'item.returned', ${id}, null, now(), '{}', '{}')`.execute(
          tx,
        );
      });
      const t = now();
      await catchUpKpis(handle.db, at);
      perEvent.push(ms(t));
    }
  });
  const s = summarize(perEvent);
  const cpuPerEvent = eventsCpuMs === undefined ? undefined : eventsCpuMs / Math.max(1, perEvent.length);
  out(
    table(
      ['measure', 'runs', 'p50 ms', 'p95 ms', 'max ms', 'facts', 'roll-up rows'],
      [
        [
          'full recompute (best, worst)',
          runs.length,
          fmt(Math.min(...runs.map((r) => r.ms)), 0),
          fmt(Math.max(...runs.map((r) => r.ms)), 0),
          fmt(Math.max(...runs.map((r) => r.ms)), 0),
          runs[0]?.facts ?? 0,
          runs[0]?.rollups ?? 0,
        ],
        ['catch-up, 1 event', s.n, fmt(s.p50, 1), fmt(s.p95, 1), fmt(s.max, 1), '', ''],
      ],
    ),
  );
  out(
    `  catch-up backend CPU per event (appending the event included): ${cpuPerEvent === undefined ? 'n/a' : `${fmt(cpuPerEvent, 1)} ms`}, ` +
      `load average ${fmt(loadBefore, 2)} → ${fmt(os.loadavg()[0] ?? 0, 2)}`,
  );
  out('  (targets on the server: full recompute ≤ 5 s for 1M items / 3,000 units; ≤ 50 ms per event)');
  return {
    recompute: runs,
    perEventMs: s,
    perEventBackendCpuMs: cpuPerEvent,
    loadAverage: os.loadavg(),
  };
}
