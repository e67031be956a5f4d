-- 单位负责人审批 (issue 5): a unit may require its head's approval before a handler's progress
-- report, extension request or completion request reaches the supervisors. Until approved the
-- action is only a pending submission; approving performs it, in the same transaction.
alter table units add column require_head_approval boolean not null default false;

create table unit_submissions (
  id uuid primary key,
  item_id uuid not null references items (id),
  unit_id uuid not null references units (id),
  action text not null check (action in ('report', 'request-extension', 'request-completion')),
  body jsonb not null,
  submitted_by uuid not null references users (id),
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  decided_by uuid references users (id),
  reason text not null default '',
  created_at timestamptz not null,
  decided_at timestamptz
);
create index unit_submissions_pending_idx on unit_submissions (unit_id, created_at) where status = 'pending';
create index unit_submissions_item_idx on unit_submissions (item_id);
