import type { AppContext } from '../context.ts';
import { defineJob, type JobRunner } from '../jobs/types.ts';
import { latestModel, scoreOpenItems, trainRiskModel } from './service.ts';

/**
 * 滞后风险 rescoring: every hour the open items are scored under the latest model; the model is
 * retrained first when it is older than a week (or there is none). Idempotent: the scores are
 * upserted, so a second run (another worker, a retry) writes the same rows again.
 */
export const RISK_SCORE = defineJob<Record<string, never>>('risk.score');

const SCHEDULE = '17 * * * *';
const RETRAIN_AFTER_MS = 7 * 86_400_000;

export async function rescoreRisk(ctx: Pick<AppContext, 'db' | 'now'>) {
  const now = ctx.now();
  const model = await latestModel(ctx.db);
  if (!model || now.getTime() - model.trainedAt.getTime() > RETRAIN_AFTER_MS)
    await trainRiskModel(ctx.db, now);
  return scoreOpenItems(ctx.db, now);
}

export async function registerRiskJobs(ctx: AppContext, jobs: JobRunner): Promise<void> {
  await jobs.register(RISK_SCORE, async () => {
    await rescoreRisk(ctx);
  });
  await jobs.every(RISK_SCORE, SCHEDULE, {});
  // Once at start, so a fresh database has scores before the first hour strikes.
  await jobs.send(RISK_SCORE, {}, { singletonKey: 'start' });
}
