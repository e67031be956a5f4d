/**
 * 日历订阅 routes: a user issues (or rotates) and revokes their own secret feed URL; calendar
 * clients fetch `GET /api/v1/calendar-feed/{token}.ics` with no session — the secret in the URL is
 * the credential (auth/register.ts PUBLIC_ROUTES). A malformed, unknown or revoked secret answers
 * exactly as an unknown route does, so the answer tells nothing about which secrets ever existed.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireActor } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { readEnv } from '../env.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { feedEntries } from './entries.ts';
import { renderFeed } from './render.ts';
import { feedStatus, issueFeedToken, resolveFeedToken, revokeFeed } from './store.ts';

const tags = ['calendar-feed'];
const security: { [scheme: string]: string[] }[] = [{ session: [] }];
export const FEED_ROUTE = '/api/v1/calendar-feed/:token.ics';
const ME_ROUTE = '/api/v1/users/me/calendar-feed';
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export type CalendarFeedRouteOptions = {
  /** The public origin for feed and item links; defaults to DUBAN_PUBLIC_URL, else the request's. */
  publicUrl?: string | undefined;
};

const feedStatusView = z.object({ createdAt: z.string(), lastUsedAt: z.string().nullable() }).nullable();

/** The answer of an unknown route (app.ts), word for word. */
function feedNotFound() {
  return new DomainError('NOT_FOUND', { zh: '资源不存在', en: 'Not found' });
}

/**
 * Feed URLs are managed from a browser session only: an API token must not mint a credential
 * that outlives it.
 */
function requireSession(request: FastifyRequest): Actor {
  const actor = requireActor(request);
  if (actor.via !== 'session') {
    throw new DomainError('FORBIDDEN', {
      zh: '日历订阅地址只能在登录后的网页中管理，不能使用访问令牌',
      en: 'Calendar feed URLs are managed from a signed-in session, not with an API token',
    });
  }
  return actor;
}

export function registerCalendarFeedRoutes(app: App, ctx: AppContext, opts: CalendarFeedRouteOptions = {}) {
  let configured: { url: string | undefined } | undefined;
  /** Where links point: the configured public origin, else the host the request came to. */
  const originOf = (request: FastifyRequest): string | undefined => {
    configured ??= { url: 'publicUrl' in opts ? opts.publicUrl : readEnv().DUBAN_PUBLIC_URL };
    const publicUrl = configured.url?.replace(/\/+$/, '');
    if (publicUrl !== undefined) return publicUrl;
    if (!HOST.test(request.host)) return undefined;
    return `${ctx.secureCookies ? 'https' : request.protocol}://${request.host}`;
  };

  app.get(
    ME_ROUTE,
    {
      schema: {
        tags,
        summary: '我的日历订阅 / whether the caller has a calendar feed (never its URL)',
        security,
        response: { 200: z.object({ feed: feedStatusView }) },
      },
    },
    async (request) => {
      const actor = requireSession(request);
      return { feed: await feedStatus(ctx.db, actor.userId) };
    },
  );

  app.post(
    ME_ROUTE,
    {
      schema: {
        tags,
        summary: '生成日历订阅地址 / issue or rotate the caller’s secret iCalendar feed URL (shown once)',
        description:
          'Creates the feed, or replaces its secret: the previous URL stops working at once. ' +
          'The URL is the credential and is not stored, so this route takes no Idempotency-Key; ' +
          'a retry simply issues another URL.',
        security,
        response: {
          200: z.object({ url: z.string() }).describe('rotated'),
          201: z.object({ url: z.string() }).describe('created'),
        },
      },
    },
    async (request, reply) => {
      const actor = requireSession(request);
      // runCommand would keep the answer — the secret URL — in idempotency_keys for replay.
      if (request.headers['idempotency-key'] !== undefined) {
        throw new DomainError(
          'VALIDATION_FAILED',
          {
            zh: '生成日历订阅地址不支持 Idempotency-Key：地址即密钥，不予保存；重试将生成新地址',
            en: 'This route takes no Idempotency-Key: the URL is a secret and is not stored; a retry issues a new one',
          },
          { field: 'header.idempotency-key' },
        );
      }
      const origin = originOf(request);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const { token, rotated } = await issueFeedToken(tx, actor, ctx.now());
        const path = `/api/v1/calendar-feed/${token}.ics`;
        return {
          status: rotated ? 200 : 201,
          body: { url: `${origin ?? ''}${path}` },
          headers: { 'cache-control': 'no-store' },
        };
      });
    },
  );

  app.delete(
    ME_ROUTE,
    {
      schema: {
        tags,
        summary: '停用日历订阅 / revoke the caller’s calendar feed (its URL answers 404)',
        security,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const actor = requireSession(request);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        await revokeFeed(tx, actor, ctx.now());
        return { status: 204, body: null };
      });
    },
  );

  app.get(
    FEED_ROUTE,
    {
      // The URL holds the secret: keep it out of the info-level request log.
      logLevel: 'warn',
      schema: {
        tags,
        summary: '日历订阅（iCalendar）/ the feed: deadlines and milestones as text/calendar (RFC 5545)',
        description:
          'No session: the secret in the path is the credential. Unknown or revoked secrets answer 404.',
        params: z.object({ token: z.string() }),
      },
    },
    async (request, reply) => {
      const now = ctx.now();
      const actor = await resolveFeedToken(ctx.db, request.params.token, now);
      if (!actor) throw feedNotFound();
      const content = await feedEntries(ctx.db, actor, shanghaiDate(now));
      const body = renderFeed(content, { ownerName: actor.displayName, origin: originOf(request) });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'inline; filename="duban.ics"')
        .header('cache-control', 'private, no-store')
        .header('referrer-policy', 'no-referrer')
        .header('x-robots-tag', 'noindex')
        .send(body);
    },
  );
}
