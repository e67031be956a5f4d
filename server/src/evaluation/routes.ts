import {
  ConflictBody,
  EvaluationWeightsBody,
  EvaluatorParams,
  EvaluatorScoresBody,
  EvaluatorsBody,
  ItemIdParams,
  SatisfactionBody,
  SatisfactionTokenParams,
} from '@duban/schema';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { assertMayEditWeights, getWeights, itemEvaluation, setWeights } from './composite.ts';
import { createSatisfactionLink, rateSatisfaction, readSatisfactionLink } from './satisfaction.ts';
import {
  assignEvaluators,
  declareConflict,
  listAssigned,
  removeEvaluator,
  submitScores,
} from './third-party.ts';

const tags = ['evaluation'];

/** The public, sign-in-free routes of the citizen's satisfaction link (auth/register.ts lists them). */
export const PUBLIC_SATISFACTION_ROUTE = '/api/v1/public/satisfaction/:token';

/** 第三方评估, 群众满意度 and 综合评分. Outside the data scope: 404. */
export function registerEvaluationRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/items/:id/evaluators',
    {
      schema: {
        tags,
        summary: '指派第三方评估人员 / assign evaluators (supervisor, completed item)',
        params: ItemIdParams,
        body: EvaluatorsBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => {
        await assignEvaluators(tx, actor, request.params.id, request.body.userIds, ctx.now());
        return { status: 200, body: await itemEvaluation(tx, actor, request.params.id) };
      });
    },
  );

  app.delete(
    '/api/v1/items/:id/evaluators/:userId',
    {
      schema: {
        tags,
        summary: '撤销第三方评估人员 / remove an evaluator who has not scored (supervisor)',
        params: EvaluatorParams,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => {
        await removeEvaluator(tx, actor, request.params.id, request.params.userId, ctx.now());
        return { status: 204, body: null };
      });
    },
  );

  app.get(
    '/api/v1/evaluations/assigned',
    { schema: { tags, summary: '我的评估任务 / the caller’s evaluation assignments (evaluator)' } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { assignments: await listAssigned(ctx.db, actor) };
    },
  );

  app.post(
    '/api/v1/items/:id/evaluation/conflict',
    {
      schema: {
        tags,
        summary: '利益冲突声明 / declare conflicts of interest before scoring (evaluator)',
        params: ItemIdParams,
        body: ConflictBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: await declareConflict(tx, actor, request.params.id, request.body, ctx.now()),
      }));
    },
  );

  app.post(
    '/api/v1/items/:id/evaluation/scores',
    {
      schema: {
        tags,
        summary: '第三方评分 / score the item, once and blind (evaluator)',
        params: ItemIdParams,
        body: EvaluatorScoresBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 201,
        body: { scores: await submitScores(tx, actor, request.params.id, request.body, ctx.now()) },
      }));
    },
  );

  app.get(
    '/api/v1/items/:id/evaluation',
    {
      schema: {
        tags,
        summary: '评估结果与综合评分 / the item’s evaluation and composite score',
        params: ItemIdParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return itemEvaluation(ctx.db, actor, request.params.id);
    },
  );

  app.get(
    '/api/v1/evaluation/weights',
    { schema: { tags, summary: '综合评分权重 / the composite score’s weights' } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { weights: await getWeights(ctx.db) };
    },
  );

  app.put(
    '/api/v1/evaluation/weights',
    {
      schema: {
        tags,
        summary: '设置综合评分权重 / set the weights (province-level admin; they sum to 1)',
        body: EvaluationWeightsBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      assertMayEditWeights(actor);
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: { weights: await setWeights(tx, actor, request.body, ctx.now()) },
      }));
    },
  );

  app.post(
    '/api/v1/items/:id/satisfaction-links',
    {
      schema: {
        tags,
        summary: '生成群众满意度评价链接 / a one-time satisfaction link (supervisor, 30 days)',
        params: ItemIdParams,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 201,
        body: await createSatisfactionLink(tx, actor, request.params.id, ctx.now()),
      }));
    },
  );

  app.get(
    PUBLIC_SATISFACTION_ROUTE,
    {
      schema: {
        tags,
        summary: '群众满意度评价页 / what a satisfaction link is for (public; 404 unknown, 410 expired)',
        params: SatisfactionTokenParams,
      },
    },
    async (request) => readSatisfactionLink(ctx.db, request.params.token, ctx.now()),
  );

  app.post(
    PUBLIC_SATISFACTION_ROUTE,
    {
      schema: {
        tags,
        summary: '群众满意度评价 / rate the item once (public; 409 when used, 410 expired)',
        params: SatisfactionTokenParams,
        body: SatisfactionBody,
      },
    },
    async (request, reply) => {
      const body = await ctx.db
        .transaction()
        .execute((tx) => rateSatisfaction(tx, request.params.token, request.body, ctx.now()));
      return reply.code(201).send(body);
    },
  );
}
