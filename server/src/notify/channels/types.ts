/**
 * The contract between the notification outbox and its delivery channels.
 *
 * A channel turns one outbox row into one delivery attempt. `send` never throws: every failure comes
 * back as a `DeliveryResult` saying whether the outbox should try again (and, when the receiver said
 * so, not before `retryAfterMs`).
 */

export type OutboundMessage = {
  /** Outbox row id (uuid): idempotency key, `webhook-id`, SMS gateway `id`, e-mail Message-ID. */
  id: string;
  /** Event type, e.g. 'item.reminder', 'item.escalated', 'item.emergency'. */
  kind: string;
  /** 特急: channels mark it (subject prefix 【特急】, @all in WeCom and DingTalk groups, high priority mail). */
  urgent: boolean;
  /** Chinese title, e.g. '【督办提醒】杭督〔2026〕0001号 还有3个工作日到期'. */
  subject: string;
  /** Plain-text body in Chinese. */
  text: string;
  /** Absolute URL of the item page. */
  link?: string;
  /** Structured payload; for webhooks the JSON body's `data`. */
  data: Record<string, unknown>;
  /** ISO timestamp of the event. */
  occurredAt: string;
};

export type DeliveryResult =
  | { ok: true; detail?: string }
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

export type ChannelName = 'email' | 'sms' | 'webhook' | 'wecom' | 'dingtalk';

export type Channel<Target> = {
  readonly name: ChannelName;
  /** One delivery attempt. Never throws. */
  send(message: OutboundMessage, target: Target): Promise<DeliveryResult>;
};
