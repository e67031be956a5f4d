-- 系统管理: units form a tree within the organisation and may be deactivated; categories carry a
-- default urgency (the indicator templates stay in categories.indicators, now with an optional target).
alter table units add column parent_id uuid references units (id);
alter table units add column active boolean not null default true;
create index units_parent_idx on units (parent_id);

alter table categories add column default_urgency text;
