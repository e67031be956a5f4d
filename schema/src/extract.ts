import { z } from 'zod';
import { SOURCES, URGENCIES } from './enums.ts';
import { DuplicateOverrideSchema, IsoDate } from './items.ts';

/** 文件提取: request schemas of the extraction review API (POST /api/v1/extract, /extract/create). */

/** The largest text the review takes as JSON (characters); uploads are limited by size instead. */
export const EXTRACT_MAX_TEXT = 500_000;
/** The most candidates one 批量立项 may create. */
export const EXTRACT_MAX_ROWS = 200;

/** POST /api/v1/extract as JSON: the document's plain text (an upload is multipart, part "file"). */
export const ExtractTextBody = z
  .object({
    text: z.string().max(EXTRACT_MAX_TEXT),
    year: z.number().int().min(1990).max(2100).optional().describe('the year for phrases without one'),
  })
  .strict();
export type ExtractTextInput = z.infer<typeof ExtractTextBody>;

/** One reviewed candidate to register as an item. */
export const ExtractCreateRow = z
  .object({
    task: z.string().trim().min(1).max(19_000).describe('the commitment (becomes the content)'),
    title: z.string().trim().min(1).max(200).optional().describe('default: the task, shortened'),
    leadUnitIds: z.array(z.uuid()).max(10).default([]),
    collaboratorUnitIds: z.array(z.uuid()).max(50).default([]),
    deadline: IsoDate,
    deadlineText: z.string().trim().max(200).nullable().optional().describe('the phrase as written'),
    targets: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).max(100),
            unit: z.string().trim().max(20),
            target: z.number().finite().min(0).max(1e12),
          })
          .strict(),
      )
      .max(50)
      .default([])
      .describe('quantified targets (新建社区食堂 12 个), the items’ indicators'),
    citation: z
      .object({ start: z.number().int().min(0), end: z.number().int().min(0) })
      .strict()
      .optional(),
    duplicateOverride: DuplicateOverrideSchema.optional().describe(
      '重复督办: register this row although open items duplicate it (reason recorded)',
    ),
  })
  .strict();
export type ExtractCreateRowInput = z.infer<typeof ExtractCreateRow>;

/**
 * 批量立项 from the review. The rows are checked one by one (each error names its index), so the
 * route validates `items` itself against ExtractCreateRow.
 */
export const ExtractCreateBody = z
  .object({
    categoryCode: z.string().min(1).max(64),
    source: z.enum(SOURCES).default('work_report'),
    urgency: z.enum(URGENCIES).default('normal'),
    documentName: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe('the source document, named in each item'),
    dispatch: z
      .boolean()
      .default(true)
      .describe('交办 each item to its lead and collaborator units at once (else: registered only)'),
    items: z.array(z.unknown()).min(1).max(EXTRACT_MAX_ROWS).describe('ExtractCreateRow objects'),
  })
  .strict();
export type ExtractCreateInput = z.infer<typeof ExtractCreateBody>;
