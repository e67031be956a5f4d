import type { FastifyRequest } from 'fastify';
import client from 'prom-client';
import { z } from 'zod';
import { safeEqual } from '../auth/crypto.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { DomainError } from '../shared/errors.ts';
import { registerReadinessRoute } from './readiness.ts';

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

  registerReadinessRoute(app, ctx);

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!metricsAllowed(request, ctx.metricsToken)) {
      throw new DomainError('FORBIDDEN', {
        zh: '无权读取监控指标（需本机访问或配置的指标令牌）',
        en: 'Metrics are served to loopback callers, or with the configured metrics token',
      });
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Prometheus scrapes: with DUBAN_METRICS_TOKEN set, only `Authorization: Bearer <token>`; without
 * it, only callers on this machine (the socket's address, never a forwarded header).
 */
function metricsAllowed(request: FastifyRequest, token: string | undefined): boolean {
  if (token !== undefined) {
    const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    return given !== undefined && safeEqual(given, token);
  }
  return LOOPBACK.has(request.socket.remoteAddress ?? '');
}
