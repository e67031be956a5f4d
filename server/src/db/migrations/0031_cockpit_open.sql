-- 领导驾驶舱 (server/src/cockpit): the open items it counts by status and lists, kept with the KPI
-- facts instead of counted over kpi_item_facts ⨝ items at every request (870k facts at 1M items).
--
-- cockpit_open_items: one row per open (not completed) fact — what the cockpit's openItems used to
-- select — with the item's status and whether it is open overdue (overdue and not exempted).
-- cockpit_open_counts: how many of those rows there are per region path, status and overdue, kept
-- as delta rows (no row is ever updated: writers only add rows, so an item's status change never
-- waits on another's) that the facts writers fold together. A figure is sum(n) over its rows; the
-- drill-down list reads cockpit_open_items with the same condition, so the two agree exactly.
--
-- Kept by triggers (below): a fact inserted, deleted or updated re-derives its item's row; an
-- item's status change moves its row (and its count) to the new status. Derived data, UNLOGGED like
-- the KPI tables: after a crash all of them are empty together and the rebuild (truncate + insert of
-- the facts) fills these again.
-- An item whose status changes while the catch-up job refreshes its facts may keep the status read
-- by the refresh until the next catch-up, which the status change's event triggers (the figure and
-- its list still agree).

create unlogged table cockpit_open_items (
  item_id uuid primary key,
  region_path text not null,
  status text not null,
  deadline date not null,
  -- 超期 as the cockpit counts it: overdue and not exempted (容错免责)
  overdue boolean not null,
  -- What a list shows and orders by without reading the facts: the item's number (the order among
  -- equal deadlines), and its facts' category, lead unit and region.
  number text not null,
  category_code text not null,
  lead_unit_id uuid,
  region_code text not null
);
-- The lists in their order (deadline, number, id): all open (and the overdue among them, which come
-- first), one status; a small region's rows through its path.
create index cockpit_open_items_deadline_idx on cockpit_open_items (deadline, number, item_id);
create index cockpit_open_items_status_idx on cockpit_open_items (status, deadline, number, item_id);
create index cockpit_open_items_region_idx on cockpit_open_items (region_path text_pattern_ops);

create unlogged table cockpit_open_counts (
  region_path text not null,
  status text not null,
  overdue boolean not null,
  n bigint not null
);

-- Folds the delta rows into one row per (region path, status, overdue). Only the rows this
-- transaction sees are deleted and re-added as sums: delta rows of transactions still running stay.
-- Called by the facts writers (serialised on kpi_state's row).
create function cockpit_open_compact() returns void language sql as $$
  with d as (delete from cockpit_open_counts returning *)
  insert into cockpit_open_counts (region_path, status, overdue, n)
  select region_path, status, overdue, sum(n) from d group by region_path, status, overdue
  having sum(n) <> 0;
$$;

-- Facts inserted (the catch-up's refresh, a full recompute): their open rows, with the item status.
-- The rows of the same items are removed first (whatever order the statement's triggers fire in).
create function cockpit_facts_inserted() returns trigger language plpgsql as $$
begin
  with gone as (
    delete from cockpit_open_items m using cockpit_new_facts f where m.item_id = f.item_id
    returning m.region_path, m.status, m.overdue
  )
  insert into cockpit_open_counts (region_path, status, overdue, n)
  select region_path, status, overdue, -count(*) from gone group by region_path, status, overdue;
  with added as (
    insert into cockpit_open_items (item_id, region_path, status, deadline, overdue, number, category_code,
      lead_unit_id, region_code)
    select f.item_id, f.region_path, i.status, f.deadline, f.overdue and not f.exempted, i.number,
      f.category_code, f.lead_unit_id, f.region_code
    from cockpit_new_facts f
    join items i on i.id = f.item_id
    where not f.completed
    returning region_path, status, overdue
  )
  insert into cockpit_open_counts (region_path, status, overdue, n)
  select region_path, status, overdue, count(*) from added group by region_path, status, overdue;
  perform cockpit_open_compact();
  return null;
end $$;

-- Facts deleted or updated: their items' rows re-derived from the facts as they are now.
create function cockpit_facts_changed() returns trigger language plpgsql as $$
begin
  with gone as (
    delete from cockpit_open_items m using cockpit_changed_facts f where m.item_id = f.item_id
    returning m.region_path, m.status, m.overdue
  )
  insert into cockpit_open_counts (region_path, status, overdue, n)
  select region_path, status, overdue, -count(*) from gone group by region_path, status, overdue;
  with added as (
    insert into cockpit_open_items (item_id, region_path, status, deadline, overdue, number, category_code,
      lead_unit_id, region_code)
    select f.item_id, f.region_path, i.status, f.deadline, f.overdue and not f.exempted, i.number,
      f.category_code, f.lead_unit_id, f.region_code
    from kpi_item_facts f
    join items i on i.id = f.item_id
    where f.item_id in (select c.item_id from cockpit_changed_facts c) and not f.completed
    returning region_path, status, overdue
  )
  insert into cockpit_open_counts (region_path, status, overdue, n)
  select region_path, status, overdue, count(*) from added group by region_path, status, overdue;
  perform cockpit_open_compact();
  return null;
end $$;

-- Facts truncated (a full recompute): everything goes. A delete, not a truncate: an item's status
-- change meanwhile does not wait for the recompute (its trigger skips the rows locked here).
create function cockpit_facts_truncated() returns trigger language plpgsql as $$
begin
  delete from cockpit_open_items;
  delete from cockpit_open_counts;
  return null;
end $$;

create trigger cockpit_facts_inserted after insert on kpi_item_facts
  referencing new table as cockpit_new_facts for each statement execute function cockpit_facts_inserted();
create trigger cockpit_facts_deleted after delete on kpi_item_facts
  referencing old table as cockpit_changed_facts for each statement execute function cockpit_facts_changed();
create trigger cockpit_facts_updated after update on kpi_item_facts
  referencing new table as cockpit_changed_facts for each statement execute function cockpit_facts_changed();
create trigger cockpit_facts_truncated after truncate on kpi_item_facts
  for each statement execute function cockpit_facts_truncated();

-- An item's status (or number) changed, or the item was deleted: its open row follows. A row locked
-- by a facts writer is skipped: that writer re-derives it, and the status change's event brings the
-- item to the next catch-up.
create function cockpit_item_changed() returns trigger language plpgsql as $$
declare
  m record;
begin
  select o.region_path, o.status, o.overdue, o.number into m
  from cockpit_open_items o where o.item_id = old.id
  for update skip locked;
  if not found then
    return null;
  end if;
  if tg_op = 'DELETE' then
    delete from cockpit_open_items where item_id = old.id;
    insert into cockpit_open_counts (region_path, status, overdue, n)
    values (m.region_path, m.status, m.overdue, -1);
    return null;
  end if;
  if m.number <> new.number then
    update cockpit_open_items set number = new.number where item_id = old.id;
  end if;
  if m.status <> new.status then
    update cockpit_open_items set status = new.status where item_id = old.id;
    insert into cockpit_open_counts (region_path, status, overdue, n)
    values (m.region_path, m.status, m.overdue, -1), (m.region_path, new.status, m.overdue, 1);
  end if;
  return null;
end $$;

create trigger cockpit_item_status after update of status, number on items
  for each row when (old.status is distinct from new.status or old.number is distinct from new.number)
  execute function cockpit_item_changed();
create trigger cockpit_item_deleted after delete on items
  for each row execute function cockpit_item_changed();

-- The facts there already (a database built before this migration).
select 1 from kpi_state for update;
insert into cockpit_open_items (item_id, region_path, status, deadline, overdue, number, category_code,
  lead_unit_id, region_code)
select f.item_id, f.region_path, i.status, f.deadline, f.overdue and not f.exempted, i.number,
  f.category_code, f.lead_unit_id, f.region_code
from kpi_item_facts f
join items i on i.id = f.item_id
where not f.completed;
insert into cockpit_open_counts (region_path, status, overdue, n)
select region_path, status, overdue, count(*) from cockpit_open_items group by region_path, status, overdue;

-- Statistics for the lists' plans (the KPI rebuild analyzes them again after every full recompute).
analyze cockpit_open_items;
analyze cockpit_open_counts;
