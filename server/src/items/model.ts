import type { AttachmentRef, IndicatorValue } from '../events/types.ts';

/** 督办事项状态. Overdue (超期) is derived from the clock, never a status. */
export const ITEM_STATUSES = [
  'draft',
  'registered',
  'dispatched',
  'returned',
  'in_progress',
  'completion_requested',
  'completed',
  'evaluated',
  'archived',
  'suspended',
  'cancelled',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const STATUS_NAMES_ZH: { [S in ItemStatus]: string } = {
  draft: '草稿',
  registered: '已立项',
  dispatched: '已交办',
  returned: '已退回',
  in_progress: '办理中',
  completion_requested: '申请办结',
  completed: '已办结',
  evaluated: '已评价',
  archived: '已归档',
  suspended: '已挂起',
  cancelled: '已终止',
};

export type AssignmentRole = 'lead' | 'collaborator';
export type AssignmentStatus = 'pending' | 'accepted' | 'returned';

/** 延期申请 pending on one assignment. */
export type ExtensionRequest = {
  newDeadline: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
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
};

export type DispatchTarget = { unitId: string; role: AssignmentRole; deadline: string };

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
  | { action: 'decompose'; childItemIds: string[] }
  | { action: 'instruct'; remarkId: string; body: string }
  | { action: 'comment'; remarkId: string; body: string };

export type ItemAction = ItemCommand['action'];

export const ITEM_ACTIONS: readonly ItemAction[] = [
  'register',
  'dispatch',
  'accept',
  'return',
  'report',
  'request-extension',
  'approve-extension',
  'reject-extension',
  'request-completion',
  'approve-completion',
  'reject-completion',
  'evaluate',
  'archive',
  'suspend',
  'resume',
  'cancel',
  'reopen',
  'decompose',
  'instruct',
  'comment',
];

export const ACTION_NAMES_ZH: { [A in ItemAction]: string } = {
  register: '立项',
  dispatch: '交办',
  accept: '签收',
  return: '退回',
  report: '进展反馈',
  'request-extension': '申请延期',
  'approve-extension': '批准延期',
  'reject-extension': '驳回延期',
  'request-completion': '申请办结',
  'approve-completion': '审核通过办结',
  'reject-completion': '审核退回办结',
  evaluate: '评价',
  archive: '归档',
  suspend: '挂起',
  resume: '恢复',
  cancel: '终止',
  reopen: '整改再督办',
  decompose: '分解下达',
  instruct: '领导批示',
  comment: '评论',
};

/** Statuses in which work on an item is live (the clock runs, reports are due). */
export const ACTIVE_STATUSES: readonly ItemStatus[] = ['dispatched', 'in_progress', 'completion_requested'];
export const DONE_STATUSES: readonly ItemStatus[] = ['completed', 'evaluated', 'archived'];
