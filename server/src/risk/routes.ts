import { RiskItemParams, RiskItemsQuery, RiskOverviewQuery, RiskTrainBody } from '@duban/schema';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { itemNotFound } from '../items/perform-action.ts';
import { canSeeItem } from '../items/policy.ts';
import { itemRisk, listRiskItems, modelInfo, riskOverview } from './queries.ts';
import { scoreOpenItems, trainRiskModel } from './service.ts';

const tags = ['risk'];

/**
 * 滞后风险: the risk heat map of a region (cockpit: leaders, supervisors and auditors of the region
 * or above; 404 otherwise, as the cockpit answers), its drill-down lists, an item's score (whoever
 * sees the item), and retraining (supervisors and admins).
 */
export function registerRiskRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/risk/overview',
    {
      schema: {
        tags,
        summary: '滞后风险概览 / lag risk of a region: by sub-region, unit and category',
        querystring: RiskOverviewQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return riskOverview(ctx.db, actor, request.query.region ?? actor.regionCode);
    },
  );

  app.get(
    '/api/v1/risk/items',
    {
      schema: {
        tags,
        summary: '滞后风险事项 / open items by risk (a region, filtered; or the given ids), riskiest first',
        querystring: RiskItemsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const q = request.query;
      const page = { limit: q.limit, offset: q.offset };
      const where = q.ids ? { ids: q.ids } : { regionCode: q.region ?? actor.regionCode };
      const result = await listRiskItems(
        ctx.db,
        actor,
        where,
        { unit: q.unit, category: q.category, level: q.level },
        page,
      );
      return { limit: q.limit, offset: q.offset, ...result };
    },
  );

  app.get(
    '/api/v1/items/:id/risk',
    {
      schema: {
        tags,
        summary: '事项滞后风险 / the latest lag-risk score of an item (null when not scored)',
        params: RiskItemParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      if (!(await canSeeItem(ctx.db, actor, request.params.id))) throw itemNotFound();
      return { itemId: request.params.id, risk: await itemRisk(ctx.db, request.params.id) };
    },
  );

  app.post(
    '/api/v1/risk/train',
    {
      schema: {
        tags,
        summary: '重新训练滞后风险模型 / retrain the lag-risk model on the history and rescore open items',
        body: RiskTrainBody,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      requireRole(actor, 'supervisor', 'admin');
      const now = ctx.now();
      const { metrics } = await trainRiskModel(ctx.db, now);
      const scored = await scoreOpenItems(ctx.db, now);
      return { model: await modelInfo(ctx.db), metrics, scored: scored.scored };
    },
  );
}
