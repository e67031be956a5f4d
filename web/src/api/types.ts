import type {
  DeadlineRule,
  ItemAction,
  ItemStatus,
  LadderStepInput,
  Light,
  ReportSchedule,
  ReportSlotView,
  Role,
  Sensitivity,
  Source,
  Urgency,
} from '@duban/schema';

/** Response shapes of the API as the web app reads them (see /api/v1/openapi.json). */

export type Me = {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  unit: { id: string; name: string };
  region: { code: string; name: string };
};

export type ItemSummary = {
  id: string;
  number: string;
  title: string;
  status: ItemStatus;
  statusName: string;
  categoryCode: string;
  urgency: Urgency;
  deadline: string;
  progress: number;
  light: Light | null;
  assigningUnitName: string;
  leadUnitName: string | null;
  isDemo: boolean;
  version: number;
};

export type ItemPage = { items: ItemSummary[]; nextCursor: string | null };

export type AssignmentRole = 'lead' | 'collaborator';

export type Assignment = {
  unitId: string;
  unitName: string;
  role: AssignmentRole;
  deadline: string;
  status: 'pending' | 'accepted' | 'returned';
  progress: number;
  acceptedAt: string | null;
  returnReason: string | null;
  pendingExtension: { newDeadline: string; reason: string } | null;
  light: Light | null;
};

export type Target = { key: string; name: string; unit: string; target: number };

export type ItemDetail = {
  id: string;
  number: string;
  title: string;
  content: string;
  source: Source;
  categoryCode: string;
  urgency: Urgency;
  sensitivity: Sensitivity;
  status: ItemStatus;
  statusName: string;
  light: Light | null;
  assigningUnit: { id: string; name: string | null };
  supervisingUnit: { id: string; name: string | null } | null;
  responsiblePersons: { name: string; title: string }[];
  deadline: string;
  /** 期限规则, or null for a fixed date. */
  deadlineRule: DeadlineRule | null;
  /** The deadline follows the rule but dispatch (or the lead's acceptance) has not fixed it yet. */
  deadlineProvisional: boolean;
  milestones: Milestone[];
  targets: Target[];
  progress: number;
  isPublic: boolean;
  isDemo: boolean;
  completionRequest: { summary: string; requestedAt: string } | null;
  createdAt: string;
  dispatchedAt: string | null;
  dueAt: string | null;
  completedAt: string | null;
  version: number;
  reportSchedule: ReportSchedule | null;
  reportSlots: ReportSlot[];
  assignments: Assignment[];
  allowedActions: ItemAction[];
};

export type ItemEvent = {
  seq: number;
  id: string;
  type: string;
  at: string;
  actor: { id: string; name: string | null } | null;
};

export type Attachment = { sha256: string; name: string };

export type ProgressReport = {
  id: string;
  unitName: string;
  authorName: string;
  percent: number;
  narrative: string;
  problems: string;
  nextSteps: string;
  attachments: Attachment[];
  createdAt: string;
};

export type Remark = { id: string; kind: string; body: string; authorName: string; createdAt: string };

export type Category = { code: string; name: string; description: string };

export type Unit = { id: string; name: string; shortName: string | null; regionName: string };

export type StoredFile = { sha256: string; sizeBytes: number; mediaType: string; name: string };

export type Milestone = { name: string; date: string; reachedOn: string | null };

export type ReportSlot = ReportSlotView;

/** A reminder or 督办单 (GET /api/v1/items/{id}/notices). */
export type Notice = {
  id: string;
  key: string;
  kind: 'reminder' | 'milestone' | 'escalation';
  step: number | null;
  stepKind: string | null;
  name: string;
  color: 'blue' | 'yellow' | 'red' | null;
  unitId: string | null;
  deadline: string;
  dueOn: string;
  createdAt: string;
};

export type LightRule = {
  yellowWorkingDays: number;
  yellowElapsed: number;
  redWorkingDays: number;
  lagTolerance: number;
};

export type LadderStep = LadderStepInput;

/** GET/PUT /api/v1/categories/{code}/rules. */
export type CategoryRules = {
  code: string;
  name: string;
  lightRule: LightRule;
  escalationLadder: LadderStep[];
  custom: { lightRule: boolean; escalationLadder: boolean };
  changedAt: string | null;
  applied: boolean;
};

/** A declared day of the working-day calendar (GET /api/v1/calendar/days). */
export type CalendarDay = {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
  source: 'chinese-days' | 'admin';
  regionCode: string | null;
};

export type CalendarYear = {
  year: number;
  regionCode: string | null;
  workdayCount: number;
  hasNationalDays: boolean;
  days: CalendarDay[];
};
