-- 滞后风险 (server/src/risk): the lag-risk model trained on the items' history, and each open item's
-- latest score under it.

-- One row per training run; the newest row is the model in use.
create table risk_models (
  version text primary key,
  trained_at timestamptz not null,
  -- features, means, stds, weights, bias (see server/src/risk/model.ts)
  params jsonb not null,
  -- the back-test: auc, brier, n and positives of the training and the test set
  metrics jsonb not null
);
create index risk_models_trained_idx on risk_models (trained_at);

-- The latest score of each open item (rows of items no longer open are deleted at rescoring).
create table item_risk (
  item_id uuid primary key references items (id),
  -- the lead unit when scored (the heat table and its drill-down group by it)
  lead_unit_id uuid null references units (id),
  probability double precision not null check (probability >= 0 and probability <= 1),
  level text not null check (level in ('low', 'medium', 'high')),
  -- the features behind the score and the strongest ones: { features: {...}, top: [...] }
  factors jsonb not null,
  scored_at timestamptz not null,
  model_version text not null
);
create index item_risk_level_idx on item_risk (level, probability);
