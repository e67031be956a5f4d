import { ItemIdParams, ReportSlotsResponse } from '@duban/schema';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { reportSlotsOf } from './queries.ts';

/** 定期报送: an item's report schedule and slots. Outside the data scope: 404. */
export function registerReportingRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/items/:id/report-slots',
    {
      schema: {
        tags: ['items'],
        summary: '定期报送期次 / the item’s report schedule and report slots',
        params: ItemIdParams,
        response: { 200: ReportSlotsResponse },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return reportSlotsOf(ctx.db, actor, request.params.id);
    },
  );
}
