import {
  EVALUATION_PARTS,
  type EvaluationPart,
  type EvaluationWeights,
  SATISFACTION_RATINGS,
  SATISFACTION_SCORES,
  type SatisfactionRating,
} from '@duban/schema';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { Evaluation } from '../items/model.ts';
import { isProvinceLevel } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { loadVisibleItem, supervises } from './access.ts';
import { evalDb, evalTx } from './tables.ts';

/**
 * 综合评分: the weighted mean of the parts an item has — 督查评价 (the supervisor's rubric score),
 * 第三方评估 (the mean of the evaluators' scores) and 群众满意度 (满意 100, 基本满意 60, 不满意 0,
 * averaged). A missing part drops out and the others' weights are renormalised.
 */

export const DEFAULT_WEIGHTS: EvaluationWeights = { supervisor: 0.4, thirdParty: 0.3, satisfaction: 0.3 };

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Pure: the composite of the parts present (null: none), and which parts were missing. */
export function compose(
  parts: { [P in EvaluationPart]: number | null },
  weights: EvaluationWeights,
): { score: number | null; missing: EvaluationPart[]; weightsUsed: { [P in EvaluationPart]: number } } {
  const present = EVALUATION_PARTS.filter((p) => parts[p] !== null && weights[p] > 0);
  const missing = EVALUATION_PARTS.filter((p) => parts[p] === null);
  const total = present.reduce((s, p) => s + weights[p], 0);
  const weightsUsed = Object.fromEntries(
    EVALUATION_PARTS.map((p) => [p, present.includes(p) && total > 0 ? weights[p] / total : 0]),
  ) as { [P in EvaluationPart]: number };
  if (total === 0) return { score: null, missing, weightsUsed };
  const score = present.reduce((s, p) => s + (parts[p] as number) * weights[p], 0) / total;
  return { score: round2(score), missing, weightsUsed };
}

export async function getWeights(db: Queryable): Promise<EvaluationWeights & { updatedAt: string | null }> {
  const row = await evalDb(db).selectFrom('evaluation_weights').selectAll().executeTakeFirst();
  if (!row) return { ...DEFAULT_WEIGHTS, updatedAt: null };
  return {
    supervisor: Number(row.supervisor),
    thirdParty: Number(row.third_party),
    satisfaction: Number(row.satisfaction),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function assertMayEditWeights(actor: Actor) {
  if (!hasRole(actor, 'admin') || !isProvinceLevel(actor))
    throw new DomainError('FORBIDDEN', {
      zh: '只有省级管理员可以修改综合评分权重',
      en: 'Only an admin of a province-level region may change the weights',
    });
}

export async function setWeights(tx: Tx, actor: Actor, weights: EvaluationWeights, now: Date) {
  const sum = weights.supervisor + weights.thirdParty + weights.satisfaction;
  if (Math.abs(sum - 1) > 1e-6)
    throw validationError(
      (['supervisor', 'thirdParty', 'satisfaction'] as const).map((f) => ({
        field: `body.${f}`,
        message: `the three weights must sum to 1 (they sum to ${round2(sum)})`,
        messageZh: `三项权重之和须为 1（当前为 ${round2(sum)}）`,
      })),
    );
  const previous = await getWeights(tx);
  const values = {
    supervisor: weights.supervisor,
    third_party: weights.thirdParty,
    satisfaction: weights.satisfaction,
    updated_by: actor.userId,
    updated_at: now,
  };
  await evalTx(tx)
    .insertInto('evaluation_weights')
    .values({ id: true, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'evaluation.weights_changed',
        weights: { ...weights },
        previous: {
          supervisor: previous.supervisor,
          thirdParty: previous.thirdParty,
          satisfaction: previous.satisfaction,
        },
      },
    ],
    { actorId: actor.userId, at: now },
  );
  return getWeights(tx);
}

/**
 * The item's evaluation as the caller may see it. Supervisors of the item: everything, each
 * evaluator's scores and conflict declarations included. An evaluator of the item (and nothing
 * more): only their own scores — no other score, mean or composite (blind scoring). Everyone
 * else who sees the item: the parts' figures and the composite, no per-evaluator detail.
 */
export async function itemEvaluation(db: Queryable, actor: Actor, itemId: string) {
  const row = await loadVisibleItem(db, actor, itemId);
  const edb = evalDb(db);
  const panel = await edb
    .selectFrom('third_party_evaluations as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.user_id',
      'u.display_name',
      't.status',
      't.has_conflict',
      't.conflict_statement',
      't.declared_at',
      't.quality',
      't.timeliness',
      't.effectiveness',
      't.score',
      't.comment',
      't.scored_at',
      't.assigned_at',
    ])
    .where('t.item_id', '=', itemId)
    .orderBy('t.assigned_at')
    .orderBy('t.user_id')
    .execute();
  const scoresOf = (r: (typeof panel)[number]) =>
    r.status === 'scored'
      ? {
          quality: Number(r.quality),
          timeliness: Number(r.timeliness),
          effectiveness: Number(r.effectiveness),
          score: Number(r.score),
          comment: r.comment,
          scoredAt: r.scored_at?.toISOString() ?? null,
        }
      : null;
  const isSupervisor = await supervises(db, actor, row);
  const blind =
    !isSupervisor && hasRole(actor, 'evaluator') && !hasRole(actor, 'supervisor', 'leader', 'auditor');
  if (blind) {
    const mine = panel.find((r) => r.user_id === actor.userId);
    return {
      itemId,
      blind: true,
      mine: mine ? { status: mine.status, hasConflict: mine.has_conflict, scores: scoresOf(mine) } : null,
    };
  }

  const scored = panel.filter((r) => r.status === 'scored');
  const thirdPartyMean =
    scored.length > 0 ? round2(scored.reduce((s, r) => s + Number(r.score), 0) / scored.length) : null;

  const ratings = await edb
    .selectFrom('satisfaction_ratings')
    .select(['rating', 'rework_proposed', 'rated_at'])
    .where('item_id', '=', itemId)
    .execute();
  const counts = Object.fromEntries(SATISFACTION_RATINGS.map((r) => [r, 0])) as {
    [R in SatisfactionRating]: number;
  };
  for (const r of ratings) counts[r.rating]++;
  const satisfactionScore =
    ratings.length > 0
      ? round2(ratings.reduce((s, r) => s + SATISFACTION_SCORES[r.rating], 0) / ratings.length)
      : null;
  const reworkProposed = ratings.some((r) => r.rework_proposed);

  const rubric = (row.evaluation as Evaluation | null) ?? null;
  const weights = await getWeights(db);
  const composite = compose(
    { supervisor: rubric?.score ?? null, thirdParty: thirdPartyMean, satisfaction: satisfactionScore },
    weights,
  );
  return {
    itemId,
    blind: false,
    rubric: rubric
      ? {
          quality: rubric.quality,
          timeliness: rubric.timeliness,
          effectiveness: rubric.effectiveness,
          score: rubric.score,
          comment: rubric.comment,
          evaluatedAt: rubric.evaluatedAt,
        }
      : null,
    evaluators: {
      mean: thirdPartyMean,
      count: scored.length,
      assigned: panel.filter((r) => r.status !== 'withdrawn').length,
      ...(isSupervisor
        ? {
            detail: panel.map((r) => ({
              userId: r.user_id,
              displayName: r.display_name,
              status: r.status,
              hasConflict: r.has_conflict,
              conflictStatement: r.conflict_statement,
              declaredAt: r.declared_at?.toISOString() ?? null,
              scores: scoresOf(r),
            })),
          }
        : {}),
    },
    satisfaction: { count: ratings.length, counts, score: satisfactionScore },
    reworkProposed,
    weights: {
      supervisor: weights.supervisor,
      thirdParty: weights.thirdParty,
      satisfaction: weights.satisfaction,
    },
    composite: {
      score: composite.score,
      missing: composite.missing,
      weightsUsed: composite.weightsUsed,
    },
  };
}
