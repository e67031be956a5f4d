import type { AppContext } from '../context.ts';
import { defineJob, type JobRunner } from '../jobs/types.ts';
import { remindDueFollowups, scheduleFollowups, unscheduledItemIds } from './reviews.ts';

/**
 * 回头看 sweep: closed items without scheduled reviews get them (items completed since the last
 * sweep, and those completed before 回头看 existed), then reviews that fell due are announced once.
 * Idempotent: the unique (item, months) index and the notified_at claim make a repeat do nothing.
 */
export const FOLLOWUP_SWEEP = defineJob<Record<string, never>>('followup.sweep');

/** Every 30 minutes (Beijing time): a completed item has its reviews within half an hour. */
const SWEEP_SCHEDULE = '*/30 * * * *';

export async function sweepFollowups(
  ctx: Pick<AppContext, 'db' | 'now'>,
): Promise<{ scheduled: number; reminded: number }> {
  let scheduled = 0;
  for (;;) {
    const ids = await unscheduledItemIds(ctx.db);
    if (ids.length === 0) break;
    let progressed = 0;
    for (const id of ids) {
      // One transaction per item: its rows and its event commit together.
      const created = await ctx.db.transaction().execute((tx) => scheduleFollowups(tx, id, ctx.now()));
      if (created.length > 0) progressed++;
    }
    scheduled += progressed;
    if (progressed === 0) break;
  }
  const reminded = await remindDueFollowups(ctx.db, ctx.now());
  return { scheduled, reminded };
}

export async function registerFollowupJobs(ctx: AppContext, jobs: JobRunner): Promise<void> {
  await jobs.register(FOLLOWUP_SWEEP, async () => {
    await sweepFollowups(ctx);
  });
  await jobs.every(FOLLOWUP_SWEEP, SWEEP_SCHEDULE, {});
}
