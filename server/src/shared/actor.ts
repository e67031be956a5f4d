import type { Role, TokenScope } from '@duban/schema';

export { ROLE_NAMES_ZH, ROLES, type Role, TOKEN_SCOPES, type TokenScope } from '@duban/schema';

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
  /** 授权: the user's active explicit grants (org/grants.ts); absent is none. */
  grants?: readonly Grant[];
};

/** 授权 beyond the roles: unmasked personal data of complaints; 敏感 items outside one's involvement. */
export const GRANTS = ['pii:read', 'sensitive:read'] as const;
export type Grant = (typeof GRANTS)[number];

export function hasGrant(actor: Pick<Actor, 'grants'>, grant: Grant): boolean {
  return actor.grants?.includes(grant) ?? false;
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

export function hasScope(actor: Actor, scope: TokenScope): boolean {
  return actor.scopes === undefined || actor.scopes.includes(scope);
}
