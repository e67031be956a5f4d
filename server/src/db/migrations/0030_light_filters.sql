-- List filters on a light (GET /items?light=…, newest first): the items that can have a light, in
-- list order, with what such lists filter on most — status, category and the first day each
-- light can be on (the expressions of lightInSql in clock/light.ts: keep them in step). These
-- conditions are checked in the index without reading rows; the exact light (lightSql) is
-- checked only on the rows the index lets through.
create index items_lit_created_idx on items (
  created_at, id, status, category_code,
  (least(light_overdue_on, (due_at at time zone 'UTC')::date)),
  (least(light_red_on, light_overdue_on,
    case when light_lag_on is not null then greatest(light_yellow_on, light_lag_on) end,
    ((due_at at time zone 'UTC') - interval '12 hours')::date))
) where status not in ('draft', 'registered', 'completed', 'evaluated', 'archived', 'cancelled');
