import { z } from 'zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import { sessionCsrfToken } from '../auth/register.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, type FieldIssue, notFound } from '../shared/errors.ts';
import { registerOrgAdminRoutes } from './admin-routes.ts';
import { presentMe, presentUser } from './present.ts';
import { getRegion, listRegions } from './regions.ts';
import { meView, newUserBody, regionCode, regionView, unitView, userPatchBody, userView } from './schema.ts';
import { isRegionPathInScope, isUnitInScope } from './scope.ts';
import { listUnits } from './units.ts';
import { createUser, findUserDetail, listUsersInScope, updateUser } from './users.ts';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];

function reader(request: Parameters<typeof requireActor>[0]): Actor {
  const actor = requireActor(request);
  requireScope(actor, 'org:read');
  return actor;
}

/** Admins manage users of their own region subtree; tokens need org:write for it. */
function admin(request: Parameters<typeof requireActor>[0]): Actor {
  const actor = requireActor(request);
  requireScope(actor, 'org:write');
  requireRole(actor, 'admin');
  return actor;
}

/** createUser names its fields bare (`username`); over HTTP they are the body's (`body.username`). */
function inBody(err: unknown): unknown {
  if (!(err instanceof DomainError) || !err.field || err.field.startsWith('body')) return err;
  const issues = err.details?.errors as FieldIssue[] | undefined;
  return new DomainError(
    err.code,
    { zh: err.messageZh, en: err.message },
    {
      field: `body.${err.field}`,
      details: issues
        ? { ...err.details, errors: issues.map((i) => ({ ...i, field: `body.${i.field}` })) }
        : err.details,
    },
  );
}

const userNotFound = () => notFound('USER_NOT_FOUND', { zh: '用户', en: 'user' });

/**
 * Organisation routes. Regions (GB/T 2260) and units are organisation data every authenticated
 * user may read — dispatching needs targets in other regions (a province office dispatches to city
 * bureaus, a county reports upward) — so they are not scoped. Users are personal data: they are
 * visible only within the caller's region subtree, and anyone outside it answers 404.
 */
export function registerOrgRoutes(app: App, ctx: AppContext): void {
  registerOrgAdminRoutes(app, ctx);
  app.get(
    '/api/v1/org/regions',
    {
      schema: {
        tags: ['org'],
        summary: '行政区划 / child regions of a region, or the provinces',
        security,
        querystring: z.object({ parent: regionCode.optional() }),
        response: { 200: z.object({ regions: z.array(regionView) }) },
      },
    },
    async (request) => {
      reader(request);
      const { parent } = request.query;
      if (parent !== undefined) await getRegion(ctx.db, parent);
      const rows = await listRegions(ctx.db, parent);
      return {
        regions: rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parent_code })),
      };
    },
  );

  app.get(
    '/api/v1/org/regions/:code',
    {
      schema: {
        tags: ['org'],
        summary: '行政区划详情 / one region',
        security,
        params: z.object({ code: regionCode }),
        response: { 200: z.object({ region: regionView.extend({ path: z.string() }) }) },
      },
    },
    async (request) => {
      reader(request);
      const r = await getRegion(ctx.db, request.params.code);
      return {
        region: { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, path: r.path },
      };
    },
  );

  app.get(
    '/api/v1/org/units',
    {
      schema: {
        tags: ['org'],
        summary: '单位 / units, optionally of one region (and its subordinate regions)',
        security,
        querystring: z.object({
          regionCode: regionCode.optional(),
          q: z.string().max(100).optional(),
          subtree: z.enum(['true', 'false']).default('false'),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
          includeInactive: z.enum(['true', 'false']).default('false').describe('停用的单位也列出'),
        }),
        response: { 200: z.object({ units: z.array(unitView) }) },
      },
    },
    async (request) => {
      reader(request);
      const { regionCode: code, q, subtree, limit, includeInactive } = request.query;
      if (code !== undefined) await getRegion(ctx.db, code);
      return {
        units: await listUnits(ctx.db, {
          regionCode: code,
          q,
          subtree: subtree === 'true',
          limit,
          includeInactive: includeInactive === 'true',
        }),
      };
    },
  );

  app.get(
    '/api/v1/users/me',
    {
      schema: {
        tags: ['org'],
        summary: '当前用户 / the signed-in user (and the CSRF token of a browser session)',
        security,
        response: { 200: z.object({ user: meView, csrfToken: z.string().optional() }) },
      },
    },
    async (request) => {
      const actor = reader(request);
      const detail = await findUserDetail(ctx.db, actor.userId);
      if (!detail) throw userNotFound();
      const csrfToken = sessionCsrfToken(request);
      return { user: presentMe(detail), ...(csrfToken ? { csrfToken } : {}) };
    },
  );

  app.get(
    '/api/v1/org/users',
    {
      schema: {
        tags: ['org'],
        summary: '用户 / users of the caller’s region subtree, optionally of one unit',
        security,
        querystring: z.object({ unitId: z.uuid().optional(), q: z.string().max(64).optional() }),
        response: { 200: z.object({ users: z.array(userView) }) },
      },
    },
    async (request) => {
      const actor = reader(request);
      const { unitId, q } = request.query;
      if (unitId !== undefined && !(await isUnitInScope(ctx.db, actor, unitId))) {
        throw notFound('UNIT_NOT_FOUND', { zh: '单位', en: 'unit' });
      }
      const users = await listUsersInScope(ctx.db, actor, { unitId, q });
      return { users: users.map(presentUser) };
    },
  );

  app.get(
    '/api/v1/org/users/:id',
    {
      schema: {
        tags: ['org'],
        summary: '用户详情 / one user of the caller’s region subtree',
        security,
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ user: userView }) },
      },
    },
    async (request) => {
      const actor = reader(request);
      const detail = await findUserDetail(ctx.db, request.params.id);
      if (!detail || !isRegionPathInScope(actor, detail.regionPath)) throw userNotFound();
      return { user: presentUser(detail) };
    },
  );

  app.post(
    '/api/v1/org/users',
    {
      schema: {
        tags: ['org'],
        summary: '创建用户 / create a user in a unit of the admin’s region subtree',
        security,
        body: newUserBody,
        response: { 201: z.object({ user: userView }) },
      },
    },
    async (request, reply) => {
      const actor = admin(request);
      const body = request.body;
      if (!(await isUnitInScope(ctx.db, actor, body.unitId))) {
        throw notFound('UNIT_NOT_FOUND', { zh: '单位', en: 'unit' });
      }
      const created = await createUser(ctx.db, body, { actorId: actor.userId, at: ctx.now() }).catch(
        (err: unknown) => {
          throw inBody(err);
        },
      );
      const detail = await findUserDetail(ctx.db, created.id);
      if (!detail) throw userNotFound();
      return reply.code(201).send({ user: presentUser(detail) });
    },
  );

  app.patch(
    '/api/v1/org/users/:id',
    {
      schema: {
        tags: ['org'],
        summary: '修改用户 / change a user’s name, roles or active flag (admin, own region subtree)',
        security,
        params: z.object({ id: z.string() }),
        body: userPatchBody,
        response: { 200: z.object({ user: userView }) },
      },
    },
    async (request) => {
      const actor = admin(request);
      const target = await findUserDetail(ctx.db, request.params.id);
      if (!target || !isRegionPathInScope(actor, target.regionPath)) throw userNotFound();
      if (target.id === actor.userId && request.body.active === false) {
        throw new DomainError(
          'CONFLICT',
          { zh: '不能停用自己的账号', en: 'You cannot deactivate yourself' },
          { field: 'body.active' },
        );
      }
      await updateUser(ctx.db, target.id, request.body, { actorId: actor.userId, at: ctx.now() });
      const detail = await findUserDetail(ctx.db, target.id);
      if (!detail) throw userNotFound();
      return { user: presentUser(detail) };
    },
  );
}
