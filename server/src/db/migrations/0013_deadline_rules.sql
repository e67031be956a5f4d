-- 期限规则, milestones in the chase, and per-category rules an administrator edits.

-- A deadline counted from dispatch or acceptance (N working days) or in hours (特急), instead of
-- a fixed date; the item's deadline column holds the date the rule gave (items/lifecycle.ts).
alter table items add column deadline_rule jsonb;

-- Milestone notices (节点提醒 before a milestone, 节点逾期 after a missed one) join the chase.
alter table supervision_notices drop constraint supervision_notices_kind_check;
alter table supervision_notices
  add constraint supervision_notices_kind_check check (kind in ('reminder', 'escalation', 'milestone'));

-- A rules change re-dates the category's open items in the deadline sweep: changed_at is set by
-- the API, dated_at by the sweep once done (escalation/jobs.ts).
alter table categories add column rules_changed_at timestamptz;
alter table categories add column rules_dated_at timestamptz;
