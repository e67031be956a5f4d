import { type RawBuilder, sql } from 'kysely';
import { type CalendarStampRow, calendarStampSelect, stampText } from '../calendar/store.ts';
import type { Db, Tx } from '../db/client.ts';
import { shanghaiDate } from '../shared/time.ts';
import {
  compilePart,
  computable,
  type DefinitionRow,
  definitionsHash,
  type KpiDefinition,
  type KpiPart,
  loadDefinitions,
  parseDefinitions,
} from './definitions.ts';
import { FACT_COLUMNS, factsSelect, type ItemFilter, insertFacts, syncWorkdays } from './facts.ts';
import { pauseOpenTracking, rebuildOpenTables } from './open-items.ts';

/**
 * 指标汇总 (kpi_rollups): numerators and denominators of every KPI per dimension key and month
 * (arrays in the order of kpi_state.kpi_codes).
 * An item contributes to its lead unit ('unit'), its region and every ancestor ('region'), and its
 * category within that region and every ancestor ('category', key '<category>@<region>').
 *
 * Incremental upkeep: when an item's facts change, its old row's contribution is subtracted and the
 * new one's added by the same roll-up statement that the full recompute runs over every row (there
 * with every row's sign 1) — one compilation of the definitions (definitions.ts), so incremental and
 * full cannot drift apart.
 */

/**
 * One part's per-group total as int: `count(*) filter` / `sum(…) filter` (cheaper than
 * `sum(case …)`), and int so that the second level sums in int8 rather than numeric. Signed: the
 * rows carry a `sign` (−1 a fact row removed, 1 one added) and the total is the net change.
 */
function partSum(part: KpiPart, signed: boolean): string {
  const c = compilePart(part);
  if (c.kind === 'unitMonths') return '0::int';
  if (signed) {
    const v = c.isSum ? `f.sign * ${c.value}` : 'f.sign';
    return `coalesce(sum(${v}) filter (where ${c.condition}), 0)::int`;
  }
  if (!c.isSum) return `(count(*) filter (where ${c.condition}))::int`;
  return `coalesce(sum(${c.value}) filter (where ${c.condition}), 0)::int`;
}

/**
 * The roll-up statement: adds the contributions of the fact rows `source` (alias `f`, with a `sign`
 * column when signed) to kpi_rollups. `ctes` are put before it (the refresh's delete and insert).
 * Without merge it inserts into an empty table (a full rebuild).
 */
function rollupStatement(
  kpis: readonly KpiDefinition[],
  o: { ctes: RawBuilder<unknown> | undefined; source: RawBuilder<unknown>; signed: boolean; merge: boolean },
): RawBuilder<unknown> {
  const sums = kpis.map(
    (d, i) => `${partSum(d.numerator, o.signed)} as n${i}, ${partSum(d.denominator, o.signed)} as d${i}`,
  );
  const array = (p: 'n' | 'd') => `array[${kpis.map((_, i) => `sum(g.${p}${i})`).join(', ')}]`;
  const add = (col: string) =>
    sql.raw(
      `(select array_agg(a + b order by i) from unnest(r.${col}, excluded.${col}) with ordinality t(a, b, i))`,
    );
  return sql`
    with ${o.ctes ? sql`${o.ctes},` : sql``}
    -- Two grouping sets, by lead unit and by category within region; a region's row is the sum of
    -- its categories' rows (every fact has a category), which saves a third of the aggregation.
    g as (
      select grouping(f.lead_unit_id, f.region_path, f.category_code) as gs,
        f.lead_unit_id, f.region_path, f.category_code, f.period_month, ${sql.raw(sums.join(', '))}
      from ${o.source} f
      group by grouping sets ((f.lead_unit_id, f.period_month), (f.category_code, f.region_path, f.period_month))
    )
    insert into kpi_rollups as r (dimension, key, period_month, numerators, denominators)
    select dims.dim, dims.key, g.period_month, ${sql.raw(array('n'))}, ${sql.raw(array('d'))}
    from g
    cross join lateral (
      -- grouping() bits (lead, region, category), 1 = aggregated away: 3 per unit, 4 per category
      select 'unit'::text as dim, g.lead_unit_id::text as key where g.gs = 3 and g.lead_unit_id is not null
      union all
      select 'region', c from unnest(string_to_array(g.region_path, '.')) c where g.gs = 4
      union all
      select 'category', g.category_code || '@' || c from unnest(string_to_array(g.region_path, '.')) c
      where g.gs = 4
    ) dims
    group by dims.dim, dims.key, g.period_month
    ${
      o.merge
        ? sql`on conflict (dimension, key, period_month) do update
      set numerators = ${add('numerators')}, denominators = ${add('denominators')}`
        : sql``
    }
  `;
}

/** Serialises every writer of facts and roll-ups (the catch-up job, a recompute) on kpi_state's row. */
async function lockState(tx: Tx) {
  // Unlogged: after a crash the row is gone with the facts, and the empty hash forces a rebuild.
  // One statement: creates the row if missing, else locks it (the no-op update) and returns it.
  return sql<{ last_seq: string; definitions_hash: string; calendar_stamp: string }>`
    insert into kpi_state as s (id) values (true) on conflict (id) do update set id = s.id
    returning s.last_seq, s.definitions_hash, s.calendar_stamp`
    .execute(tx)
    .then((r) => {
      const row = r.rows[0];
      if (!row) throw new Error('kpi_state has no row (migration 0015 not applied?)');
      return {
        lastSeq: Number(row.last_seq),
        definitionsHash: row.definitions_hash,
        calendarStamp: row.calendar_stamp,
      };
    });
}

/**
 * Recomputes the facts of these items as of `today` and moves their roll-up contributions, in one
 * statement (one round trip, one plan): the old rows deleted, the new ones inserted (after the
 * delete: the sub-select on `old`), and the roll-ups moved by the net change (old rows −1, new +1).
 * Caller holds the lock.
 */
async function refreshItems(
  tx: Tx,
  defs: readonly KpiDefinition[],
  ids: readonly string[],
  today: string,
  lastSeq: string | null,
) {
  // the event cursor moves in the same statement (one round trip fewer per catch-up)
  const cursor =
    lastSeq === null
      ? sql``
      : sql`cursor as (update kpi_state set last_seq = ${lastSeq}::bigint returning 1),`;
  if (ids.length === 0) {
    if (lastSeq !== null) await sql`update kpi_state set last_seq = ${lastSeq}::bigint`.execute(tx);
    return;
  }
  const filter: ItemFilter = { ids };
  const ctes = sql`${cursor} old as (
      delete from kpi_item_facts where item_id = any(${sql.val(ids)}::uuid[]) returning *
    ),
    new as (
      insert into kpi_item_facts (${sql.raw(FACT_COLUMNS)})
      select s.* from (${factsSelect(filter, today)}) s where (select count(*) from old) >= 0
      returning *
    )`;
  const source = sql`(select -1 as sign, o.* from old o union all select 1, n.* from new n)`;
  const kpis = computable(defs);
  if (kpis.length === 0) {
    await sql`with ${ctes} select (select count(*) from new) as n`.execute(tx);
    return;
  }
  await rollupStatement(kpis, { ctes, source, signed: true, merge: true }).execute(tx);
}

/** kpi_item_facts' secondary indexes (as in migrations/0015_kpi.sql): rebuilt after a bulk load. */
const FACT_INDEXES = [
  'create index kpi_item_facts_unit_idx on kpi_item_facts (lead_unit_id, period_month)',
  'create index kpi_item_facts_region_idx on kpi_item_facts (region_path text_pattern_ops, period_month)',
  'create index kpi_item_facts_pending_idx on kpi_item_facts (deadline) where not due and not paused',
];

/** Session settings of a full rebuild (SET LOCAL: they end with its transaction). */
const BULK_SETTINGS = [
  "set local work_mem = '256MB'",
  "set local maintenance_work_mem = '256MB'",
  'set local jit = off',
];

export type RecomputeResult = {
  facts: number;
  rollups: number;
  lastSeq: number;
  ms: number;
  factsMs: number;
  rollupsMs: number;
  /** Rebuilding the cockpit's open items and counts (kpi/open-items.ts). */
  openMs: number;
};

/** `duban kpi recompute`: rebuilds every fact and roll-up set-based, in one transaction. */
export async function recomputeKpis(db: Db, now: Date): Promise<RecomputeResult> {
  const started = performance.now();
  return db.transaction().execute(async (tx) => {
    await lockState(tx);
    const result = await rebuild(tx, now);
    return { ...result, ms: performance.now() - started };
  });
}

async function rebuild(tx: Tx, now: Date) {
  const today = shanghaiDate(now);
  await syncWorkdays(tx);
  const defs = await loadDefinitions(tx);
  // Read the event high-water mark first: every event up to it is visible to the statements below.
  const top = await sql<{ seq: string | null }>`select max(seq) as seq from events`.execute(tx);
  const lastSeq = Number(top.rows[0]?.seq ?? 0);
  // Readers wait for the rebuild (truncate locks the tables); hash aggregates and index sorts stay
  // in memory; no JIT (compiling the wide expressions cost more than it saved at a million rows).
  for (const set of BULK_SETTINGS) await sql.raw(set).execute(tx);
  // The cockpit's open tables are rebuilt from the new facts at the end, not through the facts' triggers.
  await pauseOpenTracking(tx);
  await sql`truncate kpi_item_facts, kpi_rollups`.execute(tx);
  // Bulk load without any index (the primary key too: maintaining it row by row cost more than
  // the insert itself), then build them once, sorted.
  await sql`drop index if exists kpi_item_facts_unit_idx, kpi_item_facts_region_idx, kpi_item_facts_pending_idx`.execute(
    tx,
  );
  await sql`alter table kpi_item_facts drop constraint if exists kpi_item_facts_pkey`.execute(tx);
  const t0 = performance.now();
  const facts = await insertFacts(tx, { all: true }, today);
  await sql`alter table kpi_item_facts add constraint kpi_item_facts_pkey primary key (item_id)`.execute(tx);
  for (const ddl of FACT_INDEXES) await sql.raw(ddl).execute(tx);
  // Statistics for the columns the catch-up and the drill-down filter on (all of them: twice the time).
  await sql`analyze kpi_item_facts (item_id, lead_unit_id, region_path, period_month, deadline, due, paused)`.execute(
    tx,
  );
  const t1 = performance.now();
  const kpis = computable(defs);
  if (kpis.length > 0) {
    await rollupStatement(kpis, {
      ctes: undefined,
      source: sql`kpi_item_facts`,
      signed: false,
      merge: false,
    }).execute(tx);
  }
  // The cockpit reads a region's or every unit's month rows: plans need the new table's statistics.
  await sql`analyze kpi_rollups`.execute(tx);
  const t2 = performance.now();
  const n = await sql<{ n: string }>`select count(*) as n from kpi_rollups`.execute(tx);
  await tx
    .updateTable('kpi_state')
    .set({
      last_seq: lastSeq,
      definitions_hash: definitionsHash(defs),
      kpi_codes: computable(defs).map((d) => d.code),
      recomputed_at: now,
    })
    .execute();
  // Last: item commands wait for the swap of the cockpit's tables until the commit.
  await rebuildOpenTables(tx);
  const t3 = performance.now();
  return {
    facts,
    rollups: Number(n.rows[0]?.n ?? 0),
    lastSeq,
    factsMs: t1 - t0,
    rollupsMs: t2 - t1,
    openMs: t3 - t2,
  };
}

/**
 * What a catch-up step reads, in one statement: the calendar's stamp, the definitions (null when
 * the table is empty: loadDefinitions seeds it), the next BATCH events after the cursor (their
 * count, the last seq and their items) and up to BATCH items whose deadline has passed since their
 * facts were computed (not due, clock running).
 */
async function readPending(tx: Tx, lastSeq: number, today: string) {
  const r = await sql<
    CalendarStampRow & {
      defs: DefinitionRow[] | null;
      events: number;
      last_seq: string | null;
      event_items: string[] | null;
      falling: string[];
    }
  >`
    select c.n, c.m, c.s,
      (select json_agg(d order by d.sort_order, d.code) from kpi_definitions d) as defs,
      e.events, e.last_seq, e.event_items,
      array(select f.item_id::text from kpi_item_facts f
        where not f.due and not f.paused and f.deadline < ${today}::date limit ${BATCH}) as falling
    from (${calendarStampSelect}) c,
      (select count(*)::int as events, max(e.seq)::text as last_seq,
          array_agg(distinct e.item_id::text) filter (where e.item_id is not null) as event_items
        from (select seq, item_id from events where seq > ${lastSeq} order by seq limit ${BATCH}) e) e`.execute(
    tx,
  );
  const row = r.rows[0];
  if (!row) throw new Error('readPending: no row');
  return {
    calendarStamp: stampText(row),
    defs: row.defs === null ? null : parseDefinitions(row.defs),
    events: Number(row.events),
    lastSeq: row.last_seq,
    eventItems: row.event_items ?? [],
    falling: row.falling,
  };
}

export type CatchUpResult = { events: number; items: number; recomputed: boolean };

const BATCH = 5000;

/**
 * The kpi.catch-up job: folds the events appended since the last run into the facts (each touched
 * item recomputed once per batch), and refreshes items whose deadline has passed since their facts
 * were computed (falling due makes no event). A changed calendar or changed formulas → full recompute.
 * Events commit in seq order (events/append.ts: one counter row), so a cursor never skips one.
 */
export async function catchUpKpis(db: Db, now: Date): Promise<CatchUpResult> {
  const today = shanghaiDate(now);
  let events = 0;
  let items = 0;
  for (;;) {
    const step = await db.transaction().execute(async (tx) => {
      // Five round trips (begin, the lock, one read, one write, commit) instead of ten: on a loaded
      // machine each one waits for both processes to be scheduled, most of a catch-up's wall time.
      const state = await lockState(tx);
      const read = await readPending(tx, state.lastSeq, today);
      const calendarChanged = await syncWorkdays(tx, {
        calendar: read.calendarStamp,
        built: state.calendarStamp,
      });
      const defs = read.defs ?? (await loadDefinitions(tx));
      if (calendarChanged || definitionsHash(defs) !== state.definitionsHash) {
        await rebuild(tx, now);
        return { events: 0, items: 0, recomputed: true, more: false };
      }
      const ids = new Set<string>([...read.eventItems, ...read.falling]);
      await refreshItems(tx, defs, [...ids], today, read.lastSeq);
      return {
        events: read.events,
        items: ids.size,
        recomputed: false,
        more: read.events === BATCH || read.falling.length === BATCH,
      };
    });
    if (step.recomputed) return { events, items, recomputed: true };
    events += step.events;
    items += step.items;
    if (!step.more) return { events, items, recomputed: false };
  }
}
