import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { DbHandle } from '../db/client.ts';
import type { App } from '../http/types.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../db/migrations');
/** How long the database has to answer `select 1` before the process counts as not ready. */
export const READY_TIMEOUT_MS = 2000;

/** Databases whose process is shutting down (SIGTERM received): readiness answers 503 from then on. */
const draining = new WeakSet<DbHandle>();

/** Marks the process as draining: load balancers stop sending new requests (GET /api/ready → 503). */
export function markDraining(ctx: Pick<AppContext, 'handle'>): void {
  draining.add(ctx.handle);
}

export function isDraining(ctx: Pick<AppContext, 'handle'>): boolean {
  return draining.has(ctx.handle);
}

export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'draining' | 'database_unavailable' | 'database_timeout' | 'migrations_pending' };

/** The migration files this build ships (read once: they never change while the process runs). */
let shipped: string[] | undefined;
function shippedMigrations(): string[] {
  shipped ??= fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return shipped;
}

/**
 * Ready = not draining, the database answers `select 1` within `timeoutMs`, and every migration this
 * build ships is recorded in schema_migrations.
 */
export async function checkReadiness(
  ctx: Pick<AppContext, 'handle' | 'db'>,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<Readiness> {
  if (isDraining(ctx)) return { ready: false, reason: 'draining' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const probe = (async () => {
    await sql`select 1`.execute(ctx.db);
    const { rows } = await sql<{ name: string }>`select name from schema_migrations`.execute(ctx.db);
    return new Set(rows.map((r) => r.name));
  })();
  try {
    const outcome = await Promise.race([probe, timeout]);
    if (outcome === 'timeout') {
      probe.catch(() => undefined);
      return { ready: false, reason: 'database_timeout' };
    }
    if (shippedMigrations().some((m) => !outcome.has(m)))
      return { ready: false, reason: 'migrations_pending' };
    return isDraining(ctx) ? { ready: false, reason: 'draining' } : { ready: true };
  } catch {
    return { ready: false, reason: 'database_unavailable' };
  } finally {
    clearTimeout(timer);
  }
}

const REASONS = {
  draining: { zh: '服务正在停止，不再接收新请求', en: 'The server is shutting down' },
  database_unavailable: { zh: '数据库不可用', en: 'The database is unavailable' },
  database_timeout: { zh: '数据库 2 秒内未响应', en: 'The database did not answer within 2 s' },
  migrations_pending: { zh: '数据库迁移尚未完成', en: 'Database migrations have not all been applied' },
} as const;

/**
 * GET /api/ready: readiness for load balancers and orchestrators (public). /api/health stays the
 * liveness check.
 */
export function registerReadinessRoute(app: App, ctx: AppContext): void {
  app.get(
    '/api/ready',
    {
      schema: {
        tags: ['system'],
        summary: '就绪检查 / readiness (503 while shutting down or without the database)',
        response: {
          200: z.object({ ready: z.literal(true) }),
          503: z
            .object({
              type: z.string(),
              title: z.string(),
              status: z.literal(503),
              code: z.literal('NOT_READY'),
              reason: z.enum(['draining', 'database_unavailable', 'database_timeout', 'migrations_pending']),
              detail: z.string(),
              detailZh: z.string(),
              instance: z.string(),
            })
            .describe('problem+json'),
        },
      },
    },
    async (request, reply) => {
      const r = await checkReadiness(ctx);
      if (r.ready) return { ready: true as const };
      const why = REASONS[r.reason];
      return reply
        .code(503)
        .header('retry-after', '5')
        .header('cache-control', 'no-store')
        .type('application/problem+json; charset=utf-8')
        .send({
          type: 'https://duban.dev/problems/not-ready',
          title: 'NOT_READY',
          status: 503 as const,
          code: 'NOT_READY' as const,
          reason: r.reason,
          detail: why.en,
          detailZh: why.zh,
          instance: request.url,
        });
    },
  );
}
