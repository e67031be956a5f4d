import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { actorBaseQuery, actorFromRow, isTokenScope, isUuid } from '../org/scope.ts';
import type { Actor, TokenScope } from '../shared/actor.ts';
import { DomainError, notFound, validationError } from '../shared/errors.ts';
import { randomSecret, sha256Hex } from './crypto.ts';

/** Plaintext tokens look like duban_<43 base64url chars>; the prefix makes leaked ones greppable. */
export const TOKEN_PREFIX = 'duban_';
const TOKEN_SHAPE = /^duban_[A-Za-z0-9_-]{43}$/;
const TOUCH_INTERVAL_MS = 60 * 1000;

export type ApiTokenView = {
  id: string;
  name: string;
  scopes: TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

export type NewApiToken = { name: string; scopes: readonly TokenScope[]; expiresAt?: Date | undefined };

/**
 * Issues a token for the actor's own user. A token may only issue tokens with a subset of its own
 * scopes, so a narrow token cannot mint a broader one. Returns the plaintext once.
 */
export async function createApiToken(
  db: Db,
  actor: Actor,
  input: NewApiToken,
  now: Date,
): Promise<{ token: string; view: ApiTokenView }> {
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw validationError([
      { field: 'body.expiresAt', message: 'must be in the future', messageZh: '过期时间须晚于当前时间' },
    ]);
  }
  const scopes = [...new Set(input.scopes)];
  const own = actor.scopes;
  if (own !== undefined && !scopes.every((s) => own.includes(s))) {
    throw new DomainError('FORBIDDEN', {
      zh: '访问令牌不能签发超出自身权限范围的令牌',
      en: 'A token cannot issue a token with scopes it does not have',
    });
  }
  const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
  const id = randomUUID();
  const row = await db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('api_tokens')
      .values({
        id,
        user_id: actor.userId,
        name: input.name,
        token_hash: sha256Hex(token),
        scopes,
        created_at: now,
        expires_at: input.expiresAt ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvents(
      tx,
      [{ type: 'api_token.created', tokenId: id, userId: actor.userId, name: input.name, scopes }],
      { actorId: actor.userId, at: now },
    );
    return inserted;
  });
  return { token, view: viewOf(row) };
}

type TokenRow = {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

function viewOf(row: TokenRow): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.filter(isTokenScope),
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

/** The user's own tokens, newest first, without secrets. */
export async function listApiTokens(db: Queryable, userId: string): Promise<ApiTokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(viewOf);
}

/**
 * Revokes one of the actor's own tokens. Another user's token answers 404 like a missing one;
 * revoking an already revoked token changes nothing and records no second event.
 */
export async function revokeApiToken(db: Db, actor: Actor, tokenId: string, now: Date): Promise<void> {
  const missing = notFound('TOKEN_NOT_FOUND', { zh: '访问令牌', en: 'API token' });
  if (!isUuid(tokenId)) throw missing;
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('api_tokens')
      .select(['id', 'revoked_at'])
      .where('id', '=', tokenId)
      .where('user_id', '=', actor.userId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw missing;
    if (row.revoked_at !== null) return;
    await tx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', tokenId).execute();
    await appendEvents(tx, [{ type: 'api_token.revoked', tokenId, userId: actor.userId }], {
      actorId: actor.userId,
      at: now,
    });
  });
}

/**
 * The actor behind a bearer token. 'invalid' for a malformed or unknown token (the caller answers
 * 401), 'inactive' for an expired or revoked token, or one whose user is deactivated.
 */
export async function resolveApiToken(
  db: Db,
  token: string,
  now: Date,
): Promise<Actor | 'invalid' | 'inactive'> {
  if (!TOKEN_SHAPE.test(token)) return 'invalid';
  const row = await actorBaseQuery(db)
    .innerJoin('api_tokens', 'api_tokens.user_id', 'users.id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.scopes as scopes',
      'api_tokens.expires_at as expiresAt',
      'api_tokens.revoked_at as revokedAt',
      'api_tokens.last_used_at as lastUsedAt',
    ])
    .where('api_tokens.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row) return 'invalid';
  if (!row.active || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
    return 'inactive';
  }
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.tokenId).execute();
  }
  return actorFromRow(row, 'token', row.scopes);
}
