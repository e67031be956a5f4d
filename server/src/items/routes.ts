import { ACTION_BODIES, CreateItemBody, ItemIdParams, ListItemsQuery, UpdateItemBody } from '@duban/schema';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { expectedVersion, runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { DomainError } from '../shared/errors.ts';
import { registerCategoryRoutes } from './category-routes.ts';
import { createItem } from './create-item.ts';
import { ACTION_NAMES_ZH, ITEM_ACTIONS } from './model.ts';
import { performAction } from './perform-action.ts';
import { assertMayRegisterItems } from './policy.ts';
import { getItemDetail, listItemEvents, listItemReports, listItems } from './queries.ts';
import { auditSensitiveRead } from './sensitive-reads.ts';
import { updateItem } from './update-item.ts';

const tags = ['items'];

/** 督办事项 routes: list, create, read, update, the lifecycle actions, events and reports. */
export function registerItemRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/items',
    {
      schema: {
        tags,
        summary: '督办事项列表 / list items in the caller’s data scope',
        querystring: ListItemsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return listItems(ctx.db, actor, request.query, ctx.now());
    },
  );

  app.post(
    '/api/v1/items',
    { schema: { tags, summary: '立项 / register an item (supervisors)', body: CreateItemBody } },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      assertMayRegisterItems(actor);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const now = ctx.now();
        // The answer is read in the transaction before the events are appended: the ledger's
        // counter, which every writer queues on, is then held only for the append and the commit.
        let detail: Awaited<ReturnType<typeof getItemDetail>> | undefined;
        const created = await createItem(tx, request.body, {
          assigningUnitId: actor.unitId,
          actorId: actor.userId,
          now,
          duplicateCheckFor: actor,
          beforeEvents: async (c) => {
            detail = await getItemDetail(tx, actor, c.id, now);
          },
        });
        const item = detail as Awaited<ReturnType<typeof getItemDetail>>;
        return {
          status: 201,
          body: { item },
          headers: { location: `/api/v1/items/${created.id}`, etag: `"${item.version}"` },
        };
      });
    },
  );

  app.get(
    '/api/v1/items/:id',
    {
      schema: {
        tags,
        summary: '事项详情 / one item with the caller’s allowed actions',
        params: ItemIdParams,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const now = ctx.now();
      const item = await getItemDetail(ctx.db, actor, request.params.id, now);
      await auditSensitiveRead(ctx.db, actor, item, 'detail', now);
      reply.header('etag', `"${item.version}"`);
      return { item };
    },
  );

  app.patch(
    '/api/v1/items/:id',
    {
      schema: {
        tags,
        summary: '修改草稿或已立项事项 / edit a draft or registered item (If-Match required)',
        params: ItemIdParams,
        body: UpdateItemBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      const version = expectedVersion(request);
      if (version === undefined)
        throw new DomainError(
          'PRECONDITION_FAILED',
          { zh: '修改事项须携带 If-Match 版本号', en: 'If-Match is required' },
          { field: 'header.if-match' },
        );
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const now = ctx.now();
        await updateItem(tx, actor, request.params.id, request.body, version, now);
        const item = await getItemDetail(tx, actor, request.params.id, now);
        return { status: 200, body: { item }, headers: { etag: `"${item.version}"` } };
      });
    },
  );

  for (const action of ITEM_ACTIONS) {
    app.post(
      `/api/v1/items/:id/actions/${action}`,
      {
        schema: {
          tags,
          summary: `${ACTION_NAMES_ZH[action]} / ${action}`,
          params: ItemIdParams,
          body: ACTION_BODIES[action],
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:write');
        const version = expectedVersion(request);
        return runCommand(ctx, request, reply, actor, async (tx) => {
          const now = ctx.now();
          const done = await performAction(tx, actor, {
            itemId: request.params.id,
            action,
            body: request.body ?? {},
            expectedVersion: version,
            now,
            checkDuplicates: true,
          });
          // 单位负责人审批: held for the unit head (202), the item unchanged.
          if (done.held) return { status: 202, body: { submission: done.held } };
          const item = await getItemDetail(tx, actor, request.params.id, now);
          return { status: 200, body: { item }, headers: { etag: `"${item.version}"` } };
        });
      },
    );
  }

  app.get(
    '/api/v1/items/:id/events',
    { schema: { tags, summary: '事项全程留痕 / the item’s events in order', params: ItemIdParams } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return listItemEvents(ctx.db, actor, request.params.id);
    },
  );

  app.get(
    '/api/v1/items/:id/reports',
    {
      schema: {
        tags,
        summary: '进展反馈与批示 / progress reports, instructions and comments',
        params: ItemIdParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return listItemReports(ctx.db, actor, request.params.id);
    },
  );

  // 督办分类: GET (taxonomy), and POST/PATCH for a province-level admin.
  registerCategoryRoutes(app, ctx);
}
