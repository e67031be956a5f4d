import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvaluationDemo } from '../../src/evaluation/demo.ts';
import { evalDb } from '../../src/evaluation/tables.ts';
import type { TestContext } from '../support/context.ts';
import { atNoon, closeWorld, openWorld, type World } from '../support/factories.ts';
import { completedItem } from './support.ts';

/** The demo's ratings, third-party scores and 回头看 rows, made through the module's own commands. */
let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
});
afterAll(() => closeWorld(ctx, w));

describe('seedEvaluationDemo', () => {
  it('rates, scores and schedules the closed demo items; the decided reviews are 巩固', async () => {
    atNoon(ctx, '2026-01-05');
    for (const title of ['甲', '乙', '丙', '丁']) await completedItem(w, { title });
    await ctx.db.updateTable('items').set({ is_demo: true }).execute();
    const now = atNoon(ctx, '2026-08-01');
    const r = await seedEvaluationDemo(ctx.db, { evaluatorId: w.users.evaluator, now });
    // items 0 and 2 rated (1 and 3 times), items 0 and 3 scored, 4 × [3, 6] months of 回头看
    expect(r).toEqual({ ratings: 4, evaluations: 2, followups: 8 });
    const db = evalDb(ctx.db);
    expect(await db.selectFrom('satisfaction_ratings').select('rating').execute()).toHaveLength(4);
    const decided = await db
      .selectFrom('followup_reviews')
      .select('outcome')
      .where('outcome', 'is not', null)
      .execute();
    expect(decided.map((d) => d.outcome)).toEqual(['consolidated', 'consolidated', 'consolidated']);
    const scored = await db.selectFrom('third_party_evaluations').select('status').execute();
    expect(scored.map((s) => s.status)).toEqual(['scored', 'scored']);
  });
});
