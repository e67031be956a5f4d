/**
 * The notification side of the worker role: the delivery loop (its own polling loop with atomic
 * claims — cheaper than a job per message, and just as safe with several workers) and the daily
 * digest job (17:30 Beijing time) on the job runner.
 */
import type { AppContext } from '../context.ts';
import type { JobRunner } from '../jobs/types.ts';
import { createChannels } from './channels/index.ts';
import { type NotifyConfig, processNotifyConfig } from './config.ts';
import { startDeliveryWorker } from './deliver.ts';
import { DIGEST_CRON, DIGEST_JOB, runDigest } from './digest.ts';

/** Starts delivery and schedules the digest; returns the stop function. */
export function startNotifications(
  ctx: AppContext,
  jobs: JobRunner,
  config: NotifyConfig = processNotifyConfig(),
): () => Promise<void> {
  const channels = createChannels(config.channels);
  const stopDelivery = startDeliveryWorker(ctx, channels, {
    publicUrl: config.publicUrl,
    // In-process signals wake the embedded worker at once; on a server other processes write too.
    pollMs: ctx.handle.kind === 'pglite' ? 5000 : 1000,
  });
  (async () => {
    await jobs.register(DIGEST_JOB, async () => {
      await runDigest(ctx, { publicUrl: config.publicUrl });
    });
    await jobs.every(DIGEST_JOB, DIGEST_CRON, {});
  })().catch((err: unknown) =>
    console.error('notification digest not scheduled:', err instanceof Error ? err.message : err),
  );
  return stopDelivery;
}
