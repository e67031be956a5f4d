-- 定期报送 (server/src/reporting): periodic report schedules and their report slots.

-- The item's schedule, {kind:'weekly',weekday} | {kind:'monthly',day} | {kind:'quarterly',month,day}
-- (schema/src/reporting.ts); null: no periodic reports.
alter table items add column report_schedule jsonb;
create index items_report_schedule_idx on items (id)
  where report_schedule is not null and status in ('dispatched', 'in_progress', 'completion_requested');

-- One row per item and period (报送期次): due on `due_on` (a working day), filled by the progress
-- report `report_id`. Created a period or two ahead by the reporting sweep; the unique key makes
-- creation idempotent when two workers extend the same item.
create table report_slots (
  id uuid primary key,
  item_id uuid not null references items (id),
  period text not null,
  due_on date not null,
  report_id uuid references progress_reports (id),
  filled_at timestamptz,
  created_at timestamptz not null,
  unique (item_id, period),
  check ((report_id is null) = (filled_at is null))
);
-- Open slots due by a day: reminders before the due date and 缺报 after it.
create index report_slots_open_idx on report_slots (due_on, item_id) where filled_at is null;
