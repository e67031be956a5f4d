import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { clientKey, createRateLimiter } from '../http/rate-limit.ts';
import type { App } from '../http/types.ts';
import { verifyDummyPassword, verifyPassword } from '../org/password.ts';
import { presentMe } from '../org/present.ts';
import { meView } from '../org/schema.ts';
import { findUserDetail } from '../org/users.ts';
import { TOKEN_SCOPES } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { sha256Hex } from './crypto.ts';
import { requireActor } from './guard.ts';
import {
  accountLocked,
  clearFailures,
  LOGIN_ATTEMPTS_PER_MINUTE,
  lockedFor,
  recordFailure,
  retryAfterHeader,
} from './lockout.ts';
import { stateAfterPassword } from './mfa.ts';
import { registerMfaRoutes } from './mfa-routes.ts';
import { sessionIdHash } from './register.ts';
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  SESSION_COOKIE,
  setSessionCookie,
} from './sessions.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.ts';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];

const apiTokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

function invalidCredentials() {
  return new DomainError('INVALID_CREDENTIALS', {
    zh: '用户名或密码错误',
    en: 'Wrong username or password',
  });
}

export function registerAuthRoutes(app: App, ctx: AppContext): void {
  // Per client address, in this process (real time: a test clock must not freeze the window).
  const attempts = createRateLimiter({ limit: LOGIN_ATTEMPTS_PER_MINUTE, windowMs: 60_000 });
  registerMfaRoutes(app, ctx);
  app.post(
    '/api/v1/auth/login',
    {
      onError: retryAfterHeader,
      schema: {
        tags: ['auth'],
        summary:
          '登录 / sign in with username and password (sets the duban_session cookie; `mfa` when a TOTP step follows)',
        body: z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }),
        response: {
          200: z.union([
            z.object({ user: meView, csrfToken: z.string() }),
            // 双因素认证: the session may only take the step (POST /auth/mfa/verify or /auth/mfa/enroll).
            z.object({ mfa: z.enum(['required', 'enroll']), csrfToken: z.string() }),
          ]),
        },
      },
    },
    async (request, reply) => {
      attempts.hit(clientKey(request));
      const { username, password } = request.body;
      const now = ctx.now();
      const user = await ctx.db
        .selectFrom('users')
        .select(['id', 'password_hash', 'active'])
        .where('username', '=', username.toLowerCase())
        .executeTakeFirst();
      // Unknown users cost one argon2 verification too, so timing does not reveal who exists.
      const ok = user
        ? await verifyPassword(user.password_hash, password)
        : await verifyDummyPassword(password);
      // A locked name answers the same whether the password was right or not.
      const locked = await lockedFor(ctx.db, username, now);
      if (locked !== undefined) throw accountLocked(locked);
      if (!user || !ok || !user.active) {
        const lockedNow = await recordFailure(ctx.db, username, now);
        throw lockedNow === undefined ? invalidCredentials() : accountLocked(lockedNow);
      }
      const detail = await findUserDetail(ctx.db, user.id);
      if (!detail) throw invalidCredentials();
      const mfaState = await stateAfterPassword(ctx.db, user.id, detail.roles);
      // With a second factor to give, the count goes on until the code is right too.
      if (mfaState === 'full') await clearFailures(ctx.db, username);
      // Rotation: the session the browser came with (if any) ends; a fresh id is issued.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await deleteSession(ctx.db, sha256Hex(previous));
      await deleteExpiredSessions(ctx.db, user.id, now);
      const session = await createSession(ctx.db, user.id, now, mfaState);
      setSessionCookie(reply, session, ctx.secureCookies);
      if (mfaState !== 'full') {
        return {
          mfa: mfaState === 'mfa_pending' ? 'required' : 'enroll',
          csrfToken: session.csrfToken,
        } as const;
      }
      return { user: presentMe(detail), csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: '退出登录 / end the session and clear its cookie',
        security,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const idHash = sessionIdHash(request);
      if (idHash) await deleteSession(ctx.db, idHash);
      reply.clearCookie(SESSION_COOKIE, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secureCookies,
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: '我的访问令牌 / the caller’s own API tokens (no secrets)',
        security,
        response: { 200: z.object({ tokens: z.array(apiTokenView) }) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return { tokens: await listApiTokens(ctx.db, actor.userId) };
    },
  );

  app.post(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: '创建访问令牌 / issue an API token (the plaintext is shown once)',
        security,
        body: z.object({
          name: z.string().trim().min(1).max(100),
          scopes: z.array(z.enum(TOKEN_SCOPES)).min(1),
          expiresAt: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 201: z.object({ token: z.string(), apiToken: apiTokenView }) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { name, scopes, expiresAt } = request.body;
      const created = await createApiToken(
        ctx.db,
        actor,
        { name, scopes, expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt) },
        ctx.now(),
      );
      return reply.code(201).send({ token: created.token, apiToken: created.view });
    },
  );

  app.delete(
    '/api/v1/auth/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: '吊销访问令牌 / revoke one of the caller’s tokens',
        security,
        params: z.object({ id: z.string() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await revokeApiToken(ctx.db, actor, request.params.id, ctx.now());
      return reply.code(204).send(null);
    },
  );
}
