import { randomSecret, sha256Hex } from '../auth/crypto.ts';
import type { Db, Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { actorBaseQuery, actorFromRow } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';

/**
 * 日历订阅 — one secret feed URL per user. The secret (32 random bytes, base64url) is the only
 * credential of the feed URL and is shown once, when issued; the table keeps its SHA-256 only.
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most this often per feed: calendar clients poll, often every few minutes. */
const TOUCH_INTERVAL_MS = 10 * 60 * 1000;

export type FeedStatus = { createdAt: string; lastUsedAt: string | null };

/**
 * Issues the user's feed secret, replacing the previous one if any (the old URL stops working at
 * once). The user's row is locked first, so two concurrent requests queue instead of racing.
 */
export async function issueFeedToken(
  tx: Tx,
  actor: Actor,
  now: Date,
): Promise<{ token: string; rotated: boolean }> {
  await tx
    .selectFrom('users')
    .select('id')
    .where('id', '=', actor.userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const existing = await tx
    .selectFrom('calendar_feeds')
    .select('user_id')
    .where('user_id', '=', actor.userId)
    .executeTakeFirst();
  const token = randomSecret(32);
  const values = { token_hash: sha256Hex(token), created_at: now, last_used_at: null };
  if (existing) {
    await tx.updateTable('calendar_feeds').set(values).where('user_id', '=', actor.userId).execute();
  } else {
    await tx
      .insertInto('calendar_feeds')
      .values({ user_id: actor.userId, ...values })
      .execute();
  }
  await appendEvents(
    tx,
    [{ type: existing ? 'calendar_feed.rotated' : 'calendar_feed.created', userId: actor.userId }],
    { actorId: actor.userId, at: now },
  );
  return { token, rotated: existing !== undefined };
}

/** Revokes the user's feed. False (and no event) when there was none. */
export async function revokeFeed(tx: Tx, actor: Actor, now: Date): Promise<boolean> {
  const deleted = await tx
    .deleteFrom('calendar_feeds')
    .where('user_id', '=', actor.userId)
    .returning('user_id')
    .executeTakeFirst();
  if (!deleted) return false;
  await appendEvents(tx, [{ type: 'calendar_feed.revoked', userId: actor.userId }], {
    actorId: actor.userId,
    at: now,
  });
  return true;
}

/** Whether the user has a feed, and when it was issued and last fetched (never the secret). */
export async function feedStatus(db: Queryable, userId: string): Promise<FeedStatus | null> {
  const row = await db
    .selectFrom('calendar_feeds')
    .select(['created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  return { createdAt: row.created_at.toISOString(), lastUsedAt: row.last_used_at?.toISOString() ?? null };
}

/**
 * The active user behind a feed secret, or undefined for a malformed, unknown or revoked secret,
 * or a deactivated user (the route answers all of these with the same 404). Records the use.
 */
export async function resolveFeedToken(db: Db, token: string, now: Date): Promise<Actor | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const hash = sha256Hex(token);
  const row = await actorBaseQuery(db)
    .innerJoin('calendar_feeds as f', 'f.user_id', 'users.id')
    .select(['f.last_used_at as lastUsedAt'])
    .where('f.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row?.active) return undefined;
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await db
      .updateTable('calendar_feeds')
      .set({ last_used_at: now })
      .where('token_hash', '=', hash)
      .execute();
  }
  // The feed reads items and nothing else: an actor with that one scope.
  return actorFromRow(row, 'token', ['items:read']);
}
