import type { AppContext } from '../context.ts';
import { defineJob, type JobRunner } from '../jobs/types.ts';
import { catchUpKpis } from './rollups.ts';

/** Folds new events (and items falling due) into the KPI facts and roll-ups. */
export const KPI_CATCH_UP = defineJob<Record<string, never>>('kpi.catch-up');

/**
 * Every 15 s: the item write path stays as it was (no KPI work inside a command's transaction); the
 * figures follow the events within one period. Runs are serialised on kpi_state's row, so two
 * workers running it at once fold each event once.
 */
export async function registerKpiJobs(ctx: AppContext, jobs: JobRunner, everyMs = 15_000): Promise<void> {
  await jobs.register(KPI_CATCH_UP, async () => {
    await catchUpKpis(ctx.db, ctx.now());
  });
  await jobs.every(KPI_CATCH_UP, everyMs, {});
}
