import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { MfaState } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import type { App } from '../http/types.ts';
import { presentMe } from '../org/present.ts';
import { meView } from '../org/schema.ts';
import { isRegionPathInScope } from '../org/scope.ts';
import { findUserDetail } from '../org/users.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { requireActor, requireRole, requireScope } from './guard.ts';
import {
  accountLocked,
  clearFailures,
  lockedFor,
  recordFailure,
  retryAfterHeader,
  unlockUser,
} from './lockout.ts';
import {
  checkSecondFactor,
  checkTotp,
  mfaPolicy,
  mfaRequired,
  otpauthUri,
  recoveryCodesLeft,
  removeMfa,
  replaceRecoveryCodes,
  startEnrolment,
  totpSecretOf,
} from './mfa.ts';
import { sessionCsrfToken, sessionIdHash, sessionMfaState } from './register.ts';
import { createSession, deleteSession, deleteUserSessions, setSessionCookie } from './sessions.ts';

const tags = ['auth'];
const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];
/** A 6-digit TOTP code or a recovery code (xxxxx-xxxxx). */
const codeBody = z.object({ code: z.string().trim().min(6).max(32) });

/**
 * A wrong code is a 400 at the field, not a 401: the session is still there (a 401 tells the web
 * app that it ended).
 */
const wrongCode = () => {
  const issue = { field: 'body.code', message: 'wrong or expired code', messageZh: '动态验证码错误或已过期' };
  return new DomainError(
    'VALIDATION_FAILED',
    { zh: issue.messageZh, en: 'Wrong or expired code' },
    { field: issue.field, details: { errors: [issue] } },
  );
};

const userNotFound = () => notFound('USER_NOT_FOUND', { zh: '用户', en: 'user' });

/** The signed-in browser session's caller (the two-factor steps are not for API tokens). */
function sessionCaller(request: FastifyRequest): { actor: Actor; state: MfaState; idHash: string } {
  const actor = requireActor(request);
  const state = sessionMfaState(request);
  const idHash = sessionIdHash(request);
  if (state === undefined || idHash === undefined) {
    throw new DomainError('FORBIDDEN', {
      zh: '双因素认证只能在浏览器会话中设置',
      en: 'Two-factor settings need a browser session',
    });
  }
  return { actor, state, idHash };
}

function stepRefused(zh: string, en: string) {
  return new DomainError('CONFLICT', { zh, en });
}

function admin(request: FastifyRequest): Actor {
  const actor = requireActor(request);
  requireScope(actor, 'org:write');
  requireRole(actor, 'admin');
  return actor;
}

/**
 * 双因素认证 routes: the second sign-in step, enrolment (QR code and secret, confirmed by a code,
 * then 10 one-time recovery codes), turning it off and new recovery codes (with a current code),
 * and the admin's reset and unlock. Every wrong code counts toward the sign-in lock (lockout.ts).
 */
export function registerMfaRoutes(app: App, ctx: AppContext): void {
  /** Ends the caller's session and starts a signed-in one (a fresh id after every step up). */
  async function rotate(reply: FastifyReply, userId: string, oldIdHash: string) {
    const now = ctx.now();
    await deleteSession(ctx.db, oldIdHash);
    const session = await createSession(ctx.db, userId, now, 'full');
    setSessionCookie(reply, session, ctx.secureCookies);
    return session;
  }

  /** A wrong code: counted; at the lock the half-signed-in session ends too. */
  async function failedCode(actor: Actor, idHash: string, state: MfaState): Promise<never> {
    const locked = await recordFailure(ctx.db, actor.username, ctx.now());
    if (locked !== undefined) {
      if (state !== 'full') await deleteSession(ctx.db, idHash);
      throw accountLocked(locked);
    }
    throw wrongCode();
  }

  async function refuseIfLocked(actor: Actor, idHash: string, state: MfaState) {
    const locked = await lockedFor(ctx.db, actor.username, ctx.now());
    if (locked === undefined) return;
    if (state !== 'full') await deleteSession(ctx.db, idHash);
    throw accountLocked(locked);
  }

  async function me(userId: string) {
    const detail = await findUserDetail(ctx.db, userId);
    if (!detail) throw userNotFound();
    return presentMe(detail);
  }

  app.get(
    '/api/v1/auth/mfa/policy',
    {
      schema: {
        tags,
        summary: '双因素认证策略 / whether TOTP is enforced, and for which roles (no login)',
        security: [],
        response: { 200: z.object({ enforced: z.boolean(), roles: z.array(z.string()) }) },
      },
    },
    async () => mfaPolicy(ctx.db),
  );

  app.get(
    '/api/v1/auth/mfa',
    {
      schema: {
        tags,
        summary: '我的双因素认证 / the session’s step and the caller’s TOTP status',
        security,
        response: {
          200: z.object({
            state: z.enum(['full', 'mfa_pending', 'mfa_enroll']),
            enrolled: z.boolean(),
            required: z.boolean(),
            recoveryCodesLeft: z.number().int(),
            username: z.string(),
            csrfToken: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const { actor, state } = sessionCaller(request);
      const enrolled = (await totpSecretOf(ctx.db, actor.userId)) !== undefined;
      return {
        state,
        enrolled,
        required: mfaRequired(actor.roles, await mfaPolicy(ctx.db)),
        recoveryCodesLeft: enrolled ? await recoveryCodesLeft(ctx.db, actor.userId) : 0,
        username: actor.username,
        csrfToken: sessionCsrfToken(request) ?? '',
      };
    },
  );

  app.post(
    '/api/v1/auth/mfa/verify',
    {
      onError: retryAfterHeader,
      schema: {
        tags,
        summary: '输入动态验证码 / the second sign-in step: a TOTP code or a one-time recovery code',
        security,
        body: codeBody,
        response: { 200: z.object({ user: meView, csrfToken: z.string() }) },
      },
    },
    async (request, reply) => {
      const { actor, state, idHash } = sessionCaller(request);
      if (state !== 'mfa_pending') {
        throw stepRefused('当前会话无需输入动态验证码', 'This session has no code to give');
      }
      await refuseIfLocked(actor, idHash, state);
      const ok = await checkSecondFactor(ctx.db, actor.userId, request.body.code, ctx.now(), {
        recovery: true,
      });
      if (!ok) return failedCode(actor, idHash, state);
      await clearFailures(ctx.db, actor.username);
      const session = await rotate(reply, actor.userId, idHash);
      return { user: await me(actor.userId), csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/mfa/enroll',
    {
      schema: {
        tags,
        summary: '绑定身份验证器 / start TOTP enrolment: the otpauth URI, its QR code and the secret',
        security,
        response: {
          200: z.object({ secret: z.string(), otpauthUri: z.string(), qrDataUrl: z.string() }),
        },
      },
    },
    async (request, reply) => {
      const { actor, state } = sessionCaller(request);
      if (state === 'mfa_pending') throw stepRefused('请先输入动态验证码', 'Give the code first');
      if (await totpSecretOf(ctx.db, actor.userId)) {
        throw stepRefused('已启用双因素认证；如需更换请先关闭', 'TOTP is already on: turn it off first');
      }
      const secret = await startEnrolment(ctx.db, actor.userId, ctx.now());
      const uri = otpauthUri(secret, actor.username);
      reply.header('cache-control', 'no-store');
      const { default: QRCode } = await import('qrcode'); // loaded on the first enrolment, not at start
      return { secret, otpauthUri: uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
    },
  );

  app.post(
    '/api/v1/auth/mfa/enroll/confirm',
    {
      onError: retryAfterHeader,
      schema: {
        tags,
        summary: '确认绑定 / confirm enrolment with a code: TOTP is on; the 10 recovery codes are shown once',
        security,
        body: codeBody,
        response: {
          200: z.object({ user: meView, csrfToken: z.string(), recoveryCodes: z.array(z.string()) }),
        },
      },
    },
    async (request, reply) => {
      const { actor, state, idHash } = sessionCaller(request);
      if (state === 'mfa_pending') throw stepRefused('请先输入动态验证码', 'Give the code first');
      await refuseIfLocked(actor, idHash, state);
      const row = await ctx.db
        .selectFrom('user_mfa')
        .select(['secret', 'pending_secret'])
        .where('user_id', '=', actor.userId)
        .executeTakeFirst();
      if (row?.secret) throw stepRefused('已启用双因素认证', 'TOTP is already on');
      if (!row?.pending_secret) {
        throw stepRefused('请先获取绑定二维码', 'Start the enrolment first (POST /auth/mfa/enroll)');
      }
      if (!checkTotp(row.pending_secret, request.body.code, ctx.now()))
        return failedCode(actor, idHash, state);
      const pending = row.pending_secret;
      const recoveryCodes = await ctx.db.transaction().execute(async (tx) => {
        await tx
          .updateTable('user_mfa')
          .set({ secret: pending, pending_secret: null, enabled_at: ctx.now(), updated_at: ctx.now() })
          .where('user_id', '=', actor.userId)
          .execute();
        return replaceRecoveryCodes(tx, actor.userId);
      });
      await clearFailures(ctx.db, actor.username);
      const session = await rotate(reply, actor.userId, idHash);
      reply.header('cache-control', 'no-store');
      return { user: await me(actor.userId), csrfToken: session.csrfToken, recoveryCodes };
    },
  );

  app.post(
    '/api/v1/auth/mfa/disable',
    {
      onError: retryAfterHeader,
      schema: {
        tags,
        summary: '关闭双因素认证 / turn TOTP off (a current code; not when the role requires it)',
        security,
        body: codeBody,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const { actor, state, idHash } = sessionCaller(request);
      if (state !== 'full') throw stepRefused('请先完成登录', 'Finish signing in first');
      if (mfaRequired(actor.roles, await mfaPolicy(ctx.db))) {
        throw stepRefused('你的角色要求双因素认证，不能关闭', 'Your role requires two-factor authentication');
      }
      await refuseIfLocked(actor, idHash, state);
      const ok = await checkSecondFactor(ctx.db, actor.userId, request.body.code, ctx.now(), {
        recovery: false,
      });
      if (!ok) return failedCode(actor, idHash, state);
      await removeMfa(ctx.db, actor.userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/mfa/recovery-codes',
    {
      onError: retryAfterHeader,
      schema: {
        tags,
        summary: '重新生成恢复码 / 10 new recovery codes (a current code; the old ones stop working)',
        security,
        body: codeBody,
        response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
      },
    },
    async (request, reply) => {
      const { actor, state, idHash } = sessionCaller(request);
      if (state !== 'full') throw stepRefused('请先完成登录', 'Finish signing in first');
      await refuseIfLocked(actor, idHash, state);
      const ok = await checkSecondFactor(ctx.db, actor.userId, request.body.code, ctx.now(), {
        recovery: false,
      });
      if (!ok) return failedCode(actor, idHash, state);
      const recoveryCodes = await ctx.db
        .transaction()
        .execute((tx) => replaceRecoveryCodes(tx, actor.userId));
      reply.header('cache-control', 'no-store');
      return { recoveryCodes };
    },
  );

  app.post(
    '/api/v1/org/users/:id/mfa-reset',
    {
      schema: {
        tags: ['org'],
        summary: '重置双因素认证 / remove a user’s TOTP and recovery codes (admin; the user’s sessions end)',
        security,
        params: z.object({ id: z.string() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const actor = admin(request);
      const target = await findUserDetail(ctx.db, request.params.id);
      if (!target || !isRegionPathInScope(actor, target.regionPath)) throw userNotFound();
      await ctx.db.transaction().execute(async (tx) => {
        await removeMfa(tx, target.id);
        await deleteUserSessions(tx, target.id);
        await appendEvents(tx, [{ type: 'user.updated', userId: target.id, changes: { mfa: 'reset' } }], {
          actorId: actor.userId,
          at: ctx.now(),
        });
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/org/users/:id/unlock',
    {
      schema: {
        tags: ['org'],
        summary: '解除登录锁定 / clear a user’s failed sign-ins and lock (admin)',
        security,
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ wasLocked: z.boolean() }) },
      },
    },
    async (request) => {
      const actor = admin(request);
      const target = await findUserDetail(ctx.db, request.params.id);
      if (!target || !isRegionPathInScope(actor, target.regionPath)) throw userNotFound();
      return unlockUser(ctx.db, target, { actorId: actor.userId, at: ctx.now() });
    },
  );
}
