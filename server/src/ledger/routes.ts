import {
  ItemIdParams,
  LedgerCheckpointsQuery,
  LedgerConsistencyQuery,
  LedgerEntryParams,
  LedgerEntryQuery,
} from '@duban/schema';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import { auditSensitiveRead } from '../items/sensitive-reads.ts';
import { verifierKeys } from './keys.ts';
import { consistency, entryWithProof, evidencePackage, findCheckpoint, listCheckpoints } from './queries.ts';

const tags = ['ledger'];

/**
 * The evidence ledger's API. Checkpoints, their history, the verifier keys and consistency proofs
 * carry only hashes and are public (auth/register.ts PUBLIC_ROUTES): anyone may keep copies — that
 * is what makes a rewritten history detectable. Entries and evidence packages carry content and
 * follow the data scope (404 outside it).
 */
export function registerLedgerRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/ledger/checkpoint',
    { schema: { tags, summary: '最新检查点（签名文本）/ latest checkpoint as a C2SP signed note' } },
    async (_request, reply) => {
      const checkpoint = await findCheckpoint(ctx.db);
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache');
      return checkpoint.note;
    },
  );

  app.get(
    '/api/v1/ledger/checkpoints',
    {
      schema: {
        tags,
        summary: '检查点历史 / checkpoint history, newest first',
        querystring: LedgerCheckpointsQuery,
      },
    },
    async (request) => listCheckpoints(ctx.db, request.query),
  );

  app.get('/api/v1/ledger/keys', { schema: { tags, summary: '验证公钥 / verifier keys' } }, async () => {
    const keys = verifierKeys(ctx.dataDir);
    return { current: keys.at(-1) ?? null, keys };
  });

  app.get(
    '/api/v1/ledger/consistency',
    { schema: { tags, summary: '一致性证明 / consistency proof', querystring: LedgerConsistencyQuery } },
    async (request) => consistency(ctx.db, request.query.from, request.query.to),
  );

  app.get(
    '/api/v1/ledger/entries/:index',
    {
      schema: {
        tags,
        summary: '账本条目及包含性证明 / entry with inclusion proof',
        params: LedgerEntryParams,
        querystring: LedgerEntryQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return entryWithProof(ctx.db, actor, request.params.index, request.query.treeSize);
    },
  );

  app.get(
    '/api/v1/items/:id/evidence',
    { schema: { tags, summary: '事项存证包 / evidence package of an item', params: ItemIdParams } },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const now = ctx.now();
      const pkg = await evidencePackage(ctx.db, ctx.dataDir, actor, request.params.id, now);
      const item = await ctx.db
        .selectFrom('items')
        .select(['id', 'number', 'region_code as regionCode', 'sensitivity'])
        .where('id', '=', request.params.id)
        .executeTakeFirstOrThrow();
      await auditSensitiveRead(ctx.db, actor, item, 'evidence', now);
      reply.header('content-disposition', `attachment; filename="evidence-${request.params.id}.json"`);
      return pkg;
    },
  );
}
