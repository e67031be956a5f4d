import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { Actor } from '../shared/actor.ts';
import { ROLES, type Role } from '../shared/actor.ts';
import { DomainError, type FieldIssue, notFound, validationError } from '../shared/errors.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.ts';
import { isRole, isUuid, regionSubtreeCondition } from './scope.ts';
import type { EventMeta } from './units.ts';
import { escapeLike } from './units.ts';

export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;

export type NewUser = {
  username: string;
  displayName: string;
  password: string;
  unitId: string;
  roles: readonly string[];
};

export type UserSummary = {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  roles: Role[];
  active: boolean;
};

/** Checks a new user's fields; every problem is reported with the field it concerns. */
export function checkNewUser(input: NewUser): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!USERNAME_PATTERN.test(input.username)) {
    issues.push({
      field: 'username',
      message: 'must be 3–32 characters of a-z, 0-9, _ . -',
      messageZh: '用户名应为 3–32 位小写字母、数字或 _ . -',
    });
  }
  const name = input.displayName.trim();
  if (name.length === 0 || name.length > 64) {
    issues.push({
      field: 'displayName',
      message: 'must be 1–64 characters',
      messageZh: '姓名应为 1–64 个字符',
    });
  }
  if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
    issues.push({
      field: 'password',
      message: `must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`,
      messageZh: `密码应为 ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} 个字符`,
    });
  }
  if (input.roles.length === 0 || !input.roles.every(isRole)) {
    issues.push({
      field: 'roles',
      message: `must be one or more of ${ROLES.join(', ')}`,
      messageZh: '角色不能为空且须为已定义的角色',
    });
  }
  return issues;
}

/** Hashes the password (argon2id) outside any transaction, then inserts in one. */
export async function createUser(
  db: Db,
  input: NewUser,
  meta: EventMeta = { actorId: null, at: new Date() },
): Promise<UserSummary> {
  const issues = checkNewUser(input);
  if (issues.length > 0) throw validationError(issues);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute((tx) => insertUser(tx, { ...input, passwordHash }, meta));
}

/**
 * Inserts a user whose password is already hashed, in the caller's transaction, and records
 * `user.created`. For callers that create users as part of a larger command (demo data, imports).
 */
export async function insertUser(
  tx: Tx,
  input: Omit<NewUser, 'password'> & { passwordHash: string; id?: string },
  meta: EventMeta,
): Promise<UserSummary> {
  const roles = input.roles.filter(isRole);
  if (roles.length === 0) {
    throw validationError([{ field: 'roles', message: 'no valid role', messageZh: '角色不能为空' }]);
  }
  const unit = isUuid(input.unitId)
    ? await tx.selectFrom('units').select(['id', 'active']).where('id', '=', input.unitId).executeTakeFirst()
    : undefined;
  if (!unit) throw notFound('UNIT_NOT_FOUND', { zh: '单位', en: 'unit' });
  if (!unit.active) {
    throw new DomainError(
      'CONFLICT',
      { zh: '该单位已停用，不能在其下新建用户', en: 'The unit is deactivated: no new users in it' },
      { field: 'unitId' },
    );
  }
  const taken = await tx
    .selectFrom('users')
    .select('id')
    .where('username', '=', input.username)
    .executeTakeFirst();
  if (taken) throw duplicateUsername(input.username);
  const row = await tx
    .insertInto('users')
    .values({
      id: input.id ?? randomUUID(),
      username: input.username,
      display_name: input.displayName.trim(),
      password_hash: input.passwordHash,
      unit_id: input.unitId,
      roles,
      created_at: meta.at,
    })
    // Two concurrent creations of one name: the loser inserts nothing and gets the same 409.
    .onConflict((oc) => oc.column('username').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw duplicateUsername(input.username);
  await appendEvents(
    tx,
    [{ type: 'user.created', userId: row.id, username: row.username, unitId: row.unit_id, roles }],
    meta,
  );
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    unitId: row.unit_id,
    roles,
    active: row.active,
  };
}

function duplicateUsername(username: string) {
  return new DomainError(
    'DUPLICATE_USERNAME',
    { zh: `用户名“${username}”已被使用`, en: `username ${username} is taken` },
    { field: 'username' },
  );
}

export type UserDetail = UserSummary & {
  unitName: string;
  regionCode: string;
  regionName: string;
  regionPath: string;
};

function userDetailQuery(db: Queryable) {
  return db
    .selectFrom('users')
    .innerJoin('units', 'units.id', 'users.unit_id')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .select([
      'users.id',
      'users.username',
      'users.display_name as displayName',
      'users.unit_id as unitId',
      'users.roles',
      'users.active',
      'units.name as unitName',
      'regions.code as regionCode',
      'regions.name as regionName',
      'regions.path as regionPath',
    ]);
}

/** A user with unit and region, or undefined. */
export async function findUserDetail(db: Queryable, userId: string): Promise<UserDetail | undefined> {
  if (!isUuid(userId)) return undefined;
  const row = await userDetailQuery(db).where('users.id', '=', userId).executeTakeFirst();
  return row ? { ...row, roles: row.roles.filter(isRole) } : undefined;
}

/** Users of units in the actor's region subtree, optionally of one unit or matching a name. */
export async function listUsersInScope(
  db: Queryable,
  actor: Pick<Actor, 'regionPath'>,
  filter: { unitId?: string | undefined; q?: string | undefined },
): Promise<UserDetail[]> {
  let q = userDetailQuery(db)
    .where(regionSubtreeCondition(actor.regionPath))
    .orderBy('regions.path')
    .orderBy('units.sort_order')
    .orderBy('users.username')
    .limit(1000);
  if (filter.unitId !== undefined) q = q.where('users.unit_id', '=', filter.unitId);
  const text = filter.q?.trim();
  if (text) {
    const pattern = `%${escapeLike(text)}%`;
    q = q.where((eb) =>
      eb.or([eb('users.username', 'like', pattern), eb('users.display_name', 'like', pattern)]),
    );
  }
  const rows = await q.execute();
  return rows.map((row) => ({ ...row, roles: row.roles.filter(isRole) }));
}

export type UserChanges = {
  displayName?: string | undefined;
  roles?: readonly Role[] | undefined;
  active?: boolean | undefined;
};

/** Changes name, roles or the active flag and records `user.updated` with what changed. */
export async function updateUser(
  db: Db,
  userId: string,
  changes: UserChanges,
  meta: EventMeta,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('users')
      .select(['display_name', 'roles', 'active'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound('USER_NOT_FOUND', { zh: '用户', en: 'user' });
    const diff: Record<string, unknown> = {};
    if (changes.displayName !== undefined && changes.displayName !== current.display_name) {
      diff.displayName = changes.displayName;
    }
    if (changes.roles !== undefined) {
      const roles = [...new Set(changes.roles)];
      if (roles.join(',') !== current.roles.join(',')) diff.roles = roles;
    }
    if (changes.active !== undefined && changes.active !== current.active) diff.active = changes.active;
    if (Object.keys(diff).length === 0) return;
    await tx
      .updateTable('users')
      .set((eb) => ({
        ...(typeof diff.displayName === 'string' ? { display_name: diff.displayName } : {}),
        ...(Array.isArray(diff.roles) ? { roles: diff.roles.map(String) } : {}),
        ...(typeof diff.active === 'boolean' ? { active: diff.active } : {}),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', userId)
      .execute();
    // New roles or a deactivation: the user's sessions end (sign in again with the new rights).
    if (diff.roles !== undefined || diff.active === false) {
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    }
    await appendEvents(tx, [{ type: 'user.updated', userId, changes: diff }], meta);
  });
}

/** Ids of the active users of a unit holding any of the roles (recipients of notifications). */
export async function activeUserIds(
  db: Queryable,
  unitId: string | null,
  roles: readonly Role[],
): Promise<string[]> {
  if (unitId === null) return [];
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('unit_id', '=', unitId)
    .where('active', '=', true)
    .where(sql<boolean>`roles && ${sql.val([...roles])}::text[]`)
    .execute();
  return rows.map((r) => r.id);
}

/** Ids of the active leaders whose region is the given one or one above it (who oversee it). */
export async function leaderIdsOver(db: Queryable, regionCode: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select u.id from users u
    join units un on un.id = u.unit_id
    join regions ur on ur.code = un.region_code
    join regions ir on ir.code = ${regionCode}
    where u.active and 'leader' = any(u.roles)
      and (ir.path = ur.path or ir.path like ur.path || '.%')`.execute(db);
  return rows.rows.map((r) => r.id);
}
