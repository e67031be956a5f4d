/**
 * The channel registry: builds the enabled channels from one configuration object (a section present
 * = that channel enabled) and delivers an outbox row's message to a target stored as JSON.
 *
 * `allow` at the top level is the SSRF allow-list shared by every guarded channel (webhook, wecom,
 * dingtalk), added to each channel's own.
 */
import { z } from 'zod';
import {
  createDingtalkChannel,
  type DingtalkTarget,
  dingtalkConfigSchema,
  dingtalkTargetSchema,
} from './dingtalk.ts';
import { createEmailChannel, emailConfigSchema } from './email.ts';
import { allowListSchema, type Resolver } from './guard.ts';
import { createSmsChannel, smsConfigSchema } from './sms.ts';
import type { Channel, ChannelName, DeliveryResult, OutboundMessage } from './types.ts';
import {
  createWebhookChannel,
  type WebhookTarget,
  webhookConfigSchema,
  webhookTargetSchema,
} from './webhook.ts';
import { createWecomChannel, wecomConfigSchema, wecomTargetSchema } from './wecom.ts';

export { MAX_ATTEMPTS, nextAttemptDelayMs, retryDelayMs, shouldDeadLetter } from './retry.ts';
export type { Channel, ChannelName, DeliveryResult, OutboundMessage } from './types.ts';

export const channelsConfigSchema = z
  .object({
    allow: allowListSchema,
    email: emailConfigSchema.optional(),
    sms: smsConfigSchema.optional(),
    webhook: webhookConfigSchema.optional(),
    wecom: wecomConfigSchema.optional(),
    dingtalk: dingtalkConfigSchema.optional(),
  })
  .strict();
export type ChannelsConfig = z.input<typeof channelsConfigSchema>;

/** What a target of each channel looks like in an outbox row. */
export const targetSchemas = {
  email: z.email(),
  sms: z.string().min(1),
  webhook: webhookTargetSchema,
  wecom: wecomTargetSchema,
  dingtalk: dingtalkTargetSchema,
} as const;

export type Channels = {
  email?: Channel<string>;
  sms?: Channel<string>;
  webhook?: Channel<WebhookTarget>;
  wecom?: Channel<string>;
  dingtalk?: Channel<DingtalkTarget>;
  /** The enabled channels' names. */
  readonly enabled: readonly ChannelName[];
  /**
   * Validates `target` (as stored) for the named channel and sends. A disabled channel or an invalid
   * target is a permanent failure. Never throws.
   */
  deliver(name: ChannelName, message: OutboundMessage, target: unknown): Promise<DeliveryResult>;
};

export type ChannelsDeps = { resolve?: Resolver; now?: () => Date };

export function createChannels(config: ChannelsConfig, deps: ChannelsDeps = {}): Channels {
  const cfg = channelsConfigSchema.parse(config);
  const guarded = (own: readonly string[]) => [...cfg.allow, ...own];
  const channels: Omit<Channels, 'enabled' | 'deliver'> = {
    ...(cfg.email === undefined ? {} : { email: createEmailChannel(cfg.email) }),
    ...(cfg.sms === undefined ? {} : { sms: createSmsChannel(cfg.sms) }),
    ...(cfg.webhook === undefined
      ? {}
      : { webhook: createWebhookChannel({ ...cfg.webhook, allow: guarded(cfg.webhook.allow) }, deps) }),
    ...(cfg.wecom === undefined
      ? {}
      : { wecom: createWecomChannel({ ...cfg.wecom, allow: guarded(cfg.wecom.allow) }, deps) }),
    ...(cfg.dingtalk === undefined
      ? {}
      : { dingtalk: createDingtalkChannel({ ...cfg.dingtalk, allow: guarded(cfg.dingtalk.allow) }, deps) }),
  };
  const enabled = (['email', 'sms', 'webhook', 'wecom', 'dingtalk'] as const).filter(
    (n) => channels[n] !== undefined,
  );

  async function dispatch(
    name: ChannelName,
    message: OutboundMessage,
    target: unknown,
  ): Promise<DeliveryResult> {
    const invalid = (error: string): DeliveryResult => ({
      ok: false,
      retryable: false,
      error: `接收目标无效：${error}`,
    });
    const parsedOr = <T>(
      schema: z.ZodType<T>,
    ): { ok: true; value: T } | { ok: false; result: DeliveryResult } => {
      const parsed = schema.safeParse(target);
      return parsed.success
        ? { ok: true, value: parsed.data }
        : { ok: false, result: invalid(parsed.error.issues.map((i) => i.message).join('；')) };
    };
    const disabled: DeliveryResult = { ok: false, retryable: false, error: `通道未启用：${name}` };
    switch (name) {
      case 'email': {
        if (channels.email === undefined) return disabled;
        const t = parsedOr(targetSchemas.email);
        return t.ok ? channels.email.send(message, t.value) : t.result;
      }
      case 'sms': {
        if (channels.sms === undefined) return disabled;
        const t = parsedOr(targetSchemas.sms);
        return t.ok ? channels.sms.send(message, t.value) : t.result;
      }
      case 'webhook': {
        if (channels.webhook === undefined) return disabled;
        const t = parsedOr(targetSchemas.webhook);
        return t.ok ? channels.webhook.send(message, t.value) : t.result;
      }
      case 'wecom': {
        if (channels.wecom === undefined) return disabled;
        const t = parsedOr(targetSchemas.wecom);
        return t.ok ? channels.wecom.send(message, t.value) : t.result;
      }
      case 'dingtalk': {
        if (channels.dingtalk === undefined) return disabled;
        const t = parsedOr(targetSchemas.dingtalk);
        return t.ok ? channels.dingtalk.send(message, t.value) : t.result;
      }
    }
  }

  return {
    ...channels,
    enabled,
    async deliver(name, message, target) {
      try {
        return await dispatch(name, message, target);
      } catch (e) {
        return { ok: false, retryable: true, error: `投递异常：${(e as Error).message}` };
      }
    },
  };
}
