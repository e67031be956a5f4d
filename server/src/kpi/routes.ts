import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { loadDefinitions } from './definitions.ts';
import { definitionOf, kpiDrillDown, kpiValues, monthRange, resolveTarget } from './queries.ts';

const tags = ['kpi'];

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const Dimension = z.enum(['unit', 'region', 'category']);
const TargetQuery = {
  dimension: Dimension,
  /** A unit id, a region code, or a category code. */
  key: z.string().min(1).max(64),
  /** For dimension=category: the region within which (default the caller's region). */
  region: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  from: Month.optional(),
  to: Month.optional(),
};
const KpiValuesQuery = z.object(TargetQuery).strict();
const KpiItemsQuery = z
  .object({
    ...TargetQuery,
    part: z.enum(['numerator', 'denominator']).default('numerator'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
const KpiCodeParams = z.object({ code: z.string().min(1).max(64) }).strict();

/**
 * 绩效指标: definitions, figures per unit / region / category and month range, and the drill-down
 * to the items a figure counted. Figures are for what lies in the caller's data scope; a unit or
 * region outside it answers 404. Figures follow the events within a catch-up period (kpi/jobs.ts).
 */
export function registerKpiRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/kpis',
    { schema: { tags, summary: '绩效指标定义 / KPI definitions' } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { kpis: await loadDefinitions(ctx.db) };
    },
  );

  app.get(
    '/api/v1/kpis/values',
    {
      schema: {
        tags,
        summary: '绩效指标数值 / KPI figures for a unit, region or category over months',
        querystring: KpiValuesQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const range = monthRange(request.query, ctx.now());
      const target = await resolveTarget(ctx.db, actor, request.query);
      const values = await kpiValues(ctx.db, target, range);
      return { dimension: target.dimension, key: request.query.key, from: range.from, to: range.to, values };
    },
  );

  app.get(
    '/api/v1/kpis/:code/items',
    {
      schema: {
        tags,
        summary: '指标下钻 / the items a KPI figure counted (numerator or denominator)',
        params: KpiCodeParams,
        querystring: KpiItemsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const q = request.query;
      const range = monthRange(q, ctx.now());
      const target = await resolveTarget(ctx.db, actor, q);
      const def = await definitionOf(ctx.db, request.params.code);
      const page = { part: q.part, limit: q.limit, offset: q.offset };
      return {
        dimension: target.dimension,
        key: q.key,
        from: range.from,
        to: range.to,
        ...(await kpiDrillDown(ctx.db, def, target, range, page)),
      };
    },
  );
}
