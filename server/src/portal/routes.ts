import { ITEM_STATUSES, LIGHTS } from '@duban/schema';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { clientKey, createRateLimiter, type RateLimiter } from '../http/rate-limit.ts';
import type { App } from '../http/types.ts';
import { DomainError } from '../shared/errors.ts';
import { OPEN_DATA_LICENCE, toCsv, toJson } from './open-data.ts';
import {
  allPublicItems,
  getPublicItem,
  listPublicCategories,
  listPublicItems,
  listPublicRegions,
  PUBLIC_STATUSES,
} from './queries.ts';

const tags = ['public'];

/** An empty query value (a plain form's `?q=`) means no filter. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const PublicItemsQuery = z
  .object({
    q: optional(z.string().trim().max(100)),
    regionCode: optional(z.string().regex(/^\d{6,12}$/)),
    categoryCode: optional(z.string().max(64)),
    status: optional(z.enum(ITEM_STATUSES).refine((s) => PUBLIC_STATUSES.includes(s))),
    light: optional(z.enum(LIGHTS)),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const PublicItemParams = z.object({ id: z.uuid() }).strict();

export type PortalLimits = {
  /** Reads (lists, an item, the filters) per client address and minute. */
  readsPerMinute: number;
  /** Open-data downloads per client address and minute. */
  downloadsPerMinute: number;
};

const DEFAULT_LIMITS: PortalLimits = { readsPerMinute: 300, downloadsPerMinute: 20 };

function limited(limiter: RateLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      limiter.hit(clientKey(request));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'RATE_LIMITED')
        reply.header('retry-after', String(err.details?.retryAfter ?? 60));
      throw err;
    }
  };
}

/**
 * 公众门户 read API (no login): public items with search and filters, an item with its public
 * timeline, the filter lists and the open-data downloads. Only public data (queries.ts); a
 * non-public id is a 404 like an unknown one. Rate-limited lightly per client address.
 */
export function registerPortalRoutes(app: App, ctx: AppContext, limits: Partial<PortalLimits> = {}) {
  const { readsPerMinute, downloadsPerMinute } = { ...DEFAULT_LIMITS, ...limits };
  const reads = limited(createRateLimiter({ limit: readsPerMinute, windowMs: 60_000 }));
  const downloads = limited(createRateLimiter({ limit: downloadsPerMinute, windowMs: 60_000 }));

  app.get(
    '/api/v1/public/items',
    {
      preHandler: reads,
      schema: { tags, summary: '公开事项 / public items: search and filters', querystring: PublicItemsQuery },
    },
    async (request) => listPublicItems(ctx.db, request.query, ctx.now()),
  );

  app.get(
    '/api/v1/public/items.csv',
    { preHandler: downloads, schema: { tags, summary: '开放数据 CSV / open data (UTF-8 with BOM)' } },
    async (_request, reply) => {
      const now = ctx.now();
      const csv = toCsv(await allPublicItems(ctx.db, now));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="duban-public-items.csv"`)
        .header('x-licence', `${OPEN_DATA_LICENCE.name} ${OPEN_DATA_LICENCE.url}`)
        .header('x-generated-at', now.toISOString())
        .send(csv);
    },
  );

  app.get(
    '/api/v1/public/items.json',
    { preHandler: downloads, schema: { tags, summary: '开放数据 JSON / open data with licence' } },
    async (_request, reply) => {
      const now = ctx.now();
      const body = toJson(await allPublicItems(ctx.db, now), now);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="duban-public-items.json"`)
        .send(body);
    },
  );

  app.get(
    '/api/v1/public/items/:id',
    {
      preHandler: reads,
      schema: {
        tags,
        summary: '公开事项详情与时间线 / a public item and its timeline',
        params: PublicItemParams,
      },
    },
    async (request) => getPublicItem(ctx.db, request.params.id, ctx.now()),
  );

  app.get(
    '/api/v1/public/regions',
    { preHandler: reads, schema: { tags, summary: '筛选用行政区划 / regions holding public items' } },
    async () => listPublicRegions(ctx.db),
  );

  app.get(
    '/api/v1/public/categories',
    { preHandler: reads, schema: { tags, summary: '筛选用分类 / item categories' } },
    async () => listPublicCategories(ctx.db),
  );
}
