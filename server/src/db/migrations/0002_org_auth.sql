-- Organisation and authentication additions.

-- Standard departments keep the order of the configured list (督查室 first) in pickers.
alter table units add column sort_order integer not null default 0;

-- A user's tokens are listed on their own page; sessions are swept by expiry.
create index api_tokens_user_idx on api_tokens (user_id);
create index sessions_expires_idx on sessions (expires_at);
