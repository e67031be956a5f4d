-- 清单与通报 (server/src/bulletins): the generated four lists and bulletins (周调度, 月通报, 季考核),
-- archived in the content-addressed files store; each one's SHA-256 is also in its
-- `bulletin.generated` event, so the evidence ledger holds the hash.
create table bulletins (
  id uuid primary key,
  kind text not null check (kind in ('four_lists', 'weekly', 'monthly', 'quarterly')),
  -- 2026-W47 | 2026-10 | 2026-Q3; the four lists: the Beijing date they show the state of.
  period text not null,
  format text not null check (format in ('xlsx', 'docx', 'pdf')),
  region_code text not null references regions (code),
  sha256 text not null references files (sha256),
  size_bytes bigint not null,
  generated_at timestamptz not null,
  -- The user who asked; null when the schedule or the command line made it.
  generated_by uuid references users (id),
  trigger text not null check (trigger in ('api', 'cli', 'schedule')),
  check ((kind = 'four_lists') = (format = 'xlsx'))
);
create index bulletins_region_idx on bulletins (region_code, generated_at desc);
-- The schedule makes each kind, period, region and format once.
create unique index bulletins_schedule_once on bulletins (kind, period, region_code, format)
  where trigger = 'schedule';
