import { type Expression, type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import {
  type Actor,
  GRANTS,
  type Grant,
  ROLES,
  type Role,
  TOKEN_SCOPES,
  type TokenScope,
} from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';

/*
 * 数据范围 (data scope). The organisation is a tree of regions (GB/T 2260) whose `path` is the
 * dot-joined chain of codes from the root ('330000.330100.330106'); every unit sits in one region.
 * An actor's region subtree is their own region and every region beneath it — exactly the regions
 * whose path equals the actor's region path or starts with it followed by a dot.
 *
 * Intended use by other modules:
 * - supervisors, leaders, auditors (and admins) see what touches any unit of their region subtree:
 *   `where('assignments.unit_id', 'in', unitIdsInScopeQuery(db, actor))`;
 * - handlers and unit heads see what involves their own unit (`actor.unitId`);
 * - evaluators see only what is assigned to them.
 * `dataScopeOf(actor)` names which of these applies. Whatever is out of scope answers 404.
 */

/**
 * SQL condition: the region path in `column` lies in the subtree rooted at `regionPath` (root
 * included). `column` is a column reference such as 'regions.path' or 'r.path'. The LIKE prefix
 * uses the regions_path_idx (text_pattern_ops) index.
 */
export function regionSubtreeCondition(regionPath: string, column = 'regions.path'): Expression<SqlBool> {
  const ref = sql.ref(column);
  return sql<SqlBool>`(${ref} = ${regionPath} or ${ref} like ${`${regionPath}.%`})`;
}

/** A subquery selecting the ids of all units in the actor's region subtree (own region included). */
export function unitIdsInScopeQuery(db: Queryable, actor: Pick<Actor, 'regionPath'>) {
  return db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .select('units.id')
    .where(regionSubtreeCondition(actor.regionPath));
}

/** Is this unit in the actor's region subtree? False for an unknown unit. */
export async function isUnitInScope(db: Queryable, actor: Pick<Actor, 'regionPath'>, unitId: string) {
  if (!isUuid(unitId)) return false;
  const row = await unitIdsInScopeQuery(db, actor).where('units.id', '=', unitId).executeTakeFirst();
  return row !== undefined;
}

/** Is this region the actor's own region or beneath it? (Pure: compares paths.) */
/** An actor of a top-level region (a province: its region path has no parent). */
export function isProvinceLevel(actor: Pick<Actor, 'regionPath'>): boolean {
  return !actor.regionPath.includes('.');
}

export function isRegionPathInScope(actor: Pick<Actor, 'regionPath'>, regionPath: string): boolean {
  return regionPath === actor.regionPath || regionPath.startsWith(`${actor.regionPath}.`);
}

/** Which data-scope rule applies to an actor (the broadest of their roles wins). */
export type DataScope = 'region_subtree' | 'own_unit' | 'assigned_only';

export function dataScopeOf(actor: Pick<Actor, 'roles'>): DataScope {
  const broad: Role[] = ['supervisor', 'leader', 'auditor', 'admin'];
  if (actor.roles.some((r) => broad.includes(r))) return 'region_subtree';
  if (actor.roles.some((r) => r === 'handler' || r === 'unit_head')) return 'own_unit';
  return 'assigned_only';
}

/** The user, unit and region columns an Actor is made of; auth joins sessions or tokens onto it. */
export function actorBaseQuery(db: Queryable) {
  return db
    .selectFrom('users')
    .innerJoin('units', 'units.id', 'users.unit_id')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .select([
      'users.id as userId',
      'users.username',
      'users.display_name as displayName',
      'users.roles',
      'users.active',
      'units.id as unitId',
      'units.name as unitName',
      'regions.code as regionCode',
      'regions.path as regionPath',
      // 授权 (migrations/0028_grants.sql): resolved here so every check is a cheap array lookup.
      sql<string[] | null>`(select array_agg(g.grant_name) from user_grants g
        where g.user_id = users.id and g.revoked_at is null)`.as('grants'),
    ]);
}

export type ActorRow = {
  userId: string;
  username: string;
  displayName: string;
  roles: string[];
  unitId: string;
  unitName: string;
  regionCode: string;
  regionPath: string;
  grants?: string[] | null;
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

export function actorFromRow(row: ActorRow, via: Actor['via'], scopes?: readonly string[]): Actor {
  return {
    userId: row.userId,
    username: row.username,
    displayName: row.displayName,
    unitId: row.unitId,
    unitName: row.unitName,
    regionCode: row.regionCode,
    regionPath: row.regionPath,
    roles: row.roles.filter(isRole),
    scopes: scopes === undefined ? undefined : scopes.filter(isTokenScope),
    via,
    grants: (row.grants ?? []).filter(isGrant),
  };
}

export function isGrant(value: string): value is Grant {
  return (GRANTS as readonly string[]).includes(value);
}

/** The active user as an Actor, or undefined when there is no such active user. */
export async function findActor(
  db: Queryable,
  userId: string,
  via: Actor['via'],
  scopes?: readonly TokenScope[],
): Promise<Actor | undefined> {
  if (!isUuid(userId)) return undefined;
  const row = await actorBaseQuery(db)
    .where('users.id', '=', userId)
    .where('users.active', '=', true)
    .executeTakeFirst();
  return row ? actorFromRow(row, via, scopes) : undefined;
}

/** Like findActor, but an unknown or inactive user is a USER_NOT_FOUND error. */
export async function loadActor(
  db: Queryable,
  userId: string,
  via: Actor['via'],
  scopes?: readonly TokenScope[],
): Promise<Actor> {
  const actor = await findActor(db, userId, via, scopes);
  if (!actor) throw notFound('USER_NOT_FOUND', { zh: '用户', en: 'user' });
  return actor;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Guards uuid columns: PostgreSQL rejects a malformed uuid literal with an error, not "no row". */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
