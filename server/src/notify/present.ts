/** How notifications and preferences look in the API (and in the stream). */
import type { Selectable } from 'kysely';
import type { NotificationTable } from '../db/schema.ts';
import type { ChannelName } from './channels/index.ts';
import type { ChannelPreference, Contacts } from './preferences.ts';

export type NotificationView = {
  id: string;
  seq: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  itemId: string | null;
  urgent: boolean;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
};

export function presentNotification(row: Selectable<NotificationTable>): NotificationView {
  return {
    id: row.id,
    seq: Number(row.seq),
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    itemId: row.item_id,
    urgent: row.urgent,
    data: row.data,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at === null ? null : row.read_at.toISOString(),
  };
}

export type PreferenceView = {
  channel: ChannelName;
  /** The installation has this channel (SMTP, SMS gateway configured …). */
  available: boolean;
  enabled: boolean;
  digest: boolean;
  quietHours: { start: string; end: string } | null;
  /** The user's own target, summarised (secrets and robot keys never leave the server). */
  target: string | null;
  /** Where messages go now: the target, else the contact; null when nowhere. */
  deliversTo: string | null;
};

function tail(s: string): string {
  return s.length <= 4 ? s : `…${s.slice(-4)}`;
}

/** A target as the user may see it again: addresses whole, URLs without query, keys by their end. */
export function summarizeTarget(channel: ChannelName, target: unknown): string | null {
  if (target === null || target === undefined) return null;
  const url = (raw: string) => {
    try {
      const u = new URL(raw);
      const key = u.searchParams.get('key') ?? u.searchParams.get('access_token');
      return `${u.origin}${u.pathname}${key === null ? '' : `（${tail(key)}）`}`;
    } catch {
      return tail(raw);
    }
  };
  switch (channel) {
    case 'email':
    case 'sms':
      return typeof target === 'string' ? target : null;
    case 'webhook':
    case 'dingtalk': {
      if (typeof target === 'string') return url(target);
      if (typeof target === 'object' && 'url' in target && typeof target.url === 'string') {
        const signed = 'secret' in target && target.secret !== undefined ? '（已设置签名密钥）' : '';
        return `${url(target.url)}${signed}`;
      }
      return null;
    }
    case 'wecom':
      return typeof target === 'string' ? (/^https?:/i.test(target) ? url(target) : tail(target)) : null;
  }
}

export function presentPreference(
  pref: ChannelPreference,
  contacts: Contacts,
  available: readonly ChannelName[],
): PreferenceView {
  const own = summarizeTarget(pref.channel, pref.target);
  const contact =
    pref.channel === 'email'
      ? contacts.email
      : pref.channel === 'sms'
        ? contacts.phone
        : (null as string | null);
  return {
    channel: pref.channel,
    available: available.includes(pref.channel),
    enabled: pref.enabled,
    digest: pref.digest,
    quietHours: pref.quietHours,
    target: own,
    deliversTo: pref.enabled ? (own ?? contact) : null,
  };
}
