-- 第三方评估, 群众满意度, 综合评分权重 and 回头看 (server/src/evaluation, server/src/followup).

-- 第三方评估: one row per evaluator assigned to an item. evaluator_assignments (0001) stays the
-- visibility table: it holds the evaluators still on the panel (assigned, declared, scored); a
-- withdrawn (利益冲突) or removed evaluator loses the row and so the item.
create table third_party_evaluations (
  id uuid primary key,
  item_id uuid not null references items (id),
  user_id uuid not null references users (id),
  status text not null check (status in ('assigned', 'declared', 'withdrawn', 'scored')),
  assigned_by uuid not null references users (id),
  assigned_at timestamptz not null,
  has_conflict boolean null,
  conflict_statement text not null default '',
  declared_at timestamptz null,
  quality numeric(5, 2) null,
  timeliness numeric(5, 2) null,
  effectiveness numeric(5, 2) null,
  score numeric(5, 2) null,
  comment text not null default '',
  scored_at timestamptz null,
  unique (item_id, user_id)
);
create index third_party_evaluations_user_idx on third_party_evaluations (user_id, assigned_at);

-- 群众满意度: a one-time link (only the token's SHA-256 is stored) and the rating it gave.
create table satisfaction_links (
  id uuid primary key,
  item_id uuid not null references items (id),
  token_hash text not null unique,
  created_by uuid not null references users (id),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz null
);
create index satisfaction_links_item_idx on satisfaction_links (item_id);

-- Read by the KPI engine (满意度): keep item_id, rating and rated_at as they are.
create table satisfaction_ratings (
  id uuid primary key,
  item_id uuid not null references items (id),
  link_id uuid null unique references satisfaction_links (id),
  rating text not null check (rating in ('satisfied', 'basic', 'unsatisfied')),
  comment text not null default '',
  rework_proposed boolean not null default false,
  rated_at timestamptz not null
);
create index satisfaction_ratings_item_idx on satisfaction_ratings (item_id, rated_at);

-- 综合评分权重: one row; missing row = the default 0.4 / 0.3 / 0.3.
create table evaluation_weights (
  id boolean primary key default true check (id),
  supervisor numeric(6, 4) not null,
  third_party numeric(6, 4) not null,
  satisfaction numeric(6, 4) not null,
  updated_by uuid null references users (id),
  updated_at timestamptz not null
);

-- 回头看 schedule per category (months after 办结); no row = the default {3, 6}.
create table followup_schedules (
  category_code text primary key references categories (code),
  months_after integer[] not null,
  updated_at timestamptz not null
);

-- 回头看: a review of a closed item, scheduled (months_after) or proposed by a complaint.
-- Read by the KPI engine (反弹率): keep item_id, due_on, outcome, decided_at, rectification_item_id.
create table followup_reviews (
  id uuid primary key,
  item_id uuid not null references items (id),
  source text not null check (source in ('schedule', 'complaint')),
  months_after integer null,
  reason text not null default '',
  due_on date not null,
  reviewer_id uuid null references users (id),
  assigned_by uuid null references users (id),
  assigned_at timestamptz null,
  outcome text null check (outcome in ('consolidated', 'rebound')),
  findings text not null default '',
  decided_at timestamptz null,
  decided_by uuid null references users (id),
  rectification_item_id uuid null references items (id),
  notified_at timestamptz null,
  created_at timestamptz not null,
  check ((source = 'schedule') = (months_after is not null))
);
-- One scheduled review per item and interval: two sweeps never schedule one twice.
create unique index followup_reviews_schedule_uq on followup_reviews (item_id, months_after)
  where months_after is not null;
create index followup_reviews_item_idx on followup_reviews (item_id);
create index followup_reviews_open_idx on followup_reviews (due_on) where outcome is null;
