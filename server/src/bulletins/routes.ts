import { BulletinIdParams, FourListsQuery, ListBulletinsQuery, NewBulletinBody } from '@duban/schema';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { readFileStream } from '../files/store.ts';
import { runCommand } from '../http/command.ts';
import { problemOf } from '../http/problem.ts';
import type { App } from '../http/types.ts';
import { assertMayRead } from './data.ts';
import { MissingFontError } from './fonts.ts';
import {
  getBulletin,
  listBulletins,
  MEDIA_TYPES,
  recordBulletin,
  renderBulletin,
  storeRendered,
} from './service.ts';

const tags = ['bulletins'];

/** `attachment` with an ASCII fallback name and the Chinese name (RFC 6266 / 8187). */
export function contentDisposition(fileName: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** No CJK font: 503 problem naming it (not a 409: the request is fine, the server lacks the font). */
function sendMissingFont(err: MissingFontError, request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(503)
    .type('application/problem+json; charset=utf-8')
    .send({
      ...problemOf(err, request.url),
      type: 'https://duban.dev/problems/font-missing',
      title: 'FONT_MISSING',
      status: 503,
      code: 'FONT_MISSING',
    });
}

/** Whether the caller's Idempotency-Key (if any) already has a stored answer. */
async function answerStored(ctx: AppContext, request: FastifyRequest, userId: string): Promise<boolean> {
  const raw = request.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined) return false;
  const row = await ctx.db
    .selectFrom('idempotency_keys')
    .select('key')
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * 清单与通报: the archive of generated lists and bulletins (supervisors, leaders and auditors of the
 * region subtree; a bulletin elsewhere answers 404), generation on demand (supervisors), the
 * archived file's download, and the four lists as a live download.
 */
export function registerBulletinRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/bulletins',
    {
      schema: {
        tags,
        summary: '已生成的清单与通报 / archived lists and bulletins',
        querystring: ListBulletinsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      assertMayRead(actor);
      return listBulletins(ctx.db, actor, request.query);
    },
  );

  app.post(
    '/api/v1/bulletins',
    {
      schema: {
        tags,
        summary: '按需生成清单或通报并归档 / generate and archive a list or bulletin (supervisor)',
        body: NewBulletinBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      requireRole(actor, 'supervisor');
      // A retry whose answer is stored: runCommand replays it (or refuses a different request) without
      // calling back, so nothing is rendered again (stored answers are never deleted).
      if (await answerStored(ctx, request, actor.userId))
        return runCommand(ctx, request, reply, actor, async () => {
          throw new Error('unreachable: the stored answer of this Idempotency-Key is gone');
        });
      let rendered: Awaited<ReturnType<typeof renderBulletin>>;
      try {
        rendered = await renderBulletin(ctx.db, actor, request.body, ctx.now());
      } catch (err) {
        if (err instanceof MissingFontError) return sendMissingFont(err, request, reply);
        throw err;
      }
      const file = await storeRendered(ctx, rendered, actor.userId);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const id = await recordBulletin(
          tx,
          rendered,
          file,
          { userId: actor.userId, trigger: 'api' },
          ctx.now(),
        );
        if (id === null) throw new Error('unreachable: no claim key');
        return { status: 201, body: { bulletin: await getBulletin(tx, actor, id) } };
      });
    },
  );

  app.get(
    '/api/v1/bulletins/:id/file',
    {
      schema: {
        tags,
        summary: '下载已归档的清单或通报 / download an archived list or bulletin',
        params: BulletinIdParams,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      assertMayRead(actor);
      const bulletin = await getBulletin(ctx.db, actor, request.params.id);
      const file = await readFileStream(ctx, bulletin.sha256);
      return reply
        .header('Content-Type', MEDIA_TYPES[bulletin.format])
        .header('Content-Length', file.sizeBytes)
        .header(
          'Content-Disposition',
          contentDisposition(
            bulletin.fileName,
            `duban-${bulletin.kind}-${bulletin.period}.${bulletin.format}`,
          ),
        )
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-store')
        .send(file.stream);
    },
  );

  app.get(
    '/api/v1/reports/four-lists.xlsx',
    {
      schema: {
        tags,
        summary: '下载四张清单（任务、责任、时限、结果）/ the four lists as an Excel workbook',
        querystring: FourListsQuery,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      assertMayRead(actor);
      const r = await renderBulletin(
        ctx.db,
        actor,
        { kind: 'four_lists', format: 'xlsx', regionCode: request.query.regionCode },
        ctx.now(),
        'querystring',
      );
      return reply
        .header('Content-Type', r.mediaType)
        .header('Content-Disposition', contentDisposition(r.fileName, `duban-four-lists-${r.period}.xlsx`))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-store')
        .send(r.bytes);
    },
  );
}
