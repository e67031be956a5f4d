import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/client.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

export type CommandResult = { status: number; body: unknown; headers?: Record<string, string> };

const KEY_RE = /^[A-Za-z0-9_.:-]{8,128}$/;
/** Advisory lock class of Idempotency-Keys (the two-int4 key space, apart from the migration lock). */
const IDEMPOTENCY_LOCK = 0x1de4;

/**
 * Runs one command in one transaction. With an `Idempotency-Key` header the response is stored in
 * the same transaction, so a retry (even after a crash) replays it instead of acting twice; the
 * same key with a different request is refused.
 */
export async function runCommand(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  fn: (tx: Tx) => Promise<CommandResult>,
) {
  const key = header(request, 'idempotency-key');
  if (key !== undefined && !KEY_RE.test(key)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      {
        zh: 'Idempotency-Key 格式不正确（8–128 个字母数字或 _.:-）',
        en: 'Idempotency-Key must be 8–128 of [A-Za-z0-9_.:-]',
      },
      { field: 'header.idempotency-key' },
    );
  }
  const requestHash = crypto
    .createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');

  const attempt = () =>
    ctx.db.transaction().execute(async (tx) => {
      if (key !== undefined) {
        // Requests with the same key queue here until the first one ends, then see its stored answer:
        // without this, a concurrent retry runs the command itself and fails on the state the first
        // one just changed (409/412) instead of replaying.
        const lockName = `${actor.userId}:${key}`;
        await sql`select pg_advisory_xact_lock(${IDEMPOTENCY_LOCK}::int4, hashtext(${lockName}))`.execute(tx);
        const seen = await tx
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('user_id', '=', actor.userId)
          .where('key', '=', key)
          .executeTakeFirst();
        if (seen) return { replay: true as const, seen };
      }
      const result = await fn(tx);
      if (key !== undefined) {
        await tx
          .insertInto('idempotency_keys')
          .values({
            user_id: actor.userId,
            key,
            request_hash: requestHash,
            status_code: result.status,
            response: JSON.stringify(result.body),
            headers: JSON.stringify(result.headers ?? {}),
          })
          .execute();
      }
      return { replay: false as const, result };
    });

  let outcome: Awaited<ReturnType<typeof attempt>>;
  try {
    outcome = await attempt();
  } catch (err) {
    // A concurrent request with the same key committed first: replay its answer.
    if (key !== undefined && isUniqueViolation(err)) outcome = await attempt();
    else throw err;
  }
  if (outcome.replay) {
    if (outcome.seen.request_hash !== requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        {
          zh: '该 Idempotency-Key 已用于另一个请求',
          en: 'This Idempotency-Key was used for a different request',
        },
        { field: 'header.idempotency-key' },
      );
    }
    for (const [k, v] of Object.entries(storedHeaders(outcome.seen.headers))) reply.header(k, v);
    return reply
      .code(outcome.seen.status_code)
      .header('idempotent-replayed', 'true')
      .send(outcome.seen.response);
  }
  const { result } = outcome;
  for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
  return reply.code(result.status).send(result.body);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === '23505'
  );
}

/** Parses `If-Match` ("3" or W/"3") into an expected version; undefined when absent. */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const raw = header(request, 'if-match');
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(raw.trim());
  if (!m?.[1]) {
    throw new DomainError(
      'VALIDATION_FAILED',
      { zh: 'If-Match 应为事项版本号', en: 'If-Match must be the item version' },
      { field: 'header.if-match' },
    );
  }
  return Number(m[1]);
}

function storedHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
