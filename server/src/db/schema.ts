import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Kysely's view of the tables created by migrations/*.sql. Keep the two in step. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A calendar date as 'YYYY-MM-DD' (the driver is configured not to turn dates into Date). */
type DateText = string;
type Json<T> = ColumnType<T, string, string>;

export type RegionTable = {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
  path: string;
};

export type UnitTable = {
  id: string;
  name: string;
  short_name: string | null;
  kind: string;
  region_code: string;
  created_at: DefaultTimestamp;
  /** Display order within a region (standard departments follow their configured order). */
  sort_order: Generated<number>;
  /** 上级单位 (0021), and whether the unit is still in use. */
  parent_id: string | null;
  active: Generated<boolean>;
  /** 单位负责人审批 (0024): handlers' reports and requests wait for the unit head's approval. */
  require_head_approval: Generated<boolean>;
};

export type UserTable = {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  unit_id: string;
  roles: string[];
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
  version: Generated<number>;
  /** Contacts for e-mail and SMS notifications (migrations/0010_notifications.sql). */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  /** 统一身份认证: the linked OpenID provider subject, set at the first SSO login (0027_oidc.sql). */
  oidc_issuer: ColumnType<string | null, string | null | undefined, string | null>;
  oidc_subject: ColumnType<string | null, string | null | undefined, string | null>;
};

export type SessionTable = {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  last_seen_at: DefaultTimestamp;
  /** 双因素认证 (migrations/0025_auth_security.sql): full, or a step still to take. */
  mfa_state: ColumnType<MfaState, MfaState | undefined, MfaState>;
};

export type ApiTokenTable = {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  created_at: DefaultTimestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
};

export type CategoryTable = {
  code: string;
  name: string;
  description: Generated<string>;
  indicators: Json<unknown>;
  acceptance_criteria: Generated<string>;
  sort_order: Generated<number>;
  light_rule: Json<unknown> | null;
  escalation_ladder: Json<unknown> | null;
  /** When an admin last changed the rules, and up to which change open items were re-dated. */
  rules_changed_at: Timestamp | null;
  rules_dated_at: Timestamp | null;
  /** 默认紧急程度 (0021): what 立项 pre-selects; null: 一般. */
  default_urgency: string | null;
};

export type ItemNumberCounterTable = {
  unit_id: string;
  year: number;
  last_value: number;
};

export type ItemTable = {
  id: string;
  number: string;
  assigning_unit_id: string;
  number_year: number;
  number_seq: number;
  title: string;
  content: string;
  source: string;
  category_code: string;
  urgency: string;
  sensitivity: string;
  status: string;
  status_before_suspend: string | null;
  supervising_unit_id: string | null;
  region_code: string;
  responsible_persons: Json<unknown>;
  deadline: DateText;
  milestones: Json<unknown>;
  targets: Json<unknown>;
  parent_id: string | null;
  weight: ColumnType<string, number | string, number | string>;
  rectifies_item_id: string | null;
  is_public: boolean;
  progress: number;
  pending_extension: Json<unknown> | null;
  completion_request: Json<unknown> | null;
  evaluation: Json<unknown> | null;
  is_demo: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  dispatched_at: Timestamp | null;
  completed_at: Timestamp | null;
  archived_at: Timestamp | null;
  version: number;
  clock_paused_on: DateText | null;
  light_yellow_on: DateText | null;
  light_red_on: DateText | null;
  light_overdue_on: DateText | null;
  light_lag_on: DateText | null;
  chase_next_on: DateText | null;
  due_at: Timestamp | null;
  /** 期限规则 (null: a fixed deadline). */
  deadline_rule: ColumnType<unknown, string | null | undefined, string | null>;
  /** 定期报送 (migrations/0014_report_schedules.sql); null: none. */
  report_schedule: ColumnType<unknown, string | null | undefined, string | null>;
};

export type AssignmentTable = {
  id: string;
  item_id: string;
  unit_id: string;
  role: 'lead' | 'collaborator';
  deadline: DateText;
  status: 'pending' | 'accepted' | 'returned';
  progress: number;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  return_reason: string | null;
  pending_extension: Json<unknown> | null;
  light_yellow_on: DateText | null;
  light_red_on: DateText | null;
  light_overdue_on: DateText | null;
  light_lag_on: DateText | null;
};

export type FileTable = {
  sha256: string;
  size_bytes: number;
  media_type: string;
  uploaded_by: string | null;
  created_at: DefaultTimestamp;
};

export type FileUploadTable = { sha256: string; user_id: string; created_at: DefaultTimestamp };

export type ProgressReportTable = {
  id: string;
  item_id: string;
  assignment_id: string;
  unit_id: string;
  author_id: string;
  percent: number;
  narrative: string;
  problems: string;
  next_steps: string;
  indicator_values: Json<unknown>;
  attachments: Json<unknown>;
  created_at: Timestamp;
  ord: Generated<number>;
};

export type RemarkTable = {
  id: string;
  item_id: string;
  author_id: string;
  kind: 'instruction' | 'comment';
  body: string;
  created_at: Timestamp;
  ord: Generated<number>;
};

export type ItemUnitTable = { item_id: string; unit_id: string; region_path: string };

export type EvaluatorAssignmentTable = { item_id: string; user_id: string };

export type EventCounterTable = { id: boolean; last_seq: number };

export type EventTable = {
  seq: number;
  id: string;
  type: string;
  item_id: string | null;
  actor_id: string | null;
  occurred_at: Timestamp;
  payload: Json<unknown>;
  canonical: string;
};

export type IdempotencyKeyTable = {
  user_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json<unknown>;
  headers: ColumnType<unknown, string | undefined, string>;
  created_at: DefaultTimestamp;
};

export type SettingTable = { key: string; value: Json<unknown> };

export type LedgerTileTable = { level: number; idx: number; hashes: Uint8Array };

export type LedgerStateTable = { id: boolean; size: number; root: Uint8Array };

export type LedgerCheckpointTable = {
  id: Generated<number>;
  size: number;
  root: Uint8Array;
  key_name: string;
  key_id: string;
  note: string;
  created_at: Timestamp;
};

/** 工作日历: a national day (region_code null) or a region's override; see migrations/0008_calendar.sql. */
export type CalendarDayTable = {
  region_code: string | null;
  day: DateText;
  kind: 'holiday' | 'workday';
  name: ColumnType<string, string | undefined, string>;
  source: 'chinese-days' | 'admin';
  updated_by: string | null;
  updated_at: DefaultTimestamp;
};

/** 站内通知 — one per recipient; see migrations/0010_notifications.sql. */
export type NotificationTable = {
  id: string;
  seq: Generated<number>;
  user_id: string;
  item_id: string | null;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  urgent: boolean;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
  read_at: Timestamp | null;
};

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'dead' | 'digest' | 'digested';

/** The notification outbox: one external delivery (e-mail, SMS, webhook, WeCom, DingTalk). */
export type NotificationDeliveryTable = {
  id: string;
  notification_id: string | null;
  user_id: string;
  channel: 'email' | 'sms' | 'webhook' | 'wecom' | 'dingtalk';
  target: Json<unknown>;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  sent_at: Timestamp | null;
  message: Json<unknown> | null;
  digest_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type NotificationPreferenceTable = {
  user_id: string;
  channel: 'email' | 'sms' | 'webhook' | 'wecom' | 'dingtalk';
  enabled: boolean;
  quiet_start: string | null;
  quiet_end: string | null;
  digest: boolean;
  target: Json<unknown> | null;
  updated_at: Timestamp;
};

export type JobClaimTable = { key: string; claimed_at: Timestamp };

export type Database = {
  supervision_notices: SupervisionNoticeTable;
  exemptions: ExemptionTable;
  regions: RegionTable;
  units: UnitTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  categories: CategoryTable;
  item_number_counters: ItemNumberCounterTable;
  items: ItemTable;
  assignments: AssignmentTable;
  files: FileTable;
  file_uploads: FileUploadTable;
  progress_reports: ProgressReportTable;
  remarks: RemarkTable;
  evaluator_assignments: EvaluatorAssignmentTable;
  item_units: ItemUnitTable;
  event_counter: EventCounterTable;
  events: EventTable;
  idempotency_keys: IdempotencyKeyTable;
  settings: SettingTable;
  ledger_tiles: LedgerTileTable;
  ledger_state: LedgerStateTable;
  ledger_checkpoints: LedgerCheckpointTable;
  calendar_days: CalendarDayTable;
  notifications: NotificationTable;
  notification_deliveries: NotificationDeliveryTable;
  notification_preferences: NotificationPreferenceTable;
  job_claims: JobClaimTable;
  calendar_feeds: CalendarFeedTable;
  report_slots: ReportSlotTable;
  kpi_definitions: KpiDefinitionTable;
  kpi_item_facts: KpiItemFactTable;
  kpi_rollups: KpiRollupTable;
  cockpit_open_items: CockpitOpenItemTable;
  cockpit_open_counts: CockpitOpenCountTable;
  kpi_workdays: KpiWorkdayTable;
  kpi_state: KpiStateTable;
  login_throttle: LoginThrottleTable;
  user_mfa: UserMfaTable;
  mfa_recovery_codes: MfaRecoveryCodeTable;
  oidc_logins: OidcLoginTable;
  user_grants: UserGrantTable;
  pii_reads: PiiReadTable;
  sensitive_reads: SensitiveReadTable;
};

export type ItemRow = Selectable<ItemTable>;
export type AssignmentRow = Selectable<AssignmentTable>;
export type UnitRow = Selectable<UnitTable>;
export type UserRow = Selectable<UserTable>;
export type RegionRow = Selectable<RegionTable>;
export type NewItem = Insertable<ItemTable>;

export type ExemptionTable = {
  id: string;
  item_id: string;
  unit_id: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requested_by: string;
  requested_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_comment: Generated<string>;
};

export type SupervisionNoticeTable = {
  id: string;
  item_id: string;
  key: string;
  kind: 'reminder' | 'escalation' | 'milestone';
  step: number | null;
  step_kind: string | null;
  name: string;
  color: 'blue' | 'yellow' | 'red' | null;
  unit_id: string | null;
  deadline: DateText;
  due_on: DateText;
  created_at: Timestamp;
};

/** 日历订阅: a user's secret iCalendar feed (hash only); see migrations/0011_calendar_feeds.sql. */
export type CalendarFeedTable = {
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
};

/** 报送期次: one period of an item's report schedule; see migrations/0014_report_schedules.sql. */
export type ReportSlotTable = {
  id: string;
  item_id: string;
  period: string;
  due_on: DateText;
  report_id: string | null;
  filled_at: Timestamp | null;
  created_at: Timestamp;
};

/** 绩效指标定义 (migrations/0015_kpi.sql): numerator/denominator are predicates (kpi/definitions.ts). */
export type KpiDefinitionTable = {
  code: string;
  name_zh: string;
  name_en: string;
  unit: string;
  direction: string;
  numerator: Json<unknown>;
  denominator: Json<unknown>;
  no_data: Json<unknown> | null;
  description: Generated<string>;
  sort_order: Generated<number>;
};

/** 指标事实: one row per dispatched, not cancelled item (kpi/facts.ts). */
export type KpiItemFactTable = {
  item_id: string;
  lead_unit_id: string | null;
  assigning_unit_id: string;
  region_code: string;
  region_path: string;
  category_code: string;
  period_month: string;
  deadline: DateText;
  completed_on: DateText | null;
  due: boolean;
  completed: boolean;
  completed_on_time: boolean;
  overdue: boolean;
  paused: boolean;
  extended: boolean;
  exempted: boolean;
  returned: boolean;
  returned_count: number;
  working_days: number | null;
  escalated: boolean;
  deductions: number;
  reports_count: number;
  computed_on: DateText;
};

/** 指标汇总: per dimension key, month and KPI (kpi/rollups.ts). */
export type KpiRollupTable = {
  dimension: 'unit' | 'region' | 'category';
  key: string;
  period_month: string;
  /** Per KPI, in the order of kpi_state.kpi_codes (numeric: strings). */
  numerators: string[];
  denominators: string[];
};

/** 驾驶舱: the open KPI facts with their item's status (migration 0031, kept by triggers). */
export type CockpitOpenItemTable = {
  item_id: string;
  region_path: string;
  status: string;
  deadline: DateText;
  overdue: boolean;
  number: string;
  category_code: string;
  lead_unit_id: string | null;
  region_code: string;
};

/** 驾驶舱: delta rows of the open counts per region path, status and overdue (sum n). */
export type CockpitOpenCountTable = { region_path: string; status: string; overdue: boolean; n: string };

export type KpiWorkdayTable = { day: DateText; ord: number };

export type KpiStateTable = {
  id: boolean;
  last_seq: number;
  calendar_stamp: string;
  definitions_hash: string;
  kpi_codes: ColumnType<string[], string[] | undefined, string[]>;
  recomputed_at: Timestamp | null;
  checked_on: DateText | null;
};

/** 授权: an explicit grant beyond the roles (migrations/0028_grants.sql); revoked, never deleted. */
export type UserGrantTable = {
  id: string;
  user_id: string;
  grant_name: 'pii:read' | 'sensitive:read';
  reason: string;
  granted_by: string | null;
  granted_at: Timestamp;
  revoked_by: string | null;
  revoked_at: Timestamp | null;
  revoke_reason: string | null;
};

/** 个人信息查阅记录: one unmasked read of a record's personal data (migrations/0028_grants.sql). */
export type PiiReadTable = {
  id: string;
  user_id: string;
  record_id: string;
  tracking_no: string;
  region_code: string;
  reason: string;
  read_at: Timestamp;
};

/** 统一身份认证: a login in flight between the redirect to the provider and its callback (0027_oidc.sql). */
export type OidcLoginTable = {
  state_hash: string;
  browser_hash: string;
  code_verifier: string;
  nonce: string;
  return_to: string;
  created_at: Timestamp;
  expires_at: Timestamp;
};

/** 登录安全 (migrations/0025_auth_security.sql): a session's two-factor step. */
export type MfaState = 'full' | 'mfa_pending' | 'mfa_enroll';

/** Failed sign-ins per (lower-cased) username, known or not; the lock is shared by every process. */
export type LoginThrottleTable = {
  username: string;
  failures: number;
  locked_until: Timestamp | null;
  last_failed_at: Timestamp;
};

/** A user's TOTP secret (confirmed) and the one offered at enrolment until confirmed. */
export type UserMfaTable = {
  user_id: string;
  secret: string | null;
  pending_secret: string | null;
  enabled_at: Timestamp | null;
  updated_at: Timestamp;
};

/** One-time recovery codes (SHA-256 only). */
export type MfaRecoveryCodeTable = { user_id: string; code_hash: string; used_at: Timestamp | null };

/** 敏感事项查阅记录: reads of sensitive items (migrations/0029_sensitive_reads.sql). */
export type SensitiveReadTable = {
  id: string;
  user_id: string;
  item_id: string;
  item_number: string;
  region_code: string;
  what: 'detail' | 'evidence';
  read_at: Timestamp;
};
