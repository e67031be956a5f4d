import { z } from 'zod';
import { requireActor, requireScope } from '../../auth/guard.ts';
import type { AppContext } from '../../context.ts';
import { appendEvents } from '../../events/append.ts';
import { runCommand } from '../../http/command.ts';
import type { App } from '../../http/types.ts';
import { isProvinceLevel } from '../../org/scope.ts';
import { hasRole } from '../../shared/actor.ts';
import { DomainError, validationError } from '../../shared/errors.ts';
import { forbidden, regionInScope, requireSupervisor, TextQuery } from '../similarity/routes.ts';
import { getDictionary, listDictionaries, saveDictionary } from './dictionaries.ts';
import { suggestRouting, trainModels } from './service.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const KeyParams = z.object({ key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/) });
const DictionaryBody = z
  .object({
    nameZh: text(50).optional(),
    keywords: z.array(text(30)).min(1).max(300),
    categoryCodes: z.array(z.string().min(1).max(64)).max(20).default([]),
  })
  .strict();

/** 智能分派: suggestions, the 三定 dictionaries and training. */
export function registerRoutingRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/routing/suggest',
    {
      schema: {
        tags: ['routing'],
        summary: '智能分派建议 / suggested category and lead units (supervisors)',
        body: TextQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      requireSupervisor(actor);
      const regionCode = await regionInScope(ctx.db, actor, request.body.regionCode);
      return suggestRouting(ctx.db, { ...request.body, regionCode, now: ctx.now() });
    },
  );

  app.post(
    '/api/v1/routing/train',
    {
      schema: {
        tags: ['routing'],
        summary: '重新训练分派模型 / retrain from past items (supervisors, admins)',
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      if (!hasRole(actor, 'supervisor', 'admin'))
        throw forbidden('只有督查员或管理员可以训练分派模型', 'Supervisors and admins only');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: await trainModels(tx, { actorId: actor.userId, now: ctx.now() }),
      }));
    },
  );

  app.get(
    '/api/v1/routing/dictionaries',
    {
      schema: {
        tags: ['routing'],
        summary: '三定职责词典 / responsibility dictionaries (supervisors, admins)',
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:read');
      if (!hasRole(actor, 'supervisor', 'admin'))
        throw forbidden('无权查看职责词典', 'Supervisors and admins only');
      return { dictionaries: await listDictionaries(ctx.db, ctx.now()) };
    },
  );

  app.get(
    '/api/v1/routing/dictionaries/:key',
    { schema: { tags: ['routing'], summary: '一个部门的职责词典 / one dictionary', params: KeyParams } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:read');
      if (!hasRole(actor, 'supervisor', 'admin'))
        throw forbidden('无权查看职责词典', 'Supervisors and admins only');
      const d = await getDictionary(ctx.db, request.params.key, ctx.now());
      if (!d) throw dictionaryNotFound();
      return { dictionary: d };
    },
  );

  app.put(
    '/api/v1/routing/dictionaries/:key',
    {
      schema: {
        tags: ['routing'],
        summary: '修改职责词典 / edit a dictionary (province-level admins)',
        params: KeyParams,
        body: DictionaryBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      if (!hasRole(actor, 'admin') || !isProvinceLevel(actor))
        throw forbidden('只有省级管理员可以修改职责词典', 'Province-level admins only');
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const now = ctx.now();
        const current = await getDictionary(tx, request.params.key, now);
        if (!current) throw dictionaryNotFound();
        const body = request.body;
        const known = new Set(
          (await tx.selectFrom('categories').select('code').execute()).map((c) => c.code),
        );
        const bad = body.categoryCodes.findIndex((c) => !known.has(c));
        if (bad >= 0)
          throw validationError([
            { field: `body.categoryCodes.${bad}`, message: 'unknown category', messageZh: '分类不存在' },
          ]);
        const next = {
          key: current.key,
          nameZh: body.nameZh ?? current.nameZh,
          keywords: [...new Set(body.keywords)],
          categoryCodes: [...new Set(body.categoryCodes)],
        };
        await saveDictionary(tx, next, { actorId: actor.userId, now });
        await appendEvents(
          tx,
          [
            {
              type: 'routing.dictionary_updated',
              key: next.key,
              keywords: next.keywords,
              categoryCodes: next.categoryCodes,
            },
          ],
          { actorId: actor.userId, at: now },
        );
        return { status: 200, body: { dictionary: next } };
      });
    },
  );
}

function dictionaryNotFound() {
  return new DomainError('NOT_FOUND', { zh: '职责词典不存在', en: 'Dictionary not found' });
}
