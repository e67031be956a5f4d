import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { Grant } from '../shared/actor.ts';
import { DomainError, notFound } from '../shared/errors.ts';

/**
 * 授权 (explicit grants, migrations/0028_grants.sql): an admin grants a user `pii:read` or
 * `sensitive:read` with a reason and revokes it with one; rows are never deleted, so the table is
 * the history. Each change commits with a `user.updated` event (as other user changes do). A
 * grant takes effect at the user's next request: actors resolve grants per request (org/scope.ts).
 */
export type GrantView = {
  id: string;
  userId: string;
  grant: Grant;
  reason: string;
  grantedBy: { id: string; name: string } | null;
  grantedAt: string;
  revokedBy: { id: string; name: string } | null;
  revokedAt: string | null;
  revokeReason: string | null;
  active: boolean;
};

/** 授权名称: the Chinese name of each grant, for messages and the web. */
export const GRANT_NAMES_ZH: { [G in Grant]: string } = {
  'pii:read': '查看个人信息',
  'sensitive:read': '查看敏感事项',
};

/** A user's grants, active first, then newest first (the history included). */
export async function listGrants(db: Queryable, userId: string): Promise<GrantView[]> {
  const rows = await db
    .selectFrom('user_grants as g')
    .leftJoin('users as gb', 'gb.id', 'g.granted_by')
    .leftJoin('users as rb', 'rb.id', 'g.revoked_by')
    .selectAll('g')
    .select(['gb.display_name as granted_by_name', 'rb.display_name as revoked_by_name'])
    .where('g.user_id', '=', userId)
    .orderBy('g.granted_at', 'desc')
    .orderBy('g.id')
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      userId: r.user_id,
      grant: r.grant_name,
      reason: r.reason,
      grantedBy: r.granted_by ? { id: r.granted_by, name: r.granted_by_name ?? '' } : null,
      grantedAt: r.granted_at.toISOString(),
      revokedBy: r.revoked_by ? { id: r.revoked_by, name: r.revoked_by_name ?? '' } : null,
      revokedAt: r.revoked_at?.toISOString() ?? null,
      revokeReason: r.revoke_reason,
      active: r.revoked_at === null,
    }))
    .sort((a, b) => Number(b.active) - Number(a.active));
}

/** Grants `grant` to the user (409 when they hold it already), with its event. */
export async function addGrant(
  tx: Tx,
  input: { userId: string; grant: Grant; reason: string },
  meta: { actorId: string; at: Date },
): Promise<string> {
  // Lock the user row: two concurrent grants of one kind serialise here, the second gets the 409.
  await tx.selectFrom('users').select('id').where('id', '=', input.userId).forUpdate().execute();
  const active = await tx
    .selectFrom('user_grants')
    .select('id')
    .where('user_id', '=', input.userId)
    .where('grant_name', '=', input.grant)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (active)
    throw new DomainError(
      'CONFLICT',
      {
        zh: `该用户已有“${GRANT_NAMES_ZH[input.grant]}”授权`,
        en: `The user already holds ${input.grant}`,
      },
      { field: 'body.grant' },
    );
  const id = randomUUID();
  await tx
    .insertInto('user_grants')
    .values({
      id,
      user_id: input.userId,
      grant_name: input.grant,
      reason: input.reason,
      granted_by: meta.actorId,
      granted_at: meta.at,
      revoked_by: null,
      revoked_at: null,
      revoke_reason: null,
    })
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'user.updated',
        userId: input.userId,
        changes: { grantAdded: { grantId: id, grant: input.grant, reason: input.reason } },
      },
    ],
    meta,
  );
  return id;
}

/** Revokes one active grant of the user (404 unknown, 409 already revoked), with its event. */
export async function revokeGrant(
  tx: Tx,
  input: { userId: string; grantId: string; reason: string },
  meta: { actorId: string; at: Date },
): Promise<void> {
  const row = await tx
    .selectFrom('user_grants')
    .selectAll()
    .where('id', '=', input.grantId)
    .where('user_id', '=', input.userId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('NOT_FOUND', { zh: '授权', en: 'grant' });
  if (row.revoked_at !== null)
    throw new DomainError('CONFLICT', { zh: '该授权已撤销', en: 'The grant was already revoked' });
  await tx
    .updateTable('user_grants')
    .set({ revoked_at: meta.at, revoked_by: meta.actorId, revoke_reason: input.reason })
    .where('id', '=', row.id)
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'user.updated',
        userId: input.userId,
        changes: { grantRevoked: { grantId: row.id, grant: row.grant_name, reason: input.reason } },
      },
    ],
    meta,
  );
}
