import { z } from 'zod';

/**
 * Per-category clock and chase rules (督办分类的预警与升级规则), edited by a province-level admin.
 * null means "the default": DEFAULT_LIGHT_RULE and DEFAULT_LADDER in the server.
 */
export const LightRuleSchema = z
  .object({
    yellowWorkingDays: z.number().int().min(0).max(60).describe('黄灯: at most this many working days left'),
    yellowElapsed: z
      .number()
      .gt(0)
      .max(1)
      .describe('黄灯: this share of the allotted working days has passed'),
    redWorkingDays: z.number().int().min(0).max(60).describe('红灯: at most this many working days left'),
    lagTolerance: z
      .number()
      .min(0)
      .max(1)
      .describe('进度滞后: reported share behind elapsed share by more than this'),
  })
  .strict()
  .refine((r) => r.redWorkingDays <= r.yellowWorkingDays, {
    path: ['redWorkingDays'],
    message: 'red cannot come before yellow: redWorkingDays must not exceed yellowWorkingDays',
  });

export const LADDER_STEP_KINDS = ['urge', 'interview', 'deduction', 'organizational'] as const;
export const NOTICE_COLORS = ['blue', 'yellow', 'red'] as const;

export const LadderStepSchema = z
  .object({
    kind: z
      .enum(LADDER_STEP_KINDS)
      .describe('urge 催办 · interview 约谈/通报 · deduction 绩效扣分 · organizational 组织处理建议'),
    name: z.string().trim().min(1).max(40),
    color: z.enum(NOTICE_COLORS).describe('督办单 colour: blue 蓝 · yellow 黄 · red 红'),
    afterWorkingDays: z
      .number()
      .int()
      .min(1)
      .max(250)
      .describe('falls due this many working days after the deadline'),
  })
  .strict();

export const EscalationLadderSchema = z
  .array(LadderStepSchema)
  .min(1)
  .max(10)
  .refine(
    (steps) => steps.every((s, i) => i === 0 || s.afterWorkingDays > (steps[i - 1]?.afterWorkingDays ?? 0)),
    {
      message: 'each step must fall due later than the one before it',
    },
  );

export const CategoryRulesBody = z
  .object({
    lightRule: LightRuleSchema.nullable().describe('null: the default rule'),
    escalationLadder: EscalationLadderSchema.nullable().describe('null: the default ladder'),
  })
  .strict();
export type CategoryRulesInput = z.infer<typeof CategoryRulesBody>;
export type LightRuleInput = z.infer<typeof LightRuleSchema>;
export type LadderStepInput = z.infer<typeof LadderStepSchema>;
