import { z } from 'zod';
import { URGENCIES } from './enums.ts';

/**
 * 系统管理: request schemas of the organisation and category administration API (units, password
 * resets, categories with indicator templates). Zod is the single source of these types and of OpenAPI.
 */

/** 单位类型. 'government' is the people's government itself (where leaders sit). */
export const UNIT_KINDS = [
  'government',
  'supervision_office',
  'government_office',
  'department',
  'township',
  'other',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_KIND_NAMES_ZH: { [K in UnitKind]: string } = {
  government: '人民政府',
  supervision_office: '督查室',
  government_office: '政府办公室',
  department: '职能部门',
  township: '乡镇街道',
  other: '其他单位',
};

const RegionCode = z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 code');
const name = (max: number) => z.string().trim().min(1).max(max);

export const NewUnitBody = z.strictObject({
  name: name(100),
  shortName: z.string().trim().max(20).nullable().optional(),
  kind: z.enum(UNIT_KINDS),
  regionCode: RegionCode,
  parentId: z.uuid().nullable().optional().describe('上级单位'),
  sortOrder: z.number().int().min(0).max(100_000).optional(),
});
export type NewUnitInput = z.infer<typeof NewUnitBody>;

export const UnitPatchBody = z
  .strictObject({
    name: name(100).optional(),
    shortName: z.string().trim().max(20).nullable().optional(),
    kind: z.enum(UNIT_KINDS).optional(),
    regionCode: RegionCode.optional(),
    parentId: z.uuid().nullable().optional(),
    sortOrder: z.number().int().min(0).max(100_000).optional(),
    active: z.boolean().optional(),
    requireHeadApproval: z
      .boolean()
      .optional()
      .describe('单位负责人审批: handlers’ reports and requests wait for the unit head'),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UnitPatchInput = z.infer<typeof UnitPatchBody>;

/** 指标模板: what 立项 pre-fills as the item's quantified targets (target optional: filled per item). */
export const IndicatorTemplateSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a-z, 0-9 and _, starting with a letter'),
  name: name(100),
  unit: z.string().trim().max(20),
  target: z.number().finite().min(0).max(1e12).nullable().optional(),
});
export type IndicatorTemplate = z.infer<typeof IndicatorTemplateSchema>;

const indicators = z
  .array(IndicatorTemplateSchema)
  .max(30)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((ind, i) => {
      if (seen.has(ind.key))
        ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `duplicate indicator key ${ind.key}` });
      seen.add(ind.key);
    });
  });

export const NewCategoryBody = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'a-z, 0-9 and -, starting with a letter'),
  name: name(50),
  description: z.string().trim().max(2000).default(''),
  acceptanceCriteria: z.string().trim().max(2000).default(''),
  defaultUrgency: z.enum(URGENCIES).nullable().default(null),
  indicators: indicators.default([]),
  sortOrder: z.number().int().min(0).max(100_000).optional(),
});
export type NewCategoryInput = z.infer<typeof NewCategoryBody>;

export const CategoryPatchBody = z
  .strictObject({
    name: name(50).optional(),
    description: z.string().trim().max(2000).optional(),
    acceptanceCriteria: z.string().trim().max(2000).optional(),
    defaultUrgency: z.enum(URGENCIES).nullable().optional(),
    indicators: indicators.optional(),
    sortOrder: z.number().int().min(0).max(100_000).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type CategoryPatchInput = z.infer<typeof CategoryPatchBody>;
