-- 日历订阅: one secret iCalendar URL per user (server/src/feeds/). The secret itself is never
-- stored, only its SHA-256 (hex), as for sessions and API tokens. Rotating replaces the hash;
-- revoking deletes the row.
create table calendar_feeds (
  user_id uuid primary key references users (id),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null,
  last_used_at timestamptz
);
