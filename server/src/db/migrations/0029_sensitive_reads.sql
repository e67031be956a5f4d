-- 敏感事项查阅记录 (PRODUCT F14: reads of sensitive items audited): who opened a 敏感 item's page or
-- downloaded its evidence package, and when. A user's repeated reads of one item within ten minutes
-- are one row (the web app refetches the page on every live update).
create table sensitive_reads (
  id uuid primary key,
  user_id uuid not null references users (id),
  item_id uuid not null references items (id),
  item_number text not null,
  region_code text not null,
  what text not null check (what in ('detail', 'evidence')),
  read_at timestamptz not null
);
create index sensitive_reads_read_at_idx on sensitive_reads (read_at desc);
create index sensitive_reads_user_item_idx on sensitive_reads (user_id, item_id, read_at desc);
