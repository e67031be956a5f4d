import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { redactSensitive } from '../items/policy.ts';
import { KNOWN_UNIT_KINDS } from '../org/units.ts';
import { loadDefinitions } from './definitions.ts';
import { definitionOf, kpiDrillDown, kpiValues, monthRange, resolveTarget } from './queries.ts';
import {
  assertMayEditTemplates,
  COMPONENT_GROUPS,
  getTemplate,
  parseUnitKind,
  scorecards,
  setTemplate,
} from './scorecards.ts';

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
    /** true: 容错免责 items left out (the drill-down of a scorecard component). */
    excludeExempted: z.enum(['true', 'false']).default('false'),
  })
  .strict();
const KpiCodeParams = z.object({ code: z.string().min(1).max(64) }).strict();

const ScorecardQuery = z
  .object({
    unitKind: z.enum(KNOWN_UNIT_KINDS),
    /** Default: the caller's region. */
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
    /** 'YYYY-MM' or 'YYYY-Qn'; default the current quarter. */
    period: z
      .string()
      .regex(/^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$/, 'YYYY-MM or YYYY-Qn')
      .optional(),
  })
  .strict();
const UnitKindParams = z.object({ unitKind: z.string().min(1).max(64) }).strict();
const Points = z.number().min(0).max(100);
const TemplateBody = z
  .object({
    components: z
      .array(
        z
          .object({
            kpi: z.string().min(1).max(64),
            group: z.enum(COMPONENT_GROUPS),
            weight: z.number().gt(0).max(1),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    deductions: z.object({ deduction: Points, organizational: Points }).strict(),
  })
  .strict();

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
      const page = {
        part: q.part,
        limit: q.limit,
        offset: q.offset,
        excludeExempted: q.excludeExempted === 'true',
      };
      return {
        dimension: target.dimension,
        key: q.key,
        from: range.from,
        to: range.to,
        ...(await kpiDrillDown(ctx.db, def, target, range, page).then(async (d) => ({
          ...d,
          // 敏感事项 stay counted; the actor who may not open one sees it without its title.
          items: await redactSensitive(ctx.db, actor, d.items),
        }))),
      };
    },
  );

  registerScorecardRoutes(app, ctx);
}

/**
 * 考核记分卡: ranked units of a kind in a region over a month or quarter (scope as the KPI figures:
 * a region outside the caller's, or a caller without a region-wide role, gets 404), and the
 * templates (anyone signed in reads; a province-level admin changes them, with an event).
 */
function registerScorecardRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/scorecards',
    {
      schema: {
        tags,
        summary: '考核记分卡 / ranked scorecards of the units of a kind in a region over a period',
        querystring: ScorecardQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const q = request.query;
      return {
        scorecard: await scorecards(
          ctx.db,
          actor,
          { unitKind: q.unitKind, regionCode: q.regionCode ?? actor.regionCode, period: q.period },
          ctx.now(),
        ),
      };
    },
  );

  app.get(
    '/api/v1/scorecards/templates/:unitKind',
    {
      schema: {
        tags,
        summary: '记分卡模板 / the scorecard template of a unit kind',
        params: UnitKindParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { template: await getTemplate(ctx.db, parseUnitKind(request.params.unitKind)) };
    },
  );

  app.put(
    '/api/v1/scorecards/templates/:unitKind',
    {
      schema: {
        tags,
        summary:
          '设置记分卡模板 / set a unit kind’s scorecard template (province-level admin; 政策实效 ≥ 0.5, weights sum to 1)',
        params: UnitKindParams,
        body: TemplateBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      assertMayEditTemplates(actor);
      const unitKind = parseUnitKind(request.params.unitKind);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          template: await setTemplate(tx, unitKind, request.body, { actorId: actor.userId, at: ctx.now() }),
        },
      }));
    },
  );
}
