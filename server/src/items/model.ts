import type { DeadlineRule, ItemAction, ItemStatus, Urgency } from '@duban/schema';
import type { AttachmentRef, IndicatorValue } from '../events/types.ts';

export {
  ACTION_NAMES_ZH,
  ITEM_ACTIONS,
  ITEM_STATUSES,
  type ItemAction,
  type ItemStatus,
  STATUS_NAMES_ZH,
} from '@duban/schema';

export type AssignmentRole = 'lead' | 'collaborator';
export type AssignmentStatus = 'pending' | 'accepted' | 'returned';

/** 延期申请 pending on one assignment. */
export type ExtensionRequest = {
  newDeadline: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  /** Requested after the deadline had passed (逾期申请): the assignment still counts as overdue. */
  late?: boolean;
  /** This (the lead's) request stopped the item's clock. */
  pausedItem?: boolean;
};

/** 承办分工: one unit's share of an item, with its own sub-deadline, acceptance and progress. */
export type Assignment = {
  unitId: string;
  role: AssignmentRole;
  deadline: string;
  status: AssignmentStatus;
  progress: number;
  acceptedAt: string | null;
  acceptedBy: string | null;
  returnReason: string | null;
  pendingExtension: ExtensionRequest | null;
};

export type CompletionRequest = { summary: string; requestedBy: string; requestedAt: string };

/** 评价 (supervisor rubric): 质量, 时效, 实效, each 0–100. */
export type Evaluation = {
  quality: number;
  timeliness: number;
  effectiveness: number;
  score: number;
  comment: string;
  evaluatedBy: string;
  evaluatedAt: string;
};

/** 量化目标, e.g. 改造老旧小区 50 个. */
export type Target = { key: string; name: string; unit: string; target: number };

/** 阶段性节点, with the day a progress report marked it reached. */
export type Milestone = { name: string; date: string; reachedOn?: string | null };

/** The part of a 督办事项 the lifecycle reads and changes. */
export type ItemState = {
  id: string;
  status: ItemStatus;
  statusBeforeSuspend: ItemStatus | null;
  assigningUnitId: string;
  deadline: string;
  progress: number;
  hasChildren: boolean;
  targets: Target[];
  assignments: Assignment[];
  completionRequest: CompletionRequest | null;
  evaluation: Evaluation | null;
  dispatchedAt: string | null;
  completedAt: string | null;
  archivedAt: string | null;
  /** The day the item's clock stopped (suspended, or returned awaiting re-dispatch); null while running. */
  clockPausedOn: string | null;
  urgency: Urgency;
  /** 特急: the instant the 24-hour limit ends (set at dispatch); null for other items. */
  dueAt: string | null;
  /** The deadline is counted from dispatch or acceptance instead of fixed (null: a fixed date). */
  deadlineRule: DeadlineRule | null;
  milestones: Milestone[];
};

/** A unit to dispatch to; without a deadline it gets the item's. */
export type DispatchTarget = { unitId: string; role: AssignmentRole; deadline?: string | undefined };

/** Every lifecycle action, named as in the API (`POST /items/{id}/actions/{action}`). */
export type ItemCommand =
  | { action: 'register' }
  | { action: 'dispatch'; assignments: DispatchTarget[] }
  | { action: 'accept' }
  | { action: 'return'; reason: string }
  | {
      action: 'report';
      reportId: string;
      percent: number;
      narrative: string;
      problems: string;
      nextSteps: string;
      indicatorValues: IndicatorValue[];
      attachments: AttachmentRef[];
      milestonesReached: number[];
    }
  | { action: 'request-extension'; newDeadline: string; reason: string }
  | { action: 'approve-extension'; unitId: string; comment: string }
  | { action: 'reject-extension'; unitId: string; reason: string }
  | { action: 'request-completion'; summary: string }
  | { action: 'approve-completion'; comment: string }
  | { action: 'reject-completion'; reason: string }
  | { action: 'evaluate'; quality: number; timeliness: number; effectiveness: number; comment: string }
  | { action: 'archive' }
  | { action: 'suspend'; reason: string }
  | { action: 'resume' }
  | { action: 'cancel'; reason: string }
  | { action: 'reopen'; reason: string; rectificationItemId: string }
  | {
      action: 'decompose';
      children: { itemId: string; deadline: string; weight: number }[];
      /** Children the item already has, for the weighted progress. */
      existingChildren: { progress: number; weight: number; status: ItemStatus }[];
    }
  | { action: 'instruct'; remarkId: string; body: string }
  | { action: 'comment'; remarkId: string; body: string };

/** The command union and the action list must name the same actions. */
type SameActions = [ItemCommand['action']] extends [ItemAction]
  ? [ItemAction] extends [ItemCommand['action']]
    ? true
    : never
  : never;
export const SAME_ACTIONS: SameActions = true;

/** Statuses in which work on an item is live (the clock runs, reports are due). */
export const ACTIVE_STATUSES: readonly ItemStatus[] = ['dispatched', 'in_progress', 'completion_requested'];
export const DONE_STATUSES: readonly ItemStatus[] = ['completed', 'evaluated', 'archived'];
