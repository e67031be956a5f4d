import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerAdmissionRoutes } from './admission/routes.ts';
import { registerAuth } from './auth/register.ts';
import { registerBulletinRoutes } from './bulletins/routes.ts';
import { registerCalendarRoutes } from './calendar/routes.ts';
import { registerCockpitRoutes } from './cockpit/routes.ts';
import type { AppContext } from './context.ts';
import { registerEscalationRoutes } from './escalation/routes.ts';
import { registerEvaluationRoutes } from './evaluation/routes.ts';
import { registerOpen311Routes } from './exchange/open311/routes.ts';
import { registerExtractRoutes } from './extract/routes.ts';
import { registerCalendarFeedRoutes } from './feeds/routes.ts';
import { registerFileRoutes } from './files/routes.ts';
import { registerFollowupRoutes } from './followup/routes.ts';
import { sendProblem } from './http/problem.ts';
import { securityHeaders } from './http/security-headers.ts';
import { refuseUnstorableText, strictJsonParser } from './http/storable.ts';
import type { App } from './http/types.ts';
import { registerPiiRoutes } from './intake/pii-routes.ts';
import { registerIntakeRoutes } from './intake/pool-routes.ts';
import { registerRoutingRoutes } from './intake/routing/routes.ts';
import { registerDuplicateRoutes } from './intake/similarity/routes.ts';
import { registerTopicRoutes } from './intake/topics/routes.ts';
import { canReadAttachment } from './items/policy.ts';
import { registerItemRoutes } from './items/routes.ts';
import { registerSensitiveReadRoutes } from './items/sensitive-reads.ts';
import { registerSubmissionRoutes } from './items/submission-routes.ts';
import { registerKpiRoutes } from './kpi/routes.ts';
import { registerLedgerRoutes } from './ledger/routes.ts';
import { registerNotificationRoutes } from './notify/routes.ts';
import { registerGrantRoutes } from './org/grant-routes.ts';
import { registerOrgRoutes } from './org/routes.ts';
import { registerPortalRoutes } from './portal/routes.ts';
import { registerReportingRoutes } from './reporting/routes.ts';
import { registerRiskRoutes } from './risk/routes.ts';
import { registerSystemRoutes } from './system/routes.ts';

/** The built web app (`npm run build --workspace web`): the SPA, its assets, verify.html. */
const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** 公众门户 pages (/portal, /portal/…): served with web/dist/portal.html. */
const PORTAL_PAGE = /^\/portal(?:[/?]|$)/;

/** Paths that are never pages of the web app: they keep their JSON 404. */
const NOT_SPA = /^\/(?:api|metrics|open311|health)(?:[/?.]|$)/;

/**
 * Whether an unmatched request is a browser asking for a page of the single-page app (a deep link
 * such as /items/…): a GET or HEAD that accepts HTML, outside the API, and not for a file.
 */
function wantsSpaPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const pathname = request.url.split('?')[0] ?? '';
  if (NOT_SPA.test(pathname) || path.posix.extname(pathname) !== '') return false;
  return (request.headers.accept ?? '').includes('text/html');
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).type('application/problem+json; charset=utf-8').send({
    type: 'https://duban.dev/problems/not-found',
    title: 'NOT_FOUND',
    status: 404,
    code: 'NOT_FOUND',
    detail: 'Not found',
    detailZh: '资源不存在',
    instance: request.url,
  });
}

export type BuildAppOptions = {
  logger?: FastifyServerOptions['logger'];
  /** Fastify's trustProxy (DUBAN_TRUST_PROXY): believe X-Forwarded-For from these hops. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Called for every route as it is registered (the route table: test/security/authz-matrix.test.ts). */
  onRoute?: (route: RouteOptions) => void;
};

/** Builds the HTTP application. Tests call `app.inject()`; `duban start` calls `listen()`. */
export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // Never let a stack trace or internal detail escape: all errors go through sendProblem.
    return503OnClosing: true,
    // The router's own refusals (a path that is not valid percent-encoded UTF-8, a parameter over
    // maxParamLength) are problem+json too, not Fastify's plain JSON.
    frameworkErrors: (err, request, reply) => sendProblem(err, request, reply),
    // Graceful stop (duban start, SIGTERM): close() drops idle keep-alive sockets at once and
    // lets in-flight requests finish.
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();
  const onRoute = opts.onRoute;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(parseJson));
  const webBuilt = fs.existsSync(path.join(WEB_ROOT, 'index.html'));
  app.setNotFoundHandler((request, reply) => {
    if (!wantsSpaPage(request)) return notFound(request, reply);
    // 公众门户: its own page and bundle (web/portal.html), never the signed-in app's.
    if (webBuilt && PORTAL_PAGE.test(request.url))
      return reply.header('cache-control', 'no-cache').sendFile('portal.html');
    // The app's router decides what the path shows (including its own 未找到 page).
    if (webBuilt) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send(
        '网页尚未构建：请先运行 npm run build --workspace web\nThe web app is not built: run npm run build --workspace web\n',
      );
  });
  app.decorateRequest('actor', undefined);
  app.addHook('preValidation', refuseUnstorableText);

  // Security headers and the strict CSP on every answer (http/security-headers.ts).
  await app.register(fastifyHelmet, securityHeaders({ https: ctx.secureCookies }));
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

  // The web app's static files (public by nature: the data behind them needs a login). Listed once
  // at start (wildcard: false), so a build after the start needs a restart. Hashed assets never
  // change; everything else is revalidated.
  await app.register(fastifyStatic, {
    root: WEB_ROOT,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    serve: webBuilt,
    setHeaders: (reply, filePath) => {
      const hashed = filePath.startsWith(path.join(WEB_ROOT, 'assets') + path.sep);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  registerSystemRoutes(app, ctx);
  registerAuth(app, ctx);
  registerOrgRoutes(app, ctx);
  registerGrantRoutes(app, ctx);
  registerCalendarRoutes(app, ctx);
  registerItemRoutes(app, ctx);
  registerSubmissionRoutes(app, ctx);
  registerSensitiveReadRoutes(app, ctx);
  registerFileRoutes(app, ctx, {
    canReadViaItems: (actor, sha256) => canReadAttachment(ctx.db, actor, sha256),
  });
  registerLedgerRoutes(app, ctx);
  registerEscalationRoutes(app, ctx);
  registerEvaluationRoutes(app, ctx);
  registerFollowupRoutes(app, ctx);
  registerReportingRoutes(app, ctx);
  registerKpiRoutes(app, ctx);
  registerBulletinRoutes(app, ctx);
  registerCockpitRoutes(app, ctx);
  registerRiskRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerCalendarFeedRoutes(app, ctx);
  registerIntakeRoutes(app, ctx);
  registerPiiRoutes(app, ctx);
  registerDuplicateRoutes(app, ctx);
  registerTopicRoutes(app, ctx);
  registerRoutingRoutes(app, ctx);
  registerExtractRoutes(app, ctx);
  registerOpen311Routes(app, ctx);
  registerPortalRoutes(app, ctx);
  registerAdmissionRoutes(app, ctx);
  return app;
}
