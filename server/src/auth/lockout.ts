import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { DomainError } from '../shared/errors.ts';

/**
 * 登录锁定: after MAX_FAILURES consecutive failed sign-ins (wrong password or wrong two-factor
 * code) a username is locked for LOCK_MINUTES, in the database so every web process sees it.
 * Counted per name as typed (lower-cased), known or not: an unknown name locks like a real one,
 * so the answer never tells who exists. A lock of a real user is recorded as `user.updated`.
 */
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Sign-in attempts one client address may make per minute (per process). */
export const LOGIN_ATTEMPTS_PER_MINUTE = 20;
/** Failed sign-ins older than this no longer count. */
const FORGET_AFTER_MS = 24 * 3_600_000;

export function accountLocked(retryAfter: number): DomainError {
  const minutes = Math.max(1, Math.ceil(retryAfter / 60));
  return new DomainError(
    'ACCOUNT_LOCKED',
    {
      zh: `账户已锁定，请 ${minutes} 分钟后再试`,
      en: `Too many failed sign-ins: the account is locked, try again in ${minutes} min`,
    },
    { details: { retryAfter } },
  );
}

/** Seconds the name stays locked, or undefined when it is not locked at `now`. */
export async function lockedFor(db: Db, username: string, now: Date): Promise<number | undefined> {
  const row = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
  const until = row?.locked_until;
  if (!until || until.getTime() <= now.getTime()) return undefined;
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/**
 * Counts one failed attempt (a lock that has run out starts a fresh count); at the MAX_FAILURES-th
 * the name is locked. Returns the lock's seconds when the name is now locked.
 */
export async function recordFailure(db: Db, username: string, now: Date): Promise<number | undefined> {
  const name = username.toLowerCase();
  return db.transaction().execute(async (tx) => {
    // Counts a day old are forgotten (so names typed once do not pile up); a running lock stays.
    const dayAgo = new Date(now.getTime() - FORGET_AFTER_MS);
    await tx
      .deleteFrom('login_throttle')
      .where('last_failed_at', '<', dayAgo)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .execute();
    const expired = sql<boolean>`login_throttle.locked_until is not null and login_throttle.locked_until <= ${now}`;
    const row = await tx
      .insertInto('login_throttle')
      .values({ username: name, failures: 1, locked_until: null, last_failed_at: now })
      .onConflict((oc) =>
        oc.column('username').doUpdateSet({
          failures: sql<number>`case when ${expired} then 1 else login_throttle.failures + 1 end`,
          locked_until: sql<Date | null>`case when ${expired} then null else login_throttle.locked_until end`,
          last_failed_at: now,
        }),
      )
      .returning(['failures', 'locked_until'])
      .executeTakeFirstOrThrow();
    if (row.locked_until && row.locked_until.getTime() > now.getTime()) {
      return Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000);
    }
    if (row.failures < MAX_FAILURES) return undefined;
    const until = new Date(now.getTime() + LOCK_MINUTES * 60_000);
    await tx
      .updateTable('login_throttle')
      .set({ locked_until: until })
      .where('username', '=', name)
      .execute();
    const user = await tx.selectFrom('users').select('id').where('username', '=', name).executeTakeFirst();
    if (user) {
      await appendEvents(
        tx,
        [
          {
            type: 'user.updated',
            userId: user.id,
            changes: { locked: true, lockedUntil: until.toISOString(), failedAttempts: row.failures },
          },
        ],
        { actorId: null, at: now },
      );
    }
    return LOCK_MINUTES * 60;
  });
}

/** A successful sign-in: the count starts again. */
export async function clearFailures(db: Db, username: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('username', '=', username.toLowerCase()).execute();
}

/** 解除锁定 by an admin: the count and any lock go; recorded as `user.updated`. */
export async function unlockUser(
  db: Db,
  user: { id: string; username: string },
  meta: { actorId: string; at: Date },
): Promise<{ wasLocked: boolean }> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .deleteFrom('login_throttle')
      .where('username', '=', user.username.toLowerCase())
      .returning('locked_until')
      .executeTakeFirst();
    const wasLocked = !!row?.locked_until && row.locked_until.getTime() > meta.at.getTime();
    await appendEvents(
      tx,
      [{ type: 'user.updated', userId: user.id, changes: { locked: false, unlockedByAdmin: true } }],
      meta,
    );
    return { wasLocked };
  });
}

/** A route's onError hook: a 423 or 429 with `retryAfter` also says it in the retry-after header. */
export async function retryAfterHeader(_request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (error instanceof DomainError && typeof error.details?.retryAfter === 'number') {
    reply.header('retry-after', String(error.details.retryAfter));
  }
}
