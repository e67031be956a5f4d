import type { AppContext } from '../context.ts';
import { batchSender, defineJob, type JobRunner } from '../jobs/types.ts';
import { forEachScheduledItem, remindItemSlots } from './reminders.ts';

/** Hourly in office hours: queue one job per active item with a report schedule. */
export const REPORT_SWEEP = defineJob<Record<string, never>>('reporting.sweep');
/** One item's slots and reminders: idempotent (each reminder's claim), so a repeated job does nothing. */
export const REPORT_ITEM = defineJob<{ itemId: string }>('reporting.item');

/** 08:00–20:00 Beijing time, on the hour: reminders arrive in office hours, a missed hour is caught up. */
const SWEEP_SCHEDULE = '0 8-20 * * *';

export async function registerReportingJobs(ctx: AppContext, jobs: JobRunner): Promise<void> {
  await jobs.register(REPORT_ITEM, async ({ itemId }) => {
    await remindItemSlots(ctx.db, itemId, ctx.now());
  });
  await jobs.register(REPORT_SWEEP, async () => {
    // While a job for the item waits, a later sweep queues no second one.
    const remind = batchSender(jobs, REPORT_ITEM);
    await forEachScheduledItem(ctx.db, (itemId) => remind.add({ itemId }, { singletonKey: itemId }));
    await remind.flush();
  });
  await jobs.every(REPORT_SWEEP, SWEEP_SCHEDULE, {});
}
