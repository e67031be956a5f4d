import { z } from 'zod';

/**
 * 清单与通报: the four lists (四张清单, an Excel workbook) and the periodic bulletins — 周调度,
 * 月通报, 季考核 — as DOCX or PDF, archived with their SHA-256 in the evidence ledger.
 */
export const BULLETIN_KINDS = ['four_lists', 'weekly', 'monthly', 'quarterly'] as const;
export type BulletinKind = (typeof BULLETIN_KINDS)[number];

export const BULLETIN_KIND_NAMES_ZH: { [K in BulletinKind]: string } = {
  four_lists: '四张清单',
  weekly: '周调度报告',
  monthly: '月度通报',
  quarterly: '季度考核',
};

export const BULLETIN_FORMATS = ['xlsx', 'docx', 'pdf'] as const;
export type BulletinFormat = (typeof BULLETIN_FORMATS)[number];

/** Who asked for it: a user through the API, the command line, or the worker's schedule. */
export const BULLETIN_TRIGGERS = ['api', 'cli', 'schedule'] as const;
export type BulletinTrigger = (typeof BULLETIN_TRIGGERS)[number];

export const BULLETIN_TRIGGER_NAMES_ZH: { [T in BulletinTrigger]: string } = {
  api: '按需生成',
  cli: '命令行生成',
  schedule: '定时生成',
};

/** Periods: weekly `2026-W47` (ISO week), monthly `2026-10`, quarterly `2026-Q3`. */
export const BULLETIN_PERIOD_PATTERNS: { [K in Exclude<BulletinKind, 'four_lists'>]: RegExp } = {
  weekly: /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/,
  monthly: /^\d{4}-(0[1-9]|1[0-2])$/,
  quarterly: /^\d{4}-Q[1-4]$/,
};

/** POST /api/v1/bulletins: the four lists take no period (they show the state at generation). */
export const NewBulletinBody = z
  .object({
    kind: z.enum(BULLETIN_KINDS),
    period: z.string().max(16).optional(),
    format: z.enum(BULLETIN_FORMATS),
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
  })
  .strict();
export type NewBulletin = z.infer<typeof NewBulletinBody>;

export const ListBulletinsQuery = z
  .object({
    kind: z.enum(BULLETIN_KINDS).optional(),
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export const BulletinIdParams = z.object({ id: z.uuid() }).strict();

export const FourListsQuery = z
  .object({
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
  })
  .strict();

export type BulletinView = {
  id: string;
  kind: BulletinKind;
  kindName: string;
  period: string;
  format: BulletinFormat;
  regionCode: string;
  regionName: string;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  generatedAt: string;
  generatedBy: string | null;
  generatedByName: string | null;
  trigger: BulletinTrigger;
};
