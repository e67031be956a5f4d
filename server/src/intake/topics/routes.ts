import { TopicKeyParams, TopicsQuery } from '@duban/schema';
import { requireActor, requireScope } from '../../auth/guard.ts';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { redactSensitive } from '../../items/policy.ts';
import { type Actor, hasRole } from '../../shared/actor.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { getIntakeByIdsInScope } from '../store.ts';
import { topicsFor } from './store.ts';

/** The answer is shared by the region's readers: 敏感 linked items are untitled for those who may not see them. */
async function withLinkedItemsFor<T extends { linkedItems: { id: string; title: string }[] }>(
  ctx: AppContext,
  actor: Actor,
  topics: T[],
): Promise<T[]> {
  return Promise.all(
    topics.map(async (t) => ({ ...t, linkedItems: await redactSensitive(ctx.db, actor, t.linkedItems) })),
  );
}

const tags = ['intake'];

/** Supervisors and leaders read the topics of their region subtree; everyone else: 403. */
function requireTopicReader(actor: Actor) {
  requireScope(actor, 'items:read');
  if (!hasRole(actor, 'supervisor', 'leader'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有督查员和领导可以查看热点话题',
      en: 'Only supervisors and leaders may read the hot topics',
    });
}

/** 热点话题: recent citizens' complaints clustered into topics, candidates for proactive supervision. */
export function registerTopicRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/intake/topics',
    {
      schema: {
        tags,
        summary: '热点话题 / hot topics: recent citizen complaints clustered (supervisors, leaders)',
        querystring: TopicsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireTopicReader(actor);
      const { answer } = await topicsFor(ctx.db, actor, request.query, ctx.now());
      return { ...answer, topics: await withLinkedItemsFor(ctx, actor, answer.topics) };
    },
  );

  app.get(
    '/api/v1/intake/topics/:topicKey/records',
    {
      schema: {
        tags,
        summary: '热点话题的记录 / the records a topic counts (same query as the topic list)',
        params: TopicKeyParams,
        querystring: TopicsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireTopicReader(actor);
      const { answer, members } = await topicsFor(ctx.db, actor, request.query, ctx.now());
      const ids = members.get(request.params.topicKey);
      const topic = answer.topics.find((t) => t.key === request.params.topicKey);
      if (!ids || !topic) throw notFound('NOT_FOUND', { zh: '热点话题', en: 'topic' });
      const records = await getIntakeByIdsInScope(ctx.db, actor, ids);
      const [shown] = await withLinkedItemsFor(ctx, actor, [topic]);
      return { topic: shown ?? topic, records };
    },
  );
}
