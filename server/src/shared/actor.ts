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

/**
 * Who is calling, resolved once per request by authentication. The region path is the dot-joined
 * chain of GB/T 2260 codes of the user's unit's region, used for data-scope checks.
 */
export type Actor = {
  userId: string;
  username: string;
  displayName: string;
  unitId: string;
  unitName: string;
  regionCode: string;
  regionPath: string;
  roles: Role[];
  /** Set when authenticated by an API token; undefined for a browser session (all scopes). */
  scopes: TokenScope[] | undefined;
  via: 'session' | 'token' | 'system';
};

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

export function hasScope(actor: Actor, scope: TokenScope): boolean {
  return actor.scopes === undefined || actor.scopes.includes(scope);
}
