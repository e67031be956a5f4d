-- Notifications (F5): the in-app inbox, the outbox of external deliveries, per-user preferences,
-- and the once-only claims of jobs. See server/src/notify/ and server/src/jobs/.

-- Contacts for the e-mail and SMS channels (a user may override them in their preferences).
alter table users add column email text check (email is null or char_length(email) <= 254);
alter table users add column phone text check (phone is null or char_length(phone) <= 32);

-- 站内通知: one row per recipient. `seq` orders a user's inbox and is the SSE event id that a
-- reconnecting stream resumes after (Last-Event-ID).
create table notifications (
  id uuid primary key,
  seq bigint generated always as identity unique,
  user_id uuid not null references users (id),
  item_id uuid references items (id),
  kind text not null check (char_length(kind) between 1 and 64),
  title text not null check (char_length(title) between 1 and 200),
  body text not null default '' check (char_length(body) <= 4000),
  link text check (char_length(link) <= 2000),
  urgent boolean not null default false,
  data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null,
  read_at timestamptz
);
create index notifications_user_seq_idx on notifications (user_id, seq desc);
create index notifications_user_unread_idx on notifications (user_id, seq desc) where read_at is null;

-- The outbox: one row per notification, recipient and external channel, written in the action's
-- transaction and sent by the delivery worker (server/src/notify/deliver.ts).
--   pending   due at next_attempt_at (also while a worker holds it: the claim moves next_attempt_at
--             past the send's deadline, so no other worker sees it)
--   sent      delivered
--   failed    refused for good by the channel (invalid address, 5xx from SMTP, 4xx from a webhook …)
--   dead      still failing after the last retry (dead-letter list, with `failed`)
--   digest    waiting for the user's daily digest; digested: included in the digest row digest_id
-- A digest row has no notification: its rendered message is in `message`.
create table notification_deliveries (
  id uuid primary key,
  notification_id uuid references notifications (id),
  user_id uuid not null references users (id),
  channel text not null check (channel in ('email', 'sms', 'webhook', 'wecom', 'dingtalk')),
  target jsonb not null,
  status text not null check (status in ('pending', 'sent', 'failed', 'dead', 'digest', 'digested')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  sent_at timestamptz,
  message jsonb,
  digest_id uuid references notification_deliveries (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (notification_id is not null or message is not null)
);
create index notification_deliveries_due_idx on notification_deliveries (next_attempt_at)
  where status = 'pending';
create index notification_deliveries_digest_idx on notification_deliveries (user_id, channel)
  where status = 'digest';
create index notification_deliveries_dead_idx on notification_deliveries (updated_at desc, id)
  where status in ('failed', 'dead');
create index notification_deliveries_notification_idx on notification_deliveries (notification_id);

-- Per user and external channel. No row: the channel is on when the user has a contact for it
-- (e-mail, phone), with no quiet hours and no digest. Quiet hours are 'HH:MM' in Asia/Shanghai,
-- start inclusive, end exclusive, and may wrap midnight (22:00–07:00).
create table notification_preferences (
  user_id uuid not null references users (id),
  channel text not null check (channel in ('email', 'sms', 'webhook', 'wecom', 'dingtalk')),
  enabled boolean not null,
  quiet_start text check (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_end text check (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  digest boolean not null default false,
  -- the channel's target instead of the user's contact (an address, a number, a robot or webhook)
  target jsonb,
  updated_at timestamptz not null,
  primary key (user_id, channel),
  check ((quiet_start is null) = (quiet_end is null))
);

-- Once-only effects of at-least-once jobs (server/src/jobs/claim.ts): the first transaction to
-- insert a key owns the effect; a concurrent or later one finds it taken.
create table job_claims (
  key text primary key check (char_length(key) between 1 and 300),
  claimed_at timestamptz not null
);
