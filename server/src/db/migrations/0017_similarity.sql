-- 重复督办 and routing suggestions (server/src/intake/similarity, server/src/intake/routing).

-- The near-duplicate index: one row per item or intake record with its text and the LSH band keys
-- of its MinHash signature (server/src/intake/similarity/minhash.ts). Derived data: rebuilt for
-- items by `duban intake reindex`.
create table similarity_index (
  kind text not null check (kind in ('item', 'intake')),
  id text not null,
  region_code text,
  title text not null,
  content text not null,
  recorded_at timestamptz not null,
  bands int4[] not null,
  primary key (kind, id)
);
create index similarity_index_bands on similarity_index using gin (bands);
create index similarity_index_recorded on similarity_index (kind, recorded_at);

-- 三定 responsibility keywords per unit kind or department key (org/standard-units.ts keys) and the
-- categories they point to; seeded from the built-in list, editable by province-level admins.
create table routing_dictionaries (
  key text primary key,
  name_zh text not null,
  keywords jsonb not null,
  category_codes jsonb not null default '[]',
  updated_at timestamptz not null,
  updated_by uuid references users (id)
);

-- The trained classifiers (multinomial naive Bayes over character n-grams): target 'category' or
-- 'lead_unit' (department key); the model is JSON (counts per class and feature).
create table routing_models (
  target text primary key check (target in ('category', 'lead_unit')),
  model jsonb not null,
  samples int not null,
  trained_at timestamptz not null,
  trained_by uuid references users (id)
);
