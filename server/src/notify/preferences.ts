/**
 * 通知偏好: per user and external channel — on or off, quiet hours, daily digest, and a target
 * that replaces the user's contact (another address or number; the webhook, WeCom or DingTalk robot
 * the user wants messages in). Without a row a channel is on, with no quiet hours and no digest,
 * and reaches the user's e-mail or phone; webhooks and robots need a target first.
 */
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { NotificationEvent } from '../events/types.ts';
import type { ChannelName } from './channels/index.ts';
import { ALL_CHANNELS } from './config.ts';
import type { QuietHours } from './quiet-hours.ts';

export type ChannelPreference = {
  channel: ChannelName;
  enabled: boolean;
  quietHours: QuietHours | null;
  digest: boolean;
  /** The user's own target for this channel; null: their contact (e-mail, phone) if any. */
  target: unknown;
};

export type Contacts = { email: string | null; phone: string | null };

type PreferenceRow = {
  channel: ChannelName;
  enabled: boolean;
  quiet_start: string | null;
  quiet_end: string | null;
  digest: boolean;
  target: unknown;
};

export function defaultPreference(channel: ChannelName): ChannelPreference {
  return { channel, enabled: true, quietHours: null, digest: false, target: null };
}

export function preferenceFromRow(row: PreferenceRow): ChannelPreference {
  return {
    channel: row.channel,
    enabled: row.enabled,
    quietHours:
      row.quiet_start !== null && row.quiet_end !== null
        ? { start: row.quiet_start, end: row.quiet_end }
        : null,
    digest: row.digest,
    target: row.target ?? null,
  };
}

/** Where a channel's message to this user goes, or undefined when it has nowhere to go. */
export function resolveTarget(pref: ChannelPreference, contacts: Contacts): unknown {
  if (pref.target !== null && pref.target !== undefined) return pref.target;
  switch (pref.channel) {
    case 'email':
      return contacts.email ?? undefined;
    case 'sms':
      return contacts.phone ?? undefined;
    case 'webhook':
    case 'wecom':
    case 'dingtalk':
      return undefined;
  }
}

/** Every user's preferences for the channels, keyed by user id then channel. */
export async function loadPreferences(
  db: Queryable,
  userIds: readonly string[],
): Promise<Map<string, Map<ChannelName, ChannelPreference>>> {
  const out = new Map<string, Map<ChannelName, ChannelPreference>>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('notification_preferences')
    .select(['user_id', 'channel', 'enabled', 'quiet_start', 'quiet_end', 'digest', 'target'])
    .where('user_id', 'in', userIds)
    .execute();
  for (const row of rows) {
    let byChannel = out.get(row.user_id);
    if (byChannel === undefined) {
      byChannel = new Map();
      out.set(row.user_id, byChannel);
    }
    byChannel.set(row.channel, preferenceFromRow(row));
  }
  return out;
}

/** One user's preferences for every channel (defaults where no row). */
export async function userPreferences(db: Queryable, userId: string): Promise<ChannelPreference[]> {
  const stored = (await loadPreferences(db, [userId])).get(userId);
  return ALL_CHANNELS.map((c) => stored?.get(c) ?? defaultPreference(c));
}

/** A change to one channel; omitted fields keep their value, `target: null` clears the target. */
export type PreferenceChange = {
  channel: ChannelName;
  enabled?: boolean | undefined;
  digest?: boolean | undefined;
  quietHours?: QuietHours | null | undefined;
  target?: unknown;
};

/**
 * Applies the changes in the caller's transaction and records `notification.preferences_changed`
 * with the resulting settings — whether a target is set, never the target itself (an address is
 * personal data, a webhook secret a secret, and the event log is append-only).
 */
export async function updatePreferences(
  tx: Tx,
  userId: string,
  changes: readonly PreferenceChange[],
  meta: { actorId: string; at: Date },
): Promise<ChannelPreference[]> {
  // Lock the user's rows so two concurrent updates apply one after the other.
  await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
  const current = new Map((await userPreferences(tx, userId)).map((p) => [p.channel, p]));
  const recorded: NotificationEvent & { type: 'notification.preferences_changed' } = {
    type: 'notification.preferences_changed',
    userId,
    channels: [],
  };
  for (const change of changes) {
    const before = current.get(change.channel) ?? defaultPreference(change.channel);
    const after: ChannelPreference = {
      channel: change.channel,
      enabled: change.enabled ?? before.enabled,
      digest: change.digest ?? before.digest,
      quietHours: change.quietHours === undefined ? before.quietHours : change.quietHours,
      target: change.target === undefined ? before.target : change.target,
    };
    const values = {
      enabled: after.enabled,
      digest: after.digest,
      quiet_start: after.quietHours?.start ?? null,
      quiet_end: after.quietHours?.end ?? null,
      target: after.target === null ? null : JSON.stringify(after.target),
      updated_at: meta.at,
    };
    await tx
      .insertInto('notification_preferences')
      .values({ user_id: userId, channel: change.channel, ...values })
      .onConflict((oc) => oc.columns(['user_id', 'channel']).doUpdateSet(values))
      .execute();
    current.set(change.channel, after);
    recorded.channels.push({
      channel: after.channel,
      enabled: after.enabled,
      digest: after.digest,
      quietHours: after.quietHours,
      targetSet: after.target !== null,
    });
  }
  if (recorded.channels.length > 0) await appendEvents(tx, [recorded], meta);
  return ALL_CHANNELS.map((c) => current.get(c) ?? defaultPreference(c));
}
