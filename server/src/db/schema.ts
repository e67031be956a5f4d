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
};

export type SessionTable = {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  last_seen_at: DefaultTimestamp;
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

export type Database = {
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
};

export type ItemRow = Selectable<ItemTable>;
export type AssignmentRow = Selectable<AssignmentTable>;
export type UnitRow = Selectable<UnitTable>;
export type UserRow = Selectable<UserTable>;
export type RegionRow = Selectable<RegionTable>;
export type NewItem = Insertable<ItemTable>;
