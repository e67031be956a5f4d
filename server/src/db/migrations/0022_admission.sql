-- 督办事项准入 (admission control): quotas of items a unit receives as lead (牵头) per month or
-- quarter, the admissions counted against them, and over-quota requests approved by a leader.

-- The default quota of a kind of unit; a unit's own quota overrides it. max_items null: no limit.
create table admission_kind_quotas (
  unit_kind text primary key,
  period text not null check (period in ('month', 'quarter')),
  max_items integer check (max_items >= 0),
  updated_by uuid references users (id),
  updated_at timestamptz not null
);

create table admission_unit_quotas (
  unit_id uuid primary key references units (id),
  period text not null check (period in ('month', 'quarter')),
  max_items integer check (max_items >= 0),
  updated_by uuid references users (id),
  updated_at timestamptz not null
);

-- One row per item and unit it was dispatched to as lead, dated by the (Beijing) day of that
-- dispatch: a re-dispatch to the same lead does not count again.
create table admission_entries (
  item_id uuid not null references items (id),
  unit_id uuid not null references units (id),
  dispatched_on date not null,
  request_id uuid,
  primary key (item_id, unit_id)
);
create index admission_entries_unit_idx on admission_entries (unit_id, dispatched_on);

create table admission_requests (
  id uuid primary key,
  item_id uuid not null references items (id),
  unit_id uuid not null references units (id),
  period text not null,
  reason text not null,
  status text not null check (status in ('pending', 'approved', 'rejected')),
  requested_by uuid not null references users (id),
  requested_at timestamptz not null,
  decided_by uuid references users (id),
  decided_at timestamptz,
  decision_reason text not null default ''
);
create index admission_requests_unit_idx on admission_requests (unit_id, status);
create unique index admission_requests_one_open on admission_requests (item_id, unit_id)
  where status in ('pending', 'approved');

-- Items already dispatched count in the month of their first dispatch.
insert into admission_entries (item_id, unit_id, dispatched_on)
select a.item_id, a.unit_id, (i.dispatched_at at time zone 'Asia/Shanghai')::date
from assignments a
join items i on i.id = a.item_id
where a.role = 'lead' and i.dispatched_at is not null
on conflict do nothing;
