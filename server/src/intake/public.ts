import {
  INTAKE_STATUS_NAMES_ZH,
  type IntakeStatus,
  PublicComplaintBody,
  TrackingNoParams,
} from '@duban/schema';
import type { AppContext } from '../context.ts';
import { clientKey, createRateLimiter } from '../http/rate-limit.ts';
import type { App } from '../http/types.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { maskPersonalText } from '../shared/pii.ts';
import { checkIntakeReferences, defaultRegionCode, idb, insertIntake } from './store.ts';

const tags = ['public'];
/** Submissions one address may make per hour (per process; a proxy in front may limit more). */
export const PUBLIC_SUBMISSIONS_PER_HOUR = 20;
const HOUR_MS = 3_600_000;
/** Item states in which the citizen's matter is done (办结). */
const DONE = ['completed', 'evaluated', 'archived'];

/**
 * 群众投诉/建议 (no login): submit one and follow it by its tracking number. The answer never holds
 * contact data; the linked item is named only when it is published (public, not sensitive).
 */
export function registerPublicComplaintRoutes(app: App, ctx: AppContext) {
  const limiter = createRateLimiter({
    limit: PUBLIC_SUBMISSIONS_PER_HOUR,
    windowMs: HOUR_MS,
    now: () => ctx.now().getTime(),
  });

  app.post(
    '/api/v1/public/complaints',
    {
      schema: {
        tags,
        summary: '提交投诉或建议 / submit a complaint or suggestion (no login; rate-limited per address)',
        body: PublicComplaintBody,
        security: [],
      },
    },
    async (request, reply) => {
      limiter.hit(clientKey(request));
      const body = request.body;
      const regionCode = body.regionCode ?? (await defaultRegionCode(ctx.db));
      if (regionCode === undefined)
        throw validationError([
          { field: 'body.regionCode', message: 'no region is set up yet', messageZh: '请选择行政区划' },
        ]);
      const issues = await checkIntakeReferences(
        ctx.db,
        { regionCode, categoryCode: body.categoryCode },
        { fieldPrefix: 'body.' },
      );
      if (issues.length > 0) throw validationError(issues);
      const row = await ctx.db
        .transaction()
        .execute((tx) =>
          insertIntake(tx, { ...body, channel: 'portal', regionCode }, { actorId: null, now: ctx.now() }),
        );
      reply.code(201);
      return {
        trackingNo: row.tracking_no,
        status: 'received' as const,
        submittedAt: row.received_at.toISOString(),
      };
    },
  );

  app.get(
    '/api/v1/public/complaints/:trackingNo',
    {
      schema: {
        tags,
        summary: '按查询编号查询办理情况 / follow a submission by its tracking number (no login)',
        params: TrackingNoParams,
        security: [],
      },
    },
    async (request) => {
      const row = await idb(ctx.db)
        .selectFrom('intake_records as ir')
        .leftJoin('items as i', 'i.id', 'ir.item_id')
        .leftJoin('units as fu', 'fu.id', 'ir.forwarded_unit_id')
        .select([
          'ir.tracking_no',
          'ir.kind',
          'ir.title',
          'ir.status',
          'ir.received_at',
          'ir.decided_at',
          'ir.decision_reason',
          'ir.item_id',
          'i.number as item_number',
          'i.title as item_title',
          'i.status as item_status',
          'i.is_public as item_public',
          'i.sensitivity as item_sensitivity',
          'i.completed_at as item_completed_at',
          'fu.name as forwarded_unit_name',
        ])
        .where('ir.tracking_no', '=', request.params.trackingNo)
        .executeTakeFirst();
      if (!row)
        throw new DomainError('NOT_FOUND', {
          zh: '查询编号不存在',
          en: 'No submission has this tracking number',
        });
      const entry = (at: Date, status: IntakeStatus, note: string) => ({
        at: at.toISOString(),
        status,
        statusNameZh: INTAKE_STATUS_NAMES_ZH[status],
        note,
      });
      const history = [entry(row.received_at, 'received', '已收到您的诉求，等待督查部门受理')];
      if (row.decided_at !== null) {
        const note = {
          received: '',
          accepted: '已立项督办',
          merged: '已并入相关督办事项办理',
          forwarded: `已转交${row.forwarded_unit_name ?? '有关单位'}办理`,
          rejected: `不予立项：${maskPersonalText(row.decision_reason ?? '')}`,
        }[row.status];
        history.push(entry(row.decided_at, row.status, note));
      }
      if (row.item_status !== null && DONE.includes(row.item_status) && row.item_completed_at !== null) {
        history.push(entry(row.item_completed_at, row.status, '督办事项已办结'));
      }
      const published = row.item_public === true && row.item_sensitivity !== 'sensitive';
      return {
        trackingNo: row.tracking_no,
        kind: row.kind,
        // Anyone holding the tracking number reads this: personal data in the title is masked.
        title: maskPersonalText(row.title),
        status: row.status,
        statusNameZh: INTAKE_STATUS_NAMES_ZH[row.status],
        submittedAt: row.received_at.toISOString(),
        history,
        item:
          row.item_id !== null && published
            ? { id: row.item_id, number: row.item_number, title: row.item_title }
            : null,
      };
    },
  );
}
