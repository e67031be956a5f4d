import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/client.ts';
import type { App } from '../http/types.ts';
import { regionSubtreeCondition } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

/** A user's repeated reads of one item within this window are one audit row. */
const COLLAPSE_MS = 10 * 60 * 1000;

export type SensitiveReadKind = 'detail' | 'evidence';

/**
 * 敏感事项查阅记录 (F14): records that the actor read a 敏感 item (its page or its evidence
 * package); other items are not recorded. Called after the read was allowed, before the answer leaves.
 */
export async function auditSensitiveRead(
  db: Queryable,
  actor: Actor,
  item: { id: string; number: string; regionCode: string; sensitivity: string },
  what: SensitiveReadKind,
  now: Date,
): Promise<void> {
  if (item.sensitivity !== 'sensitive') return;
  const recent = await db
    .selectFrom('sensitive_reads')
    .select('id')
    .where('user_id', '=', actor.userId)
    .where('item_id', '=', item.id)
    .where('what', '=', what)
    .where('read_at', '>', new Date(now.getTime() - COLLAPSE_MS))
    .executeTakeFirst();
  if (recent) return;
  await db
    .insertInto('sensitive_reads')
    .values({
      id: randomUUID(),
      user_id: actor.userId,
      item_id: item.id,
      item_number: item.number,
      region_code: item.regionCode,
      what,
      read_at: now,
    })
    .execute();
}

const ReadsQuery = z
  .object({
    userId: z.uuid().optional(),
    itemId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** GET /api/v1/audit/sensitive-reads: admins and auditors, reads of items of their region subtree. */
export function registerSensitiveReadRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/audit/sensitive-reads',
    {
      schema: {
        tags: ['items'],
        summary: '敏感事项查阅记录 / reads of sensitive items (admins, auditors; own region subtree)',
        security: [{ session: [] }, { bearer: [] }],
        querystring: ReadsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      if (!hasRole(actor, 'admin', 'auditor'))
        throw new DomainError('FORBIDDEN', {
          zh: '只有管理员和审计员可以查看敏感事项查阅记录',
          en: 'Only admins and auditors may list reads of sensitive items',
        });
      const q = request.query;
      let query = ctx.db
        .selectFrom('sensitive_reads as s')
        .innerJoin('regions', 'regions.code', 's.region_code')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .where(regionSubtreeCondition(actor.regionPath));
      if (q.userId !== undefined) query = query.where('s.user_id', '=', q.userId);
      if (q.itemId !== undefined) query = query.where('s.item_id', '=', q.itemId);
      const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await query
        .select([
          's.id',
          's.user_id',
          'u.username',
          'u.display_name',
          's.item_id',
          's.item_number',
          's.what',
          's.read_at',
        ])
        .orderBy('s.read_at', 'desc')
        .orderBy('s.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      return {
        total: Number(total.n),
        limit: q.limit,
        offset: q.offset,
        reads: rows.map((r) => ({
          id: r.id,
          user: { id: r.user_id, username: r.username, name: r.display_name },
          itemId: r.item_id,
          itemNumber: r.item_number,
          what: r.what,
          readAt: r.read_at.toISOString(),
        })),
      };
    },
  );
}
