import type { SatisfactionRating } from '@duban/schema';
import type { Db } from '../db/client.ts';
import { assignReviewer, recordOutcome, scheduleFollowups } from '../followup/reviews.ts';
import { findActor } from '../org/scope.ts';
import { supervises } from './access.ts';
import { createSatisfactionLink, rateSatisfaction } from './satisfaction.ts';
import { assignEvaluators, declareConflict, submitScores } from './third-party.ts';

/**
 * 演示数据 for evaluation and 回头看 (called at the end of demo/seed.ts): every closed demo item gets
 * its 回头看 rows; some get citizen ratings, the demo evaluator's scores, and decided reviews —
 * all through the module's own commands, so events and rows agree. Deterministic.
 */
const RATINGS: SatisfactionRating[] = [
  'satisfied',
  'satisfied',
  'basic',
  'satisfied',
  'unsatisfied',
  'basic',
];

export async function seedEvaluationDemo(
  db: Db,
  opts: { evaluatorId: string | undefined; now: Date },
): Promise<{ ratings: number; evaluations: number; followups: number }> {
  const { now } = opts;
  return db.transaction().execute(async (tx) => {
    const closed = await tx
      .selectFrom('items')
      .select(['id', 'created_by', 'status'])
      .where('is_demo', '=', true)
      .where('status', 'in', ['completed', 'evaluated', 'archived'])
      .where('completed_at', 'is not', null)
      .orderBy('completed_at')
      .orderBy('id')
      .execute();
    const evaluator = opts.evaluatorId ? await findActor(tx, opts.evaluatorId, 'system') : undefined;
    let ratings = 0;
    let evaluations = 0;
    let followups = 0;
    for (const [i, item] of closed.entries()) {
      followups += (await scheduleFollowups(tx, item.id, now)).length;
      const sup = item.created_by ? await findActor(tx, item.created_by, 'system') : undefined;
      const row = await tx
        .selectFrom('items')
        .selectAll()
        .where('id', '=', item.id)
        .executeTakeFirstOrThrow();
      if (!sup || !(await supervises(tx, sup, row))) continue;
      if (i % 2 === 0) {
        for (let k = 0; k < 1 + (i % 3); k++) {
          const link = await createSatisfactionLink(tx, sup, item.id, now);
          await rateSatisfaction(
            tx,
            link.token,
            { rating: RATINGS[(i + k) % RATINGS.length] ?? 'satisfied' },
            now,
          );
          ratings++;
        }
      }
      if (evaluator && i % 3 === 0 && evaluations < 8) {
        await assignEvaluators(tx, sup, item.id, [evaluator.userId], now);
        await declareConflict(tx, evaluator, item.id, { hasConflict: false, statement: '' }, now);
        const base = 70 + ((i * 7) % 25);
        await submitScores(
          tx,
          evaluator,
          item.id,
          {
            quality: base,
            timeliness: Math.min(100, base + 5),
            effectiveness: base - 3,
            comment: '演示评估意见',
          },
          now,
        );
        evaluations++;
      }
    }
    // A few reviews already decided: 巩固 on the earliest due ones.
    const due = await tx
      .withTables<{
        followup_reviews: { id: string; item_id: string; due_on: string; outcome: string | null };
      }>()
      .selectFrom('followup_reviews')
      .select(['id', 'item_id'])
      .where('due_on', '<=', now.toISOString().slice(0, 10))
      .where('outcome', 'is', null)
      .orderBy('due_on')
      .orderBy('id')
      .limit(3)
      .execute();
    for (const r of due) {
      const item = closed.find((c) => c.id === r.item_id);
      const sup = item?.created_by ? await findActor(tx, item.created_by, 'system') : undefined;
      const row = await tx
        .selectFrom('items')
        .selectAll()
        .where('id', '=', r.item_id)
        .executeTakeFirstOrThrow();
      if (!sup || !(await supervises(tx, sup, row))) continue;
      await assignReviewer(tx, sup, r.id, sup.userId, now);
      await recordOutcome(
        tx,
        sup,
        r.id,
        { outcome: 'consolidated', findings: '回头看：整改成果保持良好，未发现反弹。（演示）' },
        now,
      );
    }
    return { ratings, evaluations, followups };
  });
}
