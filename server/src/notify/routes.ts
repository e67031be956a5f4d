/**
 * 通知 routes: one's own inbox (list, mark read), preferences, the live stream, and for admins the
 * dead-letter list. A user only ever reaches their own notifications: anyone else's answer 404.
 */
import { z } from 'zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/client.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { DomainError } from '../shared/errors.ts';
import { type NotifyConfig, processNotifyConfig } from './config.ts';
import { listDead, requeueDead } from './dead-letter.ts';
import { listInbox, markAllRead, markRead } from './inbox.ts';
import {
  type ChannelPreference,
  type Contacts,
  type PreferenceChange,
  updatePreferences,
  userPreferences,
} from './preferences.ts';
import { presentPreference } from './present.ts';
import {
  deadQuery,
  deadView,
  idParams,
  listQuery,
  listResponse,
  notificationView,
  preferencesBody,
  preferencesResponse,
  readAllBody,
  streamQuery,
} from './schema.ts';
import { createStreamHub, type StreamOptions } from './stream.ts';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];
const tags = ['notifications'];

export type NotificationRouteOptions = { stream?: StreamOptions; config?: NotifyConfig };

async function contactsOf(db: Queryable, userId: string): Promise<Contacts> {
  const row = await db
    .selectFrom('users')
    .select(['email', 'phone'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return { email: row?.email ?? null, phone: row?.phone ?? null };
}

function lastEventIdHeader(raw: string | string[] | undefined): number | undefined {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(v.trim())) {
    throw new DomainError(
      'VALIDATION_FAILED',
      { zh: 'Last-Event-ID 应为通知序号', en: 'Last-Event-ID must be a notification seq' },
      { field: 'header.last-event-id' },
    );
  }
  return Number(v.trim());
}

export function registerNotificationRoutes(
  app: App,
  ctx: AppContext,
  opts: NotificationRouteOptions = {},
): void {
  const hub = createStreamHub(ctx, opts.stream);
  // Read now, so a misconfigured channel stops the start rather than a later request.
  const config = opts.config ?? processNotifyConfig();
  const available = () => config.enabled;
  // Open streams would hold the server open: end them when it closes.
  app.addHook('preClose', async () => {
    await hub.close();
  });

  const presentAll = (prefs: ChannelPreference[], contacts: Contacts) => ({
    channels: prefs.map((p) => presentPreference(p, contacts, available())),
    contacts,
  });

  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags,
        summary: '我的通知 / the caller’s notifications, newest first',
        security,
        querystring: listQuery,
        response: { 200: listResponse },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return listInbox(ctx.db, actor.userId, request.query);
    },
  );

  app.post(
    '/api/v1/notifications/:id/read',
    {
      schema: {
        tags,
        summary: '标为已读 / mark one of the caller’s notifications read',
        security,
        params: idParams,
        response: { 200: z.object({ notification: notificationView }) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: { notification: await markRead(tx, actor.userId, request.params.id, ctx.now()) },
      }));
    },
  );

  app.post(
    '/api/v1/notifications/read-all',
    {
      schema: {
        tags,
        summary: '全部标为已读 / mark all the caller’s notifications read',
        security,
        body: readAllBody,
        response: { 200: z.object({ updated: z.number().int() }) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: { updated: await markAllRead(tx, actor.userId, ctx.now(), request.body.upToSeq) },
      }));
    },
  );

  app.get(
    '/api/v1/notifications/preferences',
    {
      schema: {
        tags,
        summary: '通知偏好 / the caller’s channels, quiet hours and digest',
        security,
        response: { 200: preferencesResponse },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return presentAll(await userPreferences(ctx.db, actor.userId), await contactsOf(ctx.db, actor.userId));
    },
  );

  app.put(
    '/api/v1/notifications/preferences',
    {
      schema: {
        tags,
        summary: '修改通知偏好 / change channels (only those listed; omitted fields stay)',
        security,
        body: preferencesBody,
        response: { 200: preferencesResponse },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      const changes: PreferenceChange[] = request.body.channels;
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const prefs = await updatePreferences(tx, actor.userId, changes, {
          actorId: actor.userId,
          at: ctx.now(),
        });
        return { status: 200, body: presentAll(prefs, await contactsOf(tx, actor.userId)) };
      });
    },
  );

  app.get(
    '/api/v1/notifications/stream',
    {
      schema: {
        tags,
        summary: '实时通知 / Server-Sent Events: notification, item.changed, ready, resync; ping every 25 s',
        security,
        querystring: streamQuery,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const last = lastEventIdHeader(request.headers['last-event-id']) ?? request.query.lastEventId;
      await hub.open(request, reply, actor, last);
      return reply;
    },
  );

  app.get(
    '/api/v1/admin/notifications/dead',
    {
      schema: {
        tags,
        summary: '死信列表 / deliveries that failed for good or ran out of retries (admin)',
        security,
        querystring: deadQuery,
        response: { 200: z.object({ deliveries: z.array(deadView), total: z.number().int() }) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:read');
      requireRole(actor, 'admin');
      return listDead(ctx.db, request.query);
    },
  );

  app.post(
    '/api/v1/admin/notifications/dead/:id/retry',
    {
      schema: {
        tags,
        summary: '重新投递 / put a dead-letter delivery back in the queue (admin)',
        security,
        params: idParams,
        response: { 200: z.object({ delivery: z.object({ id: z.uuid(), status: z.literal('pending') }) }) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      requireRole(actor, 'admin');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          delivery: await requeueDead(tx, request.params.id, { actorId: actor.userId, at: ctx.now() }),
        },
      }));
    },
  );
}
