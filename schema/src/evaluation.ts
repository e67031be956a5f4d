import { z } from 'zod';
import { IsoDate } from './items.ts';

/**
 * 评估 — 第三方评估, 群众满意度, the composite score's weights and 回头看 (follow-up reviews of
 * closed items). Request schemas of server/src/evaluation and server/src/followup.
 */

/** 群众满意度: 满意 / 基本满意 / 不满意. */
export const SATISFACTION_RATINGS = ['satisfied', 'basic', 'unsatisfied'] as const;
export type SatisfactionRating = (typeof SATISFACTION_RATINGS)[number];
export const SATISFACTION_NAMES_ZH: { [R in SatisfactionRating]: string } = {
  satisfied: '满意',
  basic: '基本满意',
  unsatisfied: '不满意',
};
/** The score each rating counts for in the composite. */
export const SATISFACTION_SCORES: { [R in SatisfactionRating]: number } = {
  satisfied: 100,
  basic: 60,
  unsatisfied: 0,
};

/** 第三方评估 status of one evaluator on one item. */
export const EVALUATOR_STATUSES = ['assigned', 'declared', 'withdrawn', 'scored'] as const;
export type EvaluatorStatus = (typeof EVALUATOR_STATUSES)[number];
export const EVALUATOR_STATUS_NAMES_ZH: { [S in EvaluatorStatus]: string } = {
  assigned: '待声明利益冲突',
  declared: '待评分',
  withdrawn: '已回避',
  scored: '已评分',
};

/** The parts of the composite score (综合评分). */
export const EVALUATION_PARTS = ['supervisor', 'thirdParty', 'satisfaction'] as const;
export type EvaluationPart = (typeof EVALUATION_PARTS)[number];
export const EVALUATION_PART_NAMES_ZH: { [P in EvaluationPart]: string } = {
  supervisor: '督查评价',
  thirdParty: '第三方评估',
  satisfaction: '群众满意度',
};

/** 回头看 outcome: 巩固 (the result holds) or 反弹 (the problem came back: a 整改 item). */
export const FOLLOWUP_OUTCOMES = ['consolidated', 'rebound'] as const;
export type FollowupOutcome = (typeof FOLLOWUP_OUTCOMES)[number];
export const FOLLOWUP_OUTCOME_NAMES_ZH: { [O in FollowupOutcome]: string } = {
  consolidated: '巩固',
  rebound: '反弹',
};

/** 回头看 status, derived: not yet due, due (no reviewer), assigned, done. */
export const FOLLOWUP_STATUSES = ['scheduled', 'due', 'assigned', 'done'] as const;
export type FollowupStatus = (typeof FOLLOWUP_STATUSES)[number];
export const FOLLOWUP_STATUS_NAMES_ZH: { [S in FollowupStatus]: string } = {
  scheduled: '未到期',
  due: '待安排',
  assigned: '已指派',
  done: '已完成',
};

const uuid = z.uuid();
const score = z.number().finite().min(0).max(100);

export const EvaluatorsBody = z
  .object({ userIds: z.array(uuid).min(1).max(20).describe('evaluator users (role evaluator)') })
  .strict();
export const EvaluatorParams = z.object({ id: uuid, userId: uuid }).strict();

export const ConflictBody = z
  .object({
    hasConflict: z.boolean(),
    statement: z.string().trim().max(2000).default('').describe('required when hasConflict'),
  })
  .strict();

export const EvaluatorScoresBody = z
  .object({
    quality: score,
    timeliness: score,
    effectiveness: score,
    comment: z.string().trim().max(5000).default(''),
  })
  .strict();

export const SatisfactionTokenParams = z.object({ token: z.string().min(1).max(256) }).strict();
export const SatisfactionBody = z
  .object({
    rating: z.enum(SATISFACTION_RATINGS),
    comment: z.string().trim().max(1000).optional(),
  })
  .strict();

const weight = z.number().finite().min(0).max(1);
export const EvaluationWeightsBody = z
  .object({ supervisor: weight, thirdParty: weight, satisfaction: weight })
  .strict()
  .describe('weights of the composite score; they must sum to 1');
export type EvaluationWeights = z.infer<typeof EvaluationWeightsBody>;

export const FollowupScheduleBody = z
  .object({
    monthsAfter: z
      .array(z.number().int().min(1).max(60))
      .max(6)
      .refine((a) => new Set(a).size === a.length, { message: 'months must not repeat' })
      .describe('months after 办结 at which a 回头看 falls due; [] = none'),
  })
  .strict();

export const FollowupListQuery = z
  .object({
    status: z.enum(['due', 'assigned', 'done']).optional(),
    itemId: uuid.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const FollowupIdParams = z.object({ id: uuid }).strict();
export const FollowupAssignBody = z.object({ userId: uuid }).strict();
export const FollowupOutcomeBody = z
  .object({
    outcome: z.enum(FOLLOWUP_OUTCOMES),
    findings: z.string().trim().min(1).max(1800),
    deadline: IsoDate.optional().describe('反弹: the 整改 item’s deadline (default: 30 days from today)'),
    title: z.string().trim().min(1).max(200).optional().describe('反弹: the 整改 item’s title'),
  })
  .strict();
