import type { AppContext } from '../context.ts';
import { redateChangedCategories, redateIfCalendarChanged } from '../items/lights.ts';
import { batchSender, defineJob, type JobRunner } from '../jobs/types.ts';
import { chaseItem, forEachDueItem } from './chase.ts';
import { sweepEmergencies } from './emergency.ts';

/** Every minute (DUBAN_SWEEP_SECONDS): find the items whose chase day has come and queue one job per item; 特急 checks. */
export const DEADLINE_SWEEP = defineJob<Record<string, never>>('deadline.sweep');
/** One item's chase: idempotent (the notice key is the claim), so a repeated job does nothing. */
export const CHASE_ITEM = defineJob<{ itemId: string }>('deadline.chase-item');

export async function registerEscalationJobs(
  ctx: AppContext,
  jobs: JobRunner,
  opts: { sweepEveryMs?: number } = {},
): Promise<void> {
  // Four chases at once per worker: a day with thousands of due items (one short transaction
  // each) drains in minutes rather than waiting on one commit after another.
  await jobs.register(
    CHASE_ITEM,
    async ({ itemId }) => {
      await chaseItem(ctx.db, itemId, ctx.now());
    },
    { concurrency: 4 },
  );
  await jobs.register(DEADLINE_SWEEP, async () => {
    const now = ctx.now();
    // An admin's calendar edit moves light and chase days: re-date open items first.
    await redateIfCalendarChanged(ctx.db);
    await redateChangedCategories(ctx.db);
    // While a job for the item waits, a later sweep queues no second one.
    const chase = batchSender(jobs, CHASE_ITEM);
    await forEachDueItem(ctx.db, now, (itemId) => chase.add({ itemId }, { singletonKey: itemId }));
    await chase.flush();
    await sweepEmergencies(ctx.db, now);
  });
  await jobs.every(DEADLINE_SWEEP, opts.sweepEveryMs ?? 60_000, {});
}
