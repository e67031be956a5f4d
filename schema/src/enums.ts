/**
 * The enums of Duban's domain with their Chinese names, shared by server, web and CLI. Codes are
 * stable API values; names are what people read.
 */

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

/** Every lifecycle action, named as in the API (`POST /items/{id}/actions/{action}`). */
export const ITEM_ACTIONS = [
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
] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

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

export const SOURCES = [
  'leader_instruction',
  'meeting_decision',
  'work_report',
  'superior_assignment',
  'hotline_12345',
  'online_message',
  'npc_suggestion',
  'inspection_finding',
  'internet_inspection_clue',
] as const;
export type Source = (typeof SOURCES)[number];

export const SOURCE_NAMES_ZH: Record<Source, string> = {
  leader_instruction: '领导批示',
  meeting_decision: '会议决定',
  work_report: '政府工作报告',
  superior_assignment: '上级交办',
  hotline_12345: '12345热线',
  online_message: '网民留言',
  npc_suggestion: '人大建议/政协提案',
  inspection_finding: '督查发现',
  internet_inspection_clue: '互联网+督查线索',
};

export const URGENCIES = ['normal', 'urgent', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const URGENCY_NAMES_ZH: Record<Urgency, string> = {
  normal: '普通',
  urgent: '紧急',
  critical: '特急',
};

export const SENSITIVITIES = ['public', 'internal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const SENSITIVITY_NAMES_ZH: Record<Sensitivity, string> = {
  public: '公开',
  internal: '内部',
  sensitive: '敏感',
};

export const LIGHTS = ['green', 'yellow', 'red', 'overdue'] as const;
export type Light = (typeof LIGHTS)[number];

export const LIGHT_NAMES_ZH: { [L in Light]: string } = {
  green: '绿灯',
  yellow: '黄灯',
  red: '红灯',
  overdue: '超期',
};

/** 角色 */
export const ROLES = [
  'supervisor',
  'handler',
  'unit_head',
  'leader',
  'evaluator',
  'admin',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES_ZH: { [R in Role]: string } = {
  supervisor: '督查员',
  handler: '承办人',
  unit_head: '单位负责人',
  leader: '领导',
  evaluator: '第三方评估',
  admin: '管理员',
  auditor: '审计',
};

/** API token scopes. A token can do only what its scopes allow and its user may do. */
export const TOKEN_SCOPES = ['items:read', 'items:write', 'org:read', 'org:write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
