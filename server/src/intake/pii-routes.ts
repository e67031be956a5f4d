import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/client.ts';
import type { App } from '../http/types.ts';
import { canSeeItem } from '../items/policy.ts';
import { isRegionPathInScope, isUuid, regionSubtreeCondition } from '../org/scope.ts';
import { type Actor, hasGrant, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { idb, intakeNotFound } from './store.ts';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];

const ContactQuery = z
  .object({
    reason: z
      .string()
      .trim()
      .min(2)
      .max(500)
      .describe('为何查看 / why the unmasked data is needed (required; audited)'),
  })
  .strict();

const ReadsQuery = z
  .object({
    userId: z.uuid().optional(),
    recordId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/**
 * May the actor reach this record at all? Supervisors: records of their region subtree (the task
 * pool); anyone: records linked to an item they can see (the handlers who call the citizen back).
 */
async function recordInReach(db: Queryable, actor: Actor, id: string) {
  if (!isUuid(id)) return undefined;
  const row = await idb(db)
    .selectFrom('intake_records as ir')
    .innerJoin('regions as r', 'r.code', 'ir.region_code')
    .selectAll('ir')
    .select('r.path as region_path')
    .where('ir.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  if (hasRole(actor, 'supervisor') && isRegionPathInScope(actor, row.region_path)) return row;
  if (row.item_id !== null && (await canSeeItem(db, actor, row.item_id))) return row;
  return undefined;
}

/**
 * 个人信息查阅: records show personal data masked to everyone (intake/store.ts viewOf). A user with
 * the `pii:read` grant may read one record unmasked, giving a reason; every such read is written to
 * pii_reads (who, when, which record, why) before the answer leaves, and admins and auditors list
 * those reads for their region subtree.
 */
export function registerPiiRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/intake/:id/contact',
    {
      schema: {
        tags: ['intake'],
        summary: '查看完整联系方式 / a record’s unmasked personal data (pii:read grant; every read audited)',
        security,
        params: z.object({ id: z.string() }),
        querystring: ContactQuery,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      if (!hasGrant(actor, 'pii:read'))
        throw new DomainError('FORBIDDEN', {
          zh: '查看完整个人信息需要“查看个人信息”授权',
          en: 'Reading unmasked personal data needs the pii:read grant',
        });
      const row = await recordInReach(ctx.db, actor, request.params.id);
      if (!row) throw intakeNotFound();
      const readAt = ctx.now();
      await idb(ctx.db)
        .insertInto('pii_reads')
        .values({
          id: randomUUID(),
          user_id: actor.userId,
          record_id: row.id,
          tracking_no: row.tracking_no,
          region_code: row.region_code,
          reason: request.query.reason,
          read_at: readAt,
        })
        .execute();
      reply.header('cache-control', 'no-store');
      return {
        id: row.id,
        trackingNo: row.tracking_no,
        title: row.title,
        content: row.content,
        address: row.address,
        contact: { name: row.contact_name, phone: row.contact_phone, email: row.contact_email },
        readAt: readAt.toISOString(),
      };
    },
  );

  app.get(
    '/api/v1/audit/pii-reads',
    {
      schema: {
        tags: ['intake'],
        summary: '个人信息查阅记录 / unmasked reads of personal data (admins, auditors; own region subtree)',
        security,
        querystring: ReadsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      if (!hasRole(actor, 'admin', 'auditor'))
        throw new DomainError('FORBIDDEN', {
          zh: '只有管理员和审计员可以查看个人信息查阅记录',
          en: 'Only admins and auditors may list personal-data reads',
        });
      const q = request.query;
      let query = ctx.db
        .selectFrom('pii_reads as p')
        .innerJoin('regions', 'regions.code', 'p.region_code')
        .innerJoin('users as u', 'u.id', 'p.user_id')
        .where(regionSubtreeCondition(actor.regionPath));
      if (q.userId !== undefined) query = query.where('p.user_id', '=', q.userId);
      if (q.recordId !== undefined) query = query.where('p.record_id', '=', q.recordId);
      const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await query
        .select([
          'p.id',
          'p.user_id',
          'u.username',
          'u.display_name',
          'p.record_id',
          'p.tracking_no',
          'p.region_code',
          'p.reason',
          'p.read_at',
        ])
        .orderBy('p.read_at', 'desc')
        .orderBy('p.id')
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
          recordId: r.record_id,
          trackingNo: r.tracking_no,
          regionCode: r.region_code,
          reason: r.reason,
          readAt: r.read_at.toISOString(),
        })),
      };
    },
  );
}
