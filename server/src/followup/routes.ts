import {
  FollowupAssignBody,
  FollowupIdParams,
  FollowupListQuery,
  FollowupOutcomeBody,
  FollowupScheduleBody,
} from '@duban/schema';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { assignReviewer, listFollowups, recordOutcome } from './reviews.ts';
import { assertMayEditFollowupSchedule, getFollowupSchedule, setFollowupSchedule } from './schedule.ts';

const tags = ['followup'];
const CategoryParams = z.object({ code: z.string().min(1).max(64) }).strict();

/** 回头看: the per-category schedule, the scoped list, assigning a reviewer, the outcome. */
export function registerFollowupRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/categories/:code/followup',
    {
      schema: { tags, summary: '分类回头看安排 / a category’s follow-up schedule', params: CategoryParams },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { followup: await getFollowupSchedule(ctx.db, request.params.code) };
    },
  );

  app.put(
    '/api/v1/categories/:code/followup',
    {
      schema: {
        tags,
        summary: '设置分类回头看安排 / set the months after 办结 (province-level admin)',
        params: CategoryParams,
        body: FollowupScheduleBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      assertMayEditFollowupSchedule(actor);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          followup: await setFollowupSchedule(
            tx,
            actor,
            request.params.code,
            request.body.monthsAfter,
            ctx.now(),
          ),
        },
      }));
    },
  );

  app.get(
    '/api/v1/followups',
    {
      schema: {
        tags,
        summary: '回头看任务 / follow-up reviews in the caller’s scope (due, assigned, done)',
        querystring: FollowupListQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return listFollowups(ctx.db, actor, request.query, ctx.now());
    },
  );

  app.post(
    '/api/v1/followups/:id/assign',
    {
      schema: {
        tags,
        summary: '指派回头看人员 / assign a reviewer (supervisor of the item)',
        params: FollowupIdParams,
        body: FollowupAssignBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          followup: await assignReviewer(tx, actor, request.params.id, request.body.userId, ctx.now()),
        },
      }));
    },
  );

  app.post(
    '/api/v1/followups/:id/outcome',
    {
      schema: {
        tags,
        summary: '记录回头看结果 / record 巩固 or 反弹 (反弹 opens a linked 整改 item)',
        params: FollowupIdParams,
        body: FollowupOutcomeBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: { followup: await recordOutcome(tx, actor, request.params.id, request.body, ctx.now()) },
      }));
    },
  );
}
