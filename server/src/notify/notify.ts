/**
 * notify(): the one way to tell people something. Called inside the transaction of the action
 * that causes it, it writes the in-app notifications and the outbox rows of their external
 * deliveries, so they commit with the action or not at all; nothing leaves the process here (the
 * delivery worker sends the outbox, the streams read the inbox).
 *
 * Per recipient and external channel, by their preferences:
 * - off, or no target (no e-mail address, no phone, no robot set) → no row;
 * - urgent (特急) → due now, whatever the quiet hours and digest settings;
 * - daily digest on → waits (status 'digest') for the digest job, which sends one message a day;
 * - in quiet hours → due when they end;
 * - otherwise → due now.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/client.ts';
import { signal } from './bus.ts';
import { truncateChars } from './channels/format.ts';
import type { ChannelName } from './channels/index.ts';
import { processNotifyConfig } from './config.ts';
import { type ChannelPreference, defaultPreference, loadPreferences, resolveTarget } from './preferences.ts';
import { afterQuietHours } from './quiet-hours.ts';

export type NotifyInput = {
  /** User ids; duplicates and inactive or unknown users are skipped. */
  recipients: readonly string[];
  /** What happened, e.g. 'item.reminder', 'item.overdue', 'item.escalated'. */
  kind: string;
  /** Chinese title, e.g. '【督办提醒】杭督〔2026〕0001号 还有3个工作日到期'. */
  title: string;
  body: string;
  /** The page to open: an app path ('/items/…') or an absolute URL. */
  link?: string | undefined;
  itemId?: string | undefined;
  /** 特急: bypasses quiet hours and the digest; channels mark it. */
  urgent: boolean;
  /** Structured payload (the webhook body's `data`). */
  data?: Record<string, unknown> | undefined;
};

export type NotifyResult = {
  /** The in-app notifications written, one per recipient. */
  notificationIds: string[];
  /** Outbox rows written (due now, deferred, or waiting for the digest). */
  deliveries: number;
};

export type NotifyOptions = {
  /** The external channels this installation has (default: from the environment, config.ts). */
  channels?: readonly ChannelName[];
};

type DeliveryPlan = { status: 'pending' | 'digest'; nextAttemptAt: Date };

/** What happens to one message on one channel for one recipient (pure). */
export function planDelivery(pref: ChannelPreference, urgent: boolean, at: Date): DeliveryPlan {
  if (urgent) return { status: 'pending', nextAttemptAt: at };
  if (pref.digest) return { status: 'digest', nextAttemptAt: at };
  return { status: 'pending', nextAttemptAt: afterQuietHours(pref.quietHours, at) };
}

const INSERT_CHUNK = 500;

export async function notify(
  tx: Tx,
  input: NotifyInput,
  at: Date,
  opts: NotifyOptions = {},
): Promise<NotifyResult> {
  const ids = [...new Set(input.recipients)];
  if (ids.length === 0) return { notificationIds: [], deliveries: 0 };
  const users = await tx
    .selectFrom('users')
    .select(['id', 'email', 'phone'])
    .where('id', 'in', ids)
    .where('active', '=', true)
    .execute();
  if (users.length === 0) return { notificationIds: [], deliveries: 0 };
  const data = JSON.stringify(input.data ?? {});
  const rows = users.map((u) => ({
    id: randomUUID(),
    user_id: u.id,
    item_id: input.itemId ?? null,
    kind: input.kind,
    // Within the table's limits: a long text must not fail the action that notifies.
    title: truncateChars(input.title, 200),
    body: truncateChars(input.body, 4000),
    link: input.link ?? null,
    urgent: input.urgent,
    data,
    created_at: at,
  }));
  const written: { id: string; seq: number; user_id: string }[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    written.push(
      ...(await tx.insertInto('notifications').values(chunk).returning(['id', 'seq', 'user_id']).execute()),
    );
  }
  const notificationOf = new Map(written.map((w) => [w.user_id, w.id]));

  const channels = opts.channels ?? processNotifyConfig().enabled;
  const prefs = await loadPreferences(
    tx,
    users.map((u) => u.id),
  );
  const deliveries = [];
  for (const user of users) {
    const notificationId = notificationOf.get(user.id);
    if (notificationId === undefined) continue;
    for (const channel of channels) {
      const pref = prefs.get(user.id)?.get(channel) ?? defaultPreference(channel);
      if (!pref.enabled) continue;
      const target = resolveTarget(pref, user);
      if (target === undefined) continue;
      const plan = planDelivery(pref, input.urgent, at);
      deliveries.push({
        id: randomUUID(),
        notification_id: notificationId,
        user_id: user.id,
        channel,
        target: JSON.stringify(target),
        status: plan.status,
        next_attempt_at: plan.nextAttemptAt,
        created_at: at,
        updated_at: at,
      });
    }
  }
  for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('notification_deliveries')
      .values(deliveries.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  await signal(tx, { type: 'notifications', refs: written.map((w) => ({ userId: w.user_id, seq: w.seq })) });
  if (deliveries.length > 0) await signal(tx, { type: 'outbox' });
  return { notificationIds: written.map((w) => w.id), deliveries: deliveries.length };
}
