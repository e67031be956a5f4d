-- 绩效指标 (server/src/kpi): KPI definitions as data, one fact row per item, and roll-ups kept
-- up to date by the kpi.catch-up job (fed by the events table) or rebuilt by `duban kpi recompute`.
--
-- Facts, roll-ups, working-day ordinals and the catch-up state are derived data, so they are
-- UNLOGGED (no WAL: a full recompute writes a million rows). After a crash PostgreSQL empties all
-- four together; the catch-up job then finds no kpi_state row and rebuilds everything.

-- A KPI: numerator and denominator are small JSON predicates over kpi_item_facts columns
-- (server/src/kpi/definitions.ts compiles them to SQL; the same compiled predicate serves the
-- figure and its drill-down). Seeded from the built-in list; a row edited here is kept.
create table kpi_definitions (
  code text primary key,
  name_zh text not null,
  name_en text not null,
  unit text not null,
  direction text not null check (direction in ('higher_better', 'lower_better')),
  numerator jsonb not null,
  denominator jsonb not null,
  -- Null, or {zh, en}: the KPI has no data source yet and reports "no data" instead of a number.
  no_data jsonb,
  description text not null default '',
  sort_order int not null default 0
);

-- One row per dispatched, not cancelled item: what every KPI counts. period_month is the month the
-- item fell due: the earlier of its completion day and its deadline (Asia/Shanghai).
create unlogged table kpi_item_facts (
  -- No foreign key: derived data, rebuilt set-based (the check cost a third of a full recompute).
  item_id uuid primary key,
  lead_unit_id uuid,
  assigning_unit_id uuid not null,
  region_code text not null,
  region_path text not null,
  category_code text not null,
  period_month text not null,
  deadline date not null,
  completed_on date,
  due boolean not null,
  completed boolean not null,
  completed_on_time boolean not null,
  overdue boolean not null,
  paused boolean not null,
  extended boolean not null,
  exempted boolean not null,
  returned boolean not null,
  returned_count int not null,
  working_days int,
  escalated boolean not null,
  deductions int not null,
  reports_count int not null,
  computed_on date not null
);
-- The secondary indexes are dropped and rebuilt around a full recompute (kpi/rollups.ts FACT_INDEXES).
create index kpi_item_facts_unit_idx on kpi_item_facts (lead_unit_id, period_month);
create index kpi_item_facts_region_idx on kpi_item_facts (region_path text_pattern_ops, period_month);
-- Items that will fall due with the passing of time (no event marks it): the catch-up job's look.
create index kpi_item_facts_pending_idx on kpi_item_facts (deadline) where not due and not paused;

-- Counters per dimension ('unit' key unit id, 'region' key region code — an item counts for its
-- region and every ancestor —, 'category' key '<category>@<region code>') and month: the numerator
-- and denominator of every KPI, in the order of kpi_state.kpi_codes (one row per key and month
-- rather than per KPI too: a full recompute writes a seventh of the rows).
create unlogged table kpi_rollups (
  dimension text not null check (dimension in ('unit', 'region', 'category')),
  key text not null,
  period_month text not null,
  numerators numeric[] not null,
  denominators numeric[] not null,
  primary key (dimension, key, period_month)
);

-- The working-day ordinal of each day (calendar/calendar.ts workdayOrdinal on the national calendar):
-- 办结工作日 = ord(completed) − ord(dispatched), set-based.
create unlogged table kpi_workdays (day date primary key, ord int not null);

-- One row: the last event folded into the facts, and what the facts were built with.
create unlogged table kpi_state (
  id boolean primary key default true check (id),
  last_seq bigint not null default 0,
  calendar_stamp text not null default '',
  definitions_hash text not null default '',
  -- The KPIs the roll-up arrays hold, in order.
  kpi_codes text[] not null default '{}',
  recomputed_at timestamptz,
  checked_on date
);

-- The catch-up job reads these event types per item.
create index events_kpi_idx on events (item_id) where type in ('item.returned', 'item.extension_approved');
