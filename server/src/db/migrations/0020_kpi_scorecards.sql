-- 绩效指标 part 2 (server/src/kpi): 满意度 and 反弹率 get data (satisfaction_ratings and
-- followup_reviews, migration 0018), and 考核记分卡 (scorecards) get their templates.

-- Facts per item: ratings (满意 + 基本满意 count as satisfied) and decided 回头看 reviews.
alter table kpi_item_facts
  add column rated boolean not null default false,
  add column ratings_count int not null default 0,
  add column satisfied_count int not null default 0,
  add column reviewed boolean not null default false,
  add column reviews_count int not null default 0,
  add column rebound_count int not null default 0;

-- The built-in 满意度 and 反弹率 rows lose their "no data" (a row edited since is left alone). The
-- formulas change, so the catch-up job's hash check rebuilds the facts and roll-ups.
update kpi_definitions
set numerator = '{"sum": "satisfied_count", "where": {"rated": true}, "exclude": ["exempted"]}',
  denominator = '{"sum": "ratings_count", "where": {"rated": true}, "exclude": ["exempted"]}',
  no_data = null,
  description = '(满意 + 基本满意) 评价数 / 评价数（群众满意度评价；容错免责事项不计）'
where code = 'satisfaction' and no_data is not null;
update kpi_definitions
set numerator = '{"sum": "rebound_count", "where": {"reviewed": true}, "exclude": ["exempted"]}',
  denominator = '{"sum": "reviews_count", "where": {"reviewed": true}, "exclude": ["exempted"]}',
  no_data = null,
  description = '回头看结论为反弹的次数 / 已完成（已作结论）的回头看次数（容错免责事项不计）'
where code = 'rebound_rate' and no_data is not null;

-- 考核记分卡 template per unit kind (units.kind); no row = the built-in default (kpi/scorecards.ts).
-- components: [{kpi, group: 'results'|'process', weight}], deductions: {deduction, organizational}
-- points per 督办单 of that step.
create table scorecard_templates (
  unit_kind text primary key,
  components jsonb not null,
  deductions jsonb not null,
  updated_by uuid references users (id),
  updated_at timestamptz not null
);

-- 绩效扣分 per unit and month: the escalation notices of the deduction steps.
create index supervision_notices_deduction_idx on supervision_notices (item_id)
  where kind = 'escalation' and step_kind in ('deduction', 'organizational');
