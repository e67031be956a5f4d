/** Request and response schemas of the notification routes (zod; OpenAPI is generated from them). */
import { z } from 'zod';
import { dingtalkTargetSchema } from './channels/dingtalk.ts';
import { normalizePhone } from './channels/sms.ts';
import { webhookTargetSchema } from './channels/webhook.ts';
import { HH_MM } from './quiet-hours.ts';

export const channelName = z.enum(['email', 'sms', 'webhook', 'wecom', 'dingtalk']);

export const notificationView = z.object({
  id: z.uuid(),
  seq: z.number().int().describe('inbox order; the SSE event id'),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  itemId: z.string().nullable(),
  urgent: z.boolean().describe('特急'),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const listQuery = z.strictObject({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: unread only'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.coerce.number().int().min(1).optional().describe('page on: the nextBefore of the previous page'),
});

export const listResponse = z.object({
  notifications: z.array(notificationView),
  unreadCount: z.number().int(),
  nextBefore: z.number().int().nullable(),
});

export const idParams = z.strictObject({ id: z.uuid() });

export const readAllBody = z
  .strictObject({
    upToSeq: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('only notifications up to this seq (those the user saw)'),
  })
  .default({});

const quietHours = z
  .strictObject({
    start: z.string().regex(HH_MM, 'HH:MM'),
    end: z.string().regex(HH_MM, 'HH:MM'),
  })
  .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] })
  .describe('免打扰时段, Beijing time; may wrap midnight (22:00–07:00)');

const common = {
  enabled: z.boolean().optional(),
  digest: z.boolean().optional().describe('每日汇总: ordinary messages once a day (特急 still at once)'),
  quietHours: quietHours.nullable().optional(),
};

const phone = z
  .string()
  .max(32)
  .refine((s) => normalizePhone(s) !== undefined, 'not a phone number')
  .transform((s) => normalizePhone(s) ?? s);

const robot = z.string().trim().min(8).max(500);

export const preferenceChange = z.discriminatedUnion('channel', [
  z.strictObject({
    channel: z.literal('email'),
    ...common,
    target: z.email().max(254).nullable().optional(),
  }),
  z.strictObject({ channel: z.literal('sms'), ...common, target: phone.nullable().optional() }),
  z.strictObject({
    channel: z.literal('webhook'),
    ...common,
    target: webhookTargetSchema.nullable().optional(),
  }),
  z.strictObject({
    channel: z.literal('wecom'),
    ...common,
    target: robot.nullable().optional().describe('企业微信群机器人地址或 key'),
  }),
  z.strictObject({
    channel: z.literal('dingtalk'),
    ...common,
    target: dingtalkTargetSchema
      .nullable()
      .optional()
      .describe('钉钉机器人地址或 access_token（可带加签密钥）'),
  }),
]);

export const preferencesBody = z.strictObject({
  channels: z
    .array(preferenceChange)
    .min(1)
    .max(5)
    .refine((list) => new Set(list.map((c) => c.channel)).size === list.length, 'each channel once'),
});

export const preferenceView = z.object({
  channel: channelName,
  available: z.boolean().describe('this installation has the channel'),
  enabled: z.boolean(),
  digest: z.boolean(),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  target: z.string().nullable().describe('the user’s own target, summarised'),
  deliversTo: z.string().nullable(),
});

export const preferencesResponse = z.object({
  channels: z.array(preferenceView),
  contacts: z.object({ email: z.string().nullable(), phone: z.string().nullable() }),
});

export const deadView = z.object({
  id: z.uuid(),
  status: z.enum(['failed', 'dead']),
  channel: channelName,
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  subject: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const deadQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const streamQuery = z.strictObject({
  lastEventId: z.coerce.number().int().min(0).optional().describe('as the Last-Event-ID header'),
});
