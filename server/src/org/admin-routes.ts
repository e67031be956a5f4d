import crypto from 'node:crypto';
import { NewUnitBody, UnitPatchBody } from '@duban/schema';
import { z } from 'zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { hashPassword } from './password.ts';
import { presentUser } from './present.ts';
import { unitView, userView } from './schema.ts';
import { isRegionPathInScope, isUuid } from './scope.ts';
import { createUnit, type UnitListing } from './units.ts';
import { findUserDetail } from './users.ts';

/**
 * 系统管理 of the organisation: units created and edited, and one-time passwords, by an admin within
 * their region subtree (a province-level admin: everything). What lies outside answers 404. Each
 * change commits with its domain event in one transaction.
 */

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];

function admin(request: Parameters<typeof requireActor>[0]): Actor {
  const actor = requireActor(request);
  requireScope(actor, 'org:write');
  requireRole(actor, 'admin');
  return actor;
}

const unitNotFound = (field?: string) =>
  new DomainError('UNIT_NOT_FOUND', { zh: '单位不存在', en: 'Unit not found' }, field ? { field } : {});
const regionNotFound = (field: string) =>
  new DomainError('REGION_NOT_FOUND', { zh: '行政区划不存在', en: 'Region not found' }, { field });

/** A region of the admin's subtree, or 404 naming the field. */
async function regionInScope(db: Queryable, actor: Actor, code: string, field: string) {
  const region = await db
    .selectFrom('regions')
    .select(['code', 'path'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!region || !isRegionPathInScope(actor, region.path)) throw regionNotFound(field);
  return region;
}

/** A unit of the admin's subtree (locked when asked), or undefined. */
async function unitInScope(db: Queryable, actor: Actor, id: string, lock = false) {
  if (!isUuid(id)) return undefined;
  let q = db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .selectAll('units')
    .select('regions.path as regionPath')
    .where('units.id', '=', id);
  if (lock) q = q.forUpdate(['units']);
  const row = await q.executeTakeFirst();
  return row && isRegionPathInScope(actor, row.regionPath) ? row : undefined;
}

async function assertNameFree(db: Queryable, regionCode: string, name: string, exceptId?: string) {
  let q = db.selectFrom('units').select('id').where('region_code', '=', regionCode).where('name', '=', name);
  if (exceptId) q = q.where('id', '<>', exceptId);
  if (await q.executeTakeFirst()) {
    throw new DomainError(
      'CONFLICT',
      { zh: `本地区已有名为“${name}”的单位`, en: `a unit named ${name} already exists in this region` },
      { field: 'body.name' },
    );
  }
}

/** The parent must be a unit of the admin's subtree and not the unit itself nor beneath it. */
async function checkParent(db: Queryable, actor: Actor, parentId: string, unitId?: string) {
  const parent = await unitInScope(db, actor, parentId);
  if (!parent) throw unitNotFound('body.parentId');
  let cursor: string | null = parent.id;
  for (let depth = 0; cursor !== null && depth < 64; depth += 1) {
    if (cursor === unitId) {
      throw new DomainError(
        'VALIDATION_FAILED',
        {
          zh: '上级单位不能是本单位或其下级单位',
          en: 'the parent cannot be the unit itself or one beneath it',
        },
        { field: 'body.parentId' },
      );
    }
    const row: { parent_id: string | null } | undefined = await db
      .selectFrom('units')
      .select('parent_id')
      .where('id', '=', cursor)
      .executeTakeFirst();
    cursor = row?.parent_id ?? null;
  }
}

export async function unitListing(db: Queryable, id: string): Promise<UnitListing> {
  return db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .select([
      'units.id',
      'units.name',
      'units.short_name as shortName',
      'units.kind',
      'units.region_code as regionCode',
      'regions.name as regionName',
      'units.parent_id as parentId',
      'units.sort_order as sortOrder',
      'units.active',
      'units.require_head_approval as requireHeadApproval',
    ])
    .where('units.id', '=', id)
    .executeTakeFirstOrThrow();
}

const nonEmpty = (v: string | null | undefined) => (v === undefined || v === null || v === '' ? null : v);

async function updateUnit(
  tx: Tx,
  actor: Actor,
  id: string,
  body: z.infer<typeof UnitPatchBody>,
  at: Date,
): Promise<UnitListing> {
  const unit = await unitInScope(tx, actor, id, true);
  if (!unit) throw unitNotFound();
  const diff: Record<string, unknown> = {};
  const set: Record<string, unknown> = {};
  const regionCode = body.regionCode ?? unit.region_code;
  if (body.regionCode !== undefined && body.regionCode !== unit.region_code) {
    await regionInScope(tx, actor, body.regionCode, 'body.regionCode');
    // Items keep the region path of the units involved (data scope in SQL): a unit with items
    // stays where it is; create a new one instead.
    const involved = await tx
      .selectFrom('item_units')
      .select('item_id')
      .where('unit_id', '=', id)
      .executeTakeFirst();
    if (involved) {
      throw new DomainError(
        'CONFLICT',
        {
          zh: '该单位已参与督办事项，不能改变所属行政区划',
          en: 'the unit takes part in items: its region cannot change',
        },
        { field: 'body.regionCode' },
      );
    }
    diff.regionCode = body.regionCode;
    set.region_code = body.regionCode;
  }
  const name = body.name ?? unit.name;
  if (name !== unit.name || regionCode !== unit.region_code) await assertNameFree(tx, regionCode, name, id);
  if (name !== unit.name) {
    diff.name = name;
    set.name = name;
  }
  if (body.shortName !== undefined && nonEmpty(body.shortName) !== unit.short_name) {
    diff.shortName = nonEmpty(body.shortName);
    set.short_name = nonEmpty(body.shortName);
  }
  if (body.kind !== undefined && body.kind !== unit.kind) {
    diff.kind = body.kind;
    set.kind = body.kind;
  }
  if (body.sortOrder !== undefined && body.sortOrder !== unit.sort_order) {
    diff.sortOrder = body.sortOrder;
    set.sort_order = body.sortOrder;
  }
  if (body.parentId !== undefined && body.parentId !== unit.parent_id) {
    if (body.parentId !== null) await checkParent(tx, actor, body.parentId, id);
    diff.parentId = body.parentId;
    set.parent_id = body.parentId;
  }
  if (body.active !== undefined && body.active !== unit.active) {
    if (!body.active) {
      const user = await tx
        .selectFrom('users')
        .select('id')
        .where('unit_id', '=', id)
        .where('active', '=', true)
        .executeTakeFirst();
      if (user) {
        throw new DomainError(
          'CONFLICT',
          {
            zh: '该单位仍有在用账号，请先停用或调整这些账号',
            en: 'the unit still has active users: deactivate or move them first',
          },
          { field: 'body.active' },
        );
      }
    }
    diff.active = body.active;
    set.active = body.active;
  }
  if (body.requireHeadApproval !== undefined && body.requireHeadApproval !== unit.require_head_approval) {
    diff.requireHeadApproval = body.requireHeadApproval;
    set.require_head_approval = body.requireHeadApproval;
  }
  if (Object.keys(diff).length > 0) {
    await tx.updateTable('units').set(set).where('id', '=', id).execute();
    await appendEvents(tx, [{ type: 'unit.updated', unitId: id, changes: diff }], {
      actorId: actor.userId,
      at,
    });
  }
  return unitListing(tx, id);
}

/** Readable, unambiguous (no 0/O, 1/l/I): 12 characters, about 70 bits. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function oneTimePassword(length = 12): string {
  let out = '';
  while (out.length < length) {
    const byte = crypto.randomBytes(1)[0] ?? 0;
    // Rejection sampling keeps every character equally likely.
    if (byte < 256 - (256 % ALPHABET.length)) out += ALPHABET[byte % ALPHABET.length];
  }
  return out;
}

export function registerOrgAdminRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/v1/org/units',
    {
      schema: {
        tags: ['org'],
        summary: '新建单位 / create a unit in the admin’s region subtree',
        security,
        body: NewUnitBody,
        response: { 201: z.object({ unit: unitView }) },
      },
    },
    async (request, reply) => {
      const actor = admin(request);
      const body = request.body;
      return runCommand(ctx, request, reply, actor, async (tx) => {
        await regionInScope(tx, actor, body.regionCode, 'body.regionCode');
        if (body.parentId) await checkParent(tx, actor, body.parentId);
        await assertNameFree(tx, body.regionCode, body.name);
        const row = await createUnit(
          tx,
          {
            name: body.name,
            kind: body.kind,
            regionCode: body.regionCode,
            shortName: nonEmpty(body.shortName),
            sortOrder: body.sortOrder ?? 0,
            parentId: body.parentId ?? null,
          },
          { actorId: actor.userId, at: ctx.now() },
        );
        return { status: 201, body: { unit: await unitListing(tx, row.id) } };
      });
    },
  );

  app.patch(
    '/api/v1/org/units/:id',
    {
      schema: {
        tags: ['org'],
        summary: '修改单位 / change a unit’s name, kind, region, parent or active flag (admin, own subtree)',
        security,
        params: z.object({ id: z.string() }),
        body: UnitPatchBody,
        response: { 200: z.object({ unit: unitView }) },
      },
    },
    async (request, reply) => {
      const actor = admin(request);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: { unit: await updateUnit(tx, actor, request.params.id, request.body, ctx.now()) },
      }));
    },
  );

  app.post(
    '/api/v1/org/users/:id/password-reset',
    {
      schema: {
        tags: ['org'],
        summary: '重置密码 / set a one-time password (shown once; the user’s sessions end)',
        security,
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ user: userView, password: z.string() }) },
      },
    },
    async (request, reply) => {
      const actor = admin(request);
      const target = await findUserDetail(ctx.db, request.params.id);
      if (!target || !isRegionPathInScope(actor, target.regionPath)) {
        throw notFound('USER_NOT_FOUND', { zh: '用户', en: 'user' });
      }
      const password = oneTimePassword();
      // Hashing (argon2id) is slow: outside the transaction. Not through runCommand on purpose:
      // an idempotent replay would have to store the password.
      const passwordHash = await hashPassword(password);
      await ctx.db.transaction().execute(async (tx) => {
        await tx
          .updateTable('users')
          .set((eb) => ({ password_hash: passwordHash, version: eb('version', '+', 1) }))
          .where('id', '=', target.id)
          .execute();
        await tx.deleteFrom('sessions').where('user_id', '=', target.id).execute();
        await appendEvents(tx, [{ type: 'user.password_reset', userId: target.id }], {
          actorId: actor.userId,
          at: ctx.now(),
        });
      });
      reply.header('cache-control', 'no-store');
      return { user: presentUser(target), password };
    },
  );
}
