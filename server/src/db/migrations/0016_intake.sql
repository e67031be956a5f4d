-- 统一受理 (task pool): records from every channel — a supervisor's form, Excel import, document
-- extraction, the REST API, Open311 and the citizens' portal — waiting for triage into a 督办事项
-- (accepted), onto an existing one (merged), to another unit (forwarded) or refused (rejected).
-- Contact data is personal (PIPL): it stays in this table, masked in answers, never in events.
create table intake_records (
  id uuid primary key,
  tracking_no text not null unique,
  channel text not null check (channel in ('web', 'excel', 'extraction', 'api', 'open311', 'portal')),
  kind text not null check (kind in ('complaint', 'suggestion', 'task')),
  title text not null check (char_length(title) between 1 and 200),
  content text not null check (char_length(content) between 1 and 5000),
  region_code text not null references regions (code),
  category_code text references categories (code),
  service_code text,
  lat double precision check (lat between -90 and 90),
  long double precision check (long between -180 and 180),
  address text,
  contact_name text,
  contact_phone text,
  contact_email text,
  status text not null default 'received'
    check (status in ('received', 'accepted', 'merged', 'forwarded', 'rejected')),
  item_id uuid references items (id),
  forwarded_unit_id uuid references units (id),
  decision_reason text,
  decided_by uuid references users (id),
  decided_at timestamptz,
  created_by uuid references users (id),
  received_at timestamptz not null,
  check ((status in ('accepted', 'merged')) = (item_id is not null)),
  check ((status = 'forwarded') = (forwarded_unit_id is not null)),
  check ((status = 'received') = (decided_at is null))
);
create index intake_records_region_idx on intake_records (region_code, received_at desc);
create index intake_records_received_idx on intake_records (received_at desc);
create index intake_records_item_idx on intake_records (item_id) where item_id is not null;
