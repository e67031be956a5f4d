import { z } from 'zod';
import { CreateItemBody } from './items.ts';

/** 统一受理 (task pool): every channel's records, triage and the public complaint channel. */

export const INTAKE_CHANNELS = ['web', 'excel', 'extraction', 'api', 'open311', 'portal'] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];

export const INTAKE_CHANNEL_NAMES_ZH: { [C in IntakeChannel]: string } = {
  web: '督查员录入',
  excel: 'Excel 导入',
  extraction: '文件抽取',
  api: '接口接入',
  open311: 'Open311',
  portal: '群众门户',
};

export const INTAKE_KINDS = ['complaint', 'suggestion', 'task'] as const;
export type IntakeKind = (typeof INTAKE_KINDS)[number];

export const INTAKE_KIND_NAMES_ZH: { [K in IntakeKind]: string } = {
  complaint: '投诉',
  suggestion: '建议',
  task: '任务',
};

export const INTAKE_STATUSES = ['received', 'accepted', 'merged', 'forwarded', 'rejected'] as const;
export type IntakeStatus = (typeof INTAKE_STATUSES)[number];

export const INTAKE_STATUS_NAMES_ZH: { [S in IntakeStatus]: string } = {
  received: '已受理',
  accepted: '已立项',
  merged: '已并案',
  forwarded: '已转办',
  rejected: '不予立项',
};

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();
export const RegionCode = z.string().regex(/^\d{6}$/, 'expected a 6-digit GB/T 2260 code');
export const ContactPhone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'expected a phone number');

/** A record entered by a supervisor (web form) or sent by an API client. */
export const CreateIntakeBody = z
  .object({
    kind: z.enum(INTAKE_KINDS),
    title: text(200),
    content: text(5000),
    regionCode: RegionCode.optional().describe("defaults to the caller's region"),
    categoryCode: z.string().min(1).max(64).optional(),
    channel: z
      .enum(['web', 'api', 'extraction'])
      .optional()
      .describe('default: web for a session, api for a token'),
    address: optionalText(500),
    lat: z.number().min(-90).max(90).optional(),
    long: z.number().min(-180).max(180).optional(),
    contactName: optionalText(50),
    contactPhone: ContactPhone.optional(),
    contactEmail: z.email().max(200).optional(),
  })
  .strict();
export type CreateIntakeInput = z.infer<typeof CreateIntakeBody>;

export const ListIntakeQuery = z
  .object({
    status: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',') : undefined))
      .pipe(z.array(z.enum(INTAKE_STATUSES)).optional()),
    channel: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',') : undefined))
      .pipe(z.array(z.enum(INTAKE_CHANNELS)).optional()),
    q: z.string().trim().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type ListIntakeParams = z.infer<typeof ListIntakeQuery>;

export const IntakeIdParams = z.object({ id: z.uuid() }).strict();

/**
 * 受理立项: the new item's fields. Title, content, category and source default from the record
 * (citizen channels → 网民留言); a deadline or a deadline rule is required as for any item.
 */
export const AcceptIntakeBody = CreateItemBody.omit({ draft: true }).partial({
  title: true,
  content: true,
  source: true,
  categoryCode: true,
});
export type AcceptIntakeInput = z.infer<typeof AcceptIntakeBody>;

export const MergeIntakeBody = z.object({ itemId: z.uuid() }).strict();
export const ForwardIntakeBody = z.object({ unitId: z.uuid(), reason: text(2000) }).strict();
export const RejectIntakeBody = z.object({ reason: text(2000) }).strict();

/** 群众投诉/建议 from the public portal (no login). */
export const PublicComplaintBody = z
  .object({
    kind: z.enum(['complaint', 'suggestion']),
    title: text(200),
    content: text(5000),
    regionCode: RegionCode.optional(),
    categoryCode: z.string().min(1).max(64).optional(),
    contactName: optionalText(50),
    contactPhone: ContactPhone.optional(),
  })
  .strict();
export type PublicComplaintInput = z.infer<typeof PublicComplaintBody>;

/** TS-2026-XXXXXXXX: the year and 8 random Crockford base32 characters. */
export const TRACKING_NO = /^TS-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$/;
export const TrackingNoParams = z.object({ trackingNo: z.string().regex(TRACKING_NO) }).strict();
