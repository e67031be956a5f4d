/**
 * The dead-letter list: deliveries a channel refused for good ('failed') or that still failed after
 * the last retry ('dead'). An admin looks at why (last error) and, once the cause is fixed (an SMTP
 * setting, a user's address), puts one back in the queue — recorded as a domain event.
 */
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { signal } from './bus.ts';
import { storedMessageSchema } from './message.ts';

export type DeadDelivery = {
  id: string;
  status: 'failed' | 'dead';
  channel: 'email' | 'sms' | 'webhook' | 'wecom' | 'dingtalk';
  userId: string;
  username: string;
  displayName: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
};

export async function listDead(
  db: Queryable,
  p: { limit: number; offset: number },
): Promise<{ deliveries: DeadDelivery[]; total: number }> {
  const rows = await db
    .selectFrom('notification_deliveries as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .leftJoin('notifications as n', 'n.id', 'd.notification_id')
    .select([
      'd.id',
      'd.status',
      'd.channel',
      'd.user_id',
      'u.username',
      'u.display_name',
      'n.title',
      'd.message',
      'd.attempts',
      'd.last_error',
      'd.created_at',
      'd.updated_at',
    ])
    .where('d.status', 'in', ['failed', 'dead'])
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id')
    .limit(p.limit)
    .offset(p.offset)
    .execute();
  const total = await db
    .selectFrom('notification_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['failed', 'dead'])
    .executeTakeFirst();
  return {
    total: Number(total?.n ?? 0),
    deliveries: rows.map((r) => ({
      id: r.id,
      status: r.status === 'dead' ? 'dead' : 'failed',
      channel: r.channel,
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      subject: r.title ?? storedMessageSchema.safeParse(r.message).data?.subject ?? '',
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    })),
  };
}

/** Puts a failed or dead delivery back in the queue, due now, with a fresh retry budget. */
export async function requeueDead(
  tx: Tx,
  id: string,
  meta: { actorId: string; at: Date },
): Promise<{ id: string; status: 'pending' }> {
  const row = await tx
    .selectFrom('notification_deliveries')
    .select(['id', 'status', 'user_id', 'channel', 'attempts'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw notFound('NOT_FOUND', { zh: '投递记录', en: 'delivery' });
  if (row.status !== 'failed' && row.status !== 'dead') {
    throw new DomainError('CONFLICT', {
      zh: `该投递不在死信列表中（状态：${row.status}）`,
      en: `The delivery is not in the dead-letter list (status ${row.status})`,
    });
  }
  await tx
    .updateTable('notification_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: meta.at, updated_at: meta.at })
    .where('id', '=', id)
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'notification.delivery_requeued',
        deliveryId: row.id,
        userId: row.user_id,
        channel: row.channel,
        previousStatus: row.status,
        attempts: row.attempts,
      },
    ],
    meta,
  );
  await signal(tx, { type: 'outbox' });
  return { id: row.id, status: 'pending' };
}
