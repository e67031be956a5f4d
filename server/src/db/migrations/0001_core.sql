-- Duban core schema: organisation, authentication, supervision items, events.
-- Runs unchanged on PGlite and on a PostgreSQL 15+ server.

-- 行政区划 (GB/T 2260). path is the dot-joined chain of codes from the root, for subtree queries.
create table regions (
  code text primary key,
  name text not null,
  level smallint not null check (level between 1 and 5),
  parent_code text references regions (code),
  path text not null
);
create index regions_path_idx on regions (path text_pattern_ops);
create index regions_parent_idx on regions (parent_code);

-- 单位 (a supervision office, a department, a government) attached to a region.
create table units (
  id uuid primary key,
  name text not null,
  short_name text,
  kind text not null,
  region_code text not null references regions (code),
  created_at timestamptz not null default now(),
  unique (region_code, name)
);
create index units_region_idx on units (region_code);

create table users (
  id uuid primary key,
  username text not null unique,
  display_name text not null,
  password_hash text not null,
  unit_id uuid not null references units (id),
  roles text[] not null,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  version integer not null default 1
);
create index users_unit_idx on users (unit_id);

create table sessions (
  id_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now()
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  scopes text[] not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- 督办事项分类: the standard taxonomy with quantified indicators and acceptance criteria.
create table categories (
  code text primary key,
  name text not null,
  description text not null default '',
  indicators jsonb not null default '[]',
  acceptance_criteria text not null default '',
  sort_order integer not null default 0
);

-- 编号计数器: 督〔YYYY〕NNNN号 per assigning unit per year. Incremented inside the creating
-- transaction, so a rolled-back creation returns its number and numbers stay gapless.
create table item_number_counters (
  unit_id uuid not null references units (id),
  year integer not null,
  last_value integer not null,
  primary key (unit_id, year)
);

create table items (
  id uuid primary key,
  number text not null,
  assigning_unit_id uuid not null references units (id),
  number_year integer not null,
  number_seq integer not null,
  title text not null,
  content text not null,
  source text not null,
  category_code text not null references categories (code),
  urgency text not null,
  sensitivity text not null,
  status text not null,
  status_before_suspend text,
  supervising_unit_id uuid references units (id),
  region_code text not null references regions (code),
  responsible_persons jsonb not null default '[]',
  deadline date not null,
  milestones jsonb not null default '[]',
  targets jsonb not null default '[]',
  parent_id uuid references items (id),
  weight numeric not null default 1,
  rectifies_item_id uuid references items (id),
  is_public boolean not null default false,
  progress integer not null default 0 check (progress between 0 and 100),
  pending_extension jsonb,
  completion_request jsonb,
  evaluation jsonb,
  is_demo boolean not null default false,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  dispatched_at timestamptz,
  completed_at timestamptz,
  archived_at timestamptz,
  version integer not null default 1,
  -- numbers are per assigning unit and year: 督〔2026〕0001号 exists once per unit
  unique (assigning_unit_id, number_year, number_seq)
);
create index items_status_idx on items (status);
create index items_number_idx on items (number);
create index items_category_idx on items (category_code);
create index items_region_idx on items (region_code);
create index items_deadline_idx on items (deadline, id);
create index items_created_idx on items (created_at, id);
create index items_parent_idx on items (parent_id);
create index items_assigning_idx on items (assigning_unit_id);

-- 承办分工: one lead (主责) and N collaborators (协同), each with its own sub-deadline,
-- acceptance and progress.
create table assignments (
  id uuid primary key,
  item_id uuid not null references items (id),
  unit_id uuid not null references units (id),
  role text not null check (role in ('lead', 'collaborator')),
  deadline date not null,
  status text not null check (status in ('pending', 'accepted', 'returned')),
  progress integer not null default 0 check (progress between 0 and 100),
  accepted_at timestamptz,
  accepted_by uuid references users (id),
  return_reason text,
  pending_extension jsonb,
  unique (item_id, unit_id)
);
create index assignments_unit_idx on assignments (unit_id, item_id);
create unique index assignments_one_lead on assignments (item_id) where role = 'lead' and status <> 'returned';

-- 证据文件, content-addressed by SHA-256 under the data folder.
create table files (
  sha256 text primary key,
  size_bytes bigint not null,
  media_type text not null,
  uploaded_by uuid references users (id),
  created_at timestamptz not null default now()
);

-- 进展反馈
create table progress_reports (
  id uuid primary key,
  item_id uuid not null references items (id),
  assignment_id uuid not null references assignments (id),
  unit_id uuid not null references units (id),
  author_id uuid not null references users (id),
  percent integer not null check (percent between 0 and 100),
  narrative text not null,
  problems text not null default '',
  next_steps text not null default '',
  indicator_values jsonb not null default '[]',
  attachments jsonb not null default '[]',
  created_at timestamptz not null
);
create index progress_reports_item_idx on progress_reports (item_id, created_at);

-- 领导批示 and comments
create table remarks (
  id uuid primary key,
  item_id uuid not null references items (id),
  author_id uuid not null references users (id),
  kind text not null check (kind in ('instruction', 'comment')),
  body text not null,
  created_at timestamptz not null
);
create index remarks_item_idx on remarks (item_id, created_at);

-- Evaluators see only the items assigned to them (第三方评估).
create table evaluator_assignments (
  item_id uuid not null references items (id),
  user_id uuid not null references users (id),
  primary key (item_id, user_id)
);

-- Append-only domain events. seq is gapless and in commit order: it is taken from a one-row
-- counter whose row lock is held until the writing transaction commits. canonical is the
-- RFC 8785 JSON text of the event, exactly the bytes the evidence ledger will hash.
create table event_counter (
  id boolean primary key default true check (id),
  last_seq bigint not null
);
insert into event_counter (id, last_seq) values (true, 0);

create table events (
  seq bigint primary key,
  id uuid not null unique,
  type text not null,
  item_id uuid references items (id),
  actor_id uuid references users (id),
  occurred_at timestamptz not null,
  payload jsonb not null,
  canonical text not null
);
create index events_item_idx on events (item_id, seq);

-- Idempotency-Key replay store; written in the same transaction as the command it answers.
create table idempotency_keys (
  user_id uuid not null references users (id) on delete cascade,
  key text not null,
  request_hash text not null,
  status_code integer not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);

create table settings (
  key text primary key,
  value jsonb not null
);

-- The event log is append-only: updates and deletes are refused by the database itself.
create function events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'events are append-only';
end;
$$;
create trigger events_no_update before update or delete on events
  for each row execute function events_append_only();
