import { ITEM_STATUSES } from '@duban/schema';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { redactSensitive } from '../items/policy.ts';
import { monthRange } from '../kpi/queries.ts';
import { cockpitOverview, listOpenItems, scopedRegion } from './queries.ts';

const tags = ['cockpit'];

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const RegionCode = z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 code');

const OverviewQuery = z
  .object({
    /** The region (default the caller's own). */
    region: RegionCode.optional(),
    from: Month.optional(),
    to: Month.optional(),
  })
  .strict();

const OpenItemsQuery = z
  .object({
    region: RegionCode.optional(),
    status: z.enum(ITEM_STATUSES).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/**
 * 领导驾驶舱: the overview of a region (KPI figures, monthly trend, sub-regions for the map,
 * categories, unit rankings, open items by status, open overdue items) and the list of open items
 * behind the status and overdue figures. Leaders, supervisors and auditors of the region or above;
 * anyone else (or a region outside the caller's scope) gets 404, as from the KPI API.
 */
export function registerCockpitRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/cockpit/overview',
    {
      schema: {
        tags,
        summary: '领导驾驶舱概览 / cockpit overview of a region over months',
        querystring: OverviewQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const range = monthRange(request.query, ctx.now());
      const overview = await cockpitOverview(ctx.db, actor, request.query.region ?? actor.regionCode, range);
      // 敏感事项 stay counted; the actor who may not open one sees it without its title.
      const overdue = {
        ...overview.overdue,
        items: await redactSensitive(ctx.db, actor, overview.overdue.items),
      };
      return { ...overview, overdue };
    },
  );

  app.get(
    '/api/v1/cockpit/items',
    {
      schema: {
        tags,
        summary: '在办事项下钻 / open items of a region (by status, or overdue), paged',
        querystring: OpenItemsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const q = request.query;
      const region = await scopedRegion(ctx.db, actor, q.region ?? actor.regionCode);
      const page = { limit: q.limit, offset: q.offset };
      const filter = { status: q.status, overdue: q.overdue === 'true' };
      return {
        region: region.code,
        status: q.status ?? null,
        overdue: filter.overdue,
        limit: q.limit,
        offset: q.offset,
        ...(await listOpenItems(ctx.db, region.path, filter, page).then(async (l) => ({
          ...l,
          items: await redactSensitive(ctx.db, actor, l.items),
        }))),
      };
    },
  );
}
