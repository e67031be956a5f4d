-- 授权 (issue 8 §1): explicit per-user grants beyond the roles. `pii:read` lets a user ask for a
-- complaint's unmasked contact data (each read audited below); `sensitive:read` lets them see 敏感
-- items outside their own involvement. A grant is revoked, never deleted: the rows are the history.
create table user_grants (
  id uuid primary key,
  user_id uuid not null references users (id),
  grant_name text not null check (grant_name in ('pii:read', 'sensitive:read')),
  reason text not null,
  granted_by uuid references users (id),
  granted_at timestamptz not null,
  revoked_by uuid references users (id),
  revoked_at timestamptz,
  revoke_reason text
);
-- At most one active grant of a kind per user.
create unique index user_grants_active_idx on user_grants (user_id, grant_name) where revoked_at is null;

-- 个人信息查阅记录: every unmasked read of a record's personal data, who, when, what and why.
create table pii_reads (
  id uuid primary key,
  user_id uuid not null references users (id),
  record_id uuid not null,
  tracking_no text not null,
  region_code text not null,
  reason text not null,
  read_at timestamptz not null
);
create index pii_reads_read_at_idx on pii_reads (read_at desc);
create index pii_reads_record_idx on pii_reads (record_id);
