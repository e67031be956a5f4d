import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerAuth } from './auth/register.ts';
import { registerCalendarRoutes } from './calendar/routes.ts';
import type { AppContext } from './context.ts';
import { registerEscalationRoutes } from './escalation/routes.ts';
import { registerCalendarFeedRoutes } from './feeds/routes.ts';
import { registerFileRoutes } from './files/routes.ts';
import { sendProblem } from './http/problem.ts';
import { refuseUnstorableText } from './http/storable.ts';
import type { App } from './http/types.ts';
import { canReadAttachment } from './items/policy.ts';
import { registerItemRoutes } from './items/routes.ts';
import { registerLedgerRoutes } from './ledger/routes.ts';
import { registerNotificationRoutes } from './notify/routes.ts';
import { registerOrgRoutes } from './org/routes.ts';
import { registerSystemRoutes } from './system/routes.ts';

const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/public');

export type BuildAppOptions = {
  logger?: FastifyServerOptions['logger'];
};

/** Builds the HTTP application. Tests call `app.inject()`; `duban start` calls `listen()`. */
export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    // Never let a stack trace or internal detail escape: all errors go through sendProblem.
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/problem+json; charset=utf-8').send({
      type: 'https://duban.dev/problems/not-found',
      title: 'NOT_FOUND',
      status: 404,
      code: 'NOT_FOUND',
      detail: 'Not found',
      detailZh: '资源不存在',
      instance: request.url,
    }),
  );
  app.decorateRequest('actor', undefined);
  app.addHook('preValidation', refuseUnstorableText);

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Duban 督办 API',
        description: '政务督办平台接口。Errors are RFC 9457 problem+json with a stable `code`.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'duban_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs' });

  // The web app's static files (public by nature: the data behind them needs a login).
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: ['index.html'], wildcard: false });
  registerSystemRoutes(app, ctx);
  registerAuth(app, ctx);
  registerOrgRoutes(app, ctx);
  registerCalendarRoutes(app, ctx);
  registerItemRoutes(app, ctx);
  registerFileRoutes(app, ctx, {
    canReadViaItems: (actor, sha256) => canReadAttachment(ctx.db, actor, sha256),
  });
  registerLedgerRoutes(app, ctx);
  registerEscalationRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerCalendarFeedRoutes(app, ctx);
  return app;
}
