-- A replayed answer carries the headers of the original (ETag, Location), not only its body.
alter table idempotency_keys add column headers jsonb not null default '{}';
