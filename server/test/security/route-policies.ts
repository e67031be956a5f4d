import type { Role, TokenScope } from '../../src/shared/actor.ts';
import type { ScopeKind } from './authz-fixtures.ts';

/**
 * Who may call each route, as data: the authorization matrix (authz-matrix.test.ts) calls every
 * route in the app as every role, in and out of the caller's data scope, and fails for a route
 * missing here or an entry whose route is gone.
 *
 * - access 'public': anyone, no login (the auth hook's PUBLIC_ROUTES, or outside /api/);
 *   'token': public, but a secret in the URL is the credential (a wrong one is 404);
 *   { roles }: a login with one of these roles; every other role gets 403 or 404.
 * - scope: the kind of thing the path (or query) names; the matrix calls the route on an instance
 *   inside the caller's scope (must not answer 401/403/404) and one outside (must answer 404).
 * - tokenScope: the API-token scope the route requires (a token without it gets 403).
 * - body/query/params: a plausible minimal request, so the gate — not validation — answers.
 * - phase: 'last' for writes that end what later cases need (run after every other write).
 * - as: who plays a role here when the default (authz-fixtures ROLE_USERS) cannot, e.g. a
 *   province-level admin for province-only settings.
 */
export type Access = 'public' | 'token' | { roles: readonly Role[] };
export type RoutePolicy = {
  access: Access;
  scope?: ScopeKind;
  tokenScope?: TokenScope;
  body?: unknown;
  query?: string;
  params?: Record<string, string>;
  phase?: 'last';
  as?: Partial<Record<Role, string>>;
  /** No instance in the fixture: an allowed role's 404 for the unknown thing counts as passing the gate. */
  noInstance?: true;
  /** Extra request headers (e.g. If-Match, which PATCH checks before anything else). */
  headers?: Record<string, string>;
  /** The request ends its own session (logout): it gets a fresh one. */
  freshSession?: true;
  note?: string;
};

const ALL: readonly Role[] = [
  'supervisor',
  'leader',
  'handler',
  'unit_head',
  'evaluator',
  'admin',
  'auditor',
];
/** Roles that see items in their scope (admins see none). */
const ITEM_READERS: readonly Role[] = [
  'supervisor',
  'leader',
  'handler',
  'unit_head',
  'evaluator',
  'auditor',
];
const BROAD: readonly Role[] = ['supervisor', 'leader', 'auditor'];
const SUP: readonly Role[] = ['supervisor'];
const ADMIN: readonly Role[] = ['admin'];
const HANDLING: readonly Role[] = ['handler', 'unit_head'];
/** Province-level settings: the matrix's admin for them is the province's. */
const PROVINCE_ADMIN = { admin: 'admin' } as const;

const roles = (r: readonly Role[]) => ({ roles: r });
const read = (r: readonly Role[], extra: Partial<RoutePolicy> = {}): RoutePolicy => ({
  access: roles(r),
  tokenScope: 'items:read',
  ...extra,
});
const write = (r: readonly Role[], extra: Partial<RoutePolicy> = {}): RoutePolicy => ({
  access: roles(r),
  tokenScope: 'items:write',
  ...extra,
});
const action = (r: readonly Role[], body: unknown, extra: Partial<RoutePolicy> = {}): RoutePolicy =>
  write(r, { scope: 'item', body, ...extra });

const DEADLINE = '2027-06-30';

export const ROUTE_POLICIES: Record<string, RoutePolicy> = {
  // system
  'GET /api/health': { access: 'public' },
  'GET /metrics': { access: 'public', note: 'loopback or DUBAN_METRICS_TOKEN, checked in the route' },
  'GET /api/v1/openapi.json': { access: 'public' },

  // auth: every signed-in user manages their own session and tokens
  'POST /api/v1/auth/login': {
    access: 'public',
    body: { username: 'city_sup', password: '$value.password' },
    freshSession: true,
    note: 'a login drops the session whose cookie it carries',
  },
  'POST /api/v1/auth/logout': { access: roles(ALL), freshSession: true },
  'GET /api/ready': { access: 'public' },
  // 双因素认证 (auth/mfa-routes.ts): browser sessions of any role; a wrong code is a 400, a step
  // that does not apply (verify when already signed in) a 409 — both past the gate.
  'GET /api/v1/auth/mfa/policy': { access: 'public' },
  'GET /api/v1/auth/mfa': { access: roles(ALL) },
  'POST /api/v1/auth/mfa/verify': { access: roles(ALL), body: { code: '000000' } },
  'POST /api/v1/auth/mfa/enroll': { access: roles(ALL) },
  'POST /api/v1/auth/mfa/enroll/confirm': { access: roles(ALL), body: { code: '000000' } },
  'POST /api/v1/auth/mfa/disable': { access: roles(ALL), body: { code: '000000' } },
  'POST /api/v1/auth/mfa/recovery-codes': { access: roles(ALL), body: { code: '000000' } },
  'POST /api/v1/org/users/:id/mfa-reset': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'user',
    phase: 'last',
  },
  'POST /api/v1/org/users/:id/unlock': { access: roles(ADMIN), tokenScope: 'org:write', scope: 'user' },
  // 统一身份认证 (auth/oidc-routes.ts): public; off in the matrix's app (404 problem when unconfigured).
  'GET /api/v1/auth/oidc/config': { access: 'public' },
  'GET /api/v1/auth/oidc/login': { access: 'public' },
  'GET /api/v1/auth/oidc/callback': { access: 'public' },
  // 授权 and personal data (org/grant-routes.ts, intake/pii-routes.ts). Only the fixture's 杭州
  // supervisor holds pii:read; without the grant the contact route is 403.
  'GET /api/v1/users/me/grants': { access: roles(ALL) },
  'GET /api/v1/org/users/:id/grants': { access: roles(ADMIN), tokenScope: 'org:write', scope: 'user' },
  'POST /api/v1/org/users/:id/grants': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'user',
    body: { grant: 'pii:read', reason: '矩阵授权' },
  },
  'POST /api/v1/org/users/:id/grants/:grantId/revoke': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'user',
    params: { grantId: '$value.grantHz' },
    body: { reason: '矩阵撤销' },
    phase: 'last',
  },
  'GET /api/v1/intake/:id/contact': read(SUP, { scope: 'intake', query: 'reason=矩阵核查' }),
  'GET /api/v1/audit/pii-reads': read(['admin', 'auditor']),
  'GET /api/v1/audit/sensitive-reads': read(['admin', 'auditor']),
  'GET /api/v1/auth/tokens': { access: roles(ALL) },
  'POST /api/v1/auth/tokens': { access: roles(ALL), body: { name: 'matrix', scopes: ['items:read'] } },
  'DELETE /api/v1/auth/tokens/:id': { access: roles(ALL), scope: 'token', phase: 'last' },

  // org
  'GET /api/v1/org/regions': { access: roles(ALL), tokenScope: 'org:read' },
  'GET /api/v1/org/regions/:code': { access: roles(ALL), tokenScope: 'org:read', params: { code: '330100' } },
  'GET /api/v1/org/units': { access: roles(ALL), tokenScope: 'org:read' },
  'GET /api/v1/users/me': { access: roles(ALL) },
  'GET /api/v1/org/users': { access: roles(ALL), tokenScope: 'org:read' },
  'GET /api/v1/org/users/:id': { access: roles(ALL), tokenScope: 'org:read', scope: 'user' },
  'POST /api/v1/org/users': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'unitBody',
    body: {
      username: 'matrix_new',
      displayName: '矩阵新用户',
      password: 'matrix-password-123',
      roles: ['handler'],
    },
  },
  'PATCH /api/v1/org/users/:id': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'user',
    body: { displayName: '矩阵改名' },
  },
  'POST /api/v1/org/users/:id/password-reset': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'user',
  },
  'POST /api/v1/org/units': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'regionBody',
    body: { name: '矩阵测试局', kind: 'department' },
  },
  'PATCH /api/v1/org/units/:id': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    scope: 'unit',
    body: { sortOrder: 7 },
  },

  // calendar
  'GET /api/v1/calendar/days': { access: roles(ALL), tokenScope: 'org:read', query: 'year=2026' },
  'PUT /api/v1/calendar/days/:date': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    params: { date: '2026-12-05' },
    query: 'regionCode=330100',
    body: { kind: 'workday', name: '矩阵调休' },
    note: 'a city admin edits its own region; the national calendar needs a province admin',
  },
  'DELETE /api/v1/calendar/days/:date': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    params: { date: '2026-12-05' },
    query: 'regionCode=330100',
  },

  // items
  'GET /api/v1/items': read(ALL, { note: 'a list scoped in SQL: an admin gets an empty page' }),
  'POST /api/v1/items': write(SUP, {
    body: {
      title: '矩阵立项测试',
      content: '为检验授权矩阵而登记的督办事项，内容与其他事项均不相同。',
      source: 'work_report',
      categoryCode: 'livelihood',
      deadline: DEADLINE,
    },
  }),
  'GET /api/v1/items/:id': read(ITEM_READERS, { scope: 'item' }),
  'PATCH /api/v1/items/:id': write(SUP, {
    scope: 'item',
    body: { urgency: 'urgent' },
    headers: { 'if-match': '$version' },
    note: 'If-Match is checked before the role (412 without it): the matrix sends the current version',
  }),
  'GET /api/v1/items/:id/events': read(ITEM_READERS, { scope: 'item' }),
  'GET /api/v1/items/:id/reports': read(ITEM_READERS, { scope: 'item' }),
  'POST /api/v1/items/:id/actions/register': action(SUP, {}),
  'POST /api/v1/items/:id/actions/dispatch': action(SUP, {
    assignments: [{ unitId: '$unit.finance', role: 'collaborator' }],
  }),
  'POST /api/v1/items/:id/actions/accept': action(HANDLING, {}),
  'POST /api/v1/items/:id/actions/return': action(HANDLING, { reason: '不属于本单位职责。' }),
  'POST /api/v1/items/:id/actions/report': action(HANDLING, { percent: 40, narrative: '矩阵测试进展。' }),
  'POST /api/v1/items/:id/actions/request-extension': action(HANDLING, {
    newDeadline: '2027-09-30',
    reason: '受天气影响，申请延期。',
  }),
  'POST /api/v1/items/:id/actions/approve-extension': action(SUP, { unitId: '$unit.housing' }),
  'POST /api/v1/items/:id/actions/reject-extension': action(SUP, {
    unitId: '$unit.housing',
    reason: '理由不充分。',
  }),
  'POST /api/v1/items/:id/actions/request-completion': action(
    HANDLING,
    { summary: '已按要求完成。' },
    { phase: 'last' },
  ),
  'POST /api/v1/items/:id/actions/approve-completion': action(
    SUP,
    { comment: '同意办结' },
    { phase: 'last' },
  ),
  'POST /api/v1/items/:id/actions/reject-completion': action(SUP, { reason: '材料不全。' }),
  'POST /api/v1/items/:id/actions/evaluate': action(
    SUP,
    { quality: 90, timeliness: 90, effectiveness: 90 },
    { phase: 'last' },
  ),
  'POST /api/v1/items/:id/actions/archive': action(SUP, {}, { phase: 'last' }),
  'POST /api/v1/items/:id/actions/suspend': action(SUP, { reason: '等待上级意见。' }),
  'POST /api/v1/items/:id/actions/resume': action(SUP, {}),
  'POST /api/v1/items/:id/actions/cancel': action(SUP, { reason: '矩阵测试撤销。' }, { phase: 'last' }),
  'POST /api/v1/items/:id/actions/reopen': action(
    SUP,
    { reason: '整改再督办。', deadline: '2027-12-31' },
    { phase: 'last' },
  ),
  'POST /api/v1/items/:id/actions/decompose': action(SUP, {
    children: [{ assigningUnitId: '$unit.countyOffice', deadline: DEADLINE }],
  }),
  'POST /api/v1/items/:id/actions/instruct': action(['leader'], { body: '抓紧推进。' }),
  'POST /api/v1/items/:id/actions/comment': action(['supervisor', 'handler', 'unit_head', 'leader'], {
    body: '请注意时限。',
  }),

  // categories
  'GET /api/v1/categories': read(ALL),
  'POST /api/v1/categories': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    body: { code: 'matrix-cat', name: '矩阵分类' },
  },
  'PATCH /api/v1/categories/:code': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    params: { code: 'livelihood' },
    body: { sortOrder: 3 },
  },
  'GET /api/v1/categories/:code/rules': read(ALL, { params: { code: 'livelihood' } }),
  'PUT /api/v1/categories/:code/rules': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    params: { code: 'livelihood' },
    body: { lightRule: null, escalationLadder: null },
  },
  'GET /api/v1/categories/:code/followup': read(ALL, { params: { code: 'livelihood' } }),
  'PUT /api/v1/categories/:code/followup': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    params: { code: 'livelihood' },
    body: { monthsAfter: [6] },
  },

  // 单位负责人审批
  'GET /api/v1/submissions': read(ALL, { note: 'scoped in SQL: evaluators and admins get an empty list' }),
  'POST /api/v1/submissions/:id/approve': write(['unit_head'], { scope: 'submission', body: {} }),
  'POST /api/v1/submissions/:id/reject': write(['unit_head'], {
    scope: 'submission',
    body: { reason: '请补充材料。' },
  }),

  // ledger
  'GET /api/v1/ledger/checkpoint': { access: 'public' },
  'GET /api/v1/ledger/checkpoints': { access: 'public' },
  'GET /api/v1/ledger/keys': { access: 'public' },
  'GET /api/v1/ledger/consistency': { access: 'public', query: 'from=1' },
  'GET /api/v1/ledger/entries/:index': read(ITEM_READERS, { scope: 'ledgerEntry' }),
  'GET /api/v1/items/:id/evidence': read(ITEM_READERS, { scope: 'item' }),

  // escalation
  'GET /api/v1/items/:id/notices': read(ITEM_READERS, { scope: 'item' }),
  'GET /api/v1/items/:id/exemptions': read(ITEM_READERS, { scope: 'item' }),
  'POST /api/v1/items/:id/exemptions': write(HANDLING, { scope: 'item', body: { reason: '不可抗力。' } }),
  'POST /api/v1/items/:id/exemptions/:exemptionId/approve': write(SUP, { scope: 'exemption', body: {} }),
  'POST /api/v1/items/:id/exemptions/:exemptionId/reject': write(SUP, { scope: 'exemption', body: {} }),

  // evaluation
  'POST /api/v1/items/:id/evaluators': write(SUP, {
    scope: 'itemDone',
    body: { userIds: ['$user.evaluator'] },
  }),
  'DELETE /api/v1/items/:id/evaluators/:userId': write(SUP, { scope: 'evaluatorAssignment', phase: 'last' }),
  'GET /api/v1/evaluations/assigned': read(['evaluator']),
  'POST /api/v1/items/:id/evaluation/conflict': write(['evaluator'], {
    scope: 'itemDone',
    body: { hasConflict: false },
  }),
  'POST /api/v1/items/:id/evaluation/scores': write(['evaluator'], {
    scope: 'itemDone',
    body: { quality: 80, timeliness: 80, effectiveness: 80 },
  }),
  'GET /api/v1/items/:id/evaluation': read(ITEM_READERS, { scope: 'item' }),
  'GET /api/v1/evaluation/weights': read(ALL),
  'PUT /api/v1/evaluation/weights': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    body: { supervisor: 0.5, thirdParty: 0.3, satisfaction: 0.2 },
  },
  'POST /api/v1/items/:id/satisfaction-links': write(SUP, { scope: 'itemDone' }),
  'GET /api/v1/public/satisfaction/:token': {
    access: 'token',
    params: { token: '$value.satisfactionToken' },
  },
  'POST /api/v1/public/satisfaction/:token': {
    access: 'token',
    params: { token: '$value.satisfactionToken' },
    body: { rating: 'satisfied' },
    phase: 'last',
  },

  // 回头看
  'GET /api/v1/followups': read(BROAD),
  'POST /api/v1/followups/:id/assign': write(SUP, { scope: 'followup', body: { userId: '$user.city_sup' } }),
  'POST /api/v1/followups/:id/outcome': write(SUP, {
    scope: 'followup',
    body: { outcome: 'consolidated', findings: '整改成果巩固。' },
    phase: 'last',
  }),

  // reporting
  'GET /api/v1/items/:id/report-slots': read(ITEM_READERS, { scope: 'item' }),

  // KPIs and scorecards
  'GET /api/v1/kpis': read(ALL),
  'GET /api/v1/kpis/values': read(['supervisor', 'leader', 'handler', 'unit_head', 'auditor'], {
    scope: 'kpiUnit',
  }),
  'GET /api/v1/kpis/:code/items': read(['supervisor', 'leader', 'handler', 'unit_head', 'auditor'], {
    scope: 'kpiUnit',
    params: { code: 'completion_rate' },
  }),
  'GET /api/v1/scorecards': read(BROAD, { scope: 'regionQuery', query: 'unitKind=department' }),
  'GET /api/v1/scorecards/templates/:unitKind': read(ALL, { params: { unitKind: 'department' } }),
  'PUT /api/v1/scorecards/templates/:unitKind': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    params: { unitKind: 'department' },
    body: {
      components: [{ kpi: 'completion_rate', group: 'results', weight: 1 }],
      deductions: { deduction: 1, organizational: 2 },
    },
  },

  // 通报 and lists
  'GET /api/v1/bulletins': read(BROAD),
  'POST /api/v1/bulletins': write(SUP, {
    scope: 'regionBody',
    body: { kind: 'monthly', period: '2026-09', format: 'docx' },
  }),
  'GET /api/v1/bulletins/:id/file': read(BROAD, { scope: 'bulletin' }),
  'GET /api/v1/reports/four-lists.xlsx': read(BROAD),

  // 领导驾驶舱, 滞后风险
  'GET /api/v1/cockpit/overview': read(BROAD),
  'GET /api/v1/cockpit/items': read(BROAD),
  'GET /api/v1/risk/overview': read(BROAD),
  'GET /api/v1/risk/items': read(BROAD),
  'GET /api/v1/items/:id/risk': read(ITEM_READERS, { scope: 'item' }),
  'POST /api/v1/risk/train': write(['supervisor', 'admin'], { body: {} }),

  // notifications
  'GET /api/v1/notifications': read(ALL),
  'POST /api/v1/notifications/:id/read': read(ALL, { scope: 'notification' }),
  'POST /api/v1/notifications/read-all': read(ALL, { body: {} }),
  'GET /api/v1/notifications/preferences': read(ALL),
  'PUT /api/v1/notifications/preferences': write(ALL, {
    body: { channels: [{ channel: 'email', enabled: false }] },
  }),
  'GET /api/v1/notifications/stream': read(ALL, {
    note: 'Server-Sent Events: the matrix reads the head only',
  }),
  'GET /api/v1/admin/notifications/dead': { access: roles(ADMIN), tokenScope: 'org:read' },
  'POST /api/v1/admin/notifications/dead/:id/retry': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    params: { id: '00000000-0000-4000-8000-000000000000' },
    noInstance: true,
    note: 'no dead letter in the fixture',
  },

  // calendar feed
  'GET /api/v1/users/me/calendar-feed': { access: roles(ALL) },
  'POST /api/v1/users/me/calendar-feed': { access: roles(ALL) },
  'DELETE /api/v1/users/me/calendar-feed': { access: roles(ALL), phase: 'last' },
  'GET /api/v1/calendar-feed/:token.ics': { access: 'token', params: { token: '$value.feedToken' } },

  // 受理池, 群众投诉
  'GET /api/v1/intake/import-template.xlsx': read(SUP),
  'POST /api/v1/intake/import': write(SUP, {
    note: 'multipart upload; the empty request is a 400 for a supervisor',
  }),
  'POST /api/v1/public/complaints': {
    access: 'public',
    body: {
      kind: 'suggestion',
      title: '建议增设公交站',
      content: '建议在小区北门增设公交站点。',
      regionCode: '330106',
    },
  },
  'GET /api/v1/public/complaints/:trackingNo': {
    access: 'token',
    params: { trackingNo: '$value.trackingNo' },
  },
  'GET /api/v1/intake': read(SUP),
  'POST /api/v1/intake': write(SUP, {
    body: { kind: 'complaint', title: '矩阵测试诉求', content: '矩阵测试：小区路灯不亮。' },
    note: 'an API token of any role may post records (external intake); sessions need a supervisor',
  }),
  'GET /api/v1/intake/:id': read(SUP, { scope: 'intake' }),
  'POST /api/v1/intake/:id/accept': write(SUP, { scope: 'intake', body: {}, phase: 'last' }),
  'POST /api/v1/intake/:id/merge': write(SUP, {
    scope: 'intake',
    body: { itemId: '$item.hzOpen' },
    phase: 'last',
  }),
  'POST /api/v1/intake/:id/forward': write(SUP, {
    scope: 'intake',
    body: { unitId: '$unit.housing', reason: '请住建局处理。' },
    phase: 'last',
  }),
  'POST /api/v1/intake/:id/reject': write(SUP, {
    scope: 'intake',
    body: { reason: '不属于受理范围。' },
    phase: 'last',
  }),
  'GET /api/v1/items/:id/intake': read(ITEM_READERS, { scope: 'item' }),
  'POST /api/v1/duplicates/check': read(SUP, { body: { title: '路灯不亮', content: '城北小区路灯不亮。' } }),
  'GET /api/v1/intake/topics': read(['supervisor', 'leader']),
  'GET /api/v1/intake/topics/:topicKey/records': read(['supervisor', 'leader'], {
    params: { topicKey: '00000000-0000-4000-8000-000000000000' },
    noInstance: true,
    note: 'no topic in the fixture (topics need the clustering job)',
  }),
  'POST /api/v1/routing/suggest': read(SUP, { body: { title: '路灯不亮', content: '城北小区路灯不亮。' } }),
  'POST /api/v1/routing/train': write(['supervisor', 'admin']),
  'GET /api/v1/routing/dictionaries': { access: roles(['supervisor', 'admin']), tokenScope: 'org:read' },
  'GET /api/v1/routing/dictionaries/:key': {
    access: roles(['supervisor', 'admin']),
    tokenScope: 'org:read',
    params: { key: '$value.dictionaryKey' },
  },
  'PUT /api/v1/routing/dictionaries/:key': {
    access: roles(ADMIN),
    tokenScope: 'org:write',
    as: PROVINCE_ADMIN,
    params: { key: '$value.dictionaryKey' },
    body: { keywords: ['路灯'] },
  },

  // 文件提取
  'POST /api/v1/extract': write(SUP, {
    note: 'multipart upload; the empty request is a 400 for a supervisor',
  }),
  'POST /api/v1/extract/create': write(SUP, {
    body: { categoryCode: 'livelihood', items: [{}] },
  }),

  // 公众门户
  'GET /api/v1/public/items': { access: 'public' },
  'GET /api/v1/public/items.csv': { access: 'public' },
  'GET /api/v1/public/items.json': { access: 'public' },
  'GET /api/v1/public/items/:id': { access: 'public', params: { id: '$item.hzOpen' } },
  'GET /api/v1/public/regions': { access: 'public' },
  'GET /api/v1/public/categories': { access: 'public' },

  // 督办准入
  'GET /api/v1/admission/quotas': read(['supervisor', 'leader', 'admin', 'auditor']),
  'PUT /api/v1/admission/quotas': write(['supervisor', 'admin'], {
    scope: 'unitBody',
    body: { period: 'month', limit: 50 },
  }),
  'GET /api/v1/admission/usage': read(['supervisor', 'leader', 'handler', 'unit_head', 'admin', 'auditor']),
  'GET /api/v1/admission/usage/units/:unitId': read(
    ['supervisor', 'leader', 'handler', 'unit_head', 'admin', 'auditor'],
    {
      scope: 'admissionUnit',
    },
  ),
  'GET /api/v1/admission/requests': read([
    'supervisor',
    'leader',
    'handler',
    'unit_head',
    'admin',
    'auditor',
  ]),
  'POST /api/v1/admission/requests': write(SUP, {
    scope: 'itemBody',
    body: { reason: '上级交办，须由该单位牵头。' },
  }),
  'GET /api/v1/admission/requests/:id': read(
    ['supervisor', 'leader', 'handler', 'unit_head', 'admin', 'auditor'],
    {
      scope: 'admissionRequest',
    },
  ),
  'POST /api/v1/admission/requests/:id/approve': write(['leader'], {
    scope: 'admissionRequest',
    body: {},
    phase: 'last',
  }),
  'POST /api/v1/admission/requests/:id/reject': write(['leader'], {
    scope: 'admissionRequest',
    body: { reason: '不予同意。' },
    phase: 'last',
  }),

  // evidence files
  'POST /api/v1/files': write(['handler', 'unit_head', 'supervisor', 'leader'], {
    note: 'multipart upload; the empty request is a 400 for the allowed roles',
  }),
  'GET /api/v1/files/:sha256': read(ITEM_READERS, { scope: 'file' }),

  // Open311 (outside /api/: its own api_key parameter, an API token with items:write)
  'GET /open311/v2/services.json': { access: 'public' },
  'GET /open311/v2/services.xml': { access: 'public' },
  'GET /open311/v2/requests.json': { access: 'public' },
  'GET /open311/v2/requests.xml': { access: 'public' },
  'POST /open311/v2/requests.json': { access: 'public', note: 'without api_key: 403 from the route itself' },
  'POST /open311/v2/requests.xml': { access: 'public', note: 'without api_key: 403 from the route itself' },
  'GET /open311/v2/services/:file': { access: 'public', params: { file: 'livelihood.json' } },
  'GET /open311/v2/requests/:file': { access: 'public', params: { file: 'matrix.json' } },
};
