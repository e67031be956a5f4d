import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { DomainError } from '../shared/errors.ts';
import { safeEqual } from './crypto.ts';
import { registerOidcRoutes } from './oidc-routes.ts';
import { registerAuthRoutes } from './routes.ts';
import { type ResolvedSession, resolveSession, SESSION_COOKIE } from './sessions.ts';
import { resolveApiToken } from './tokens.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Routes a cookie may call without the CSRF header: logging in starts a new session anyway; a
 * citizen's complaint ignores who is signed in.
 */
const CSRF_EXEMPT = new Set(['/api/v1/auth/login', '/api/v1/public/complaints']);
export const CSRF_HEADER = 'x-csrf-token';

/** The session behind a cookie-authenticated request (not exposed on the request object). */
const sessionOf = new WeakMap<FastifyRequest, ResolvedSession>();

/** The CSRF token of the caller's session; undefined for token and anonymous callers. */
export function sessionCsrfToken(request: FastifyRequest): string | undefined {
  return sessionOf.get(request)?.csrfToken;
}

/** The two-factor state of the caller's session; undefined for token and anonymous callers. */
export function sessionMfaState(request: FastifyRequest): ResolvedSession['mfaState'] | undefined {
  return sessionOf.get(request)?.mfaState;
}

/**
 * What a session with a two-factor step still to take may call (besides public routes): the
 * steps themselves and signing out. Everything else is 403 MFA_REQUIRED.
 */
const MFA_STEP_ROUTES = new Set([
  '/api/v1/auth/logout',
  '/api/v1/auth/mfa',
  '/api/v1/auth/mfa/verify',
  '/api/v1/auth/mfa/enroll',
  '/api/v1/auth/mfa/enroll/confirm',
]);

/** The stored hash of the caller's session id, if the request came with a live session cookie. */
export function sessionIdHash(request: FastifyRequest): string | undefined {
  return sessionOf.get(request)?.idHash;
}

function unauthenticated(why: { zh: string; en: string }) {
  return new DomainError('UNAUTHENTICATED', why);
}

/**
 * Authentication for every /api/ request: a bearer API token (`Authorization: Bearer duban_…`)
 * or the `duban_session` cookie resolves `request.actor`. A malformed or unknown bearer token is
 * 401 at once; an expired or revoked one, or an expired session, leaves the caller anonymous (so
 * public routes still answer and protected ones say 401). Cookie-authenticated unsafe requests
 * must carry X-CSRF-Token equal to the session's token (403 CSRF_FAILED); bearer calls are exempt.
 * Call before registering other modules' routes.
 */
export function registerAuth(app: App, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    await authenticate(request, ctx);
    // Who is asking comes before what is asked: an anonymous call to a protected route is a 401,
    // before its parameters are validated (a 400 would tell a stranger the route's shape).
    if (request.actor === undefined && !isPublicRoute(request)) {
      throw unauthenticated({ zh: '请先登录', en: 'Authentication required' });
    }
    const mfaState = sessionMfaState(request);
    if (mfaState !== undefined && mfaState !== 'full' && !isPublicRoute(request)) {
      if (!MFA_STEP_ROUTES.has(request.routeOptions.url ?? '')) {
        throw new DomainError('MFA_REQUIRED', {
          zh: '请先完成双因素认证',
          en: 'Complete two-factor authentication first',
        });
      }
    }
  });
  registerAuthRoutes(app, ctx);
  registerOidcRoutes(app, ctx);
}

/** Routes anyone may call: health, login, the API description. Unknown routes fall through to 404. */
const PUBLIC_ROUTES = new Set([
  '/api/health',
  '/api/ready',
  '/api/v1/auth/login',
  '/api/v1/auth/mfa/policy', // 双因素认证: whether it is enforced (the login page's banner)
  // 统一身份认证 (auth/oidc-routes.ts): the login page's button, the redirect out and the way back.
  '/api/v1/auth/oidc/config',
  '/api/v1/auth/oidc/login',
  '/api/v1/auth/oidc/callback',
  '/api/v1/openapi.json',
  // The ledger's hashes-only routes: anyone may fetch and keep checkpoints (see ledger/routes.ts).
  '/api/v1/ledger/checkpoint',
  '/api/v1/ledger/checkpoints',
  '/api/v1/ledger/keys',
  '/api/v1/ledger/consistency',
  '/api/v1/calendar-feed/:token.ics', // the secret in the URL is the credential (feeds/routes.ts)
  '/api/v1/public/satisfaction/:token', // 群众满意度: the one-time link is the credential (evaluation/)
  // 公众门户: public items only, read-only (portal/routes.ts).
  '/api/v1/public/items',
  '/api/v1/public/items.csv',
  '/api/v1/public/items.json',
  '/api/v1/public/items/:id',
  '/api/v1/public/regions',
  '/api/v1/public/categories',
  // 群众投诉/建议: submit and follow by tracking number, no login (intake/public.ts).
  '/api/v1/public/complaints',
  '/api/v1/public/complaints/:trackingNo',
]);
const PUBLIC_PREFIXES = ['/api/v1/docs'];

function isPublicRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined) return true;
  return PUBLIC_ROUTES.has(route) || PUBLIC_PREFIXES.some((p) => route.startsWith(p));
}

async function authenticate(request: FastifyRequest, ctx: AppContext): Promise<void> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && /^bearer\b/i.test(authorization)) {
    const token = /^bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const result = token === undefined ? 'invalid' : await resolveApiToken(ctx.db, token, ctx.now());
    if (result === 'invalid') {
      throw unauthenticated({ zh: '访问令牌无效', en: 'Invalid API token' });
    }
    if (result !== 'inactive') request.actor = result;
    return;
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  if (!sessionId) return;
  const session = await resolveSession(ctx.db, sessionId, ctx.now());
  if (!session) return;
  const route = request.routeOptions.url ?? '';
  if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(route)) {
    const header = request.headers[CSRF_HEADER];
    if (typeof header !== 'string' || !safeEqual(header, session.csrfToken)) {
      throw new DomainError('CSRF_FAILED', {
        zh: '缺少或错误的 CSRF 令牌，请刷新页面后重试',
        en: 'Missing or wrong X-CSRF-Token header',
      });
    }
  }
  sessionOf.set(request, session);
  request.actor = session.actor;
}
