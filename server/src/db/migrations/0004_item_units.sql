-- 事项涉及单位: every unit an item involves (assigning, supervising, assigned), with the unit's
-- region path, kept by the commands that change them. Data-scope checks become index lookups:
-- by unit for handlers, by region subtree for supervisors, leaders and auditors.
create table item_units (
  item_id uuid not null references items (id),
  unit_id uuid not null references units (id),
  region_path text not null,
  primary key (item_id, unit_id)
);
create index item_units_unit_idx on item_units (unit_id, item_id);
create index item_units_region_idx on item_units (region_path text_pattern_ops, item_id);

insert into item_units (item_id, unit_id, region_path)
  select x.item_id, x.unit_id, r.path
  from (
    select id as item_id, assigning_unit_id as unit_id from items
    union select id, supervising_unit_id from items where supervising_unit_id is not null
    union select item_id, unit_id from assignments
  ) x
  join units u on u.id = x.unit_id
  join regions r on r.code = u.region_code;

create index items_supervising_idx on items (supervising_unit_id) where supervising_unit_id is not null;
