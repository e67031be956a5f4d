/** Turns an outbox row into the message a channel sends. */
import { z } from 'zod';
import type { OutboundMessage } from './channels/index.ts';

/** The rendered message of a row without a notification (the daily digest), as stored. */
export const storedMessageSchema = z.object({
  kind: z.string(),
  subject: z.string(),
  text: z.string(),
  link: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  occurredAt: z.string(),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

export type NotificationContent = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  item_id: string | null;
  urgent: boolean;
  data: Record<string, unknown>;
  created_at: Date;
};

/** An app path made absolute on the public origin; absolute URLs pass; undefined without an origin. */
export function absoluteLink(
  link: string | null | undefined,
  publicUrl: string | undefined,
): string | undefined {
  if (link === null || link === undefined || link === '') return undefined;
  if (/^https?:\/\//i.test(link)) return link;
  if (publicUrl === undefined) return undefined;
  try {
    return new URL(link, publicUrl).toString();
  } catch {
    return undefined;
  }
}

export function messageOfNotification(
  deliveryId: string,
  n: NotificationContent,
  publicUrl: string | undefined,
): OutboundMessage {
  const link = absoluteLink(n.link, publicUrl);
  return {
    id: deliveryId,
    kind: n.kind,
    urgent: n.urgent,
    subject: n.title,
    text: n.body === '' ? n.title : n.body,
    ...(link === undefined ? {} : { link }),
    data: { ...n.data, notificationId: n.id, ...(n.item_id === null ? {} : { itemId: n.item_id }) },
    occurredAt: n.created_at.toISOString(),
  };
}

export function messageOfStored(deliveryId: string, stored: StoredMessage): OutboundMessage {
  return {
    id: deliveryId,
    kind: stored.kind,
    urgent: false,
    subject: stored.subject,
    text: stored.text,
    ...(stored.link === undefined ? {} : { link: stored.link }),
    data: stored.data,
    occurredAt: stored.occurredAt,
  };
}
