import type { FastifyReply } from 'fastify';
import type { Db, Queryable } from '../db/client.ts';
import type { MfaState } from '../db/schema.ts';
import { actorBaseQuery, actorFromRow } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { randomSecret, sha256Hex } from './crypto.ts';

export const SESSION_COOKIE = 'duban_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How long a session may wait for its two-factor step (mfa_pending, mfa_enroll). */
export const MFA_STEP_TTL_MS = 15 * 60 * 1000;
/** last_seen_at is written at most this often per session, so reads stay reads. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export type NewSession = { sessionId: string; csrfToken: string; expiresAt: Date };

/** Starts a session; the plaintext id goes only into the cookie, its SHA-256 into the table. */
export async function createSession(
  db: Queryable,
  userId: string,
  now: Date,
  mfaState: MfaState = 'full',
): Promise<NewSession> {
  const sessionId = randomSecret(32);
  const csrfToken = randomSecret(32);
  // A two-factor step still to take (code or enrolment) has a quarter of an hour.
  const expiresAt = new Date(now.getTime() + (mfaState === 'full' ? SESSION_TTL_MS : MFA_STEP_TTL_MS));
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256Hex(sessionId),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
      mfa_state: mfaState,
    })
    .execute();
  return { sessionId, csrfToken, expiresAt };
}

export type ResolvedSession = { actor: Actor; idHash: string; csrfToken: string; mfaState: MfaState };

/** The live session's actor; undefined when unknown, expired, or the user is inactive. */
export async function resolveSession(
  db: Db,
  sessionId: string,
  now: Date,
): Promise<ResolvedSession | undefined> {
  if (sessionId.length === 0 || sessionId.length > 100) return undefined;
  const idHash = sha256Hex(sessionId);
  const row = await actorBaseQuery(db)
    .innerJoin('sessions', 'sessions.user_id', 'users.id')
    .select([
      'sessions.csrf_token as csrfToken',
      'sessions.last_seen_at as lastSeenAt',
      'sessions.mfa_state as mfaState',
    ])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  return { actor: actorFromRow(row, 'session'), idHash, csrfToken: row.csrfToken, mfaState: row.mfaState };
}

export async function deleteSession(db: Queryable, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Housekeeping at login: drop the user's expired sessions. */
export async function deleteExpiredSessions(db: Queryable, userId: string, now: Date): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', now).execute();
}

/** Ends every session of the user (roles, unit or active flag changed; password or TOTP reset). */
export async function deleteUserSessions(db: Queryable, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Sets the session cookie, the same way for every sign-in path (password, TOTP step-up, SSO). */
export function setSessionCookie(reply: FastifyReply, session: NewSession, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, session.sessionId, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    expires: session.expiresAt,
    maxAge: SESSION_TTL_MS / 1000,
  });
}
