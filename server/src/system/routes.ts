import client from 'prom-client';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';

const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'duban_' });
const httpRequests = new client.Counter({
  name: 'duban_http_requests_total',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export function registerSystemRoutes(app: App, ctx: AppContext) {
  app.addHook('onResponse', async (request, reply) => {
    httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });

  app.get(
    '/api/health',
    {
      schema: {
        tags: ['system'],
        summary: '健康检查 / liveness and database readiness',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => {
      await ctx.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
      return { status: 'ok' as const };
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
