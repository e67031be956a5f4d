import { z } from 'zod';
import { isIsoDate } from './dates.ts';
import { ITEM_STATUSES, LIGHTS, SENSITIVITIES, SOURCES, URGENCIES } from './enums.ts';
import { ReportSchedule } from './reporting.ts';

/** Request schemas of the items API. Zod is the single source of these types and of OpenAPI. */

export const IsoDate = z
  .string()
  .refine(isIsoDate, { message: 'expected a calendar date YYYY-MM-DD' })
  .describe('YYYY-MM-DD (Asia/Shanghai)');

const text = (max: number) => z.string().trim().min(1).max(max);

export const TargetSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  name: text(100),
  unit: z.string().trim().max(20),
  target: z.number().finite().min(0).max(1e12),
});

/**
 * 期限规则: instead of a fixed date, N working days (official calendar) from dispatch or from the
 * lead unit's acceptance, or N calendar hours from dispatch (特急 only).
 */
export const DeadlineRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('working-days'),
      days: z.number().int().min(1).max(750),
      from: z.enum(['dispatch', 'acceptance']).default('dispatch'),
    })
    .strict(),
  z.object({ kind: z.literal('hours'), hours: z.number().int().min(1).max(720) }).strict(),
]);
export type DeadlineRule = z.infer<typeof DeadlineRuleSchema>;

export const MilestoneSchema = z.object({ name: text(200), date: IsoDate });

/** 重复督办: a supervisor registers anyway, giving the reason (recorded in the event). */
export const DuplicateOverrideSchema = z.object({ reason: text(500) }).strict();

export const CreateItemBody = z
  .object({
    title: text(200),
    content: text(20_000),
    source: z.enum(SOURCES),
    categoryCode: z.string().min(1).max(64),
    urgency: z.enum(URGENCIES).default('normal'),
    sensitivity: z.enum(SENSITIVITIES).default('internal'),
    deadline: IsoDate.optional().describe('a fixed deadline; give this or deadlineRule'),
    deadlineRule: DeadlineRuleSchema.optional().describe(
      'a deadline counted from dispatch or acceptance instead of a fixed date',
    ),
    supervisingUnitId: z.uuid().optional(),
    responsiblePersons: z
      .array(z.object({ name: text(50), title: z.string().trim().max(100) }))
      .max(20)
      .default([]),
    milestones: z
      .array(MilestoneSchema)
      .max(50)
      .default([])
      .describe('阶段性节点: a missed one raises the warning light and is chased'),
    targets: z.array(TargetSchema).max(50).default([]),
    isPublic: z.boolean().default(false),
    reportSchedule: ReportSchedule.nullable().optional().describe('定期报送; null: none'),
    draft: z.boolean().default(false).describe('save as 草稿 instead of registering (立项) at once'),
    duplicateOverride: DuplicateOverrideSchema.optional().describe(
      '重复督办: register although open items in scope are near-duplicates (supervisors; reason recorded)',
    ),
  })
  .strict();
export type CreateItemInput = z.infer<typeof CreateItemBody>;

export const UpdateItemBody = CreateItemBody.omit({ draft: true, duplicateOverride: true })
  .partial()
  .strict();
export type UpdateItemInput = z.infer<typeof UpdateItemBody>;

const reason = text(2000);
const uuid = z.uuid();

/** One body schema per lifecycle action. */
export const ACTION_BODIES = {
  register: z.object({ duplicateOverride: DuplicateOverrideSchema.optional() }).strict(),
  dispatch: z
    .object({
      assignments: z
        .array(
          z
            .object({
              unitId: uuid,
              role: z.enum(['lead', 'collaborator']),
              deadline: IsoDate.optional().describe("the unit's sub-deadline; default: the item's deadline"),
            })
            .strict(),
        )
        .min(1)
        .max(50),
    })
    .strict(),
  accept: z.object({}).strict(),
  return: z.object({ reason }).strict(),
  report: z
    .object({
      percent: z.number().int().min(0).max(100),
      narrative: text(10_000),
      problems: z.string().trim().max(5000).default(''),
      nextSteps: z.string().trim().max(5000).default(''),
      indicatorValues: z
        .array(
          z.object({ key: z.string().min(1).max(64), value: z.number().finite().min(0).max(1e12) }).strict(),
        )
        .max(50)
        .default([]),
      attachments: z
        .array(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: text(255) }).strict())
        .max(20)
        .default([]),
      milestonesReached: z
        .array(z.number().int().min(0).max(49))
        .max(50)
        .default([])
        .describe('indexes (from 0) of the milestones this report marks as reached'),
    })
    .strict(),
  'request-extension': z.object({ newDeadline: IsoDate, reason }).strict(),
  'approve-extension': z.object({ unitId: uuid, comment: z.string().trim().max(2000).default('') }).strict(),
  'reject-extension': z.object({ unitId: uuid, reason }).strict(),
  'request-completion': z.object({ summary: text(10_000) }).strict(),
  'approve-completion': z.object({ comment: z.string().trim().max(2000).default('') }).strict(),
  'reject-completion': z.object({ reason }).strict(),
  evaluate: z
    .object({
      quality: z.number().min(0).max(100),
      timeliness: z.number().min(0).max(100),
      effectiveness: z.number().min(0).max(100),
      comment: z.string().trim().max(5000).default(''),
    })
    .strict(),
  archive: z.object({}).strict(),
  suspend: z.object({ reason }).strict(),
  resume: z.object({}).strict(),
  cancel: z.object({ reason }).strict(),
  reopen: z.object({ reason, deadline: IsoDate, title: text(200).optional() }).strict(),
  decompose: z
    .object({
      children: z
        .array(
          z
            .object({
              assigningUnitId: uuid.describe(
                'the lower-level unit (usually its supervision office) that runs the child item',
              ),
              title: text(200).optional(),
              content: text(20_000).optional(),
              deadline: IsoDate,
              weight: z.number().positive().max(1000).default(1),
              targets: z.array(TargetSchema).max(50).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(100),
    })
    .strict(),
  instruct: z.object({ body: text(5000) }).strict(),
  comment: z.object({ body: text(5000) }).strict(),
} as const;

export const ListItemsQuery = z
  .object({
    status: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',') : undefined))
      .pipe(z.array(z.enum(ITEM_STATUSES)).optional()),
    category: z.string().max(64).optional(),
    unitId: uuid.optional().describe('items the unit assigns or is assigned'),
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .describe('items of units in this region subtree'),
    urgency: z.enum(URGENCIES).optional(),
    sensitivity: z.enum(SENSITIVITIES).optional(),
    light: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',') : undefined))
      .pipe(z.array(z.enum(LIGHTS)).optional()),
    deadlineFrom: IsoDate.optional(),
    deadlineTo: IsoDate.optional(),
    parentId: uuid.optional(),
    myAssignment: z
      .enum(['pending', 'accepted', 'returned'])
      .optional()
      .describe("items where the caller's own unit has an assignment in this state (pending: 待签收)"),
    q: z.string().trim().min(1).max(100).optional(),
    sort: z.enum(['deadline', '-deadline', 'createdAt', '-createdAt']).default('-createdAt'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type ListItemsParams = z.infer<typeof ListItemsQuery>;

export const ItemIdParams = z.object({ id: uuid }).strict();

/** 容错免责 requests and decisions. */
export const ExemptionBody = z.object({ reason: z.string().trim().min(1).max(5000) }).strict();
export const ExemptionDecisionBody = z.object({ comment: z.string().trim().max(2000).default('') }).strict();
export const ExemptionParams = z.object({ id: z.uuid(), exemptionId: z.uuid() }).strict();
