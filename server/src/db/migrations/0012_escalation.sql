-- Chasing and escalation (server/src/escalation): reminders before the deadline and the ladder
-- 催办通知 → 约谈/通报 → 绩效扣分 → 组织处理建议 after it.

-- The next day the chase must look at an item (null: nothing to chase — finished, paused, or not
-- dispatched). The deadline sweep reads only rows due today from this index.
alter table items add column chase_next_on date;
create index items_chase_idx on items (chase_next_on) where chase_next_on is not null;

-- Per-category ladder (null: the default one, escalation/ladder.ts).
alter table categories add column escalation_ladder jsonb;

-- 督办单 and reminders: one row per item and chase key. The unique key is the atomic claim: two
-- workers racing on the same item insert once, and only the one that inserted sends anything.
create table supervision_notices (
  id uuid primary key,
  item_id uuid not null references items (id),
  key text not null,
  kind text not null check (kind in ('reminder', 'escalation')),
  step smallint check (step between 1 and 20),
  step_kind text,
  name text not null,
  color text check (color in ('blue', 'yellow', 'red')),
  unit_id uuid references units (id),
  deadline date not null,
  due_on date not null,
  created_at timestamptz not null,
  unique (item_id, key)
);
create index supervision_notices_unit_idx on supervision_notices (unit_id, created_at);

-- 容错免责: a handling unit asks to be excused for force majeure; a supervisor decides. An
-- approved exemption stops the chase of the item and keeps it out of KPIs (evaluation).
create table exemptions (
  id uuid primary key,
  item_id uuid not null references items (id),
  unit_id uuid not null references units (id),
  reason text not null check (char_length(reason) between 1 and 5000),
  status text not null check (status in ('pending', 'approved', 'rejected')),
  requested_by uuid not null references users (id),
  requested_at timestamptz not null,
  decided_by uuid references users (id),
  decided_at timestamptz,
  decision_comment text not null default ''
);
create index exemptions_item_idx on exemptions (item_id, requested_at);
-- at most one undecided request per unit and item
create unique index exemptions_pending_idx on exemptions (item_id, unit_id) where status = 'pending';

-- 特急 (emergency green channel): a 24-hour limit in calendar hours from dispatch.
alter table items add column due_at timestamptz;
create index items_emergency_idx on items (dispatched_at)
  where urgency = 'critical' and status in ('dispatched', 'in_progress');
