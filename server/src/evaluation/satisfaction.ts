import crypto from 'node:crypto';
import { SATISFACTION_NAMES_ZH, type SatisfactionRating } from '@duban/schema';
import { sha256Hex } from '../auth/crypto.ts';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { notify } from '../notify/notify.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { assertClosed, assertSupervises, itemSupervisorIds, loadVisibleItem } from './access.ts';
import { evalDb, evalTx } from './tables.ts';

/**
 * 群众满意度: a supervisor makes a one-time link for a completed item and hands it to the citizen
 * concerned; the citizen rates it without signing in (满意 / 基本满意 / 不满意). Only the token's
 * SHA-256 is stored. 不满意 proposes 重新办理 to the item's supervisors (they decide: `reopen`).
 */

export const LINK_DAYS = 30;

function publicBase(): string {
  return (process.env.DUBAN_PUBLIC_URL ?? '').replace(/\/+$/, '');
}

export async function createSatisfactionLink(tx: Tx, actor: Actor, itemId: string, now: Date) {
  const row = await loadVisibleItem(tx, actor, itemId);
  await assertSupervises(tx, actor, row, '生成满意度评价链接');
  assertClosed(row);
  const token = crypto.randomBytes(24).toString('base64url');
  const id = crypto.randomUUID();
  const expiresAt = new Date(now.getTime() + LINK_DAYS * 86_400_000);
  await evalTx(tx)
    .insertInto('satisfaction_links')
    .values({
      id,
      item_id: itemId,
      token_hash: sha256Hex(token),
      created_by: actor.userId,
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  await appendEvents(
    tx,
    [{ type: 'item.satisfaction_link_created', itemId, linkId: id, expiresAt: expiresAt.toISOString() }],
    { actorId: actor.userId, at: now },
  );
  return {
    token,
    url: `${publicBase()}/portal/satisfaction/${token}`,
    expiresAt: expiresAt.toISOString(),
  };
}

function linkNotFound() {
  return new DomainError('NOT_FOUND', {
    zh: '评价链接不存在或无效',
    en: 'This satisfaction link does not exist',
  });
}

function linkExpired() {
  return new DomainError('GONE', { zh: '评价链接已过期', en: 'This satisfaction link has expired' });
}

async function findLink(db: Queryable, token: string, lock: boolean) {
  let q = evalDb(db)
    .selectFrom('satisfaction_links as l')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['l.id', 'l.item_id', 'l.expires_at', 'l.used_at', 'i.number', 'i.title', 'i.completed_at'])
    .where('l.token_hash', '=', sha256Hex(token));
  if (lock) q = q.forUpdate('l');
  return q.executeTakeFirst();
}

/** What the citizen's page shows: the item's number, title, lead unit and 办结 date. */
export async function readSatisfactionLink(db: Queryable, token: string, now: Date) {
  const link = await findLink(db, token, false);
  if (!link) throw linkNotFound();
  if (link.used_at === null && link.expires_at <= now) throw linkExpired();
  const lead = await db
    .selectFrom('assignments as a')
    .innerJoin('units as u', 'u.id', 'a.unit_id')
    .select('u.name')
    .where('a.item_id', '=', link.item_id)
    .where('a.role', '=', 'lead')
    .orderBy(({ eb }) => eb('a.status', '=', 'returned'))
    .executeTakeFirst();
  return {
    item: {
      number: link.number,
      title: link.title,
      leadUnitName: lead?.name ?? null,
      completedOn: link.completed_at ? shanghaiDate(link.completed_at) : null,
    },
    used: link.used_at !== null,
    expiresAt: link.expires_at.toISOString(),
  };
}

/** The citizen's rating: once per link (409 after), none after expiry (410). */
export async function rateSatisfaction(
  tx: Tx,
  token: string,
  input: { rating: SatisfactionRating; comment?: string | undefined },
  now: Date,
) {
  const link = await findLink(tx, token, true);
  if (!link) throw linkNotFound();
  if (link.used_at !== null)
    throw new DomainError('CONFLICT', { zh: '该评价链接已使用过', en: 'This link has already been used' });
  if (link.expires_at <= now) throw linkExpired();
  const db = evalTx(tx);
  const ratingId = crypto.randomUUID();
  const reworkProposed = input.rating === 'unsatisfied';
  await db.updateTable('satisfaction_links').set({ used_at: now }).where('id', '=', link.id).execute();
  await db
    .insertInto('satisfaction_ratings')
    .values({
      id: ratingId,
      item_id: link.item_id,
      link_id: link.id,
      rating: input.rating,
      comment: input.comment ?? '',
      rework_proposed: reworkProposed,
      rated_at: now,
    })
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'item.satisfaction_rated',
        itemId: link.item_id,
        ratingId,
        rating: input.rating,
        reworkProposed,
      },
    ],
    { actorId: null, at: now },
  );
  if (reworkProposed) {
    const item = await tx
      .selectFrom('items')
      .select(['assigning_unit_id', 'supervising_unit_id'])
      .where('id', '=', link.item_id)
      .executeTakeFirstOrThrow();
    await notify(
      tx,
      {
        recipients: await itemSupervisorIds(tx, item),
        kind: 'item.rework_proposed',
        title: `【群众不满意】${link.number} ${link.title}`,
        body: `群众评价为「${SATISFACTION_NAMES_ZH[input.rating]}」，建议重新办理（整改再督办）。`,
        link: `/items/${link.item_id}`,
        itemId: link.item_id,
        urgent: false,
        data: { itemId: link.item_id, number: link.number, rating: input.rating },
      },
      now,
    );
  }
  return { rating: input.rating, ratedAt: now.toISOString() };
}
