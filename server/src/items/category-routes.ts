import { CategoryPatchBody, NewCategoryBody } from '@duban/schema';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { assertMayEditCategoryRules } from '../escalation/category-rules.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { createCategory, listCategoryViews, updateCategory } from './categories.ts';

const tags = ['items'];
const CategoryParams = z.object({ code: z.string().min(1).max(64) }).strict();

/**
 * 督办分类: everyone signed in reads the taxonomy (with each category's indicator templates and a
 * summary of its rules); categories are shared by every region of the instance, so only a
 * province-level admin adds or changes them (as their rules).
 */
export function registerCategoryRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/categories',
    { schema: { tags, summary: '督办分类 / the category taxonomy, indicator templates and rules summary' } },
    async (request) => {
      requireScope(requireActor(request), 'items:read');
      return { categories: await listCategoryViews(ctx.db) };
    },
  );

  app.post(
    '/api/v1/categories',
    {
      schema: {
        tags,
        summary: '新建督办分类 / add a category (province-level admin)',
        body: NewCategoryBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      assertMayEditCategoryRules(actor);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 201,
        body: { category: await createCategory(tx, request.body, { actorId: actor.userId, at: ctx.now() }) },
      }));
    },
  );

  app.patch(
    '/api/v1/categories/:code',
    {
      schema: {
        tags,
        summary: '修改督办分类 / change a category’s name, default urgency or indicator templates',
        params: CategoryParams,
        body: CategoryPatchBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      assertMayEditCategoryRules(actor);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          category: await updateCategory(tx, request.params.code, request.body, {
            actorId: actor.userId,
            at: ctx.now(),
          }),
        },
      }));
    },
  );
}
