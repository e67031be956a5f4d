/**
 * 站内通知 inbox: a user's own notifications, newest first. Marking read is the user's own
 * reading state, not an act of supervision, so it writes no domain event (the ledger records what
 * was sent — the notification rows commit with their action — not when someone opened it).
 */
import type { Queryable, Tx } from '../db/client.ts';
import { notFound } from '../shared/errors.ts';
import { type NotificationView, presentNotification } from './present.ts';

export type InboxPage = { notifications: NotificationView[]; unreadCount: number; nextBefore: number | null };

export async function listInbox(
  db: Queryable,
  userId: string,
  p: { unread: boolean; limit: number; before?: number | undefined },
): Promise<InboxPage> {
  let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (p.unread) q = q.where('read_at', 'is', null);
  if (p.before !== undefined) q = q.where('seq', '<', p.before);
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(p.limit + 1)
    .execute();
  const page = rows.slice(0, p.limit).map(presentNotification);
  const unread = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return {
    notifications: page,
    unreadCount: Number(unread?.n ?? 0),
    nextBefore: rows.length > p.limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

export function notificationNotFound() {
  return notFound('NOT_FOUND', { zh: '通知', en: 'notification' });
}

/** Marks one of the user's notifications read (keeps the first read time); 404 for anyone else's. */
export async function markRead(tx: Tx, userId: string, id: string, at: Date): Promise<NotificationView> {
  await tx
    .updateTable('notifications')
    .set({ read_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  const row = await tx
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) throw notificationNotFound();
  return presentNotification(row);
}

export async function markAllRead(
  tx: Tx,
  userId: string,
  at: Date,
  upToSeq: number | undefined,
): Promise<number> {
  let q = tx
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (upToSeq !== undefined) q = q.where('seq', '<=', upToSeq);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
