import { z } from 'zod';
import { requireActor, requireScope } from '../../auth/guard.ts';
import type { AppContext } from '../../context.ts';
import type { Queryable } from '../../db/client.ts';
import type { App } from '../../http/types.ts';
import { findRegion } from '../../org/regions.ts';
import { isRegionPathInScope } from '../../org/scope.ts';
import { type Actor, hasRole } from '../../shared/actor.ts';
import { DomainError } from '../../shared/errors.ts';
import { visibleDuplicateItems } from './registration.ts';
import { DUPLICATE_THRESHOLD } from './threshold.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
/** A text to check or route: title, content and optionally the region it concerns. */
export const TextQuery = z
  .object({
    title: text(200),
    content: text(20_000),
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .describe('GB/T 2260 code; default: the caller’s region'),
  })
  .strict();

export function forbidden(zh: string, en: string) {
  return new DomainError('FORBIDDEN', { zh, en });
}

export function requireSupervisor(actor: Actor) {
  if (!hasRole(actor, 'supervisor')) throw forbidden('只有督查员可以使用此功能', 'Supervisors only');
}

/** The region asked about (default: the caller's), 404 when unknown or outside the caller's scope. */
export async function regionInScope(db: Queryable, actor: Actor, code: string | undefined): Promise<string> {
  if (code === undefined) return actor.regionCode;
  const region = await findRegion(db, code);
  if (!region || !isRegionPathInScope(actor, region.path))
    throw new DomainError(
      'REGION_NOT_FOUND',
      { zh: '行政区划不存在', en: 'Region not found' },
      { field: 'body.regionCode' },
    );
  return region.code;
}

/** 重复督办 check: near-duplicate items the caller may see. */
export function registerDuplicateRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/duplicates/check',
    {
      schema: {
        tags: ['duplicates'],
        summary: '重复督办检查 / near-duplicate items the caller may see (supervisors)',
        body: TextQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      requireSupervisor(actor);
      const regionCode = await regionInScope(ctx.db, actor, request.body.regionCode);
      const duplicates = await visibleDuplicateItems(
        ctx.db,
        actor,
        { title: request.body.title, content: request.body.content, regionCode, now: ctx.now() },
        { openOnly: false },
      );
      return { threshold: DUPLICATE_THRESHOLD, duplicates };
    },
  );
}
