import {
  CategoryRulesBody,
  ExemptionBody,
  ExemptionDecisionBody,
  ExemptionParams,
  ItemIdParams,
} from '@duban/schema';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { assertMayEditCategoryRules, getCategoryRules, setCategoryRules } from './category-rules.ts';
import { decideExemption, listExemptions, listNotices, requestExemption } from './exemptions.ts';

const tags = ['escalation'];

/** 督办单 of an item, and 容错免责 requests and decisions. Outside the data scope: 404. */
export function registerEscalationRoutes(app: App, ctx: AppContext) {
  registerCategoryRuleRoutes(app, ctx);

  app.get(
    '/api/v1/items/:id/notices',
    { schema: { tags, summary: '督办单与提醒 / reminders and escalation notices', params: ItemIdParams } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { notices: await listNotices(ctx.db, actor, request.params.id) };
    },
  );

  app.get(
    '/api/v1/items/:id/exemptions',
    { schema: { tags, summary: '容错免责申请 / exemption requests', params: ItemIdParams } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { exemptions: await listExemptions(ctx.db, actor, request.params.id) };
    },
  );

  app.post(
    '/api/v1/items/:id/exemptions',
    {
      schema: {
        tags,
        summary: '申请容错免责 / ask for an exemption (handling unit)',
        params: ItemIdParams,
        body: ExemptionBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const id = await requestExemption(tx, actor, request.params.id, request.body.reason, ctx.now());
        const exemption = (await listExemptions(tx, actor, request.params.id)).find((e) => e.id === id);
        return { status: 201, body: { exemption } };
      });
    },
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    app.post(
      `/api/v1/items/:id/exemptions/:exemptionId/${action}`,
      {
        schema: {
          tags,
          summary: approve ? '批准容错免责 / approve (supervisor)' : '驳回容错免责 / reject (supervisor)',
          params: ExemptionParams,
          body: ExemptionDecisionBody,
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:write');
        return runCommand(ctx, request, reply, actor, async (tx) => {
          await decideExemption(
            tx,
            actor,
            { itemId: request.params.id, exemptionId: request.params.exemptionId },
            { approve, comment: request.body.comment },
            ctx.now(),
          );
          const exemption = (await listExemptions(tx, actor, request.params.id)).find(
            (e) => e.id === request.params.exemptionId,
          );
          return { status: 200, body: { exemption } };
        });
      },
    );
  }
}

const CategoryParams = z.object({ code: z.string().min(1).max(64) }).strict();

/**
 * 分类规则: every signed-in user may read a category's light rule and ladder (they explain the
 * lights and 督办单 everyone sees); only a province-level admin changes them, as the national
 * calendar: the categories are shared by every region of the instance.
 */
function registerCategoryRuleRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/categories/:code/rules',
    {
      schema: {
        tags,
        summary: '分类预警与升级规则 / a category’s light rule and escalation ladder',
        params: CategoryParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { rules: await getCategoryRules(ctx.db, request.params.code) };
    },
  );

  app.put(
    '/api/v1/categories/:code/rules',
    {
      schema: {
        tags,
        summary:
          '设置分类规则 / set a category’s light rule and ladder (province-level admin; null = default)',
        params: CategoryParams,
        body: CategoryRulesBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      assertMayEditCategoryRules(actor);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          rules: await setCategoryRules(tx, request.params.code, request.body, {
            actorId: actor.userId,
            at: ctx.now(),
          }),
        },
      }));
    },
  );
}
