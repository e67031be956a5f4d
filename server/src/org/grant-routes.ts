import { z } from 'zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { type Actor, GRANTS } from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';
import { addGrant, GRANT_NAMES_ZH, listGrants, revokeGrant } from './grants.ts';
import { isRegionPathInScope, isUuid } from './scope.ts';
import { findUserDetail } from './users.ts';

const tags = ['org'];
const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];

const grantView = z.object({
  id: z.string(),
  userId: z.string(),
  grant: z.enum(GRANTS),
  reason: z.string(),
  grantedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  grantedAt: z.string(),
  revokedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  active: z.boolean(),
});
const reason = z.string().trim().min(2).max(500).describe('为何授权或撤销 / why (required)');
const userParams = z.object({ id: z.string() });
const grantParams = z.object({ id: z.string(), grantId: z.string() });

function admin(request: Parameters<typeof requireActor>[0]): Actor {
  const actor = requireActor(request);
  requireScope(actor, 'org:write');
  requireRole(actor, 'admin');
  return actor;
}

const userNotFound = () => notFound('USER_NOT_FOUND', { zh: '用户', en: 'user' });

/**
 * 授权管理: admins list, grant and revoke `pii:read` / `sensitive:read` for users of their region
 * subtree (others: 403; a user outside: 404). Every signed-in user may read their own grants.
 */
export function registerGrantRoutes(app: App, ctx: AppContext) {
  async function targetInScope(actor: Actor, userId: string) {
    const target = await findUserDetail(ctx.db, userId);
    if (!target || !isRegionPathInScope(actor, target.regionPath)) throw userNotFound();
    return target;
  }

  app.get(
    '/api/v1/users/me/grants',
    {
      schema: {
        tags,
        summary: '我的授权 / the signed-in user’s active grants',
        security,
        response: { 200: z.object({ grants: z.array(z.enum(GRANTS)) }) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return { grants: [...(actor.grants ?? [])] };
    },
  );

  app.get(
    '/api/v1/org/users/:id/grants',
    {
      schema: {
        tags,
        summary: '用户授权 / a user’s grants and their history (admin, own region subtree)',
        security,
        params: userParams,
        response: { 200: z.object({ grants: z.array(grantView) }) },
      },
    },
    async (request) => {
      const actor = admin(request);
      const target = await targetInScope(actor, request.params.id);
      return { grants: await listGrants(ctx.db, target.id) };
    },
  );

  app.post(
    '/api/v1/org/users/:id/grants',
    {
      schema: {
        tags,
        summary: `授权 / grant ${GRANTS.join(' or ')} with a reason (admin, own region subtree)`,
        description: Object.entries(GRANT_NAMES_ZH)
          .map(([g, zh]) => `${g}: ${zh}`)
          .join('; '),
        security,
        params: userParams,
        body: z.object({ grant: z.enum(GRANTS), reason }).strict(),
        response: { 201: z.object({ grants: z.array(grantView) }) },
      },
    },
    async (request, reply) => {
      const actor = admin(request);
      const target = await targetInScope(actor, request.params.id);
      const meta = { actorId: actor.userId, at: ctx.now() };
      await ctx.db
        .transaction()
        .execute((tx) =>
          addGrant(tx, { userId: target.id, grant: request.body.grant, reason: request.body.reason }, meta),
        );
      return reply.code(201).send({ grants: await listGrants(ctx.db, target.id) });
    },
  );

  app.post(
    '/api/v1/org/users/:id/grants/:grantId/revoke',
    {
      schema: {
        tags,
        summary: '撤销授权 / revoke a grant with a reason (admin, own region subtree)',
        security,
        params: grantParams,
        body: z.object({ reason }).strict(),
        response: { 200: z.object({ grants: z.array(grantView) }) },
      },
    },
    async (request) => {
      const actor = admin(request);
      const target = await targetInScope(actor, request.params.id);
      if (!isUuid(request.params.grantId)) throw notFound('NOT_FOUND', { zh: '授权', en: 'grant' });
      const meta = { actorId: actor.userId, at: ctx.now() };
      await ctx.db
        .transaction()
        .execute((tx) =>
          revokeGrant(
            tx,
            { userId: target.id, grantId: request.params.grantId, reason: request.body.reason },
            meta,
          ),
        );
      return { grants: await listGrants(ctx.db, target.id) };
    },
  );
}
