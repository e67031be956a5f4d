import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { clientKey, createRateLimiter } from '../http/rate-limit.ts';
import type { App } from '../http/types.ts';
import { DomainError } from '../shared/errors.ts';
import { OIDC_CALLBACK_PATH, type OidcConfig } from './oidc-config.ts';
import {
  OIDC_LOGIN_TTL_MS,
  redeemOidcCallback,
  SsoError,
  safeReturnTo,
  startOidcLogin,
  takeOidcLogin,
} from './oidc-flow.ts';
import { signInWithOidc } from './oidc-signin.ts';
import { SESSION_COOKIE, setSessionCookie } from './sessions.ts';

/** Binds a login in flight to the browser that started it (the value's hash is in oidc_logins). */
export const OIDC_BROWSER_COOKIE = 'duban_oidc';
const OIDC_COOKIE_PATH = '/api/v1/auth/oidc';

function ssoDisabled() {
  return new DomainError('NOT_FOUND', {
    zh: '未启用统一身份认证登录',
    en: 'Single sign-on is not configured',
  });
}

/** Where a failed SSO login lands: the login page, which explains the code in Chinese. */
function failureLocation(code: string): string {
  return `/login?sso_error=${encodeURIComponent(code)}`;
}

/**
 * 统一身份认证 (OpenID Connect, authorization code + PKCE): the login page asks /config whether to
 * offer the button; /login sends the browser to the provider; the provider sends it back to
 * /callback, which signs in the linked or same-named Duban user. All three are public GETs.
 */
export function registerOidcRoutes(app: App, ctx: AppContext): void {
  const limiter = createRateLimiter({ limit: 30, windowMs: 60_000 });
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: OIDC_COOKIE_PATH,
    secure: ctx.secureCookies,
  };
  const requireOidc = (): OidcConfig => {
    if (ctx.oidc === undefined) throw ssoDisabled();
    return ctx.oidc;
  };
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof SsoError)) throw err;
    reply.log.warn({ err, ssoError: err.code }, 'SSO login refused');
    return reply.redirect(failureLocation(err.code), 302);
  };

  app.get(
    '/api/v1/auth/oidc/config',
    {
      schema: {
        tags: ['auth'],
        summary: '统一身份认证配置 / whether single sign-on is offered, and its button text (public)',
        response: { 200: z.object({ enabled: z.boolean(), label: z.string().nullable() }) },
      },
    },
    async () => ({ enabled: ctx.oidc !== undefined, label: ctx.oidc?.label ?? null }),
  );

  app.get(
    '/api/v1/auth/oidc/login',
    {
      schema: {
        tags: ['auth'],
        summary:
          '统一身份认证登录 / 302 to the OpenID provider (code + PKCE); returnTo: a same-origin path, else /',
        querystring: z.object({ returnTo: z.string().max(2000).optional() }),
      },
    },
    async (request, reply) => {
      const config = requireOidc();
      limiter.hit(clientKey(request));
      try {
        const started = await startOidcLogin(ctx.db, config, safeReturnTo(request.query.returnTo), ctx.now());
        reply.setCookie(OIDC_BROWSER_COOKIE, started.browserSecret, {
          ...cookieOptions,
          maxAge: OIDC_LOGIN_TTL_MS / 1000,
        });
        reply.header('cache-control', 'no-store');
        return reply.redirect(started.authorizationUrl, 302);
      } catch (err) {
        return refuse(reply, err);
      }
    },
  );

  app.get(
    OIDC_CALLBACK_PATH,
    {
      schema: {
        tags: ['auth'],
        summary:
          '统一身份认证回调 / the provider returns here: sets the duban_session cookie and 302 to returnTo, or 302 to /login?sso_error=…',
        querystring: z.object({
          code: z.string().max(4096).optional(),
          state: z.string().max(512).optional(),
          iss: z.string().max(2048).optional(),
          session_state: z.string().max(2048).optional(),
          error: z.string().max(256).optional(),
          error_description: z.string().max(2048).optional(),
        }),
      },
    },
    async (request, reply) => {
      const config = requireOidc();
      reply.header('cache-control', 'no-store');
      reply.clearCookie(OIDC_BROWSER_COOKIE, cookieOptions);
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.query)) if (v !== undefined) query[k] = v;
      try {
        const now = ctx.now();
        const pending = await takeOidcLogin(ctx.db, query.state, request.cookies[OIDC_BROWSER_COOKIE], now);
        const identity = await redeemOidcCallback(config, query, query.state ?? '', pending);
        const session = await signInWithOidc(ctx.db, identity, request.cookies[SESSION_COOKIE], ctx.now());
        // The same cookie as password login (auth/routes.ts).
        setSessionCookie(reply, session, ctx.secureCookies);
        // Still a TOTP code to give (or enrol): the login page takes the sign-in up from there.
        if (session.mfaState !== 'full')
          return reply.redirect(`/login?next=${encodeURIComponent(pending.returnTo)}`, 302);
        return reply.redirect(pending.returnTo, 302);
      } catch (err) {
        return refuse(reply, err);
      }
    },
  );
}
