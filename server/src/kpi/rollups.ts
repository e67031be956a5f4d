import { sql } from 'kysely';
import type { Db, Queryable, Tx } from '../db/client.ts';
import { shanghaiDate } from '../shared/time.ts';
import {
  compilePart,
  computable,
  definitionsHash,
  type KpiDefinition,
  type KpiPart,
  loadDefinitions,
} from './definitions.ts';
import { type ItemFilter, insertFacts, syncWorkdays } from './facts.ts';

/**
 * 指标汇总 (kpi_rollups): numerators and denominators of every KPI per dimension key and month
 * (arrays in the order of kpi_state.kpi_codes).
 * An item contributes to its lead unit ('unit'), its region and every ancestor ('region'), and its
 * category within that region and every ancestor ('category', key '<category>@<region>').
 *
 * Incremental upkeep: when an item's facts change, its old row's contribution is subtracted and the
 * new one's added by the same statement that the full recompute runs over every row — one
 * compilation of the definitions (definitions.ts), so incremental and full cannot drift apart.
 */

/**
 * One part's per-group total as int: `count(*) filter` / `sum(…) filter` (cheaper than
 * `sum(case …)`), and int so that the second level sums in int8 rather than numeric.
 */
function partSum(part: KpiPart): string {
  const c = compilePart(part);
  if (c.kind === 'unitMonths') return '0::int';
  if (!c.isSum) return `(count(*) filter (where ${c.condition}))::int`;
  return `coalesce(sum(${c.value}) filter (where ${c.condition}), 0)::int`;
}

/** Adds (sign 1) or subtracts (sign −1) the filtered facts' contributions to the roll-ups. */
async function applyContributions(
  db: Queryable,
  defs: readonly KpiDefinition[],
  filter: ItemFilter,
  sign: 1 | -1,
  /** Rows may exist already (incremental): add to them. A full rebuild inserts into an empty table. */
  merge = true,
): Promise<void> {
  const kpis = computable(defs);
  if (kpis.length === 0) return;
  const sums = kpis.map((d, i) => `${partSum(d.numerator)} as n${i}, ${partSum(d.denominator)} as d${i}`);
  const array = (p: 'n' | 'd') => `array[${kpis.map((_, i) => `${sign} * sum(g.${p}${i})`).join(', ')}]`;
  const where = 'all' in filter ? sql`true` : sql`f.item_id = any(${sql.val(filter.ids)}::uuid[])`;
  const add = (col: string) =>
    sql.raw(
      `(select array_agg(a + b order by i) from unnest(r.${col}, excluded.${col}) with ordinality t(a, b, i))`,
    );
  await sql`
    with g as (
      select grouping(f.lead_unit_id, f.region_path, f.category_code) as gs,
        f.lead_unit_id, f.region_path, f.category_code, f.period_month, ${sql.raw(sums.join(', '))}
      from kpi_item_facts f
      where ${where}
      group by grouping sets ((f.lead_unit_id, f.period_month), (f.region_path, f.period_month),
        (f.category_code, f.region_path, f.period_month))
    )
    insert into kpi_rollups as r (dimension, key, period_month, numerators, denominators)
    select dims.dim, dims.key, g.period_month, ${sql.raw(array('n'))}, ${sql.raw(array('d'))}
    from g
    cross join lateral (
      -- grouping() bits (lead, region, category), 1 = aggregated away: 3 per unit, 5 per region, 4 per category
      select 'unit'::text as dim, g.lead_unit_id::text as key where g.gs = 3 and g.lead_unit_id is not null
      union all
      select 'region', c from unnest(string_to_array(g.region_path, '.')) c where g.gs = 5
      union all
      select 'category', g.category_code || '@' || c from unnest(string_to_array(g.region_path, '.')) c
      where g.gs = 4
    ) dims
    group by dims.dim, dims.key, g.period_month
    ${
      merge
        ? sql`on conflict (dimension, key, period_month) do update
      set numerators = ${add('numerators')}, denominators = ${add('denominators')}`
        : sql``
    }
  `.execute(db);
}

/** Serialises every writer of facts and roll-ups (the catch-up job, a recompute) on kpi_state's row. */
async function lockState(tx: Tx) {
  // Unlogged: after a crash the row is gone with the facts, and the empty hash forces a rebuild.
  await sql`insert into kpi_state (id) values (true) on conflict do nothing`.execute(tx);
  return sql<{ last_seq: string; definitions_hash: string }>`
    select last_seq, definitions_hash from kpi_state where id for update`
    .execute(tx)
    .then((r) => {
      const row = r.rows[0];
      if (!row) throw new Error('kpi_state has no row (migration 0015 not applied?)');
      return { lastSeq: Number(row.last_seq), definitionsHash: row.definitions_hash };
    });
}

/** Recomputes the facts of these items as of `today` and moves their roll-up contributions. Caller holds the lock. */
async function refreshItems(tx: Tx, defs: readonly KpiDefinition[], ids: readonly string[], today: string) {
  if (ids.length === 0) return;
  const filter: ItemFilter = { ids };
  await applyContributions(tx, defs, filter, -1);
  await tx.deleteFrom('kpi_item_facts').where('item_id', 'in', ids).execute();
  await insertFacts(tx, filter, today);
  await applyContributions(tx, defs, filter, 1);
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
  await applyContributions(tx, defs, { all: true }, 1, false);
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
  return { facts, rollups: Number(n.rows[0]?.n ?? 0), lastSeq, factsMs: t1 - t0, rollupsMs: t2 - t1 };
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
      const state = await lockState(tx);
      const calendarChanged = await syncWorkdays(tx);
      const defs = await loadDefinitions(tx);
      if (calendarChanged || definitionsHash(defs) !== state.definitionsHash) {
        await rebuild(tx, now);
        return { events: 0, items: 0, recomputed: true, more: false };
      }
      const rows = await tx
        .selectFrom('events')
        .select(['seq', 'item_id'])
        .where('seq', '>', state.lastSeq)
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      const ids = new Set<string>();
      for (const r of rows) if (r.item_id !== null) ids.add(r.item_id);
      const falling = await tx
        .selectFrom('kpi_item_facts')
        .select('item_id')
        .where('due', '=', false)
        .where('paused', '=', false)
        .where('deadline', '<', today)
        .limit(BATCH)
        .execute();
      for (const r of falling) ids.add(r.item_id);
      await refreshItems(tx, defs, [...ids], today);
      const last = rows.at(-1);
      if (last) await tx.updateTable('kpi_state').set({ last_seq: last.seq }).execute();
      return {
        events: rows.length,
        items: ids.size,
        recomputed: false,
        more: rows.length === BATCH || falling.length === BATCH,
      };
    });
    if (step.recomputed) return { events, items, recomputed: true };
    events += step.events;
    items += step.items;
    if (!step.more) return { events, items, recomputed: false };
  }
}
