-- The KPI facts' lead unit (server/src/kpi/facts.ts): an item whose lead returned it and has no lead
-- since takes the returned lead with the least unit id. This index holds only those returned leads, in
-- that order, so a full recompute reads them from it (no sort) instead of scanning every assignment
-- a second time (a million rows at scale) to find a few.
create index assignments_returned_lead_idx on assignments (item_id, unit_id)
  where role = 'lead' and status = 'returned';
