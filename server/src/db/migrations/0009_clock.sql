-- The clock on working days (server/src/clock): the days from which each warning light is on,
-- computed with the official calendar whenever an item's deadline, progress or clock changes, so
-- lights are date comparisons in SQL and a sweep finds today's changes from an index.
alter table items
  add column clock_paused_on date,
  add column light_yellow_on date,
  add column light_red_on date,
  add column light_overdue_on date,
  add column light_lag_on date;

alter table assignments
  add column light_yellow_on date,
  add column light_red_on date,
  add column light_overdue_on date,
  add column light_lag_on date;

-- Per-category warning rule (null: the default 3 working days / 75 % elapsed / red at 1 / lag 20 %).
alter table categories add column light_rule jsonb;

-- Rows from before this migration get their dates at the next start (runtime.ts).
create index items_light_overdue_idx on items (light_overdue_on) where light_overdue_on is not null;
